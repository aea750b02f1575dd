package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Billing time travel on both stores: a clock moved month by month through 13 periods, the billing
 * run called twice at each step. Each period is charged once and invoiced once, an upgrade's
 * proration lands on the next document, a cancellation at the period's end stops the charges, the
 * numbers run without gaps, and the same books in a second tenant give the very same documents.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class BillingRunTest extends TimeTravelHub {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZonedDateTime START = ZonedDateTime.of(2027, 1, 15, 11, 0, 0, 0, BERLIN);

    @Parameter
    StoreKind store;

    /** Runs the same year for a new tenant; answers each member's documents by e-mail. */
    private Map<String, List<String>> year(String prefix) {
        clock.moveTo(START.toInstant());
        TestHub.Tenant tenant = hub.newTenant(prefix);
        hub.api().patch("/api/v1/billing/tax", tenant.token(), "{\"name\":\"USt.\",\"rateBasisPoints\":1900}");
        String site = Billing.berlin(hub, tenant);
        String monthly = Billing.monthly(hub, tenant, "Monthly", 19900);
        String premium = Billing.monthly(hub, tenant, "Premium", 29900);
        Map<String, String> subs = new TreeMap<>();
        for (String name : List.of("ada", "bob", "cy")) {
            String member = hub.create(
                    "/api/v1/members",
                    tenant.token(),
                    "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}");
            Api.Response sold = hub.api()
                    .post(
                            "/api/v1/subscriptions",
                            tenant.token(),
                            "{\"memberId\":\"" + member + "\",\"packageId\":\"" + monthly + "\",\"siteId\":\"" + site
                                    + "\"}");
            assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
            subs.put(name, sold.json().at("/subscription/id").asText());
        }
        List<JsonNode> issued = new ArrayList<>();
        for (int month = 0; month <= 12; month++) {
            clock.moveTo(START.plusMonths(month).toInstant());
            issued.addAll(run(tenant));
            issued.addAll(run(tenant)); // a second run finds nothing more to do
            if (month == 2) {
                // Bob upgrades ten days into March's period; Cy leaves at the end of it.
                clock.moveTo(START.plusMonths(month).plusDays(10).toInstant());
                hub.api()
                        .post(
                                "/api/v1/subscriptions/" + subs.get("bob") + "/change",
                                tenant.token(),
                                "{\"packageId\":\"" + premium + "\"}");
                hub.api()
                        .post(
                                "/api/v1/subscriptions/" + subs.get("cy") + "/cancel",
                                tenant.token(),
                                "{\"when\":\"period-end\"}");
            }
        }
        Map<String, List<String>> documents = new TreeMap<>();
        List<String> numbers = new ArrayList<>();
        for (JsonNode document : issued) {
            numbers.add(document.get("number").asText());
            String email = hub.api()
                    .get("/api/v1/members/" + document.get("memberId").asText(), tenant.token())
                    .json()
                    .get("email")
                    .asText();
            StringBuilder text = new StringBuilder(document.get("number").asText())
                    .append(' ')
                    .append(document.get("subtotal").asLong())
                    .append('+')
                    .append(document.get("tax").asLong())
                    .append('=')
                    .append(document.get("total").asLong());
            document.get("lines").forEach(line -> text.append(" | ")
                    .append(line.get("description").asText())
                    .append(' ')
                    .append(line.get("amount").asLong()));
            documents.computeIfAbsent(email, e -> new ArrayList<>()).add(text.toString());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= numbers.size(); i++) {
            expected.add(String.format("INV-%06d", i));
        }
        assertThat(numbers).as("gap-free, in the order issued").isEqualTo(expected);
        return documents;
    }

    private List<JsonNode> run(TestHub.Tenant tenant) {
        Api.Response ran = hub.api().post("/api/v1/billing/run", tenant.token(), "");
        assertThat(ran.status()).as(ran.toString()).isEqualTo(200);
        List<JsonNode> issued = new ArrayList<>();
        ran.json().get("issued").forEach(issued::add);
        return issued;
    }

    @Test
    void thirteenPeriodsAreChargedAndInvoicedOnceEachTheSameEveryTime() {
        Map<String, List<String>> first = year("run-a");

        // Ada: the sale and twelve more periods, each 19900 + 19 % (3781).
        assertThat(first.get("ada@example.com")).hasSize(13).allSatisfy(document -> assertThat(document)
                .endsWith("19900+3781=23681 | Monthly 19900"));
        // Cy: January to March, then nothing after the cancellation at the end of March's period.
        assertThat(first.get("cy@example.com")).hasSize(3);
        // Bob: upgraded on 25 March, 21 of 31 days (15 Mar – 15 Apr) credited at the old price and charged
        // at the new; April's document carries them with April's period at the new price.
        List<String> bob = first.get("bob@example.com");
        assertThat(bob).hasSize(13);
        assertThat(bob.get(3))
                .contains("Unused days of the old package, from 2027-03-25 -13481")
                .contains("Premium, from 2027-03-25 20255")
                .contains("Premium 29900")
                .contains((29900 + 20255 - 13481) + "+");
        assertThat(bob.get(12)).endsWith("| Premium 29900");

        // The same books in another tenant: the very same documents.
        assertThat(year("run-b")).isEqualTo(first);
    }
}
