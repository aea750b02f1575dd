package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.Passwords;
import dev.gatehouse.hub.demo.DemoSeed;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.sim.av.AvPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What {@code ./gatehouse demo} does, in one JVM: the hub with its embedded broker seeds the demo
 * tenant through its own API and writes the simulated site; the edge agent starts from those files,
 * connects with the provisioned credentials, catches up, and decides the demo's cards and visitor
 * pass as the printed instructions say; its events reach the hub's access log.
 */
class DemoIT {
    @Test
    void theDemoSiteConnectsDecidesAsPrintedAndItsEventsReachTheHub() throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-demo-it");
        try (SyncedHub hub = new SyncedHub(StoreKind.SQLITE, SyncedHub.embeddedOnFreePort())) {
            DemoSeed.Seeded seeded = DemoSeed.seed(
                    "http://" + hub.hub().config().host() + ":" + hub.hub().port(),
                    hub.hub().stores().tenants().createToken(Optional.empty(), "demo seed"),
                    dir,
                    hub.hub().config().mail().folder());
            String text = DemoSeed.instructions(seeded, "./gatehouse");
            assertThat(text).contains(seeded.token(), seeded.baseUrl(), DemoSeed.ADA_CARD, seeded.visitorToken());
            // The console's demo operator signs in with the printed, random password.
            assertThat(text).contains(seeded.operatorEmail(), seeded.operatorPassword(), "/portal/signin");
            // The printed public page sells the demo's public packages (at the front desk: no Stripe keys).
            assertThat(text).contains(seeded.baseUrl() + "/join/" + DemoSeed.SLUG);
            assertThat(hub.api()
                            .withCookie("GET", "/join/" + DemoSeed.SLUG, "none=1", Optional.empty())
                            .text())
                    .contains("Day Pass", "10-Pass", "Monthly", "Ask at the front desk");
            assertThat(seeded.operatorPassword()).hasSize(20);
            assertThat(Passwords.matches(
                            seeded.operatorPassword(),
                            new AccountStore(hub.hub().database(), Clock.systemUTC())
                                    .secrets(seeded.tenantId(), seeded.operatorEmail())
                                    .flatMap(AccountStore.Secrets::passwordHash)))
                    .isTrue();
            assertThat(dir.resolve("demo.txt")).exists();

            EdgeConfig config = EdgeConfigLoader.load(seeded.edgeConfig());
            SimulatedHardware hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC());
            List<Decided> decisions = new CopyOnWriteArrayList<>();
            try (EdgeAgent agent = EdgeAgent.start(config, hardware, Clock.systemUTC())) {
                agent.onDecision(decisions::add);
                long head = hub.api()
                        .get("/api/v1/sites/" + seeded.siteId(), seeded.token())
                        .json()
                        .get("changeSeq")
                        .asLong();
                await().atMost(Duration.ofSeconds(60)).until(() -> agent.cache().seq() >= head);

                // Ada's stand-up in the meeting room starts with the demo: its simulated controller is powered.
                assertThat(text).contains("edge sim av " + DemoSeed.ROOM_AV);
                var controller =
                        hardware.site().roomController(DemoSeed.ROOM_AV).orElseThrow();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> Boolean.TRUE.equals(controller.value(DemoSeed.ROOM_AV, AvPoint.DISPLAY_POWER)));
                assertThat(controller.value(DemoSeed.ROOM_AV, AvPoint.DISPLAY_INPUT))
                        .isEqualTo("HDMI1");
                // ...and the hub hears it from the edge, tied to the bookable room by the room's door
                // (the edge's room id is its own, "room-ada"): the console's day view shows it.
                String roomResource = java.util.stream.StreamSupport.stream(
                                hub.api()
                                        .get("/api/v1/sites/" + seeded.siteId() + "/resources", seeded.token())
                                        .json()
                                        .get("items")
                                        .spliterator(),
                                false)
                        .filter(resource -> resource.get("name").asText().equals("Meeting room Ada"))
                        .map(resource -> resource.get("id").asText())
                        .findFirst()
                        .orElseThrow();
                await().atMost(Duration.ofSeconds(90)).until(() -> roomStates(hub, seeded)
                        .anyMatch(room -> room.path("resourceId").asText().equals(roomResource)
                                && room.at("/values/display-power").asText().equals("on")));
                // The room's controller set at the hub reaches the edge, which runs the room under the
                // resource's id from then on, on the mapping the hub gave it.
                var set = hub.api()
                        .put(
                                "/api/v1/resources/" + roomResource + "/controller",
                                seeded.token(),
                                "{\"endpoint\":\"" + controller.endpointUrl() + "\",\"nodes\":{\"display-power\":\""
                                        + controller
                                                .nodeId(DemoSeed.ROOM_AV, AvPoint.DISPLAY_POWER)
                                                .orElseThrow()
                                        + "\",\"lights-level\":\""
                                        + controller
                                                .nodeId(DemoSeed.ROOM_AV, AvPoint.LIGHTS_LEVEL)
                                                .orElseThrow()
                                        + "\"}}");
                assertThat(set.status()).as(set.toString()).isEqualTo(200);
                assertThat(set.json().get("edgesBehind")).isEmpty();
                await().atMost(Duration.ofSeconds(90)).until(() -> roomStates(hub, seeded)
                        .anyMatch(room -> room.path("roomId").asText().equals(roomResource)
                                && room.at("/values/display-power").asText().equals("on")
                                && room.at("/values/display-input").isMissingNode()));
                assertThat(hub.api()
                                .get("/api/v1/sites/" + seeded.siteId() + "/resources", seeded.token())
                                .json()
                                .get("items"))
                        .hasSize(6);
                // Seed 002's catalogue, priced in euros.
                assertThat(hub.api()
                                .get("/api/v1/packages", seeded.token())
                                .json()
                                .findValuesAsText("name"))
                        .containsExactly(
                                "10-Pass", "Day Pass", "Dedicated Desk", "Locker", "Monthly", "Team of 5", "Weekly");
                // Cy's request for the event space waits for an operator.
                assertThat(hub.api()
                                .get(
                                        "/api/v1/sites/" + seeded.siteId() + "/bookings?status=pending&from="
                                                + Instant.now() + "&until="
                                                + Instant.now().plus(Duration.ofDays(5)),
                                        seeded.token())
                                .json()
                                .get("items"))
                        .hasSize(1);

                Decided ada = tap(hardware, decisions, DemoSeed.ADA_CARD);
                assertThat(ada.decision())
                        .isInstanceOfSatisfying(Decision.Granted.class, granted -> assertThat(granted.basis())
                                .isEqualTo(GrantBasis.MEMBER_GRANT));
                Decided bob = tap(hardware, decisions, DemoSeed.BOB_CARD);
                assertThat(bob.decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));
                Decided stranger = tap(hardware, decisions, DemoSeed.STRANGER_CARD);
                assertThat(stranger.decision()).isEqualTo(new Decision.Denied(DenyReason.UNKNOWN_CREDENTIAL));
                int before = decisions.size();
                hardware.site().scanCode(DemoSeed.MAIN_QR, seeded.visitorToken());
                await().atMost(Duration.ofSeconds(15)).until(() -> decisions.size() > before);
                assertThat(decisions.get(before).decision())
                        .isInstanceOfSatisfying(Decision.Granted.class, granted -> assertThat(granted.basis())
                                .isEqualTo(GrantBasis.VISITOR_PASS));

                await().atMost(Duration.ofSeconds(60)).until(() -> hub.accessEvents(seeded.tenantId())
                        .ids()
                        .containsAll(List.of(
                                ada.event().id(),
                                bob.event().id(),
                                stranger.event().id(),
                                decisions.get(before).event().id())));
            } finally {
                hardware.close();
            }
        }
    }

    private static Decided tap(SimulatedHardware hardware, List<Decided> decisions, String uid) {
        int before = decisions.size();
        hardware.site().holdCard(DemoSeed.MAIN_NFC, HexFormat.of().parseHex(uid));
        await().atMost(Duration.ofSeconds(15)).until(() -> decisions.size() > before);
        hardware.site().removeCard(DemoSeed.MAIN_NFC);
        return decisions.get(before);
    }

    /** The site's rooms' A/V as the hub has it from the edges. */
    private static java.util.stream.Stream<com.fasterxml.jackson.databind.JsonNode> roomStates(
            SyncedHub hub, DemoSeed.Seeded seeded) {
        return java.util.stream.StreamSupport.stream(
                hub.api()
                        .get("/api/v1/sites/" + seeded.siteId() + "/rooms/state", seeded.token())
                        .json()
                        .get("items")
                        .spliterator(),
                false);
    }
}
