package dev.gatehouse.hub.members;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.Fixtures;
import dev.gatehouse.hub.testing.TestHub;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Members: create, read, list, edit, status rules, history, change log and tenant isolation, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class MemberApiTest {
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

    People people(TestHub.Tenant tenant) {
        return new People(hub, tenant.token());
    }

    String tokenId(TestHub.Tenant tenant) {
        return api().get("/api/v1/tokens", tenant.token())
                .json()
                .at("/items/0/id")
                .asText();
    }

    @Test
    void theConsoleSearchAlsoFindsACardHolderByTheStartOfTheCardsLabel() {
        // Front desks look people up by the fob they hold ("blue fob 7"); the API's q does not.
        var tenant = hub.newTenant("bylabel");
        String holder = Fixtures.member(hub, tenant.id());
        String other = Fixtures.member(hub, tenant.id());
        assertThat(api().post(
                                "/api/v1/members/" + holder + "/credentials",
                                tenant.token(),
                                "{\"type\":\"member-qr\",\"label\":\"Blue fob 7\"}")
                        .status())
                .isEqualTo(201);
        assertThat(api().post(
                                "/api/v1/members/" + other + "/credentials",
                                tenant.token(),
                                "{\"type\":\"member-qr\",\"label\":\"Red fob_1\"}")
                        .status())
                .isEqualTo(201);
        MemberStore members = hub.hub().stores().members();
        assertThat(members.search(tenant.id(), Optional.empty(), Optional.of("BLUE F"), 10, Optional.empty())
                        .items())
                .extracting(MemberStore.MemberView::id)
                .containsExactly(holder);
        // A label matches from its start only, and LIKE's wildcards are plain characters.
        assertThat(members.search(tenant.id(), Optional.empty(), Optional.of("fob"), 10, Optional.empty())
                        .items())
                .isEmpty();
        assertThat(members.search(tenant.id(), Optional.empty(), Optional.of("red fob%"), 10, Optional.empty())
                        .items())
                .isEmpty();
        assertThat(members.search(tenant.id(), Optional.empty(), Optional.of("red fob_"), 10, Optional.empty())
                        .items())
                .extracting(MemberStore.MemberView::id)
                .containsExactly(other);
        assertThat(members.list(tenant.id(), Optional.empty(), Optional.of("blue f"), 10, Optional.empty())
                        .items())
                .isEmpty();
        // Another tenant's labels find nobody here.
        var stranger = hub.newTenant("bylabel-other");
        assertThat(members.search(stranger.id(), Optional.empty(), Optional.of("blue"), 10, Optional.empty())
                        .items())
                .isEmpty();
    }

    @Nested
    class Creating {
        @Test
        void aNewMemberIsActiveWithNoRolesAndReadsBackAsCreated() {
            var tenant = hub.newTenant("mem");
            Api.Response created = api().post(
                            "/api/v1/members",
                            tenant.token(),
                            "{\"email\":\"Ada@Example.com\",\"fullName\":\"Ada Lovelace\",\"company\":\"Engines Ltd\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            JsonNode member = created.json();
            assertThat(member.get("id").asText()).startsWith("mem_");
            // E-mail addresses are compared case-insensitively, so they are kept in lower case.
            assertThat(member.get("email").asText()).isEqualTo("ada@example.com");
            assertThat(member.get("status").asText()).isEqualTo("active");
            assertThat(member.get("roles")).isEmpty();
            assertThat(member.get("company").asText()).isEqualTo("Engines Ltd");
            assertThat(member.has("phone")).isFalse();
            assertThat(member.get("createdAt").asText()).endsWith("Z");

            Api.Response read = api().get("/api/v1/members/" + member.get("id").asText(), tenant.token());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json()).isEqualTo(member);
        }

        @Test
        void anEmailIsTakenOncePerTenantAndTheConflictNamesIt() {
            var tenant = hub.newTenant("dupmail");
            people(tenant).member("sam@example.com");
            Api.Response again = api().post(
                            "/api/v1/members",
                            tenant.token(),
                            "{\"email\":\"SAM@example.com\",\"fullName\":\"Sam Two\"}");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.json().get("detail").asText()).contains("sam@example.com");
            // Another operator may have a member with the same address.
            var other = hub.newTenant("dupmail");
            assertThat(api().post(
                                    "/api/v1/members",
                                    other.token(),
                                    "{\"email\":\"sam@example.com\",\"fullName\":\"Sam\"}")
                            .status())
                    .isEqualTo(201);
        }

        @Test
        void badInputNamesEveryFieldAndCreatesNothing() {
            var tenant = hub.newTenant("badmem");
            Api.Response bad = api().post(
                            "/api/v1/members",
                            tenant.token(),
                            "{\"email\":\"not-an-email\",\"fullName\":7,\"phone\":\"call me\",\"roles\":[\"Staff!\",3],"
                                    + "\"status\":\"gone\",\"nickname\":\"x\"}");
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().get("errors").findValuesAsText("field"))
                    .containsExactlyInAnyOrder(
                            "nickname", "email", "fullName", "phone", "roles[0]", "roles[1]", "status");
            Api.Response cancelled = api().post(
                            "/api/v1/members",
                            tenant.token(),
                            "{\"email\":\"c@example.com\",\"fullName\":\"C\",\"status\":\"cancelled\"}");
            assertThat(cancelled.status()).isEqualTo(422);
            assertThat(api().post(
                                    "/api/v1/members",
                                    tenant.token(),
                                    "{\"email\":\"r@example.com\",\"fullName\":\"R\"," + "\"roles\":\"staff\"}")
                            .status())
                    .isEqualTo(422);
            assertThat(api().get("/api/v1/members", tenant.token()).json().get("items"))
                    .isEmpty();
        }

        @Test
        void aNewMemberIsAppendedToEverySiteOfTheTenant() {
            // Members hold plans at any site, so every site's doors must know them.
            var tenant = hub.newTenant("memsites");
            People people = people(tenant);
            String first = people.site("Europe/Berlin");
            String second = people.site("America/New_York");
            long firstHead = people.head(first);
            long secondHead = people.head(second);

            Api.Response created = api().post(
                            "/api/v1/members",
                            tenant.token(),
                            "{\"email\":\"staff@example.com\",\"fullName\":\"Staff\",\"roles\":[\"staff\"]}");
            String id = created.json().get("id").asText();

            for (String site : List.of(first, second)) {
                List<JsonNode> changes = people.changes(site, site.equals(first) ? firstHead : secondHead);
                assertThat(People.summary(changes)).containsExactly("upsert MEMBER " + id);
                JsonNode entity = changes.get(0).get("entity");
                assertThat(entity.get("status").asText()).isEqualTo("active");
                assertThat(entity.get("roles")).extracting(JsonNode::asText).containsExactly("staff");
                // No names at the edge.
                assertThat(entity.toString()).doesNotContain("staff@example.com");
            }
        }
    }

    @Nested
    class Editing {
        @Test
        void aPatchChangesOnlyTheFieldsSentAndClearsNulledOnes() {
            var tenant = hub.newTenant("patch");
            Api.Response created = api().post(
                            "/api/v1/members",
                            tenant.token(),
                            "{\"email\":\"p@example.com\",\"fullName\":\"Pat\",\"phone\":\"+49 30 1234567\"}");
            String id = created.json().get("id").asText();
            Api.Response patched =
                    api().patch("/api/v1/members/" + id, tenant.token(), "{\"fullName\":\"Pat Smith\",\"phone\":null}");
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
            assertThat(patched.json().get("fullName").asText()).isEqualTo("Pat Smith");
            assertThat(patched.json().has("phone")).isFalse();
            assertThat(patched.json().get("email").asText()).isEqualTo("p@example.com");
        }

        @Test
        void contactDetailsStayAtTheHubWhileStatusAndRolesReachEverySiteAndTheNameTheMembersSites() {
            var tenant = hub.newTenant("statuslog");
            People people = people(tenant);
            String site = people.site("Europe/Berlin");
            String elsewhere = people.site("Europe/Berlin");
            String id = people.member("s@example.com");
            people.assign(id, people.plan("[]", "ignored", people.group(site, people.door(site))), "{}");
            long head = people.head(site);
            long elsewhereHead = people.head(elsewhere);

            api().patch("/api/v1/members/" + id, tenant.token(), "{\"company\":\"ACME\",\"phone\":\"+49 30 1234\"}");
            assertThat(people.changes(site, head)).isEmpty();
            // The name reaches the sites where the member has access (for a kiosk's host list); contact
            // details never reach any.
            api().patch("/api/v1/members/" + id, tenant.token(), "{\"fullName\":\"Renamed\"}");
            List<JsonNode> renamed = people.changes(site, head);
            assertThat(People.summary(renamed)).containsExactly("upsert MEMBER " + id);
            assertThat(renamed.get(0).at("/entity/displayName").asText()).isEqualTo("Renamed");
            assertThat(renamed.get(0).toString()).doesNotContain("ACME").doesNotContain("1234");
            List<JsonNode> notThere = people.changes(elsewhere, elsewhereHead);
            assertThat(People.summary(notThere)).containsExactly("upsert MEMBER " + id);
            assertThat(notThere.get(0).get("entity").has("displayName")).isFalse();
            assertThat(notThere.get(0).toString()).doesNotContain("Renamed");
            head = people.head(site);

            Api.Response suspended = api().patch("/api/v1/members/" + id, tenant.token(), "{\"status\":\"suspended\"}");
            assertThat(suspended.json().get("status").asText()).isEqualTo("suspended");
            api().patch("/api/v1/members/" + id, tenant.token(), "{\"roles\":[\"staff\",\"night-shift\"]}");
            List<JsonNode> changes = people.changes(site, head);
            assertThat(People.summary(changes)).containsExactly("upsert MEMBER " + id, "upsert MEMBER " + id);
            assertThat(changes.get(0).at("/entity/status").asText()).isEqualTo("suspended");
            assertThat(changes.get(1).at("/entity/roles").toString()).isEqualTo("[\"night-shift\",\"staff\"]");
        }

        @Test
        void aCancellationIsFinal() {
            var tenant = hub.newTenant("cancel");
            String id = people(tenant).member("gone@example.com");
            assertThat(api().patch("/api/v1/members/" + id, tenant.token(), "{\"status\":\"cancelled\"}")
                            .status())
                    .isEqualTo(200);
            Api.Response back = api().patch("/api/v1/members/" + id, tenant.token(), "{\"status\":\"active\"}");
            assertThat(back.status()).isEqualTo(409);
            assertThat(back.json().get("detail").asText()).contains("cancelled");
            assertThat(api().get("/api/v1/members/" + id, tenant.token())
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("cancelled");
            // Correcting a cancelled member's name is still allowed.
            assertThat(api().patch("/api/v1/members/" + id, tenant.token(), "{\"fullName\":\"Gone Person\"}")
                            .status())
                    .isEqualTo(200);
        }

        @Test
        void takingAnotherMembersEmailIsAConflictThatChangesNothing() {
            var tenant = hub.newTenant("steal");
            People people = people(tenant);
            people.member("taken@example.com");
            String id = people.member("mine@example.com");
            Api.Response steal = api().patch(
                            "/api/v1/members/" + id,
                            tenant.token(),
                            "{\"email\":\"taken@example.com\",\"fullName\":\"X\"}");
            assertThat(steal.status()).isEqualTo(409);
            assertThat(steal.json().get("detail").asText()).contains("taken@example.com");
            JsonNode member = api().get("/api/v1/members/" + id, tenant.token()).json();
            assertThat(member.get("email").asText()).isEqualTo("mine@example.com");
            assertThat(member.get("fullName").asText()).isEqualTo("Test Member");
            // and no history entry for the refused change
            assertThat(api().get("/api/v1/members/" + id + "/history", tenant.token())
                            .json()
                            .get("items"))
                    .hasSize(1);
        }

        @Test
        void badPatchesNameTheFieldAndChangeNothing() {
            var tenant = hub.newTenant("badpatch");
            String id = people(tenant).member("b@example.com");
            Api.Response bad = api().patch(
                            "/api/v1/members/" + id,
                            tenant.token(),
                            "{\"status\":null,\"fullName\":\"\",\"roles\":[\"a b\"],\"email\":\"x\",\"extra\":1}");
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().get("errors").findValuesAsText("field"))
                    .containsExactlyInAnyOrder("status", "fullName", "roles[0]", "email", "extra");
            assertThat(api().patch("/api/v1/members/" + id, tenant.token(), "[]")
                            .status())
                    .isEqualTo(400);
            assertThat(api().get("/api/v1/members/" + id + "/history", tenant.token())
                            .json()
                            .get("items"))
                    .hasSize(1);
        }
    }

    @Nested
    class History {
        @Test
        void everyChangeIsRecordedWithItsActorAndWhatChanged() {
            var tenant = hub.newTenant("hist");
            String id = people(tenant).member("h@example.com");
            api().patch("/api/v1/members/" + id, tenant.token(), "{\"fullName\":\"H. Person\"}");
            api().patch("/api/v1/members/" + id, tenant.token(), "{\"status\":\"suspended\"}");
            api().patch("/api/v1/members/" + id, tenant.token(), "{\"status\":\"suspended\"}"); // no change, no entry

            Api.Response history = api().get("/api/v1/members/" + id + "/history", tenant.token());
            assertThat(history.status()).isEqualTo(200);
            JsonNode items = history.json().get("items");
            assertThat(items.findValuesAsText("action")).containsExactly("created", "updated", "status-changed");
            assertThat(items.findValuesAsText("actor")).containsOnly(tokenId(tenant));
            assertThat(items.get(0).at("/changes/email/from").isNull()).isTrue();
            assertThat(items.get(0).at("/changes/email/to").asText()).isEqualTo("h@example.com");
            assertThat(items.get(1).get("changes").toString())
                    .isEqualTo("{\"fullName\":{\"from\":\"Test Member\",\"to\":\"H. Person\"}}");
            assertThat(items.get(2).get("changes").toString())
                    .isEqualTo("{\"status\":{\"from\":\"active\",\"to\":\"suspended\"}}");
        }

        @Test
        void historyPagesWithACursor() {
            var tenant = hub.newTenant("histpage");
            String id = people(tenant).member("hp@example.com");
            for (int i = 1; i <= 4; i++) {
                api().patch("/api/v1/members/" + id, tenant.token(), "{\"fullName\":\"Name " + i + "\"}");
            }
            List<String> seen = new ArrayList<>();
            String cursor = "";
            int pages = 0;
            do {
                Api.Response page = api().get(
                                "/api/v1/members/" + id + "/history?limit=2"
                                        + (cursor.isEmpty() ? "" : "&cursor=" + cursor),
                                tenant.token());
                assertThat(page.status()).as(page.toString()).isEqualTo(200);
                page.json()
                        .get("items")
                        .forEach(
                                item -> seen.add(item.at("/changes/fullName/to").asText()));
                cursor = page.json().path("nextCursor").asText("");
                pages++;
            } while (!cursor.isEmpty());
            assertThat(pages).isEqualTo(3);
            assertThat(seen).containsExactly("Test Member", "Name 1", "Name 2", "Name 3", "Name 4");
            assertThat(api().get("/api/v1/members/" + id + "/history?cursor=nonsense", tenant.token())
                            .status())
                    .isEqualTo(422);
        }
    }

    @Nested
    class Listing {
        @Test
        void membersAreFilteredByStatusAndByPrefix() {
            var tenant = hub.newTenant("list");
            People people = people(tenant);
            String ada = hub.create(
                    "/api/v1/members", tenant.token(), "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}");
            String alan = hub.create(
                    "/api/v1/members",
                    tenant.token(),
                    "{\"email\":\"turing@example.com\",\"fullName\":\"Alan Turing\"}");
            String grace = hub.create(
                    "/api/v1/members",
                    tenant.token(),
                    "{\"email\":\"grace@example.com\",\"fullName\":\"Grace Hopper\",\"status\":\"suspended\"}");
            people.member("x_y@example.com");

            assertThat(ids("", tenant)).hasSize(4);
            assertThat(ids("?status=suspended", tenant)).containsExactly(grace);
            // Two creates can share a millisecond, so their creation order is not this test's subject.
            assertThat(ids("?q=a", tenant)).containsExactlyInAnyOrder(ada, alan);
            assertThat(ids("?q=TUR", tenant)).containsExactly(alan); // e-mail prefix and surname, any case
            assertThat(ids("?q=hopper&status=active", tenant)).isEmpty();
            // LIKE wildcards in the query are literal characters
            assertThat(ids("?q=_", tenant)).isEmpty();
            assertThat(ids("?q=%25", tenant)).isEmpty();
        }

        @Test
        void theSearchFollowsARenameAndFindsWordsInARow() {
            var tenant = hub.newTenant("rename");
            String ada = hub.create(
                    "/api/v1/members",
                    tenant.token(),
                    "{\"email\":\"ada@example.com\",\"fullName\":\"Augusta Ada King\"}");
            assertThat(ids("?q=ada%20ki", tenant)).containsExactly(ada); // words in a row, from the middle
            assertThat(ids("?q=king", tenant)).containsExactly(ada);
            assertThat(ids("?q=a%20k", tenant)).isEmpty(); // "augusta ada king" has no "a k…" in a row
            Api.Response renamed = api().patch(
                            "/api/v1/members/" + ada,
                            tenant.token(),
                            "{\"fullName\":\"Ada Lovelace\",\"email\":\"al@example.com\"}");
            assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
            assertThat(ids("?q=king", tenant)).isEmpty();
            assertThat(ids("?q=ada%40", tenant)).isEmpty(); // the old e-mail is gone too
            assertThat(ids("?q=love", tenant)).containsExactly(ada);
            assertThat(ids("?q=al%40", tenant)).containsExactly(ada);
        }

        @Test
        void pagesWalkEveryMemberOnceInCreationOrder() {
            var tenant = hub.newTenant("paging");
            People people = people(tenant);
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                created.add(people.member("m" + i + "@example.com"));
            }
            List<String> seen = new ArrayList<>();
            String cursor = "";
            do {
                Api.Response page = api().get(
                                "/api/v1/members?limit=2" + (cursor.isEmpty() ? "" : "&cursor=" + cursor),
                                tenant.token());
                page.json().get("items").forEach(item -> seen.add(item.get("id").asText()));
                cursor = page.json().path("nextCursor").asText("");
            } while (!cursor.isEmpty());
            // Creation order is (createdAt, id): members made in the same millisecond follow their ids.
            List<String> expected = new ArrayList<>(created);
            expected.sort(
                    java.util.Comparator.comparing((String id) -> api().get("/api/v1/members/" + id, tenant.token())
                                    .json()
                                    .get("createdAt")
                                    .asText())
                            .thenComparing(id -> id));
            assertThat(seen).containsExactlyElementsOf(expected);
        }

        @Test
        void badQueryParametersAreNamed() {
            var tenant = hub.newTenant("badq");
            for (String query : List.of("?limit=0", "?limit=501", "?limit=x", "?status=gone", "?cursor=%21%21")) {
                Api.Response response = api().get("/api/v1/members" + query, tenant.token());
                assertThat(response.status()).as(query).isEqualTo(422);
                String field = query.substring(1, query.indexOf('='));
                assertThat(response.json().at("/errors/0/field").asText())
                        .as(query)
                        .isEqualTo(field);
            }
        }

        private List<String> ids(String query, TestHub.Tenant tenant) {
            Api.Response response = api().get("/api/v1/members" + query, tenant.token());
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            return response.json().get("items").findValuesAsText("id");
        }
    }

    @Nested
    class Isolation {
        @Test
        void anotherTenantsMemberDoesNotExist() {
            var owner = hub.newTenant("owner");
            var stranger = hub.newTenant("stranger");
            String id = people(owner).member("private@example.com");

            assertThat(api().get("/api/v1/members/" + id, stranger.token()).status())
                    .isEqualTo(404);
            assertThat(api().patch("/api/v1/members/" + id, stranger.token(), "{\"status\":\"suspended\"}")
                            .status())
                    .isEqualTo(404);
            assertThat(api().get("/api/v1/members/" + id + "/history", stranger.token())
                            .status())
                    .isEqualTo(404);
            assertThat(api().get("/api/v1/members?q=private", stranger.token())
                            .json()
                            .get("items"))
                    .isEmpty();
            assertThat(api().get("/api/v1/members/" + id, owner.token())
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("active");
            assertThat(api().get("/api/v1/members/not%20an%20id", owner.token()).status())
                    .isEqualTo(404);
            // the same e-mail is free in the other tenant: uniqueness is per tenant and reveals nothing
            assertThat(people(stranger).member("private@example.com")).isNotEqualTo(id);
        }

        @Test
        void aPlatformAdminTokenHasNoMembers() {
            assertThat(api().get("/api/v1/members", hub.adminToken()).status()).isEqualTo(403);
        }
    }
}
