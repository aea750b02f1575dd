package dev.gatehouse.hub.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.door.DoorState;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveSite;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Door policy pushed from the hub to a real edge on simulated hardware, through the signed change log:
 * office hours set on the hub unlock the door at the edge at once and taking them away relocks it, a
 * held-open time reaches the door, the edge's status says which values are the hub's, and a site with
 * an edge that cannot read pushed policy is refused with nothing changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DoorPolicyPushTest {
    LiveSite site;

    @BeforeAll
    void start() throws Exception {
        site = LiveSite.start(StoreKind.SQLITE);
    }

    @AfterAll
    void stop() {
        site.close();
    }

    DoorController door() {
        return site.edge.agent.doors().get(site.door);
    }

    Api.Response patch(String json) {
        return site.api().patch("/api/v1/doors/" + site.door, site.token(), json);
    }

    @Test
    @Order(1)
    void officeHoursFromTheHubUnlockTheDoorAtTheEdgeAndTakingThemAwayRelocksIt() {
        assertThat(door().state()).isEqualTo(DoorState.LOCKED);
        // every day, all day: the door is inside its office hours whenever the test runs
        StringBuilder week = new StringBuilder();
        for (String day : new String[] {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}) {
            week.append(week.isEmpty() ? "" : ",")
                    .append("{\"day\":\"" + day + "\",\"from\":\"00:00\",\"to\":\"24:00\"}");
        }
        long pushed = System.nanoTime();
        Api.Response set = patch("{\"heldOpenSeconds\":12,\"officeHours\":[" + week + "]}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.json().get("heldOpenSeconds").asLong()).isEqualTo(12);
        assertThat(set.json().get("officeHours")).hasSize(7);

        await().atMost(Duration.ofSeconds(15)).until(() -> door().state() == DoorState.UNLOCKED_SCHEDULE);
        System.out.printf(
                "door policy: hub PATCH → edge door unlocked by pushed office hours in %d ms%n",
                Duration.ofNanos(System.nanoTime() - pushed).toMillis());
        assertThat(site.edge.relayEnergised()).isTrue();
        assertThat(door().policy().heldOpenAfter()).isEqualTo(Duration.ofSeconds(12));
        assertThat(door().policy().windowsPushed()).isTrue();
        assertThat(site.edge.agent.status().doors().getFirst().policy())
                .isEqualTo("held open after 12 s (hub), 7 office-hours windows (hub)");

        // null hands both back to the edge's own configuration (none here): the door relocks
        Api.Response cleared = patch("{\"heldOpenSeconds\":null,\"officeHours\":null}");
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.json().has("officeHours")).isFalse(); // absent: the edge decides
        await().atMost(Duration.ofSeconds(15)).until(() -> door().state() == DoorState.LOCKED);
        assertThat(site.edge.relayEnergised()).isFalse();
        assertThat(door().policy().windowsPushed()).isFalse();
        assertThat(door().policy().heldOpenAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void badPolicyIsRefusedNamingTheFieldAndChangesNothing() {
        long seq = site.edge.seq();
        Api.Response tooShort = patch("{\"heldOpenSeconds\":2}");
        assertThat(tooShort.status()).isEqualTo(422);
        assertThat(tooShort.json().get("detail").asText()).contains("heldOpenSeconds");
        Api.Response badWindow = patch("{\"officeHours\":[{\"day\":\"funday\",\"from\":\"08:00\",\"to\":\"09:00\"}]}");
        assertThat(badWindow.status()).isEqualTo(422);
        assertThat(badWindow.json().get("detail").asText()).contains("officeHours[0]", "funday");
        Api.Response backwards = patch("{\"officeHours\":[{\"day\":\"monday\",\"from\":\"10:00\",\"to\":\"09:00\"}]}");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.json().get("detail").asText()).contains("must end after it starts");
        JsonNode door =
                site.api().get("/api/v1/doors/" + site.door, site.token()).json();
        assertThat(door.has("heldOpenSeconds")).isFalse();
        assertThat(site.api()
                        .get("/api/v1/sites/" + site.siteId, site.token())
                        .json()
                        .get("changeSeq")
                        .asLong())
                .isEqualTo(seq);
    }

    @Test
    @Order(3)
    void aSiteWithAnEdgeThatCannotReadPushedPolicyIsRefusedUntilItIsRetired() {
        // A second device, provisioned but never connected: it has not said it reads pushed policy.
        String old =
                site.hub.create("/api/v1/sites/" + site.siteId + "/devices", site.token(), "{\"name\":\"Old Pi\"}");
        Api.Response provisioned = site.api().post("/api/v1/devices/" + old + "/provision", site.token(), "{}");
        assertThat(provisioned.status()).isEqualTo(201);
        long seq = site.api()
                .get("/api/v1/sites/" + site.siteId, site.token())
                .json()
                .get("changeSeq")
                .asLong();

        Api.Response refused = patch("{\"heldOpenSeconds\":20}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("detail").asText()).contains("Old Pi", "never reported", "upgrade");
        assertThat(site.api()
                        .get("/api/v1/sites/" + site.siteId, site.token())
                        .json()
                        .get("changeSeq")
                        .asLong())
                .isEqualTo(seq);
        // other edits of the door still work while it pushes nothing
        assertThat(patch("{\"unlockSeconds\":2}").status()).isEqualTo(200);

        assertThat(site.api()
                        .patch("/api/v1/devices/" + old, site.token(), "{\"status\":\"retired\"}")
                        .status())
                .isEqualTo(200);
        Api.Response accepted = patch("{\"heldOpenSeconds\":20}");
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> door().policy().heldOpenAfter().equals(Duration.ofSeconds(20)));
    }
}
