package dev.gatehouse.hub.members;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.projection.SiteProjection;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Member;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A member's name (for the kiosk's host list) reaches a site's edges only while the member has access
 * there: a privacy rule, since the edge's kiosk lists every name its cache holds to anyone at the
 * door. The name goes with the access and leaves with it, in the change log and in the snapshot
 * alike (an edge that starts from a snapshot must hold what one that followed the log holds). On
 * both stores.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SiteNamesTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    TestHub.Tenant tenant;
    People people;
    String siteA;
    String siteB;
    String planA;
    String planB;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void twoSitesWithAPlanEach() {
        tenant = hub.newTenant("names");
        people = new People(hub, tenant.token());
        siteA = people.site("Europe/Berlin");
        siteB = people.site("Europe/Berlin");
        planA = people.plan("[]", "ignored", people.group(siteA, people.door(siteA)));
        planB = people.plan("[]", "ignored", people.group(siteB, people.door(siteB)));
    }

    private String member(String name) {
        return hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name.replace(' ', '.').toLowerCase(java.util.Locale.ROOT)
                        + "@example.com\",\"fullName\":\"" + name + "\"}");
    }

    private void assign(String member, String plan, String window) {
        Api.Response answer = people.assign(member, plan, window);
        assertThat(answer.status()).as(answer.toString()).isLessThan(300);
    }

    /** Every entry for the member in the site's log, in order. */
    private List<Member> logged(String siteId, String memberId) {
        List<Member> out = new ArrayList<>();
        for (LoggedChange change : hub.hub().stores().changes().read(tenant.id(), siteId, 0, 100_000)) {
            if (change.change() instanceof Change.Upsert(Member m)
                    && m.id().value().equals(memberId)) {
                out.add(m);
            }
        }
        return out;
    }

    /** The name the site's log leaves its edges with, after applying it all. */
    private Optional<String> nameInLog(String siteId, String memberId) {
        List<Member> entries = logged(siteId, memberId);
        assertThat(entries).as("the member is in the site's log").isNotEmpty();
        return entries.getLast().displayName();
    }

    /** The name a snapshot of the site gives its edges. */
    private Optional<String> nameInSnapshot(String siteId, String memberId) {
        return hub.hub().database().read(c -> SiteProjection.of(c, tenant.id(), siteId)).orElseThrow().stream()
                .filter(e -> e instanceof Member m && m.id().value().equals(memberId))
                .map(e -> ((Member) e).displayName())
                .findFirst()
                .orElseThrow();
    }

    /** Both ways agree, and answer the name the site's edges hold. */
    private Optional<String> name(String siteId, String memberId) {
        Optional<String> logged = nameInLog(siteId, memberId);
        assertThat(nameInSnapshot(siteId, memberId)).as("snapshot = log").isEqualTo(logged);
        return logged;
    }

    @Test
    void aMembersNameReachesOnlyTheSiteWhereTheyHaveAccess() {
        String ada = member("Ada Lovelace");
        // Every site knows the member (status and roles decide the credentials there), none the name.
        assertThat(name(siteA, ada)).isEmpty();
        assertThat(name(siteB, ada)).isEmpty();

        assign(ada, planA, "{}");

        assertThat(name(siteA, ada)).contains("Ada Lovelace");
        assertThat(name(siteB, ada)).isEmpty();
        assertThat(logged(siteB, ada))
                .allSatisfy(m -> assertThat(m.displayName()).isEmpty());
        // A rename reaches the site that has the name, and still not the other.
        api().patch("/api/v1/members/" + ada, tenant.token(), "{\"fullName\":\"Ada King\"}");
        assertThat(name(siteA, ada)).contains("Ada King");
        assertThat(name(siteB, ada)).isEmpty();
        assertThat(logged(siteB, ada))
                .allSatisfy(m -> assertThat(m.displayName()).isEmpty());
        assertThat(snapshotMembersEqualTheLog(siteA)).isTrue();
        assertThat(snapshotMembersEqualTheLog(siteB)).isTrue();
    }

    @Test
    void accessGrantedElsewhereSendsTheNameThereAndAccessEndedTakesItAway() {
        String bo = member("Bo Brook");
        assign(bo, planA, "{}");
        int entriesAtA = logged(siteA, bo).size();

        assign(bo, planB, "{}");
        assertThat(name(siteB, bo)).contains("Bo Brook");
        // Nothing new for site A, which had the name already.
        assertThat(logged(siteA, bo)).hasSize(entriesAtA);

        assertThat(api().delete("/api/v1/members/" + bo + "/plans/" + planA, tenant.token())
                        .status())
                .isEqualTo(204);
        assertThat(name(siteA, bo)).isEmpty();
        assertThat(name(siteB, bo)).contains("Bo Brook");

        // The plan moved off site B: the name leaves B; moved to A: it goes there.
        String groupA = hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT id FROM door_groups WHERE site_id = ?", Sql.STRING, siteA))
                .orElseThrow();
        api().patch("/api/v1/plans/" + planB, tenant.token(), "{\"doorGroupIds\":[\"" + groupA + "\"]}");
        assertThat(name(siteA, bo)).contains("Bo Brook");
        assertThat(name(siteB, bo)).isEmpty();

        // Suspended: the name leaves every site that had it.
        api().patch("/api/v1/members/" + bo, tenant.token(), "{\"status\":\"suspended\"}");
        assertThat(name(siteA, bo)).isEmpty();
        assertThat(name(siteB, bo)).isEmpty();
        // Active again, with access at A only.
        api().patch("/api/v1/members/" + bo, tenant.token(), "{\"status\":\"active\"}");
        assertThat(name(siteA, bo)).contains("Bo Brook");
        assertThat(name(siteB, bo)).isEmpty();
        assertThat(snapshotMembersEqualTheLog(siteA)).isTrue();
        assertThat(snapshotMembersEqualTheLog(siteB)).isTrue();
    }

    @Test
    void aPlanThatStartsOrEndsWithTimeMovesTheNameAtTheNextSweep() {
        String cy = member("Cy Young");
        Instant now = Instant.now();
        assign(cy, planA, "{\"validUntil\":\"" + now.plus(Duration.ofDays(1)) + "\"}");
        assign(cy, planB, "{\"validFrom\":\"" + now.plus(Duration.ofDays(1)) + "\"}");
        assertThat(name(siteA, cy)).contains("Cy Young");
        // B's plan has not started: no access there yet, so no name.
        assertThat(name(siteB, cy)).isEmpty();

        // A day passes (moved in the store: the hub's own sweep runs on the real clock beside this test,
        // and does the same as the call below, whichever is first).
        long past = now.minusSeconds(1).toEpochMilli();
        hub.hub().database().run(c -> {
            Sql.update(
                    c, "UPDATE member_plans SET valid_until = ? WHERE member_id = ? AND plan_id = ?", past, cy, planA);
            Sql.update(
                    c, "UPDATE member_plans SET valid_from = ? WHERE member_id = ? AND plan_id = ?", past, cy, planB);
        });
        hub.hub().siteNames().sweep(Instant.now());

        assertThat(name(siteA, cy)).isEmpty();
        assertThat(name(siteB, cy)).contains("Cy Young");
        // A second sweep finds nothing due.
        assertThat(hub.hub().siteNames().sweep(Instant.now())).isZero();
        assertThat(snapshotMembersEqualTheLog(siteA)).isTrue();
        assertThat(snapshotMembersEqualTheLog(siteB)).isTrue();
    }

    @Test
    void erasureTakesTheNameFromEverySite() {
        String di = member("Di Erased");
        assign(di, planA, "{}");
        assign(di, planB, "{}");
        assertThat(name(siteA, di)).contains("Di Erased");
        assertThat(name(siteB, di)).contains("Di Erased");

        Api.Response erased = api().post("/api/v1/members/" + di + "/erase", tenant.token(), "");
        assertThat(erased.status()).as(erased.toString()).isEqualTo(200);

        assertThat(name(siteA, di)).isEmpty();
        assertThat(name(siteB, di)).isEmpty();
        Optional<Long> rows = hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT COUNT(*) FROM site_member_names WHERE member_id = ?", Sql.LONG, di));
        assertThat(rows).contains(0L);
    }

    private Api api() {
        return hub.api();
    }

    /** The site's members as a snapshot gives them equal the members its whole log leaves. */
    private boolean snapshotMembersEqualTheLog(String siteId) {
        Map<String, Entity> replayed = new TreeMap<>();
        for (LoggedChange change : hub.hub().stores().changes().read(tenant.id(), siteId, 0, 100_000)) {
            switch (change.change()) {
                case Change.Upsert upsert when upsert.entity() instanceof Member m -> replayed.put(m.key(), m);
                case Change.Upsert upsert -> {}
                case Change.Remove remove -> replayed.remove(remove.key());
            }
        }
        Map<String, Entity> snapshot = new TreeMap<>();
        hub.hub().database().read(c -> SiteProjection.of(c, tenant.id(), siteId)).orElseThrow().stream()
                .filter(e -> e instanceof Member)
                .forEach(e -> snapshot.put(e.key(), e));
        assertThat(replayed).isEqualTo(snapshot);
        return true;
    }
}
