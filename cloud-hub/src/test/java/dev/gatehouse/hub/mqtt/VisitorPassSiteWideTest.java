package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.AccessRequest;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import dev.gatehouse.protocol.policy.PolicyEngine;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Channel;
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
 * A single-use visitor pass spent for the whole site, on both stores, over the real embedded broker:
 * the lobby edge admits the visitor and reports the use; the hub records it once however often it
 * arrives and sends the pass as used to every edge of the site, so the QR code is refused on its
 * second use at the upstairs edge as at the lobby. A site with an edge that predates "used" gets the
 * pass as revoked (refused there too).
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class VisitorPassSiteWideTest {
    private static final List<String> READS_ALL = List.of(VisitorPass.USED_FEATURE, VisitorPass.PIN_FEATURE);
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.startWithBroker(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    /** A site with a lobby and an upstairs edge and a single-use visitor pass for its door. */
    private record Fixture(
            EdgeDevices.Device lobby,
            FakeEdge lobbyEdge,
            EdgeDevices.Device upstairs,
            FakeEdge upstairsEdge,
            String door,
            String pass,
            String qr)
            implements AutoCloseable {
        @Override
        public void close() {
            lobbyEdge.close();
            upstairsEdge.close();
        }
    }

    private static Fixture site(String prefix, List<String> upstairsFeatures) throws Exception {
        EdgeDevices.Device lobby = EdgeDevices.provisioned(hub, prefix);
        FakeEdge lobbyEdge = EdgeDevices.connect(hub, lobby);
        EdgeDevices.report(hub, lobby, lobbyEdge, READS_ALL);
        EdgeDevices.Device upstairs = EdgeDevices.another(hub, lobby, "pi-upstairs");
        FakeEdge upstairsEdge = EdgeDevices.connect(hub, upstairs);
        EdgeDevices.report(hub, upstairs, upstairsEdge, upstairsFeatures);
        String door = IngestTest.door(lobby);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Api.Response created = hub.api()
                .post(
                        "/api/v1/sites/" + lobby.site() + "/visitor-passes",
                        lobby.token(),
                        "{\"visitorName\":\"Grace Hopper\",\"doorIds\":[\"" + door + "\"],\"validFrom\":\""
                                + now.minusSeconds(60) + "\",\"validUntil\":\"" + now.plusSeconds(4 * 3600)
                                + "\",\"singleUse\":true}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Fixture(
                lobby,
                lobbyEdge,
                upstairs,
                upstairsEdge,
                door,
                created.json().get("id").asText(),
                created.json().at("/qr/token").asText());
    }

    /** An edge's entitlements after a full sync: the site's snapshot as it gets it now. */
    private static InMemoryEntitlements synced(EdgeDevices.Device d) {
        return InMemoryEntitlements.of(EdgeDevices.snapshot(hub, d));
    }

    /** What an edge holding {@code state} decides for the pass's real QR code, verified as the edge does. */
    private static Decision decide(InMemoryEntitlements state, Fixture f) {
        Instant now = Instant.now();
        KeySet keys = KeySet.fromSigningKeys(state.signingKeys());
        return PolicyEngine.evaluate(
                        state,
                        AccessRequest.online(
                                QrTokens.verify(
                                                f.qr(),
                                                keys,
                                                f.lobby().slug(),
                                                f.lobby().site(),
                                                now)
                                        .presented(),
                                DoorId.of(f.door()),
                                now))
                .decision();
    }

    private static String use(Fixture f, FakeEdge edge, EdgeDevices.Device from) throws Exception {
        String id = EdgeMessages.eventId();
        edge.publish(
                IngestTest.topic(from, Channel.EVENTS),
                EdgeMessages.visitorGranted(
                        id, Instant.now(), from.site(), f.door(), f.pass(), PresentedKind.VISITOR_QR));
        return id;
    }

    private static long acked(FakeEdge edge, String id) {
        return IngestTest.ackedIds(edge).stream().filter(id::equals).count();
    }

    private static long uses(Fixture f) {
        return hub.hub().database().read(c -> Sql.one(
                        c, "SELECT COUNT(*) FROM visitor_pass_uses WHERE pass_id = ?", Sql.LONG, f.pass())
                .orElseThrow());
    }

    /** The pass's {@code visitor.arrived} events in the outbox. */
    private static long arrivals(Fixture f) {
        return hub.hub().database().read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM outbox_events WHERE entity_id = ? AND type = 'visitor.arrived'",
                        Sql.LONG,
                        f.pass())
                .orElseThrow());
    }

    private static Optional<VisitorPass> lastPass(List<Change> changes, String id) {
        Optional<VisitorPass> last = Optional.empty();
        for (Change change : changes) {
            if (change instanceof Change.Upsert upsert
                    && upsert.entity() instanceof VisitorPass pass
                    && pass.id().value().equals(id)) {
                last = Optional.of(pass);
            }
        }
        return last;
    }

    @Test
    void aVisitorQrUsedAtTheLobbyIsRefusedOnItsSecondUseUpstairsAndAtTheLobby() throws Exception {
        try (Fixture f = site("vp-wide", READS_ALL)) {
            // Both edges synced before the visit: the code opens either door.
            InMemoryEntitlements lobby = synced(f.lobby());
            InMemoryEntitlements upstairs = synced(f.upstairs());
            assertThat(decide(upstairs, f).granted()).isTrue();
            assertThat(decide(lobby, f).granted()).isTrue();
            int before = EdgeDevices.log(hub, f.lobby()).size();

            // The lobby admits the visitor (and records the use itself) and reports it.
            lobby.markPassUsed(PassId.of(f.pass()));
            String event = use(f, f.lobbyEdge(), f.lobby());
            await().atMost(IngestTest.WAIT).until(() -> acked(f.lobbyEdge(), event) == 1);
            // Receivers hear the entry before the arrival it caused.
            List<String> order = hub.hub()
                    .database()
                    .read(c -> Sql.list(
                            c,
                            "SELECT type FROM outbox_events WHERE entity_id IN (?, ?) ORDER BY seq",
                            Sql.STRING,
                            event,
                            f.pass()));
            assertThat(order).containsExactly("visitor.invited", "access.granted", "visitor.arrived");

            // The hub sends the pass as used to the site; the upstairs edge applies what it gets.
            List<Change> added = EdgeDevices.sent(hub, f.lobby())
                    .subList(before, EdgeDevices.log(hub, f.lobby()).size());
            assertThat(added).singleElement().satisfies(change -> assertThat(
                            ((VisitorPass) ((Change.Upsert) change).entity()).status())
                    .isEqualTo(PassStatus.USED));
            added.forEach(upstairs::apply);

            assertThat(decide(upstairs, f)).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
            assertThat(decide(lobby, f)).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
            // An edge that syncs afresh (a snapshot) refuses it as well.
            assertThat(decide(synced(f.upstairs()), f)).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));

            // The API shows the use.
            JsonNode pass = hub.api()
                    .get("/api/v1/visitor-passes/" + f.pass(), f.lobby().token())
                    .json();
            assertThat(pass.get("status").asText()).isEqualTo("used");
            assertThat(pass.get("uses").asInt()).isEqualTo(1);
            assertThat(pass.get("usedAt").asText()).isNotBlank();
            Api.Response again = hub.api()
                    .post(
                            "/api/v1/visitor-passes/" + f.pass() + "/qr-token",
                            f.lobby().token(),
                            "");
            assertThat(again.status()).as("no new code for a used pass").isEqualTo(409);
        }
    }

    @Test
    void aDuplicateEventCountsOnceAndTwoPartitionedEdgesUsesAreBothShown() throws Exception {
        try (Fixture f = site("vp-dup", READS_ALL)) {
            int before = EdgeDevices.log(hub, f.lobby()).size();
            String lobbyEvent = EdgeMessages.eventId();
            byte[] payload = EdgeMessages.visitorGranted(
                    lobbyEvent, Instant.now(), f.lobby().site(), f.door(), f.pass(), PresentedKind.VISITOR_QR);
            // The copy goes once the first is acknowledged: two copies in one ingest batch are
            // acknowledged once.
            f.lobbyEdge().publish(IngestTest.topic(f.lobby(), Channel.EVENTS), payload);
            await().atMost(IngestTest.WAIT).until(() -> acked(f.lobbyEdge(), lobbyEvent) == 1);
            f.lobbyEdge().publish(IngestTest.topic(f.lobby(), Channel.EVENTS), payload);
            // Cut off from the lobby and the hub, the upstairs edge admitted the visitor too.
            String upstairsEvent = use(f, f.upstairsEdge(), f.upstairs());
            await().atMost(IngestTest.WAIT)
                    .until(() -> acked(f.lobbyEdge(), lobbyEvent) == 2 && acked(f.upstairsEdge(), upstairsEvent) == 1);

            // Each use once: two edges, two uses; the pass spent once, one change for the site.
            assertThat(uses(f)).isEqualTo(2);
            // One arrival for webhooks and connectors, whichever edge reported first.
            assertThat(arrivals(f)).isEqualTo(1);
            assertThat(EdgeDevices.log(hub, f.lobby())
                            .subList(before, EdgeDevices.log(hub, f.lobby()).size()))
                    .hasSize(1);
            assertThat(hub.api()
                            .get("/api/v1/visitor-passes/" + f.pass(), f.lobby().token())
                            .json()
                            .get("uses")
                            .asInt())
                    .isEqualTo(2);
        }
    }

    @Test
    void aSiteWithAnEdgeThatCannotReadUsedGetsThePassRevokedInstead() throws Exception {
        try (Fixture f = site("vp-old", List.of())) {
            // Why: an old edge refuses an unknown status; revoked refuses the visitor there too.
            String event = use(f, f.lobbyEdge(), f.lobby());
            await().atMost(IngestTest.WAIT).until(() -> acked(f.lobbyEdge(), event) == 1);

            assertThat(lastPass(EdgeDevices.log(hub, f.lobby()), f.pass())
                            .orElseThrow()
                            .status())
                    .isEqualTo(PassStatus.USED);
            assertThat(lastPass(EdgeDevices.sent(hub, f.upstairs()), f.pass())
                            .orElseThrow()
                            .status())
                    .isEqualTo(PassStatus.REVOKED);
            List<Entity> snapshot = EdgeDevices.snapshot(hub, f.upstairs());
            assertThat(snapshot)
                    .filteredOn(entity -> entity instanceof VisitorPass pass
                            && pass.id().value().equals(f.pass()))
                    .singleElement()
                    .extracting(entity -> ((VisitorPass) entity).status())
                    .isEqualTo(PassStatus.REVOKED);
            assertThat(decide(synced(f.upstairs()), f)).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_REVOKED));
        }
    }

    @Test
    void anEventFromAnotherSitesEdgeSpendsNothing() throws Exception {
        try (Fixture f = site("vp-foreign", READS_ALL);
                Fixture other = site("vp-foreign-2", READS_ALL)) {
            // An edge can only spend a pass of its own site: the other tenant's edge names this pass.
            String id = EdgeMessages.eventId();
            other.lobbyEdge()
                    .publish(
                            IngestTest.topic(other.lobby(), Channel.EVENTS),
                            EdgeMessages.visitorGranted(
                                    id,
                                    Instant.now(),
                                    other.lobby().site(),
                                    other.door(),
                                    f.pass(),
                                    PresentedKind.VISITOR_QR));
            await().atMost(IngestTest.WAIT).until(() -> acked(other.lobbyEdge(), id) == 1);

            assertThat(uses(f)).isZero();
            assertThat(arrivals(f)).isZero();
            assertThat(decide(synced(f.upstairs()), f).granted()).isTrue();
        }
    }
}
