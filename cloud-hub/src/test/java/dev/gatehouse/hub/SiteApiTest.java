package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Sites, holidays, doors, door groups, devices and the change log they write, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SiteApiTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    TestHub.Tenant tenant;
    String site;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void tenantWithASite() {
        tenant = hub.newTenant("sites");
        site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Kreuzberg\",\"address\":\"Oranienstr. 1, Berlin\",\"timeZone\":\"Europe/Berlin\"}");
    }

    Api api() {
        return hub.api();
    }

    String token() {
        return tenant.token();
    }

    List<JsonNode> changes(String siteId) {
        Api.Response response = api().get("/api/v1/sites/" + siteId + "/changes?after=0&limit=1000", token());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        response.json().get("items").forEach(items::add);
        return items;
    }

    @Nested
    class Sites {
        @Test
        void aSiteOpensItsChangeLogWithItselfAndTheSigningKeys() {
            List<JsonNode> log = changes(site);
            assertThat(log).extracting(c -> c.get("kind").asText()).containsExactly("SITE", "SIGNING_KEY");
            assertThat(log).extracting(c -> c.get("seq").asLong()).containsExactly(1L, 2L);
            assertThat(log.get(0).at("/entity/zone").asText()).isEqualTo("Europe/Berlin");
            JsonNode shown = api().get("/api/v1/sites/" + site, token()).json();
            assertThat(shown.get("changeSeq").asLong()).isEqualTo(2);
            assertThat(shown.get("timeZone").asText()).isEqualTo("Europe/Berlin");
        }

        @Test
        void aWrongTimeZoneIsRefusedWithTheFix() {
            for (String zone : new String[] {"Mars/Olympus", "CET", "+01:00", ""}) {
                Api.Response response = api().post(
                                "/api/v1/sites",
                                token(),
                                "{\"name\":\"X\",\"address\":\"Y\",\"timeZone\":\"" + zone + "\"}");
                assertThat(response.status()).as(zone).isEqualTo(422);
                assertThat(response.json().at("/errors/0/field").asText()).isEqualTo("timeZone");
            }
            assertThat(api().get("/api/v1/sites", token()).json().get("items")).hasSize(1);
        }

        @Test
        void patchingASiteKeepsWhatIsNotSentAndLogsTheNewSite() {
            Api.Response patched = api().patch("/api/v1/sites/" + site, token(), "{\"timeZone\":\"Europe/Lisbon\"}");
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
            assertThat(patched.json().get("name").asText()).isEqualTo("Kreuzberg");
            assertThat(patched.json().get("timeZone").asText()).isEqualTo("Europe/Lisbon");
            List<JsonNode> log = changes(site);
            assertThat(log.get(log.size() - 1).at("/entity/zone").asText()).isEqualTo("Europe/Lisbon");
        }

        @Test
        void holidaysAreReplacedAsAWholeAndReachTheEdge() {
            Api.Response put = api().put(
                            "/api/v1/sites/" + site + "/holidays",
                            token(),
                            "{\"holidays\":[{\"date\":\"2026-12-25\",\"name\":\"Christmas\"},{\"date\":\"2026-12-26\",\"name\":\"Boxing Day\"}]}");
            assertThat(put.status()).as(put.toString()).isEqualTo(200);
            assertThat(put.json().get("holidays")).hasSize(2);
            List<JsonNode> log = changes(site);
            assertThat(log.get(log.size() - 1).at("/entity/holidays").toString())
                    .contains("2026-12-25")
                    .contains("2026-12-26");

            Api.Response twice = api().put(
                            "/api/v1/sites/" + site + "/holidays",
                            token(),
                            "{\"holidays\":[{\"date\":\"2026-12-25\",\"name\":\"A\"},{\"date\":\"2026-12-25\",\"name\":\"B\"}]}");
            assertThat(twice.status()).isEqualTo(422);
            assertThat(twice.json().at("/errors/0/field").asText()).isEqualTo("holidays[1].date");
            Api.Response badDate = api().put(
                            "/api/v1/sites/" + site + "/holidays",
                            token(),
                            "{\"holidays\":[{\"date\":\"25.12.2026\",\"name\":\"A\"}]}");
            assertThat(badDate.status()).isEqualTo(422);
            assertThat(api().get("/api/v1/sites/" + site, token()).json().get("holidays"))
                    .hasSize(2);
        }
    }

    @Nested
    class Doors {
        @Test
        void aDoorHasSafeDefaultsAndReachesTheSiteLog() {
            Api.Response created = api().post("/api/v1/sites/" + site + "/doors", token(), "{\"name\":\"Front door\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            JsonNode door = created.json();
            assertThat(door.get("unlockSeconds").asInt()).isEqualTo(5);
            assertThat(door.get("untrustedClock").asText()).isEqualTo("keep-granting");
            List<JsonNode> log = changes(site);
            JsonNode last = log.get(log.size() - 1);
            assertThat(last.get("kind").asText()).isEqualTo("DOOR");
            assertThat(last.get("key").asText()).isEqualTo(door.get("id").asText());
            assertThat(last.at("/entity/unlockFor").asText()).isEqualTo("PT5S");
        }

        @Test
        void doorSettingsOutOfRangeAreRefused() {
            Api.Response response = api().post(
                            "/api/v1/sites/" + site + "/doors",
                            token(),
                            "{\"name\":\"Gate\",\"unlockSeconds\":0,\"untrustedClock\":\"open-sesame\",\"offlineAfterSeconds\":-1}");
            assertThat(response.status()).isEqualTo(422);
            assertThat(response.json().get("errors").findValuesAsText("field"))
                    .containsExactlyInAnyOrder("unlockSeconds", "untrustedClock", "offlineAfterSeconds");
            assertThat(api().get("/api/v1/sites/" + site + "/doors", token())
                            .json()
                            .get("items"))
                    .isEmpty();
        }

        @Test
        void aDoorIsPatchedAndDeletedWithARemoveInTheLog() {
            String door = hub.create("/api/v1/sites/" + site + "/doors", token(), "{\"name\":\"Back\"}");
            Api.Response patched = api().patch(
                            "/api/v1/doors/" + door,
                            token(),
                            "{\"unlockSeconds\":8,\"offlineMode\":\"staff-only\",\"offlineAfterSeconds\":3600}");
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
            assertThat(patched.json().get("name").asText()).isEqualTo("Back");
            assertThat(patched.json().get("offlineMode").asText()).isEqualTo("staff-only");
            assertThat(api().delete("/api/v1/doors/" + door, token()).status()).isEqualTo(204);
            assertThat(api().get("/api/v1/doors/" + door, token()).status()).isEqualTo(404);
            List<JsonNode> log = changes(site);
            JsonNode last = log.get(log.size() - 1);
            assertThat(last.get("op").asText()).isEqualTo("remove");
            assertThat(last.get("key").asText()).isEqualTo(door);
        }

        @Test
        void aDoorInAGroupCannotBeDeletedUntilItLeavesTheGroup() {
            String door = hub.create("/api/v1/sites/" + site + "/doors", token(), "{\"name\":\"Lobby\"}");
            String group = hub.create(
                    "/api/v1/sites/" + site + "/door-groups",
                    token(),
                    "{\"name\":\"Members\",\"doorIds\":[\"" + door + "\"]}");
            Api.Response refused = api().delete("/api/v1/doors/" + door, token());
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("detail").asText()).contains(group);
            assertThat(api().patch("/api/v1/door-groups/" + group, token(), "{\"doorIds\":[]}")
                            .status())
                    .isEqualTo(200);
            assertThat(api().delete("/api/v1/doors/" + door, token()).status()).isEqualTo(204);
        }
    }

    @Nested
    class DoorGroups {
        @Test
        void aGroupHoldsDoorsOfItsOwnSiteOnly() {
            String door = hub.create("/api/v1/sites/" + site + "/doors", token(), "{\"name\":\"Lobby\"}");
            String otherSite = hub.create(
                    "/api/v1/sites",
                    token(),
                    "{\"name\":\"Mitte\",\"address\":\"Torstr. 2\",\"timeZone\":\"Europe/Berlin\"}");
            String otherDoor = hub.create("/api/v1/sites/" + otherSite + "/doors", token(), "{\"name\":\"Other\"}");

            Api.Response mixed = api().post(
                            "/api/v1/sites/" + site + "/door-groups",
                            token(),
                            "{\"name\":\"All\",\"doorIds\":[\"" + door + "\",\"" + otherDoor + "\"]}");
            assertThat(mixed.status()).isEqualTo(422);
            assertThat(mixed.json().get("detail").asText()).contains(otherDoor);

            Api.Response created = api().post(
                            "/api/v1/sites/" + site + "/door-groups",
                            token(),
                            "{\"name\":\"All\",\"doorIds\":[\"" + door + "\",\"" + door + "\"]}");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.json().get("doorIds")).hasSize(1);
            List<JsonNode> log = changes(site);
            JsonNode last = log.get(log.size() - 1);
            assertThat(last.get("kind").asText()).isEqualTo("DOOR_GROUP");
            assertThat(last.at("/entity/doors").toString()).contains(door);
            assertThat(changes(otherSite)).noneMatch(c -> c.get("kind").asText().equals("DOOR_GROUP"));
        }
    }

    @Nested
    class Devices {
        @Test
        void aDeviceStartsPendingAndCanOnlyBeRetiredHere() {
            Api.Response created = api().post("/api/v1/sites/" + site + "/devices", token(), "{\"name\":\"pi-lobby\"}");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.json().get("status").asText()).isEqualTo("pending");
            String device = created.json().get("id").asText();
            assertThat(api().patch("/api/v1/devices/" + device, token(), "{\"status\":\"active\"}")
                            .status())
                    .isEqualTo(422);
            Api.Response retired = api().patch("/api/v1/devices/" + device, token(), "{\"status\":\"retired\"}");
            assertThat(retired.json().get("status").asText()).isEqualTo("retired");
            assertThat(api().get("/api/v1/sites/" + site + "/devices", token())
                            .json()
                            .get("items"))
                    .hasSize(1);
        }
    }

    @Nested
    class ChangeLogPaging {
        @Test
        void theLogIsReadInPagesAfterASeq() {
            for (int i = 0; i < 5; i++) {
                hub.create("/api/v1/sites/" + site + "/doors", token(), "{\"name\":\"Door " + i + "\"}");
            }
            Api.Response page = api().get("/api/v1/sites/" + site + "/changes?after=3&limit=2", token());
            assertThat(page.json().get("items"))
                    .extracting(c -> c.get("seq").asLong())
                    .containsExactly(4L, 5L);
            assertThat(page.json().get("head").asLong()).isEqualTo(7);
            assertThat(api().get("/api/v1/sites/" + site + "/changes?limit=0", token())
                            .status())
                    .isEqualTo(422);
            assertThat(api().get("/api/v1/sites/" + site + "/changes?after=x", token())
                            .status())
                    .isEqualTo(422);
        }
    }
}
