package dev.gatehouse.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Webhooks out through the API on both stores, to a real HTTP receiver on this machine: a member made
 * through the API arrives signed with the endpoint's secret; a failing receiver is tried on the
 * schedule as the clock moves, then kept as a dead letter that a replay delivers once; a rotated
 * secret signs beside the new one for 24 h; another tenant's endpoint is not there; bad input is
 * refused with what to fix and changes nothing.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class WebhookApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2027-03-10T08:00:00Z");

    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private Receiver receiver;
    private TestHub.Tenant tenant;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void receiverAndTenant() {
        clock.moveTo(NOW);
        receiver = new Receiver();
        tenant = hub.newTenant("hooks");
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    private Api api() {
        return hub.api();
    }

    private JsonNode endpoint(String json) {
        Api.Response created = api().post("/api/v1/webhook-endpoints", tenant.token(), json);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    private String member(String name) {
        return hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}");
    }

    private static JsonNode body(Receiver.Received received) {
        try {
            return JSON.readTree(received.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static StandardWebhooks.Verdict verify(String secret, Receiver.Received received, Instant now) {
        return StandardWebhooks.verify(secret, received.headers(), received.body(), now);
    }

    private JsonNode deliveries(String endpointId) {
        Api.Response answer = api().get("/api/v1/webhook-endpoints/" + endpointId + "/deliveries", tenant.token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json().get("items");
    }

    @Test
    void aMemberCreatedThroughTheApiReachesTheReceiverSignedWithTheEndpointsSecret() {
        JsonNode created = endpoint("{\"url\":\"" + receiver.url("/hooks") + "\",\"description\":\"CRM\","
                + "\"eventTypes\":[\"member.created\"]}");
        String secret = created.get("secret").asText();
        assertThat(secret).startsWith("whsec_");

        String memberId = member("ada");

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 1);
        Receiver.Received received = receiver.received().getFirst();
        assertThat(verify(secret, received, clock.instant())).isInstanceOf(StandardWebhooks.Verified.class);
        JsonNode body = body(received);
        assertThat(body.get("type").asText()).isEqualTo("member.created");
        assertThat(body.at("/data/id").asText()).isEqualTo(memberId);
        assertThat(body.at("/data/email").asText()).isEqualTo("ada@example.com");
        assertThat(body.at("/data/entityVersion").asLong()).isEqualTo(1);
        assertThat(received.header("content-type")).isEqualTo("application/json");
        // The event's id is the webhook-id, the one receivers deduplicate by.
        List<dev.gatehouse.hub.outbox.OutboxEvent> events = new Outbox(hub.hub().database()).events(tenant.id(), 0, 10);
        assertThat(events).hasSize(1);
        assertThat(received.header("webhook-id")).isEqualTo(events.getFirst().id());

        String endpointId = created.at("/endpoint/id").asText();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        deliveries(endpointId).get(0).get("status").asText().equals("delivered"));
        JsonNode shown = api().get("/api/v1/webhook-endpoints/" + endpointId, tenant.token())
                .json();
        assertThat(shown.at("/health/failuresInRow").asInt()).isZero();
        assertThat(shown.at("/health/lastSuccessAt").asText())
                .isEqualTo(clock.instant().toString());
        // The secret is shown once: not in the endpoint, the list or the audit log.
        assertThat(shown.toString()).doesNotContain(secret).doesNotContain("whsec_");
        assertThat(api().get("/api/v1/webhook-endpoints", tenant.token()).text())
                .doesNotContain("whsec_");
        Api.Response audit = api().get("/api/v1/audit", tenant.token());
        assertThat(audit.text()).contains("webhook-endpoint.create").doesNotContain("whsec_");
    }

    @Test
    void onlyTheEventTypesAnEndpointTakesAreDeliveredAndAMemberUpdateCarriesTheNextVersion() {
        endpoint("{\"url\":\"" + receiver.url("/updates") + "\",\"eventTypes\":[\"member.updated\","
                + "\"member.suspended\"]}");
        String memberId = member("grace");

        Api.Response renamed = api().patch("/api/v1/members/" + memberId, tenant.token(), "{\"fullName\":\"Grace H\"}");
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        Api.Response suspended =
                api().patch("/api/v1/members/" + memberId, tenant.token(), "{\"status\":\"suspended\"}");
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 2);
        List<JsonNode> bodies = receiver.received().stream()
                .map(WebhookApiTest::body)
                .sorted(java.util.Comparator.comparingLong(
                        b -> b.at("/data/entityVersion").asLong()))
                .toList();
        assertThat(bodies.get(0).get("type").asText()).isEqualTo("member.updated");
        assertThat(bodies.get(0).at("/data/entityVersion").asLong()).isEqualTo(2);
        assertThat(bodies.get(1).get("type").asText()).isEqualTo("member.suspended");
        assertThat(bodies.get(1).at("/data/entityVersion").asLong()).isEqualTo(3);
        assertThat(bodies.get(1).at("/data/status").asText()).isEqualTo("suspended");
    }

    @Test
    void aChangeRefusedByTheStoreWritesNoEvent() {
        member("dup");
        Api.Response again =
                api().post("/api/v1/members", tenant.token(), "{\"email\":\"dup@example.com\",\"fullName\":\"Dup\"}");
        assertThat(again.status()).isEqualTo(409);

        // The event is written in the member's transaction: one member, one event.
        assertThat(new Outbox(hub.hub().database()).events(tenant.id(), 0, 10))
                .extracting(dev.gatehouse.hub.outbox.OutboxEvent::type)
                .containsExactly("member.created");
    }

    @Test
    void aFailingReceiverIsTriedOnTheScheduleThenKeptAsADeadLetterThatAReplayDeliversOnce() {
        receiver.answer(503);
        String endpointId = endpoint("{\"url\":\"" + receiver.url("/down") + "\"}")
                .at("/endpoint/id")
                .asText();
        member("linus");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> deliveries(endpointId).get(0).get("attempts").asInt() == 1);

        List<Duration> waits = RetrySchedule.STANDARD.delays().subList(1, RetrySchedule.STANDARD.attempts());
        int attempts = 1;
        for (Duration wait : waits) {
            JsonNode delivery = deliveries(endpointId).get(0);
            assertThat(delivery.get("status").asText()).isEqualTo("pending");
            Instant next = Instant.parse(delivery.get("nextAttemptAt").asText());
            assertThat(next).isEqualTo(clock.instant().plus(wait));

            // A second before it is due, nothing is sent.
            clock.moveTo(next.minusSeconds(1));
            hub.hub().webhooks().pass();
            assertThat(deliveries(endpointId).get(0).get("attempts").asInt()).isEqualTo(attempts);

            clock.moveTo(next);
            hub.hub().webhooks().wake();
            int expected = ++attempts;
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> deliveries(endpointId).get(0).get("attempts").asInt() == expected);
        }
        assertThat(attempts).isEqualTo(8);
        JsonNode dead = deliveries(endpointId).get(0);
        assertThat(dead.get("status").asText()).isEqualTo("dead");
        assertThat(dead.get("lastStatus").asInt()).isEqualTo(503);
        assertThat(receiver.count()).isEqualTo(8);
        JsonNode health = api().get("/api/v1/webhook-endpoints/" + endpointId, tenant.token())
                .json()
                .get("health");
        assertThat(health.get("deadLetters").asInt()).isEqualTo(1);
        assertThat(health.get("failuresInRow").asInt()).isEqualTo(8);

        // Nothing more however far the clock moves.
        clock.advance(Duration.ofDays(1));
        hub.hub().webhooks().pass();
        assertThat(receiver.count()).isEqualTo(8);

        receiver.answer(204);
        Api.Response replayed = api().post(
                        "/api/v1/webhook-endpoints/" + endpointId + "/deliveries/"
                                + dead.get("id").asText() + "/replay",
                        tenant.token(),
                        "");
        assertThat(replayed.status()).as(replayed.toString()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        deliveries(endpointId).get(0).get("status").asText().equals("delivered"));
        assertThat(receiver.count()).isEqualTo(9);
        clock.advance(Duration.ofHours(30));
        hub.hub().webhooks().pass();
        assertThat(receiver.count()).isEqualTo(9);
        // Every attempt carried the same id and body: receivers see one message, tried nine times.
        assertThat(receiver.received().stream().map(r -> r.header("webhook-id")).distinct())
                .hasSize(1);
    }

    /**
     * The outbox would otherwise grow by every entry at every door for ever, and keep personal data
     * in its payloads past the tenant's retention: events older than the retention go with their
     * deliveries, but never one that a consumer (a connector behind on its work) has not read yet.
     */
    @Test
    void theOutboxForgetsEventsPastItsRetentionOnceEveryConsumerHasReadThem() {
        String endpointId = endpoint("{\"url\":\"" + receiver.url("/kept") + "\"}")
                .at("/endpoint/id")
                .asText();
        member("old1");
        member("old2");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 2);
        Outbox outbox = new Outbox(hub.hub().database());
        List<Long> seqs = outbox.events(tenant.id(), 0, 10).stream()
                .map(dev.gatehouse.hub.outbox.OutboxEvent::seq)
                .toList();
        assertThat(seqs).hasSize(2);
        // A second consumer has read only the first event.
        Lagging lagging = new Lagging();
        while (lagging.taken.isEmpty()) {
            outbox.drain(lagging, 1);
        }

        clock.advance(Duration.ofDays(29));
        hub.hub().webhooks().pass();
        assertThat(outbox.events(tenant.id(), 0, 10)).hasSize(2);

        clock.advance(Duration.ofDays(2));
        hub.hub().webhooks().pass();
        assertThat(outbox.events(tenant.id(), 0, 10))
                .extracting(dev.gatehouse.hub.outbox.OutboxEvent::seq)
                .as("the event the lagging consumer has not read is kept")
                .containsExactly(seqs.get(1));
        assertThat(deliveries(endpointId)).hasSize(1);

        while (outbox.drain(lagging, 10) > 0) {
            // reads the rest
        }
        String fresh = member("new1");
        // Delivered and recorded before the clock moves: an attempt in flight when the clock jumps an
        // hour would outlive its lease and be claimed again, as it should be.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> receiver.count() == 3
                        && deliveries(endpointId).size() == 2
                        && deliveries(endpointId).findValuesAsText("status").stream()
                                .allMatch("delivered"::equals));
        clock.advance(WebhookDispatcher.PRUNE_EVERY);
        hub.hub().webhooks().pass();
        assertThat(outbox.events(tenant.id(), 0, 10))
                .extracting(event -> event.entityId().orElseThrow())
                .containsExactly(fresh);
        assertThat(receiver.count()).isEqualTo(3);
        assertThat(deliveries(endpointId)).hasSize(1);
    }

    /**
     * Retention must never drop an event a receiver is still owed: an endpoint the operator paused
     * while a delivery was retrying gets it when it is switched back on, however old the event is by
     * then. Once delivered, the event goes at the next prune.
     */
    @Test
    void theOutboxKeepsAnEventPastItsRetentionWhileADeliveryStillWaitsForIt() {
        receiver.answer(500);
        String endpointId = endpoint("{\"url\":\"" + receiver.url("/paused") + "\"}")
                .at("/endpoint/id")
                .asText();
        String memberId = member("owed");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> deliveries(endpointId).get(0).get("attempts").asInt() == 1);
        Api.Response paused =
                api().patch("/api/v1/webhook-endpoints/" + endpointId, tenant.token(), "{\"enabled\":false}");
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        Outbox outbox = new Outbox(hub.hub().database());

        clock.advance(Duration.ofDays(31));
        hub.hub().webhooks().pass();
        prune();

        assertThat(outbox.events(tenant.id(), 0, 10))
                .as("the event a retrying delivery waits for is kept past the retention")
                .extracting(event -> event.entityId().orElseThrow())
                .containsExactly(memberId);
        assertThat(deliveries(endpointId))
                .singleElement()
                .satisfies(d -> assertThat(d.get("status").asText()).isEqualTo("pending"));

        receiver.answer(204);
        Api.Response resumed =
                api().patch("/api/v1/webhook-endpoints/" + endpointId, tenant.token(), "{\"enabled\":true}");
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        hub.hub().webhooks().pass();
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        deliveries(endpointId).get(0).get("status").asText().equals("delivered"));
        assertThat(body(receiver.received().getLast()).at("/data/id").asText()).isEqualTo(memberId);

        prune();
        assertThat(outbox.events(tenant.id(), 0, 10)).isEmpty();
        assertThat(deliveries(endpointId)).isEmpty();
    }

    /**
     * The dispatcher's hourly prune, run now: the dispatcher's own runs at most once an hour of the
     * clock, which earlier tests in this class may have moved further than this one does.
     */
    private void prune() {
        new WebhookStore(hub.hub().database(), clock).prune(Duration.ofDays(30));
    }

    /** A consumer that keeps what it is handed (each tenant's next events, its cursor moved past them). */
    private static final class Lagging implements dev.gatehouse.hub.outbox.OutboxConsumer {
        final List<dev.gatehouse.hub.outbox.OutboxEvent> taken = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "lagging-connector";
        }

        @Override
        public void accept(java.sql.Connection c, List<dev.gatehouse.hub.outbox.OutboxEvent> events) {
            taken.addAll(events);
        }
    }

    /**
     * One tenant's receiver hanging (each attempt waits for the whole timeout) must not hold up every
     * other endpoint's deliveries behind its backlog: it gets its share of the slots, no more.
     */
    @Test
    void aHangingEndpointTakesItsShareOfTheSlotsWhileAnotherEndpointsDeliveriesFlow() {
        receiver.hold("/slow");
        endpoint("{\"url\":\"" + receiver.url("/slow") + "\"}");
        int backlog = WebhookDispatcher.IN_FLIGHT + 8;
        for (int i = 0; i < backlog; i++) {
            member("queued" + i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count("/slow") == WebhookDispatcher.PER_ENDPOINT);
        endpoint("{\"url\":\"" + receiver.url("/fast") + "\"}");
        member("later");

        // Delivered while the slow endpoint's attempts still hang (well inside their 15 s timeout).
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count("/fast") == 1);
        assertThat(receiver.count("/slow")).isEqualTo(WebhookDispatcher.PER_ENDPOINT);

        receiver.release();
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.count("/slow") == backlog + 1);
        assertThat(receiver.count("/fast")).isEqualTo(1);
    }

    @Test
    void replayingEveryDeadLetterOfAnEndpointSendsEachOnce() {
        receiver.answer(500);
        receiver.abortMessages(true);
        String endpointId = endpoint("{\"url\":\"" + receiver.url("/abort") + "\"}")
                .at("/endpoint/id")
                .asText();
        member("a1");
        member("a2");
        // The receiver asks to stop: one attempt each, no retries.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> deliveries(endpointId).findValuesAsText("status").equals(List.of("aborted", "aborted")));
        clock.advance(Duration.ofHours(1));
        hub.hub().webhooks().pass();
        assertThat(receiver.count()).isEqualTo(2);

        Api.Response none =
                api().post("/api/v1/webhook-endpoints/" + endpointId + "/replay-dead-letters", tenant.token(), "");
        assertThat(none.json().get("replayed").asInt()).isZero();
    }

    @Test
    void aRotatedSecretSignsBesideTheNewOneFor24HoursThenStops() {
        JsonNode created = endpoint("{\"url\":\"" + receiver.url("/rotate") + "\"}");
        String old = created.get("secret").asText();
        String endpointId = created.at("/endpoint/id").asText();

        Api.Response rotated =
                api().post("/api/v1/webhook-endpoints/" + endpointId + "/rotate-secret", tenant.token(), "");
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String fresh = rotated.json().get("secret").asText();
        assertThat(fresh).isNotEqualTo(old).startsWith("whsec_");
        assertThat(rotated.json().get("previousSecretValidUntil").asText())
                .isEqualTo(clock.instant().plus(Duration.ofHours(24)).toString());

        member("r1");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 1);
        Receiver.Received during = receiver.received().getFirst();
        assertThat(during.header("webhook-signature").split(" ")).hasSize(2);
        assertThat(verify(fresh, during, clock.instant())).isInstanceOf(StandardWebhooks.Verified.class);
        assertThat(verify(old, during, clock.instant())).isInstanceOf(StandardWebhooks.Verified.class);

        clock.advance(Duration.ofHours(24).plusSeconds(1));
        member("r2");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 2);
        Receiver.Received after = receiver.received().get(1);
        assertThat(after.header("webhook-signature").split(" ")).hasSize(1);
        assertThat(verify(fresh, after, clock.instant())).isInstanceOf(StandardWebhooks.Verified.class);
        assertThat(verify(old, after, clock.instant())).isInstanceOf(StandardWebhooks.Refused.class);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> api().get("/api/v1/webhook-endpoints/" + endpointId, tenant.token())
                        .json()
                        .path("previousSecretValidUntil")
                        .isMissingNode());
    }

    @Test
    void anotherTenantsEndpointIsNotThereForAnyCall() {
        JsonNode created = endpoint("{\"url\":\"" + receiver.url("/mine") + "\"}");
        String endpointId = created.at("/endpoint/id").asText();
        receiver.answer(500);
        receiver.abortMessages(true);
        member("m1");
        // Aborted by the receiver: a delivery its own tenant could replay, so a 404 below is the tenant's.
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        deliveries(endpointId).get(0).get("status").asText().equals("aborted"));
        String deliveryId = deliveries(endpointId).get(0).get("id").asText();
        TestHub.Tenant other = hub.newTenant("other");
        String base = "/api/v1/webhook-endpoints/" + endpointId;

        assertThat(api().get(base, other.token()).status()).isEqualTo(404);
        assertThat(api().patch(base, other.token(), "{\"enabled\":false}").status())
                .isEqualTo(404);
        assertThat(api().post(base + "/rotate-secret", other.token(), "").status())
                .isEqualTo(404);
        assertThat(api().get(base + "/deliveries", other.token()).status()).isEqualTo(404);
        assertThat(api().post(base + "/deliveries/" + deliveryId + "/replay", other.token(), "")
                        .status())
                .isEqualTo(404);
        assertThat(api().post(base + "/replay-dead-letters", other.token(), "").status())
                .isEqualTo(404);
        assertThat(api().delete(base, other.token()).status()).isEqualTo(404);
        assertThat(api().get("/api/v1/webhook-endpoints", other.token()).json().get("items"))
                .isEmpty();

        JsonNode still = api().get(base, tenant.token()).json();
        assertThat(still.get("enabled").asBoolean()).isTrue();
        assertThat(deliveries(endpointId).get(0).get("status").asText()).isEqualTo("aborted");
    }

    @Test
    void badInputIsRefusedWithWhatToFixAndChangesNothing() {
        Api.Response notUrl = api().post("/api/v1/webhook-endpoints", tenant.token(), "{\"url\":\"not a url\"}");
        assertThat(notUrl.status()).isEqualTo(422);
        assertThat(notUrl.json().at("/errors/0/field").asText()).isEqualTo("url");

        Api.Response plainHttp =
                api().post("/api/v1/webhook-endpoints", tenant.token(), "{\"url\":\"http://crm.example.com/hooks\"}");
        assertThat(plainHttp.status()).isEqualTo(422);
        assertThat(plainHttp.json().at("/errors/0/detail").asText() + plainHttp.text())
                .contains("https://");

        Api.Response unknownType = api().post(
                        "/api/v1/webhook-endpoints",
                        tenant.token(),
                        "{\"url\":\"https://crm.example.com/hooks\",\"eventTypes\":[\"member.created\",\"member.exploded\"]}");
        assertThat(unknownType.status()).isEqualTo(422);
        assertThat(unknownType.json().at("/errors/0/field").asText()).isEqualTo("eventTypes[1]");
        assertThat(unknownType.text()).contains("member.exploded").contains("member.created");

        Api.Response misspelt = api().post(
                        "/api/v1/webhook-endpoints",
                        tenant.token(),
                        "{\"url\":\"https://crm.example.com/\",\"events\":[]}");
        assertThat(misspelt.status()).isEqualTo(422);

        assertThat(api().get("/api/v1/webhook-endpoints", tenant.token()).json().get("items"))
                .isEmpty();

        String id = endpoint("{\"url\":\"https://crm.example.com/hooks\"}")
                .at("/endpoint/id")
                .asText();
        Api.Response badPatch =
                api().patch("/api/v1/webhook-endpoints/" + id, tenant.token(), "{\"url\":\"ftp://x/\"}");
        assertThat(badPatch.status()).isEqualTo(422);
        assertThat(api().get("/api/v1/webhook-endpoints/" + id, tenant.token())
                        .json()
                        .get("url")
                        .asText())
                .isEqualTo("https://crm.example.com/hooks");
    }

    @Test
    void theEventCatalogueListsEveryType() {
        Api.Response types = api().get("/api/v1/webhook-event-types", tenant.token());
        assertThat(types.status()).isEqualTo(200);
        assertThat(types.json().get("items").findValuesAsText("type"))
                .hasSize(dev.gatehouse.hub.outbox.EventType.values().length)
                .contains("member.created", "access.denied", "invoice.issued");
    }

    @Test
    void anEndpointFailingForFiveDaysIsDisabledAndTheAlertContactsAreMailed() throws Exception {
        Api.Response contacts =
                api().put("/api/v1/alert-settings", tenant.token(), "{\"emails\":[\"ops@hooks.example\"]}");
        assertThat(contacts.status()).as(contacts.toString()).isEqualTo(200);
        receiver.answer(502);
        String endpointId = endpoint("{\"url\":\"" + receiver.url("/gone") + "\"}")
                .at("/endpoint/id")
                .asText();
        Instant firstFailure = clock.instant();
        member("day0");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> deliveries(endpointId).get(0).get("attempts").asInt() == 1);

        // Every 10 hours a new member, and every attempt due by then, fails; nothing succeeds in between.
        int step = 0;
        while (clock.instant().isBefore(firstFailure.plus(WebhookStore.DISABLE_AFTER))) {
            clock.advance(Duration.ofHours(10));
            member("day" + ++step);
            while (hub.hub().webhooks().pass() > 0) {
                // until nothing is due now
            }
            JsonNode shown = api().get("/api/v1/webhook-endpoints/" + endpointId, tenant.token())
                    .json();
            boolean overdue = !clock.instant().isBefore(firstFailure.plus(WebhookStore.DISABLE_AFTER));
            // Enabled until the first failed attempt 5 days after the first failure, disabled from it.
            if (!overdue) {
                assertThat(shown.get("enabled").asBoolean())
                        .as("after %d steps", step)
                        .isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !api().get("/api/v1/webhook-endpoints/" + endpointId, tenant.token())
                        .json()
                        .get("enabled")
                        .asBoolean());
        JsonNode disabled = api().get("/api/v1/webhook-endpoints/" + endpointId, tenant.token())
                .json();
        assertThat(disabled.get("disabledReason").asText())
                .contains("disabled automatically")
                .contains(firstFailure.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> mailed("Webhook endpoint disabled"));

        // Disabled: a new event is not sent, however long the clock runs.
        int before = receiver.count();
        member("after");
        clock.advance(Duration.ofDays(2));
        hub.hub().webhooks().pass();
        assertThat(receiver.count()).isEqualTo(before);
    }

    private boolean mailed(String subject) throws IOException {
        java.nio.file.Path folder = hub.dataDir().resolve("mail");
        if (!java.nio.file.Files.isDirectory(folder)) {
            return false;
        }
        try (var files = java.nio.file.Files.list(folder)) {
            for (java.nio.file.Path mail : files.toList()) {
                String text = java.nio.file.Files.readString(mail);
                if (text.contains(subject) && text.contains("ops@hooks.example")) {
                    return true;
                }
            }
        }
        return false;
    }
}
