package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A 3-pass counted at the hub, on both stores, over the real embedded broker: the days edges spent
 * offline arrive as access events, each distinct site-local day is counted once however many edges
 * or duplicates report it, the site's edges get the grant with the day, and the member's plans show
 * what remains. A site with an edge that cannot read entries gets the pass holder's grant removed
 * (fail closed) until its last such edge reads them.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PassDaysTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
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

    /** A site with one edge reporting {@code features}, a member and a 3-pass sold to them. */
    private record Fixture(EdgeDevices.Device device, FakeEdge edge, String door, String member, String plan)
            implements AutoCloseable {
        GrantId grant() {
            return GrantId.of("gr_" + member + "_" + plan);
        }

        @Override
        public void close() {
            edge.close();
        }
    }

    private static Fixture site(String prefix, List<String> features) throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, prefix);
        FakeEdge edge = EdgeDevices.connect(hub, d);
        report(d, edge, features);
        People people = new People(hub, d.token());
        String door = IngestTest.door(d);
        String plan = people.plan("[]", "ignored", people.group(d.site(), door));
        String member = people.member(prefix + "@example.com");
        String pass = hub.create(
                "/api/v1/packages",
                d.token(),
                "{\"name\":\"3-Pass\",\"kind\":\"pass\",\"price\":6000,\"interval\":\"one-off\",\"passes\":3,"
                        + "\"passValidDays\":30,\"planId\":\"" + plan + "\"}");
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/members/" + member + "/passes",
                        d.token(),
                        "{\"packageId\":\"" + pass + "\",\"siteId\":\"" + d.site() + "\",\"idempotencyKey\":\"sale-"
                                + prefix + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        return new Fixture(d, edge, door, member, plan);
    }

    private static void report(EdgeDevices.Device d, FakeEdge edge, List<String> features) throws Exception {
        EdgeDevices.report(hub, d, edge, features);
    }

    private static List<Change> log(Fixture f) {
        return EdgeDevices.log(hub, f.device());
    }

    /** The site's changes as its edges get them now. */
    private static List<Change> sent(Fixture f) {
        return EdgeDevices.sent(hub, f.device());
    }

    private static List<Entity> snapshot(Fixture f) {
        return EdgeDevices.snapshot(hub, f.device());
    }

    /** The pass's grant as the last upsert of it in {@code changes}. */
    private static Optional<Grant> lastGrant(List<Change> changes, GrantId id) {
        Optional<Grant> last = Optional.empty();
        for (Change change : changes) {
            if (change instanceof Change.Upsert upsert
                    && upsert.entity() instanceof Grant grant
                    && grant.id().equals(id)) {
                last = Optional.of(grant);
            }
        }
        return last;
    }

    private static long passDays(Fixture f) {
        return hub.hub().database().read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM pass_days WHERE tenant_id = ? AND member_id = ?",
                        Sql.LONG,
                        f.device().tenantId(),
                        f.member())
                .orElseThrow());
    }

    private static long acked(FakeEdge edge, String id) {
        return IngestTest.ackedIds(edge).stream().filter(id::equals).count();
    }

    @Test
    void twoEdgesReportingTheSameDayTwiceCountItOnceAndTheSiteLearnsIt() throws Exception {
        try (Fixture f = site("pass-count", List.of(Grant.FEATURE))) {
            EdgeDevices.Device upstairs = EdgeDevices.another(hub, f.device(), "pi-upstairs");
            try (FakeEdge second = EdgeDevices.connect(hub, upstairs)) {
                report(upstairs, second, List.of(Grant.FEATURE));
                Grant sold = lastGrant(log(f), f.grant()).orElseThrow();
                assertThat(sold.entries()).contains(new Grant.Entries(3, List.of()));
                int before = log(f).size();

                // Both edges were cut off and admitted the member today; the lobby's event comes twice.
                Instant at = Instant.now();
                LocalDate today = LocalDate.ofInstant(at, BERLIN);
                String lobby = EdgeMessages.eventId();
                String upstairsEvent = EdgeMessages.eventId();
                byte[] lobbyEvent = EdgeMessages.granted(
                        lobby,
                        at,
                        f.device().site(),
                        f.door(),
                        f.member(),
                        f.grant().value());
                f.edge().publish(IngestTest.topic(f.device(), Channel.EVENTS), lobbyEvent);
                second.publish(
                        IngestTest.topic(upstairs, Channel.EVENTS),
                        EdgeMessages.granted(
                                upstairsEvent,
                                at.plusSeconds(1),
                                f.device().site(),
                                f.door(),
                                f.member(),
                                f.grant().value()));
                // The copy goes once the first is acknowledged: two copies in one ingest batch are
                // acknowledged once.
                await().atMost(IngestTest.WAIT).until(() -> acked(f.edge(), lobby) == 1);
                f.edge().publish(IngestTest.topic(f.device(), Channel.EVENTS), lobbyEvent);
                await().atMost(IngestTest.WAIT)
                        .until(() -> acked(f.edge(), lobby) == 2 && acked(second, upstairsEvent) == 1);

                assertThat(passDays(f)).isEqualTo(1);
                // One new day, one new grant for the site: the second report changed nothing.
                List<Change> added = log(f).subList(before, log(f).size());
                assertThat(added)
                        .singleElement()
                        .isEqualTo(new Change.Upsert(new Grant(
                                sold.id(),
                                sold.member(),
                                sold.doorGroups(),
                                sold.doors(),
                                sold.schedule(),
                                sold.validFrom(),
                                sold.validUntil(),
                                Optional.of(new Grant.Entries(3, List.of(today))))));
                assertThat(lastGrant(sent(f), f.grant()).orElseThrow().entries())
                        .contains(new Grant.Entries(3, List.of(today)));
                assertThat(snapshot(f)).contains(lastGrant(log(f), f.grant()).orElseThrow());

                // The member's plans show the pass: what is spent and what remains.
                Api.Response plans = hub.api()
                        .get(
                                "/api/v1/members/" + f.member() + "/plans",
                                f.device().token());
                assertThat(plans.status()).as(plans.toString()).isEqualTo(200);
                JsonNode entries = plans.json().at("/items/0/entries");
                assertThat(entries.get("limit").asInt()).isEqualTo(3);
                assertThat(entries.get("spent").toString()).isEqualTo("[\"" + today + "\"]");
                assertThat(entries.get("remaining").asInt()).isEqualTo(2);
            }
        }
    }

    @Test
    void aSiteWithAnEdgeThatCannotReadEntriesGetsThePassRemovedUntilItCan() throws Exception {
        try (Fixture f = site("pass-old-edge", List.of())) {
            // Why: an old edge refuses the unknown field, or would grant without limit; deny instead.
            Grant pass = lastGrant(log(f), f.grant()).orElseThrow();
            assertThat(pass.entries()).isPresent();
            assertThat(lastGrant(sent(f), f.grant())).isEmpty();
            assertThat(sent(f))
                    .contains(new Change.Remove(EntityKind.GRANT, f.grant().value()));
            assertThat(sent(f)).hasSameSizeAs(log(f));
            assertThat(snapshot(f))
                    .noneMatch(entity ->
                            entity instanceof Grant grant && grant.id().equals(f.grant()));

            // The edge upgraded: the site gets the pass holder's grant again, whole.
            report(f.device(), f.edge(), List.of(Grant.FEATURE));

            assertThat(log(f).getLast()).isEqualTo(new Change.Upsert(pass));
            assertThat(sent(f).getLast()).isEqualTo(new Change.Upsert(pass));
            assertThat(snapshot(f)).contains(pass);
        }
    }

    @Test
    void anUnlimitedPlansEntryCountsNothing() throws Exception {
        // Days are counted for entry-limited plans only; a member's unlimited grant spends nothing.
        try (Fixture f = site("pass-none", List.of(Grant.FEATURE))) {
            People people = new People(hub, f.device().token());
            String monthly =
                    people.plan("[]", "ignored", people.group(f.device().site(), f.door()));
            assertThat(people.assign(f.member(), monthly, "{}").status()).isEqualTo(201);
            String id = EdgeMessages.eventId();

            f.edge()
                    .publish(
                            IngestTest.topic(f.device(), Channel.EVENTS),
                            EdgeMessages.granted(
                                    id,
                                    Instant.now(),
                                    f.device().site(),
                                    f.door(),
                                    f.member(),
                                    "gr_" + f.member() + "_" + monthly));
            await().atMost(IngestTest.WAIT).until(() -> acked(f.edge(), id) == 1);

            assertThat(passDays(f)).isZero();
        }
    }
}
