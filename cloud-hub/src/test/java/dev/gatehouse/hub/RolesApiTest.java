package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.SseClient;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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

/** API tokens with roles and sites: each role sees and does only its share, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class RolesApiTest {
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

    static Api api() {
        return hub.api();
    }

    /** A tenant with sites A and B (a door each) and a member, made with the owner's first token. */
    record Fixture(TestHub.Tenant tenant, String siteA, String siteB, String doorA, String doorB, String member) {
        String owner() {
            return tenant.token();
        }
    }

    static Fixture fixture(String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String siteA = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"A\",\"address\":\"1 Road\",\"timeZone\":\"UTC\"}");
        String siteB = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"B\",\"address\":\"2 Road\",\"timeZone\":\"UTC\"}");
        return new Fixture(
                tenant,
                siteA,
                siteB,
                hub.create("/api/v1/sites/" + siteA + "/doors", tenant.token(), "{\"name\":\"A door\"}"),
                hub.create("/api/v1/sites/" + siteB + "/doors", tenant.token(), "{\"name\":\"B door\"}"),
                hub.create(
                        "/api/v1/members",
                        tenant.token(),
                        "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}"));
    }

    /** A token of the fixture's tenant with this role and these sites (the token itself). */
    static String token(Fixture f, String role, String... sites) {
        String body = "{\"name\":\"" + role + "\",\"role\":\"" + role + "\",\"sites\":"
                + (sites.length == 0 ? "[]" : "[\"" + String.join("\",\"", sites) + "\"]") + "}";
        Api.Response created = api().post("/api/v1/tokens", f.owner(), body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("token").asText();
    }

    /** Stores a granted event as the site's device would report it. */
    static void report(Fixture f, String site, String device, String door, String eventId, Instant at) {
        hub.hub()
                .stores()
                .accessLog()
                .ingest(
                        f.tenant().id(),
                        site,
                        device,
                        List.of(AccessLogApiTest.granted(eventId, at, site, door, f.member())));
    }

    @Nested
    class FrontDesk {
        @Test
        void createsAMemberButNotASiteNorAToken() {
            // The desk enrolls people; configuring sites and handing out API access is for others.
            Fixture f = fixture("desk");
            String desk = token(f, "front-desk");

            Api.Response member =
                    api().post("/api/v1/members", desk, "{\"email\":\"bob@example.com\",\"fullName\":\"Bob\"}");
            assertThat(member.status()).as(member.toString()).isEqualTo(201);

            Api.Response site =
                    api().post("/api/v1/sites", desk, "{\"name\":\"C\",\"address\":\"3 Road\",\"timeZone\":\"UTC\"}");
            assertThat(site.status()).isEqualTo(403);
            assertThat(site.json().get("detail").asText())
                    .contains("front-desk")
                    .contains("manage-sites");

            Api.Response token = api().post("/api/v1/tokens", desk, "{\"name\":\"mine\"}");
            assertThat(token.status()).isEqualTo(403);
            assertThat(token.json().get("detail").asText()).contains("front-desk");
            assertThat(api().get("/api/v1/sites", f.owner()).json().get("items"))
                    .hasSize(2);
        }
    }

    @Nested
    class Commands {
        @Test
        void theDeskUnlocksADoorButCannotLockASiteDown() {
            // Buzzing a visitor in is the desk's job; locking a whole site down is the manager's call.
            Fixture f = fixture("cmd");
            String desk = token(f, "front-desk");
            String commands = "/api/v1/sites/" + f.siteA() + "/commands";

            Api.Response unlock = api().post(
                            commands,
                            desk,
                            "{\"action\":{\"type\":\"unlock-once\",\"door\":\"" + f.doorA()
                                    + "\",\"unlockFor\":\"PT5S\"}}");
            assertThat(unlock.status()).as(unlock.toString()).isEqualTo(202);
            Api.Response lockdown = api().post(
                            commands,
                            desk,
                            "{\"action\":{\"type\":\"lockdown\",\"allDoors\":true,\"doors\":[],"
                                    + "\"allowedRoles\":[\"staff\"]}}");
            assertThat(lockdown.status()).as(lockdown.toString()).isEqualTo(403);
            assertThat(lockdown.json().get("detail").asText())
                    .contains("front-desk")
                    .contains("lockdown");

            JsonNode unlocks = api().get("/api/v1/audit?action=door.unlock", f.owner())
                    .json()
                    .get("items");
            assertThat(unlocks).hasSize(1);
            assertThat(unlocks.get(0).get("resourceId").asText()).isEqualTo(f.doorA());
            assertThat(unlocks.get(0).get("siteId").asText()).isEqualTo(f.siteA());
            assertThat(api().get("/api/v1/audit?action=site.lockdown", f.owner())
                            .json()
                            .get("items"))
                    .isEmpty();
        }

        @Test
        void aRoleThatMaySendNoCommandIsRefusedBeforeItsBodyIsRead() {
            Fixture f = fixture("nocmd");
            Api.Response response =
                    api().post("/api/v1/sites/" + f.siteA() + "/commands", token(f, "finance"), "not even JSON");
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.json().get("detail").asText())
                    .contains("finance")
                    .contains("unlock-doors");
        }
    }

    @Nested
    class SiteManager {
        @Test
        void ofSiteASeesOnlySiteA() {
            // A manager of one site learns nothing of another: not in lists, and 404 as if it did not exist.
            Fixture f = fixture("mgr");
            String manager = token(f, "site-manager", f.siteA());

            JsonNode sites = api().get("/api/v1/sites", manager).json().get("items");
            assertThat(sites).extracting(site -> site.get("id").asText()).containsExactly(f.siteA());

            assertThat(api().get("/api/v1/sites/" + f.siteA() + "/doors", manager)
                            .status())
                    .isEqualTo(200);
            Api.Response doorsOfB = api().get("/api/v1/sites/" + f.siteB() + "/doors", manager);
            Api.Response missing = api().get("/api/v1/sites/site_doesnotexist0000/doors", manager);
            assertThat(doorsOfB.status()).isEqualTo(404);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(doorsOfB.json().get("detail").asText())
                    .isEqualTo(missing.json().get("detail").asText().replace("site_doesnotexist0000", f.siteB()));
            assertThat(api().get("/api/v1/doors/" + f.doorB(), manager).status())
                    .isEqualTo(404);
            assertThat(api().patch("/api/v1/doors/" + f.doorB(), manager, "{\"name\":\"mine\"}")
                            .status())
                    .isEqualTo(404);
            assertThat(api().get("/api/v1/doors/" + f.doorA(), manager).status())
                    .isEqualTo(200);
        }

        @Test
        void ofSiteASeesOnlySiteAInTheAccessLog() {
            Fixture f = fixture("mgrlog");
            String deviceA = hub.create("/api/v1/sites/" + f.siteA() + "/devices", f.owner(), "{\"name\":\"pi-a\"}");
            String deviceB = hub.create("/api/v1/sites/" + f.siteB() + "/devices", f.owner(), "{\"name\":\"pi-b\"}");
            Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            String eventA = AccessLogApiTest.eventId();
            String eventB = AccessLogApiTest.eventId();
            report(f, f.siteA(), deviceA, f.doorA(), eventA, at);
            report(f, f.siteB(), deviceB, f.doorB(), eventB, at);
            String manager = token(f, "site-manager", f.siteA());

            assertThat(ids(api().get("/api/v1/access-events", f.owner()))).containsExactlyInAnyOrder(eventA, eventB);
            assertThat(ids(api().get("/api/v1/access-events", manager))).containsExactly(eventA);
            assertThat(ids(api().get("/api/v1/access-events?siteId=" + f.siteB(), manager)))
                    .isEmpty();
        }

        @Test
        void ofSiteAStreamsOnlySiteAEvents() throws Exception {
            // The live feed spans sites like the log: another site's events pass it by unseen.
            Fixture f = fixture("mgrlive");
            String deviceA = hub.create("/api/v1/sites/" + f.siteA() + "/devices", f.owner(), "{\"name\":\"pi-a\"}");
            String deviceB = hub.create("/api/v1/sites/" + f.siteB() + "/devices", f.owner(), "{\"name\":\"pi-b\"}");
            String manager = token(f, "site-manager", f.siteA());
            String eventA = AccessLogApiTest.eventId();
            String eventB = AccessLogApiTest.eventId();
            Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            try (SseClient stream =
                    SseClient.open(hub.hub().port(), "/api/v1/access-events/stream", manager, Optional.empty())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> stream.status() == 200);
                report(f, f.siteB(), deviceB, f.doorB(), eventB, at);
                // A later millisecond for A, so the stream reaches B's event first and must pass it by.
                Instant stored = Instant.now();
                await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(stored.plusMillis(2)));
                report(f, f.siteA(), deviceA, f.doorA(), eventA, at);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !stream.events().isEmpty());
                assertThat(stream.events()).hasSize(1);
                assertThat(stream.events().getFirst().data()).contains(eventA).doesNotContain(eventB);
            }
        }

        private static List<String> ids(Api.Response response) {
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            List<String> ids = new ArrayList<>();
            response.json().get("items").forEach(item -> ids.add(item.get("id").asText()));
            return ids;
        }
    }

    @Nested
    class ReadOnly {
        @Test
        void getsForbiddenOnEveryWriteAndChangesNothing() {
            // A read-only token is safe to hand to a dashboard: every change it tries is refused.
            Fixture f = fixture("ro");
            String readOnly = token(f, "read-only");
            String site = "/api/v1/sites/" + f.siteA();
            String member = "/api/v1/members/" + f.member();
            List<String[]> writes = List.of(
                    new String[] {"POST", "/api/v1/sites", "{\"name\":\"C\",\"address\":\"3\",\"timeZone\":\"UTC\"}"},
                    new String[] {"PATCH", site, "{\"name\":\"renamed\"}"},
                    new String[] {"PUT", site + "/holidays", "{\"holidays\":[]}"},
                    new String[] {"POST", site + "/doors", "{\"name\":\"new\"}"},
                    new String[] {"PATCH", "/api/v1/doors/" + f.doorA(), "{\"name\":\"renamed\"}"},
                    new String[] {"DELETE", "/api/v1/doors/" + f.doorA(), null},
                    new String[] {"POST", site + "/door-groups", "{\"name\":\"g\",\"doorIds\":[]}"},
                    new String[] {"POST", site + "/devices", "{\"name\":\"pi\"}"},
                    new String[] {"POST", "/api/v1/members", "{\"email\":\"c@example.com\",\"fullName\":\"C\"}"},
                    new String[] {"PATCH", member, "{\"status\":\"suspended\"}"},
                    new String[] {"POST", member + "/credentials", "{\"type\":\"member-qr\"}"},
                    new String[] {"PUT", member + "/plans/plan_x", "{}"},
                    new String[] {"POST", "/api/v1/plans", "{\"name\":\"p\",\"doorGroupIds\":[]}"},
                    new String[] {
                        "POST",
                        site + "/visitor-passes",
                        "{\"visitorName\":\"V\",\"doorIds\":[\"" + f.doorA() + "\"],"
                                + "\"validFrom\":\"2030-01-01T09:00:00Z\",\"validUntil\":\"2030-01-01T17:00:00Z\"}"
                    },
                    new String[] {
                        "POST",
                        site + "/commands",
                        "{\"action\":{\"type\":\"unlock-once\",\"door\":\"" + f.doorA() + "\",\"unlockFor\":\"PT5S\"}}"
                    },
                    new String[] {"PATCH", "/api/v1/tenant", "{\"name\":\"taken over\"}"},
                    new String[] {"POST", "/api/v1/tokens", "{\"name\":\"more\"}"});
            for (String[] write : writes) {
                Api.Response response =
                        api().send(write[0], write[1], readOnly, Optional.ofNullable(write[2]), Optional.empty());
                assertThat(response.status())
                        .as(write[0] + " " + write[1] + " → " + response)
                        .isEqualTo(403);
                assertThat(response.json().get("detail").asText()).contains("read-only");
            }
            assertThat(api().get(site, f.owner()).json().get("name").asText()).isEqualTo("A");
            assertThat(api().get(member, f.owner()).json().get("status").asText())
                    .isEqualTo("active");
            assertThat(api().get("/api/v1/audit?actor=" + tokenId(f, "read-only"), f.owner())
                            .json()
                            .get("items"))
                    .isEmpty();
            // It still reads.
            assertThat(api().get("/api/v1/members", readOnly).status()).isEqualTo(200);
        }

        private static String tokenId(Fixture f, String name) {
            for (JsonNode token : api().get("/api/v1/tokens", f.owner()).json().get("items")) {
                if (token.get("name").asText().equals(name)) {
                    return token.get("id").asText();
                }
            }
            throw new AssertionError("no token named " + name);
        }
    }

    @Nested
    class Tokens {
        @Test
        void aTokenIsMadeWithARoleAndSitesAndListedWithThem() {
            Fixture f = fixture("tokens");
            Api.Response created = api().post(
                            "/api/v1/tokens",
                            f.owner(),
                            "{\"name\":\"door tablet\",\"role\":\"technician\",\"sites\":[\"" + f.siteB() + "\"]}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().get("role").asText()).isEqualTo("technician");
            assertThat(created.json().get("sites")).extracting(JsonNode::asText).containsExactly(f.siteB());

            JsonNode listed = null;
            for (JsonNode token : api().get("/api/v1/tokens", f.owner()).json().get("items")) {
                if (token.get("id").asText().equals(created.json().get("id").asText())) {
                    listed = token;
                }
            }
            assertThat(listed).isNotNull();
            assertThat(listed.get("role").asText()).isEqualTo("technician");
            assertThat(listed.get("sites")).extracting(JsonNode::asText).containsExactly(f.siteB());
            assertThat(listed.has("token")).isFalse();
            Api.Response first = api().get("/api/v1/tokens", f.owner());
            assertThat(first.json().at("/items/0/role").asText()).isEqualTo("owner");
        }

        @Test
        void anUnknownSiteOrAnOwnerWithSitesIsRefusedAndNothingIsMade() {
            Fixture f = fixture("badtok");
            Fixture other = fixture("othertok");
            int before =
                    api().get("/api/v1/tokens", f.owner()).json().get("items").size();

            Api.Response unknown = api().post(
                            "/api/v1/tokens",
                            f.owner(),
                            "{\"name\":\"x\",\"role\":\"front-desk\",\"sites\":[\"" + other.siteA() + "\"]}");
            assertThat(unknown.status()).isEqualTo(422);
            assertThat(unknown.text()).contains(other.siteA()).contains("not a site of this tenant");

            Api.Response owner = api().post(
                            "/api/v1/tokens",
                            f.owner(),
                            "{\"name\":\"x\",\"role\":\"owner\",\"sites\":[\"" + f.siteA() + "\"]}");
            assertThat(owner.status()).isEqualTo(422);
            assertThat(owner.text()).contains("sites").contains("owner has every site");

            Api.Response role = api().post("/api/v1/tokens", f.owner(), "{\"name\":\"x\",\"role\":\"admin\"}");
            assertThat(role.status()).isEqualTo(422);
            assertThat(role.text()).contains("role").contains("site-manager");

            assertThat(api().get("/api/v1/tokens", f.owner()).json().get("items"))
                    .hasSize(before);
        }

        @Test
        void onlyAnOwnerManagesTokensEvenWithEverySite() {
            Fixture f = fixture("mgrtok");
            String manager = token(f, "site-manager");
            assertThat(api().get("/api/v1/tokens", manager).status()).isEqualTo(403);
            Api.Response revoke = api().delete("/api/v1/tokens/tok_anything00000000", manager);
            assertThat(revoke.status()).isEqualTo(403);
            assertThat(revoke.json().get("detail").asText()).contains("site-manager");
        }
    }
}
