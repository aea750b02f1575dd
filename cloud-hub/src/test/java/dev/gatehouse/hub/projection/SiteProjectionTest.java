package dev.gatehouse.hub.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.SigningKey;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import java.sql.PreparedStatement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The projection is what sync will send as a snapshot, and the change log is what it sends after:
 * an edge that replays a site's log from seq 1 must hold exactly the projection, or snapshot and log
 * disagree about who may open a door. On both stores.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SiteProjectionTest {
    static final String WEEKDAYS = "[{\"day\":\"monday\",\"start\":\"08:00\",\"end\":\"18:00\"},"
            + "{\"day\":\"friday\",\"start\":\"08:00\",\"end\":\"24:00\"}]";

    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    Api api() {
        return hub.api();
    }

    @Test
    void replayingASitesLogFromTheStartYieldsItsProjection() {
        var tenant = hub.newTenant("replay");
        People people = new People(hub, tenant.token());
        String token = tenant.token();

        // Site A exists before anything else, so its log holds the whole story.
        String siteA = people.site("Europe/Berlin");
        String entrance = people.door(siteA);
        String office = people.door(siteA);
        String spare = people.door(siteA);
        String groupA = people.group(siteA, entrance);
        String officeGroup = people.group(siteA, entrance, office);
        String ada = people.member("ada@example.com");
        String grace = people.member("grace@example.com");
        String weekdays = people.plan(WEEKDAYS, "closed", groupA);
        String anytime = people.plan("[]", "ignored", officeGroup);
        people.assign(ada, weekdays, "{\"validFrom\":\"2026-01-01T00:00:00Z\"}");
        people.assign(ada, weekdays, "{\"validUntil\":\"2027-01-01T00:00:00Z\"}");
        people.assign(grace, weekdays, "{}");
        people.assign(grace, anytime, "{}");
        api().patch("/api/v1/members/" + ada, token, "{\"status\":\"suspended\",\"roles\":[\"staff\"]}");
        api().put(
                        "/api/v1/sites/" + siteA + "/holidays",
                        token,
                        "{\"holidays\":[{\"date\":\"2026-12-25\",\"name\":\"X\"}]}");
        api().patch(
                        "/api/v1/plans/" + weekdays,
                        token,
                        "{\"schedule\":[{\"day\":\"sunday\",\"start\":\"10:00\",\"end\":\"12:00\"}]}");
        api().patch("/api/v1/door-groups/" + officeGroup, token, "{\"doorIds\":[\"" + office + "\"]}");
        api().patch("/api/v1/doors/" + entrance, token, "{\"unlockSeconds\":9}");
        assertThat(api().delete("/api/v1/doors/" + spare, token).status()).isEqualTo(204);

        // Site B comes later: members that existed before it are not in its log.
        String siteB = people.site("Europe/Lisbon");
        String groupB = people.group(siteB, people.door(siteB));
        api().patch("/api/v1/plans/" + weekdays, token, "{\"doorGroupIds\":[\"" + groupA + "\",\"" + groupB + "\"]}");
        String late = people.member("late@example.com");
        people.assign(late, weekdays, "{}");
        assertThat(api().delete("/api/v1/members/" + grace + "/plans/" + anytime, token)
                        .status())
                .isEqualTo(204);
        assertThat(api().delete("/api/v1/plans/" + anytime, token).status()).isEqualTo(204);
        api().patch("/api/v1/plans/" + weekdays, token, "{\"doorGroupIds\":[\"" + groupB + "\"]}");
        api().patch("/api/v1/plans/" + weekdays, token, "{\"doorGroupIds\":[\"" + groupA + "\",\"" + groupB + "\"]}");
        api().patch("/api/v1/members/" + grace, token, "{\"status\":\"cancelled\"}");

        Map<String, Entity> projectedA = byKey(projection(tenant.id(), siteA));
        Map<String, Entity> replayedA = replay(tenant.id(), siteA);
        assertThat(replayedA).isEqualTo(projectedA);
        // the replay went through real work: both sites' grants and the moved plan are in it
        assertThat(projectedA.keySet())
                .contains(
                        "GRANT/gr_" + ada + "_" + weekdays,
                        "GRANT/gr_" + late + "_" + weekdays,
                        "SCHEDULE/" + weekdays,
                        "MEMBER/" + grace)
                .doesNotContain("SCHEDULE/" + anytime, "DOOR/" + spare, "GRANT/gr_" + grace + "_" + anytime);
        assertThat(((Member) projectedA.get("MEMBER/" + ada)).roles()).containsExactly("staff");

        // The protocol's own cache, fed the same log, answers every lookup with the projected entity.
        InMemoryEntitlements edge = new InMemoryEntitlements();
        changes(tenant.id(), siteA).forEach(logged -> edge.apply(logged.change()));
        for (Entity entity : projectedA.values()) {
            assertThat(lookup(edge, entity)).as(entity.toString()).contains(entity);
        }

        // Site B's log lacks exactly the members created before it: a new edge starts from a snapshot.
        Map<String, Entity> projectedB = byKey(projection(tenant.id(), siteB));
        Map<String, Entity> replayedB = replay(tenant.id(), siteB);
        assertThat(projectedB.entrySet()).containsAll(replayedB.entrySet());
        Set<String> missing = new HashSet<>(projectedB.keySet());
        missing.removeAll(replayedB.keySet());
        // (grace's cancellation came after site B, so B's log has her; ada changed only before it)
        assertThat(missing).containsExactly("MEMBER/" + ada);
        assertThat(projectedB).containsKey("GRANT/gr_" + ada + "_" + weekdays);
    }

    @Test
    void theProjectionReadsCredentialsAndVisitorPassesFromTheirTables() {
        var tenant = hub.newTenant("rows");
        People people = new People(hub, tenant.token());
        String siteA = people.site("Europe/Berlin");
        String siteB = people.site("Europe/Berlin");
        String doorA = people.door(siteA);
        String groupA = people.group(siteA, doorA);
        String member = people.member("m@example.com");
        String other = people.member("o@example.com");
        String card = people.credential(tenant.id(), member, "NFC_CARD", "ACTIVE");
        String qr = people.credential(tenant.id(), other, "MEMBER_QR", "REVOKED");
        String pass = HubIds.next("pass");
        hub.hub().database().write(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO visitor_passes (id, tenant_id, site_id,"
                    + " host_member_id, visitor_name, valid_from, valid_until, single_use, status, created_at,"
                    + " updated_at) VALUES (?, ?, ?, ?, 'Visitor', 1000, 2000, ?, 'ACTIVE', 0, 0)")) {
                insert.setString(1, pass);
                insert.setString(2, tenant.id());
                insert.setString(3, siteA);
                insert.setString(4, member);
                insert.setBoolean(5, true);
                insert.executeUpdate();
            }
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO visitor_pass_door_groups (pass_id, door_group_id) VALUES (?, ?)")) {
                insert.setString(1, pass);
                insert.setString(2, groupA);
                insert.executeUpdate();
            }
            return null;
        });

        Map<String, Entity> projectedA = byKey(projection(tenant.id(), siteA));
        Credential nfc = (Credential) projectedA.get("CREDENTIAL/" + card);
        assertThat(nfc.member()).isEqualTo(MemberId.of(member));
        assertThat(nfc.cardHash()).isPresent();
        assertThat(projectedA).containsKey("CREDENTIAL/" + qr);
        VisitorPass visitorPass = (VisitorPass) projectedA.get("VISITOR_PASS/" + pass);
        assertThat(visitorPass.singleUse()).isTrue();
        assertThat(visitorPass.host()).contains(MemberId.of(member));
        assertThat(visitorPass.doorGroups()).extracting(g -> g.value()).containsExactly(groupA);
        // Credentials reach every site; a pass only its own.
        Map<String, Entity> projectedB = byKey(projection(tenant.id(), siteB));
        assertThat(projectedB).containsKey("CREDENTIAL/" + card).doesNotContainKey("VISITOR_PASS/" + pass);

        // A member's slice holds that member's credentials only.
        List<Entity> slice = hub.hub()
                .database()
                .read(c -> SiteProjection.forMember(c, tenant.id(), siteA, member))
                .orElseThrow();
        assertThat(byKey(slice)).containsKey("CREDENTIAL/" + card).doesNotContainKey("CREDENTIAL/" + qr);
        assertThat(byKey(slice))
                .containsKeys("SITE/" + siteA, "DOOR/" + doorA, "DOOR_GROUP/" + groupA, "MEMBER/" + member);
        assertThat(byKey(slice)).doesNotContainKey("MEMBER/" + other);

        var stranger = hub.newTenant("rows-stranger");
        Optional<List<Entity>> foreign = hub.hub().database().read(c -> SiteProjection.of(c, stranger.id(), siteA));
        assertThat(foreign).isEmpty();
    }

    private static List<Entity> projection(String tenantId, String siteId) {
        return hub.hub()
                .database()
                .read(c -> SiteProjection.of(c, tenantId, siteId))
                .orElseThrow();
    }

    private static List<LoggedChange> changes(String tenantId, String siteId) {
        List<LoggedChange> all = new java.util.ArrayList<>();
        long after = 0;
        while (true) {
            List<LoggedChange> page = hub.hub().stores().changes().read(tenantId, siteId, after, 1000);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.get(page.size() - 1).seq();
        }
    }

    /** Applies a site's whole log, from seq 1, to an empty map of entities. */
    private static Map<String, Entity> replay(String tenantId, String siteId) {
        List<LoggedChange> log = changes(tenantId, siteId);
        assertThat(log.getFirst().seq()).isEqualTo(1);
        assertThat(log.getLast().seq()).isEqualTo(log.size());
        Map<String, Entity> state = new TreeMap<>();
        for (LoggedChange logged : log) {
            switch (logged.change()) {
                case dev.gatehouse.protocol.message.Change.Upsert upsert ->
                    state.put(key(upsert.entity().kind(), upsert.entity().key()), upsert.entity());
                case dev.gatehouse.protocol.message.Change.Remove remove ->
                    state.remove(key(remove.kind(), remove.key()));
            }
        }
        return state;
    }

    private static Map<String, Entity> byKey(List<Entity> entities) {
        Map<String, Entity> map = entities.stream()
                .collect(Collectors.toMap(
                        e -> key(e.kind(), e.key()),
                        e -> e,
                        (a, b) -> {
                            throw new AssertionError("duplicate entity " + a);
                        },
                        TreeMap::new));
        assertThat(map).hasSameSizeAs(entities);
        return map;
    }

    private static String key(EntityKind kind, String key) {
        return kind.name() + "/" + key;
    }

    private static Optional<Entity> lookup(InMemoryEntitlements edge, Entity entity) {
        return switch (entity) {
            case Site site -> edge.site().map(Entity.class::cast);
            case Door door -> edge.door(door.id()).map(Entity.class::cast);
            case DoorGroup group -> edge.doorGroup(group.id()).map(Entity.class::cast);
            case Schedule schedule -> edge.schedule(schedule.id()).map(Entity.class::cast);
            case Member member -> edge.member(member.id()).map(Entity.class::cast);
            case Credential credential -> edge.credential(credential.id()).map(Entity.class::cast);
            case Grant grant ->
                edge.grantsOf(grant.member()).stream()
                        .filter(g -> g.id().equals(grant.id()))
                        .findFirst()
                        .map(Entity.class::cast);
            case Booking booking ->
                edge.bookingsOf(booking.member()).stream()
                        .filter(b -> b.id().equals(booking.id()))
                        .findFirst()
                        .map(Entity.class::cast);
            case VisitorPass pass -> edge.visitorPass(pass.id()).map(Entity.class::cast);
            case dev.gatehouse.protocol.model.Room room ->
                edge.rooms().stream()
                        .filter(r -> r.id().equals(room.id()))
                        .findFirst()
                        .map(Entity.class::cast);
            case dev.gatehouse.protocol.model.Agreement agreement ->
                edge.agreements().stream()
                        .filter(a -> a.id().equals(agreement.id()))
                        .findFirst()
                        .map(Entity.class::cast);
            case dev.gatehouse.protocol.model.WifiVoucher voucher ->
                edge.wifiVouchers().stream()
                        .filter(v -> v.id().equals(voucher.id()))
                        .findFirst()
                        .map(Entity.class::cast);
            case SigningKey key ->
                edge.signingKeys().stream()
                        .filter(k -> k.kid().equals(key.kid()))
                        .findFirst()
                        .map(Entity.class::cast);
        };
    }
}
