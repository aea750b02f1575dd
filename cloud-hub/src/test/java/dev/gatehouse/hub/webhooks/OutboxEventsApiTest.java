package dev.gatehouse.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.outbox.OutboxEvent;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The catalogue's events reach the outbox from the API's changes on both stores, each written in the
 * change's own transaction: a member, a credential issued and revoked, a booking made and cancelled,
 * an invoice issued and a payment recorded, in the order they happened, without the secrets a
 * receiver has no use for (the card's hash).
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class OutboxEventsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        clock.moveTo(Instant.parse("2027-03-10T08:00:00Z"));
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    private static JsonNode payload(OutboxEvent event) {
        try {
            return JSON.readTree(event.payload());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Api.Response ok(Api.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response;
    }

    @Test
    void theApisChangesWriteTheirEventsInOrder() {
        TestHub.Tenant tenant = hub.newTenant("catalogue");
        String token = tenant.token();
        String site = hub.create(
                "/api/v1/sites",
                token,
                "{\"name\":\"Berlin\",\"address\":\"Torstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        String door = hub.create("/api/v1/sites/" + site + "/doors", token, "{\"name\":\"Front\"}");
        String room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                token,
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + door + "\"]}");
        String member =
                hub.create("/api/v1/members", token, "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}");
        String card = hub.create(
                "/api/v1/members/" + member + "/credentials",
                token,
                "{\"type\":\"nfc-card\",\"uid\":\"04A1B2C3D4E5F6\"}");
        ok(hub.api().post("/api/v1/credentials/" + card + "/revoke", token, ""), 200);
        Instant start = clock.instant().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
        String booking = hub.create(
                "/api/v1/bookings",
                token,
                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\"" + start
                        + "\",\"end\":\"" + start.plus(Duration.ofHours(1)) + "\"}");
        ok(hub.api().post("/api/v1/bookings/" + booking + "/cancel", token, ""), 200);
        String pkg = hub.create(
                "/api/v1/packages",
                token,
                "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":19900,\"interval\":\"month\"}");
        ok(
                hub.api()
                        .post(
                                "/api/v1/subscriptions",
                                token,
                                "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site
                                        + "\"}"),
                201);
        JsonNode invoice = ok(hub.api().post("/api/v1/members/" + member + "/invoices", token, ""), 201)
                .json();
        ok(
                hub.api()
                        .post(
                                "/api/v1/invoices/" + invoice.get("id").asText() + "/payments",
                                token,
                                "{\"amount\":" + invoice.get("total").asLong()
                                        + ",\"method\":\"bank-transfer\",\"reference\":\"SEPA\",\"idempotencyKey\":\"pay-ada-1\"}"),
                201);

        Api.Response invited = ok(
                hub.api()
                        .post(
                                "/api/v1/sites/" + site + "/visitor-passes",
                                token,
                                "{\"visitorName\":\"Grace Hopper\",\"visitorEmail\":\"grace@example.com\","
                                        + "\"hostMemberId\":\"" + member + "\",\"doorIds\":[\"" + door
                                        + "\"],\"validFrom\":\"" + start + "\",\"validUntil\":\""
                                        + start.plus(Duration.ofHours(4)) + "\"}"),
                201);
        String pass = invited.json().get("id").asText();
        ok(hub.api().post("/api/v1/visitor-passes/" + pass + "/revoke", token, ""), 200);

        List<OutboxEvent> events = new Outbox(hub.hub().database()).events(tenant.id(), 0, 100);

        assertThat(events)
                .extracting(OutboxEvent::type)
                .containsSubsequence(
                        "member.created",
                        "credential.issued",
                        "credential.revoked",
                        "booking.created",
                        "booking.cancelled",
                        "invoice.issued",
                        "payment.recorded",
                        "visitor.invited",
                        "visitor.revoked");
        // Numbered without gaps, in the order the changes committed.
        assertThat(events)
                .extracting(OutboxEvent::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, events.size())
                        .boxed()
                        .toList());
        OutboxEvent issued = events.stream()
                .filter(e -> e.type().equals("credential.issued"))
                .findFirst()
                .orElseThrow();
        assertThat(issued.entityId()).contains(card);
        assertThat(payload(issued).at("/data/memberId").asText()).isEqualTo(member);
        assertThat(issued.payload()).doesNotContain("cardHash").doesNotContain("04A1B2C3D4E5F6");
        OutboxEvent revoked = events.stream()
                .filter(e -> e.type().equals("credential.revoked"))
                .findFirst()
                .orElseThrow();
        // Receivers apply forward only: the later event of the same credential has the higher version.
        assertThat(revoked.entityVersion().getAsLong())
                .isGreaterThan(issued.entityVersion().getAsLong());
        OutboxEvent cancelled = events.stream()
                .filter(e -> e.type().equals("booking.cancelled"))
                .findFirst()
                .orElseThrow();
        assertThat(payload(cancelled).at("/data/status").asText()).isEqualTo("cancelled");
        OutboxEvent invoiced = events.stream()
                .filter(e -> e.type().equals("invoice.issued"))
                .findFirst()
                .orElseThrow();
        assertThat(payload(invoiced).at("/data/total").asLong())
                .isEqualTo(invoice.get("total").asLong());
        OutboxEvent paid = events.stream()
                .filter(e -> e.type().equals("payment.recorded"))
                .findFirst()
                .orElseThrow();
        assertThat(payload(paid).at("/data/invoiceId").asText())
                .isEqualTo(invoice.get("id").asText());
        // A visitor's events name the pass and its host, never the visitor: erasing them leaves nothing here.
        List<OutboxEvent> visitor =
                events.stream().filter(e -> e.type().startsWith("visitor.")).toList();
        assertThat(visitor).extracting(e -> e.entityId().orElseThrow()).containsOnly(pass);
        assertThat(visitor).extracting(e -> e.entityVersion().getAsLong()).containsExactly(1L, 2L);
        assertThat(payload(visitor.getFirst()).at("/data/hostMemberId").asText())
                .isEqualTo(member);
        assertThat(payload(visitor.getFirst()).at("/data/invitedBy").asText()).isNotBlank();
        assertThat(payload(visitor.getLast()).at("/data/status").asText()).isEqualTo("revoked");
        assertThat(visitor)
                .allSatisfy(e -> assertThat(e.payload()).doesNotContain("Grace").doesNotContain("grace@example.com"));
    }
}
