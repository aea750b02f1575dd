package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invoices and credit notes through the API on both stores: issued from the uninvoiced charges with
 * the tenant's tax rounded half-even, each charge on exactly one line, numbered without gaps per
 * series even when issued concurrently, never changed afterwards, for finance only.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class InvoiceApiTest extends TimeTravelHub {

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String monthly;
    private String premium;

    @BeforeEach
    void catalogue() {
        clock.moveTo(Instant.parse("2027-03-10T11:00:00Z"));
        tenant = hub.newTenant("invoices");
        site = Billing.berlin(hub, tenant);
        monthly = Billing.monthly(hub, tenant, "Monthly", 19900);
        premium = Billing.monthly(hub, tenant, "Premium", 29900);
        Api.Response vat =
                hub.api().patch("/api/v1/billing/tax", tenant.token(), "{\"name\":\"USt.\",\"rateBasisPoints\":1900}");
        assertThat(vat.status()).as(vat.toString()).isEqualTo(200);
    }

    private String member(String name) {
        return hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}");
    }

    private String subscribe(String member, String pkg) {
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        tenant.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site
                                + "\",\"anchor\":\"2027-03-01\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        return sold.json().at("/subscription/id").asText();
    }

    private Api.Response issue(String member) {
        return hub.api().post("/api/v1/members/" + member + "/invoices", tenant.token(), "");
    }

    @Test
    void theChargesBecomeOneInvoiceWithTaxAndThenACreditNote() {
        String ada = member("ada");
        String sub = subscribe(ada, monthly);
        hub.api()
                .post(
                        "/api/v1/subscriptions/" + sub + "/change",
                        tenant.token(),
                        "{\"packageId\":\"" + premium + "\"}");

        Api.Response issued = issue(ada);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        JsonNode invoice = issued.json();
        assertThat(invoice.get("kind").asText()).isEqualTo("invoice");
        assertThat(invoice.get("number").asText()).isEqualTo("INV-000001");
        // 14123 (the start) − 14123 (the old days) + 21219 (the new): 21219; 19 % of it is 4031.61.
        assertThat(invoice.get("lines").findValuesAsText("amount")).containsExactly("14123", "-14123", "21219");
        assertThat(invoice.get("subtotal").asLong()).isEqualTo(21219);
        assertThat(invoice.get("taxName").asText()).isEqualTo("USt.");
        assertThat(invoice.get("tax").asLong()).isEqualTo(4032);
        assertThat(invoice.get("total").asLong()).isEqualTo(25251);
        JsonNode charges = hub.api()
                .get("/api/v1/members/" + ada + "/charges", tenant.token())
                .json();
        assertThat(charges.get("items").findValuesAsText("invoiceId"))
                .containsOnly(invoice.get("id").asText());
        assertThat(charges.get("uninvoiced").asLong()).isZero();

        // Nothing left: no document, no number used.
        Api.Response nothing = issue(ada);
        assertThat(nothing.status()).isEqualTo(409);
        assertThat(nothing.text()).contains("no uninvoiced charges");

        // Cancelled now on 12 March: 19 days of 31 of 29900 back (18326.45), as a credit note.
        clock.moveTo(Instant.parse("2027-03-12T11:00:00Z"));
        hub.api().post("/api/v1/subscriptions/" + sub + "/cancel", tenant.token(), "{\"when\":\"now\"}");
        JsonNode credit = issue(ada).json();
        assertThat(credit.get("kind").asText()).isEqualTo("credit-note");
        assertThat(credit.get("number").asText()).isEqualTo("CN-000001");
        assertThat(credit.get("subtotal").asLong()).isEqualTo(-18326);
        assertThat(credit.get("tax").asLong()).isEqualTo(-3482);
        assertThat(credit.get("total").asLong()).isEqualTo(-21808);

        // Issued documents have no route that changes them.
        String id = invoice.get("id").asText();
        assertThat(hub.api()
                        .patch("/api/v1/invoices/" + id, tenant.token(), "{\"total\":1}")
                        .status())
                .isIn(404, 405);
        assertThat(hub.api().delete("/api/v1/invoices/" + id, tenant.token()).status())
                .isIn(404, 405);
        assertThat(hub.api().get("/api/v1/invoices/" + id, tenant.token()).json())
                .isEqualTo(invoice);
        assertThat(hub.api()
                        .get("/api/v1/members/" + ada + "/invoices", tenant.token())
                        .json()
                        .get("items"))
                .hasSize(2);
    }

    @Test
    void numbersHaveNoGapsWhenIssuedConcurrently() throws Exception {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String member = member("m" + i);
            subscribe(member, monthly);
            members.add(member);
        }
        String idle = member("idle");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Integer> statuses = new ArrayList<>();
        List<String> numbers = new ArrayList<>();
        try {
            List<Callable<Api.Response>> calls = new ArrayList<>();
            for (String member : members) {
                calls.add(() -> issue(member));
                calls.add(() -> issue(member));
                calls.add(() -> issue(idle));
            }
            for (Future<Api.Response> answer : pool.invokeAll(calls)) {
                Api.Response response = answer.get();
                statuses.add(response.status());
                if (response.status() == 201) {
                    numbers.add(response.json().get("number").asText());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // Each member's charges once; the second try and the idle member find nothing and use no number.
        assertThat(statuses.stream().filter(s -> s == 201)).hasSize(12);
        assertThat(statuses).containsOnly(201, 409);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            expected.add(String.format("INV-%06d", i));
        }
        assertThat(numbers).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void onlyFinanceIssuesAndReadsAndAnotherTenantSeesNothing() {
        String ada = member("ada");
        subscribe(ada, monthly);
        String desk = token("front-desk");
        assertThat(hub.api()
                        .post("/api/v1/members/" + ada + "/invoices", desk, "")
                        .status())
                .isEqualTo(403);
        Api.Response byFinance = hub.api().post("/api/v1/members/" + ada + "/invoices", token("finance"), "");
        assertThat(byFinance.status()).as(byFinance.toString()).isEqualTo(201);
        String id = byFinance.json().get("id").asText();
        assertThat(hub.api().get("/api/v1/invoices/" + id, desk).status()).isEqualTo(403);
        // The PDF: finance only, the same bytes each time.
        Api.Response pdf = hub.api().get("/api/v1/invoices/" + id + "/pdf", token("finance"));
        assertThat(pdf.status()).isEqualTo(200);
        assertThat(pdf.contentType()).startsWith("application/pdf");
        assertThat(pdf.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"INV-000001.pdf\"");
        assertThat(pdf.text()).startsWith("%PDF-");
        assertThat(hub.api()
                        .get("/api/v1/invoices/" + id + "/pdf", tenant.token())
                        .text())
                .isEqualTo(pdf.text());
        assertThat(hub.api().get("/api/v1/invoices/" + id + "/pdf", desk).status())
                .isEqualTo(403);
        assertThat(hub.api()
                        .get(
                                "/api/v1/invoices/" + id + "/pdf",
                                hub.newTenant("pdf-rival").token())
                        .status())
                .isEqualTo(404);
        TestHub.Tenant other = hub.newTenant("invoices-rival");
        assertThat(hub.api().get("/api/v1/invoices/" + id, other.token()).status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post("/api/v1/members/" + ada + "/invoices", other.token(), "")
                        .status())
                .isEqualTo(404);
        Api.Response badTax =
                hub.api().patch("/api/v1/billing/tax", tenant.token(), "{\"name\":\"VAT\",\"rateBasisPoints\":-5}");
        assertThat(badTax.status()).isEqualTo(422);
        assertThat(hub.api()
                        .get("/api/v1/billing/tax", tenant.token())
                        .json()
                        .get("rateBasisPoints")
                        .asInt())
                .isEqualTo(1900);
    }

    private String token(String role) {
        return Billing.token(hub, tenant, role);
    }
}
