package dev.gatehouse.hub.plans;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Plans and members' plans: validation, the per-site change log they produce, and tenant isolation, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PlanApiTest {
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

    /** A tenant with two sites, a door and a door group at each. */
    record World(TestHub.Tenant tenant, People people, String siteA, String groupA, String siteB, String groupB) {
        String token() {
            return tenant.token();
        }
    }

    World world(String prefix) {
        var tenant = hub.newTenant(prefix);
        People people = new People(hub, tenant.token());
        String siteA = people.site("Europe/Berlin");
        String siteB = people.site("Europe/Lisbon");
        String groupA = people.group(siteA, people.door(siteA));
        String groupB = people.group(siteB, people.door(siteB));
        return new World(tenant, people, siteA, groupA, siteB, groupB);
    }

    @Nested
    class Plans {
        @Test
        void aPlanIsCreatedWithItsScheduleAndSitesAndReadBack() {
            World w = world("plan");
            long headA = w.people().head(w.siteA());
            Api.Response created = api().post(
                            "/api/v1/plans",
                            w.token(),
                            "{\"name\":\"Weekdays\",\"description\":\"Office hours\",\"doorGroupIds\":[\"" + w.groupA()
                                    + "\"],\"schedule\":" + WEEKDAYS + "}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            JsonNode plan = created.json();
            String id = plan.get("id").asText();
            assertThat(id).startsWith("plan_");
            assertThat(plan.get("holidays").asText()).isEqualTo("closed");
            assertThat(plan.get("siteIds")).extracting(JsonNode::asText).containsExactly(w.siteA());
            assertThat(plan.get("schedule").toString()).isEqualTo(WEEKDAYS);
            assertThat(plan.get("memberCount").asInt()).isZero();
            assertThat(api().get("/api/v1/plans/" + id, w.token()).json()).isEqualTo(plan);

            // The site learns the schedule now; grants follow when members get the plan.
            List<JsonNode> changes = w.people().changes(w.siteA(), headA);
            assertThat(doorsOnly(changes)).containsExactly("upsert SCHEDULE " + id);
            assertThat(changes.get(0).at("/entity/holidays").asText()).isEqualTo("closed");
            assertThat(changes.get(0).at("/entity/windows").toString()).isEqualTo(WEEKDAYS);
            assertThat(w.people().changes(w.siteB(), 0))
                    .noneMatch(c -> c.get("kind").asText().equals("SCHEDULE"));
        }

        @Test
        void aPlanWithoutWindowsIsOpenAtAnyTimeAndHasNoSchedule() {
            World w = world("anytime");
            long head = w.people().head(w.siteA());
            String plan = w.people().plan("[]", "ignored", w.groupA());
            assertThat(w.people().changes(w.siteA(), head)).isEmpty();
            String member = w.people().member("any@example.com");
            head = w.people().head(w.siteA());
            w.people().assign(member, plan, "{}");
            List<JsonNode> changes = w.people().changes(w.siteA(), head);
            assertThat(doorsOnly(changes)).containsExactly("upsert GRANT gr_" + member + "_" + plan);
            assertThat(changes.get(0).get("entity").has("schedule")).isFalse();
        }

        @Test
        void badPlansNameEachFieldAndCreateNothing() {
            World w = world("badplan");
            var other = new People(hub, hub.newTenant("foreign").token());
            String foreignSite = other.site("UTC");
            String foreignGroup = other.group(foreignSite, other.door(foreignSite));
            Api.Response foreign = api().post(
                            "/api/v1/plans",
                            w.token(),
                            "{\"name\":\"P\",\"doorGroupIds\":[\"" + w.groupA() + "\",\"" + foreignGroup
                                    + "\",\"dg_missing\"]}");
            assertThat(foreign.status()).isEqualTo(422);
            assertThat(foreign.json().get("errors").findValuesAsText("field"))
                    .containsExactly("doorGroupIds[1]", "doorGroupIds[2]");

            Api.Response bad = api().post(
                            "/api/v1/plans",
                            w.token(),
                            "{\"name\":\"\",\"doorGroupIds\":\"dg\",\"holidays\":\"sometimes\",\"colour\":1,\"schedule\":["
                                    + "{\"day\":\"funday\",\"start\":\"08:00\",\"end\":\"09:00\"},"
                                    + "{\"day\":\"monday\",\"start\":\"8:00\",\"end\":\"25:00\"},"
                                    + "{\"day\":\"monday\",\"start\":\"10:00\",\"end\":\"09:00\"},"
                                    + "{\"day\":\"tuesday\",\"start\":\"08:00\",\"end\":\"12:00\",\"late\":true},"
                                    + "{\"day\":\"tuesday\",\"start\":8,\"end\":\"12:00\"},"
                                    + "\"monday 8-9\"]}");
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().get("errors").findValuesAsText("field"))
                    .containsExactlyInAnyOrder(
                            "colour",
                            "name",
                            "doorGroupIds",
                            "holidays",
                            "schedule[0].day",
                            "schedule[1].start",
                            "schedule[1].end",
                            "schedule[2]",
                            "schedule[3].late",
                            "schedule[4].start",
                            "schedule[5]");

            Api.Response overlap = api().post(
                            "/api/v1/plans",
                            w.token(),
                            "{\"name\":\"P\",\"doorGroupIds\":[],\"schedule\":["
                                    + "{\"day\":\"monday\",\"start\":\"08:00\",\"end\":\"12:00\"},"
                                    + "{\"day\":\"monday\",\"start\":\"11:00\",\"end\":\"13:00\"},"
                                    + "{\"day\":\"tuesday\",\"start\":\"11:00\",\"end\":\"13:00\"}]}");
            assertThat(overlap.status()).isEqualTo(422);
            assertThat(overlap.json().get("detail").asText())
                    .contains("schedule[1]")
                    .contains("overlaps schedule[0]");
            assertThat(api().post("/api/v1/plans", w.token(), "{\"name\":\"No groups field\"}")
                            .status())
                    .isEqualTo(422);

            assertThat(api().get("/api/v1/plans", w.token()).json().get("items"))
                    .isEmpty();
        }

        @Test
        void plansArePagedInCreationOrder() {
            World w = world("planpage");
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                created.add(w.people().plan("[]", "closed", w.groupA()));
            }
            // Creation order is (createdAt, id): plans made in the same millisecond follow their ids.
            created.sort(java.util.Comparator.comparing((String id) -> api().get("/api/v1/plans/" + id, w.token())
                            .json()
                            .get("createdAt")
                            .asText())
                    .thenComparing(id -> id));
            Api.Response first = api().get("/api/v1/plans?limit=2", w.token());
            assertThat(first.json().get("items").findValuesAsText("id"))
                    .containsExactlyElementsOf(created.subList(0, 2));
            Api.Response second = api().get(
                            "/api/v1/plans?limit=2&cursor="
                                    + first.json().get("nextCursor").asText(),
                            w.token());
            assertThat(second.json().get("items").findValuesAsText("id")).containsExactly(created.get(2));
            assertThat(second.json().has("nextCursor")).isFalse();
        }

        @Test
        void editingAPlanMovesItsGrantsAndScheduleBetweenSites() {
            // The edges must forget a plan at a site it no longer covers, or its members keep the doors.
            World w = world("move");
            String plan = w.people().plan(WEEKDAYS, "closed", w.groupA(), w.groupB());
            String member = w.people().member("mover@example.com");
            assertThat(w.people().assign(member, plan, "{}").status()).isEqualTo(201);
            String grant = "gr_" + member + "_" + plan;
            long headA = w.people().head(w.siteA());
            long headB = w.people().head(w.siteB());

            Api.Response moved =
                    api().patch("/api/v1/plans/" + plan, w.token(), "{\"doorGroupIds\":[\"" + w.groupB() + "\"]}");
            assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
            assertThat(moved.json().get("siteIds")).extracting(JsonNode::asText).containsExactly(w.siteB());
            assertThat(doorsOnly(w.people().changes(w.siteA(), headA)))
                    .containsExactly("remove GRANT " + grant, "remove SCHEDULE " + plan);
            assertThat(w.people().changes(w.siteB(), headB)).isEmpty();

            // Dropping the windows makes it an any-time plan: the schedule goes, the grants no longer name it.
            headB = w.people().head(w.siteB());
            api().patch("/api/v1/plans/" + plan, w.token(), "{\"schedule\":null,\"name\":\"Anytime\"}");
            List<JsonNode> changes = w.people().changes(w.siteB(), headB);
            assertThat(doorsOnly(changes)).containsExactly("upsert GRANT " + grant, "remove SCHEDULE " + plan);
            assertThat(changes.get(0).get("entity").has("schedule")).isFalse();

            // A holiday rule change reaches the schedule only.
            api().patch("/api/v1/plans/" + plan, w.token(), "{\"schedule\":" + WEEKDAYS + "}");
            headB = w.people().head(w.siteB());
            Api.Response ignored = api().patch("/api/v1/plans/" + plan, w.token(), "{\"holidays\":\"ignored\"}");
            assertThat(ignored.json().get("holidays").asText()).isEqualTo("ignored");
            assertThat(doorsOnly(w.people().changes(w.siteB(), headB))).containsExactly("upsert SCHEDULE " + plan);

            // A rename changes nothing at the doors.
            headB = w.people().head(w.siteB());
            api().patch("/api/v1/plans/" + plan, w.token(), "{\"name\":\"Renamed\",\"description\":null}");
            assertThat(w.people().changes(w.siteB(), headB)).isEmpty();
        }

        @Test
        void badEditsNameTheFieldAndChangeNothing() {
            World w = world("badedit");
            String plan = w.people().plan(WEEKDAYS, "closed", w.groupA());
            long head = w.people().head(w.siteA());
            Api.Response bad = api().patch(
                            "/api/v1/plans/" + plan,
                            w.token(),
                            "{\"doorGroupIds\":[\"" + w.groupB() + "\",\"dg_nope\"],\"schedule\":[]}");
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().get("errors").findValuesAsText("field")).containsExactly("doorGroupIds[1]");
            assertThat(api().patch("/api/v1/plans/" + plan, w.token(), "{\"holidays\":null}")
                            .status())
                    .isEqualTo(422);
            assertThat(api().patch("/api/v1/plans/" + plan, w.token(), "{\"doorGroupIds\":null}")
                            .status())
                    .isEqualTo(422);
            JsonNode unchanged = api().get("/api/v1/plans/" + plan, w.token()).json();
            assertThat(unchanged.get("doorGroupIds"))
                    .extracting(JsonNode::asText)
                    .containsExactly(w.groupA());
            assertThat(unchanged.get("schedule").toString()).isEqualTo(WEEKDAYS);
            assertThat(w.people().changes(w.siteA(), head)).isEmpty();
        }

        @Test
        void aPlanHeldByMembersCannotBeDeleted() {
            World w = world("delplan");
            String plan = w.people().plan(WEEKDAYS, "closed", w.groupA());
            String member = w.people().member("holder@example.com");
            w.people().assign(member, plan, "{}");
            Api.Response refused = api().delete("/api/v1/plans/" + plan, w.token());
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("detail").asText()).contains(member);
            // and its door group cannot be deleted from under it either
            assertThat(api().delete("/api/v1/door-groups/" + w.groupA(), w.token())
                            .status())
                    .isEqualTo(409);

            assertThat(api().delete("/api/v1/members/" + member + "/plans/" + plan, w.token())
                            .status())
                    .isEqualTo(204);
            long head = w.people().head(w.siteA());
            assertThat(api().delete("/api/v1/plans/" + plan, w.token()).status())
                    .isEqualTo(204);
            assertThat(doorsOnly(w.people().changes(w.siteA(), head))).containsExactly("remove SCHEDULE " + plan);
            assertThat(api().get("/api/v1/plans/" + plan, w.token()).status()).isEqualTo(404);
            assertThat(api().delete("/api/v1/plans/" + plan, w.token()).status())
                    .isEqualTo(404);
        }
    }

    @Nested
    class MembersPlans {
        @Test
        void assigningAPlanGrantsItsGroupsAtEachSiteAndIsRecorded() {
            World w = world("assign");
            String plan = w.people().plan(WEEKDAYS, "closed", w.groupA(), w.groupB());
            String member = w.people().member("holder@example.com");
            long headA = w.people().head(w.siteA());
            long headB = w.people().head(w.siteB());

            Api.Response assigned = w.people()
                    .assign(
                            member,
                            plan,
                            "{\"validFrom\":\"2026-01-01T00:00:00Z\",\"validUntil\":\"2027-01-01T00:00:00+01:00\"}");
            assertThat(assigned.status()).as(assigned.toString()).isEqualTo(201);
            assertThat(assigned.json().get("planName").asText()).isEqualTo("Plan");
            assertThat(assigned.json().get("validUntil").asText()).isEqualTo("2026-12-31T23:00:00Z");

            String grant = "gr_" + member + "_" + plan;
            for (String[] site :
                    new String[][] {{w.siteA(), w.groupA(), "" + headA}, {w.siteB(), w.groupB(), "" + headB}}) {
                List<JsonNode> changes = w.people().changes(site[0], Long.parseLong(site[2]));
                assertThat(doorsOnly(changes)).containsExactly("upsert GRANT " + grant);
                JsonNode entity = changes.get(0).get("entity");
                // Each site's grant names only that site's door groups.
                assertThat(entity.get("doorGroups"))
                        .extracting(JsonNode::asText)
                        .containsExactly(site[1]);
                assertThat(entity.get("doors")).isEmpty();
                assertThat(entity.get("member").asText()).isEqualTo(member);
                assertThat(entity.get("schedule").asText()).isEqualTo(plan);
                assertThat(entity.get("validFrom").asText()).isEqualTo("2026-01-01T00:00:00Z");
                assertThat(entity.get("validUntil").asText()).isEqualTo("2026-12-31T23:00:00Z");
            }

            // Changing the window answers 200 and re-sends the grant; the same window again changes nothing.
            headA = w.people().head(w.siteA());
            Api.Response extended = w.people().assign(member, plan, "{\"validFrom\":\"2026-01-01T00:00:00Z\"}");
            assertThat(extended.status()).isEqualTo(200);
            assertThat(extended.json().has("validUntil")).isFalse();
            assertThat(w.people()
                            .assign(member, plan, "{\"validFrom\":\"2026-01-01T00:00:00Z\"}")
                            .status())
                    .isEqualTo(200);
            List<JsonNode> changes = w.people().changes(w.siteA(), headA);
            assertThat(doorsOnly(changes)).containsExactly("upsert GRANT " + grant);
            assertThat(changes.get(0).get("entity").has("validUntil")).isFalse();

            Api.Response list = api().get("/api/v1/members/" + member + "/plans", w.token());
            assertThat(list.json().get("items").findValuesAsText("planId")).containsExactly(plan);
            assertThat(api().get("/api/v1/plans/" + plan, w.token())
                            .json()
                            .get("memberCount")
                            .asInt())
                    .isEqualTo(1);

            headA = w.people().head(w.siteA());
            assertThat(api().delete("/api/v1/members/" + member + "/plans/" + plan, w.token())
                            .status())
                    .isEqualTo(204);
            assertThat(doorsOnly(w.people().changes(w.siteA(), headA))).containsExactly("remove GRANT " + grant);
            assertThat(api().get("/api/v1/members/" + member + "/plans", w.token())
                            .json()
                            .get("items"))
                    .isEmpty();
            assertThat(api().delete("/api/v1/members/" + member + "/plans/" + plan, w.token())
                            .status())
                    .isEqualTo(404);

            JsonNode history = api().get("/api/v1/members/" + member + "/history", w.token())
                    .json()
                    .get("items");
            assertThat(history.findValuesAsText("action"))
                    .containsExactly("created", "plan-assigned", "plan-assigned", "plan-removed");
            String key = "plans." + plan;
            assertThat(history.get(1).get("changes").get(key).get("from").isNull())
                    .isTrue();
            assertThat(history.get(1)
                            .get("changes")
                            .get(key)
                            .at("/to/validUntil")
                            .asText())
                    .isEqualTo("2026-12-31T23:00:00Z");
            assertThat(history.get(2)
                            .get("changes")
                            .get(key)
                            .at("/to/validUntil")
                            .isNull())
                    .isTrue();
            assertThat(history.get(3).get("changes").get(key).get("to").isNull())
                    .isTrue();

            // Receivers hear each change once (the same window again is no change), in the member's own
            // versions: created 1, assigned 2, changed 3, removed 4.
            List<String> events = hub.hub()
                    .database()
                    .read(c -> dev.gatehouse.hub.store.Sql.list(
                            c,
                            "SELECT type, entity_version FROM outbox_events WHERE entity_id = ? ORDER BY seq",
                            row -> row.getString(1) + " " + row.getLong(2),
                            member));
            assertThat(events)
                    .containsExactly(
                            "member.created 1",
                            "member.plan-assigned 2",
                            "member.plan-assigned 3",
                            "member.plan-removed 4");
        }

        @Test
        void aCancelledMemberGetsNoNewPlan() {
            World w = world("cancelled");
            String plan = w.people().plan("[]", "closed", w.groupA());
            String member = w.people().member("c@example.com");
            api().patch("/api/v1/members/" + member, w.token(), "{\"status\":\"cancelled\"}");
            Api.Response refused = w.people().assign(member, plan, "{}");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(api().get("/api/v1/members/" + member + "/plans", w.token())
                            .json()
                            .get("items"))
                    .isEmpty();
        }

        @Test
        void badWindowsAreNamedAndAssignNothing() {
            World w = world("badwindow");
            String plan = w.people().plan("[]", "closed", w.groupA());
            String member = w.people().member("w@example.com");
            Api.Response backwards = w.people()
                    .assign(
                            member,
                            plan,
                            "{\"validFrom\":\"2026-02-01T00:00:00Z\",\"validUntil\":\"2026-01-01T00:00:00Z\"}");
            assertThat(backwards.status()).isEqualTo(422);
            assertThat(backwards.json().at("/errors/0/field").asText()).isEqualTo("validUntil");
            Api.Response garbage =
                    w.people().assign(member, plan, "{\"validFrom\":\"tomorrow\",\"validUntil\":5,\"until\":1}");
            assertThat(garbage.json().get("errors").findValuesAsText("field"))
                    .containsExactlyInAnyOrder("validFrom", "validUntil", "until");
            assertThat(api().get("/api/v1/members/" + member + "/plans", w.token())
                            .json()
                            .get("items"))
                    .isEmpty();
            // no body at all is an open-ended assignment
            Api.Response bare = api().send(
                            "PUT",
                            "/api/v1/members/" + member + "/plans/" + plan,
                            w.token(),
                            java.util.Optional.empty(),
                            java.util.Optional.empty());
            assertThat(bare.status()).as(bare.toString()).isEqualTo(201);
        }
    }

    @Nested
    class Isolation {
        @Test
        void anotherTenantsPlansAndMembersDoNotExist() {
            World owner = world("owner");
            World stranger = world("stranger");
            String plan = owner.people().plan(WEEKDAYS, "closed", owner.groupA());
            String member = owner.people().member("o@example.com");
            owner.people().assign(member, plan, "{}");
            String strangerPlan = stranger.people().plan("[]", "closed", stranger.groupA());
            String strangerMember = stranger.people().member("s@example.com");
            String token = stranger.token();

            assertThat(api().get("/api/v1/plans/" + plan, token).status()).isEqualTo(404);
            assertThat(api().patch("/api/v1/plans/" + plan, token, "{\"name\":\"Mine\"}")
                            .status())
                    .isEqualTo(404);
            assertThat(api().delete("/api/v1/plans/" + plan, token).status()).isEqualTo(404);
            assertThat(api().get("/api/v1/plans", token).json().get("items").findValuesAsText("id"))
                    .containsExactly(strangerPlan);
            assertThat(api().get("/api/v1/members/" + member + "/plans", token).status())
                    .isEqualTo(404);
            assertThat(api().put("/api/v1/members/" + member + "/plans/" + strangerPlan, token, "{}")
                            .status())
                    .isEqualTo(404);
            assertThat(api().put("/api/v1/members/" + strangerMember + "/plans/" + plan, token, "{}")
                            .status())
                    .isEqualTo(404);
            assertThat(api().delete("/api/v1/members/" + member + "/plans/" + plan, token)
                            .status())
                    .isEqualTo(404);
            Api.Response borrowed = api().patch(
                            "/api/v1/plans/" + strangerPlan, token, "{\"doorGroupIds\":[\"" + owner.groupA() + "\"]}");
            assertThat(borrowed.status()).isEqualTo(422);
            assertThat(borrowed.json().at("/errors/0/field").asText()).isEqualTo("doorGroupIds[0]");

            // The owner's plan and assignment are untouched.
            assertThat(api().get("/api/v1/plans/" + plan, owner.token())
                            .json()
                            .get("name")
                            .asText())
                    .isEqualTo("Plan");
            assertThat(api().get("/api/v1/members/" + member + "/plans", owner.token())
                            .json()
                            .get("items"))
                    .hasSize(1);
        }
    }

    /**
     * The entries' summaries without the members' own: a plan given or taken also sends the member
     * again where their name goes or leaves with the access (SiteNamesTest covers that), which depends
     * on whether the plan's window covers today; these tests are about the doors' grants and schedules.
     */
    static List<String> doorsOnly(List<JsonNode> changes) {
        return People.summary(changes.stream()
                .filter(c -> !c.get("kind").asText().equals("MEMBER"))
                .toList());
    }
}
