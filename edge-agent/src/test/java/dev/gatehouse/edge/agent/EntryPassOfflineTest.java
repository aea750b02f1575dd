package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.NFC;
import static dev.gatehouse.edge.agent.DemoSite.ZONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.sign.SignedMessages;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-pass at an edge whose hub is unreachable (its broker's port is closed), on the simulator with
 * the real cache and two doors, on a clock the test moves: the first entry of a day spends it,
 * whichever door; the day is recorded with the tap's access event; after the limit the pass is
 * used up, and every tap is on record for the hub.
 */
class EntryPassOfflineTest {
    private static final String SIDE = "side-door";
    private static final String NFC_SIDE = "nfc-side";
    private static final byte[] EVE = HexFormat.of().parseHex("04EE0E0E0E0E01");
    private static final GrantId PASS = GrantId.of("gr_eve_three-pass");

    @TempDir
    Path dir;

    private DemoSite demo;
    private final MutableClock clock = new MutableClock(berlin("2026-12-01T08:00"));
    private EdgeConfig edgeConfig;
    private SimulatedHardware hardware;
    private EdgeAgent agent;
    private final List<Decided> decisions = new CopyOnWriteArrayList<>();

    private static java.time.Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(ZONE).toInstant();
    }

    @BeforeEach
    void site() throws Exception {
        demo = new DemoSite(dir);
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_unused");
        String config = Files.readString(demo.configFile).replace("readers:\n  - id: nfc-main", """
                          - id: side-door
                            name: Side door
                            lock: fail-secure
                            relay-pin: 23
                            relay-active: low
                            unlock-pulse: 1s
                            readers: [nfc-side]
                        readers:
                          - id: nfc-side
                            type: pn532
                            port: /dev/ttyUSB1
                          - id: nfc-main""");
        Files.writeString(demo.configFile, config + """
                hub:
                  mqtt-url: tcp://127.0.0.1:%d
                  password-file: mqtt-password
                """.formatted(closedPort()));
        edgeConfig = demo.config();
        assertThat(edgeConfig.door(SIDE)).as("the second door is configured").isPresent();
        hardware = SimulatedHardware.forConfig(edgeConfig, dir.resolve("dev"), Clock.systemUTC());
        agent = EdgeAgent.start(edgeConfig, hardware, clock);
        agent.onDecision(decisions::add);
        sync();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        hardware.close();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The demo site, a side door and Eve with a 3-pass for both doors, none of it spent at the hub. */
    private void sync() {
        List<Entity> entities = new ArrayList<>(demo.entitlements(clock.instant()));
        entities.add(new Door(
                DoorId.of(SIDE),
                "Side door",
                Duration.ofSeconds(1),
                DegradedMode.KEEP_GRANTING,
                DegradedMode.KEEP_GRANTING,
                Duration.ZERO));
        entities.add(new Member(MemberId.of("eve"), MemberStatus.ACTIVE, Set.of()));
        entities.add(new Credential(
                CredentialId.of("eve-card"),
                MemberId.of("eve"),
                CredentialType.NFC_CARD,
                Optional.of(demo.cards.hash(EVE)),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty()));
        entities.add(new Grant(
                PASS,
                MemberId.of("eve"),
                Set.of(),
                Set.of(DoorId.of(DOOR), DoorId.of(SIDE)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(new Grant.Entries(3, List.of()))));
        List<Change> changes = entities.stream().<Change>map(Change.Upsert::new).toList();
        agent.applySigned(SignedMessages.sign(
                new Envelope(
                        "batch-1",
                        clock.instant(),
                        new SyncBatch(DemoSite.TENANT, DemoSite.SITE, 1, changes.size(), changes)),
                demo.hubKey));
    }

    private Decided tap(String reader, String localTime) {
        clock.set(berlin(localTime));
        int before = decisions.size();
        hardware.site().holdCard(reader, EVE);
        await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > before);
        hardware.site().removeCard(reader);
        return decisions.get(before);
    }

    private Set<LocalDate> spent() {
        return agent.cache().passDaysSpent(PASS);
    }

    private List<AccessEvent> evesEvents() {
        return agent.cache().outbox().peek(10_000).stream()
                .map(Envelope::payload)
                .filter(payload ->
                        payload instanceof AccessEvent event && event.member().equals(Optional.of(MemberId.of("eve"))))
                .map(AccessEvent.class::cast)
                .toList();
    }

    @Test
    void aThreePassIsSpentOncePerDayOfflineAndThenUsedUp() {
        assertThat(agent.sync().orElseThrow().connected())
                .as("the hub is unreachable")
                .isFalse();

        // Day 1: in at the front, through the side door, back from lunch: one day.
        List<Decided> dayOne =
                List.of(tap(NFC, "2026-12-01T08:30"), tap(NFC_SIDE, "2026-12-01T08:31"), tap(NFC, "2026-12-01T13:10"));
        assertThat(dayOne).allSatisfy(decided -> assertThat(decided.decision()).isInstanceOf(Decision.Granted.class));
        assertThat(spent()).containsExactly(LocalDate.parse("2026-12-01"));

        // Days 2 and 3 spend one day each, at either door.
        assertThat(tap(NFC_SIDE, "2026-12-02T09:00").decision()).isInstanceOf(Decision.Granted.class);
        assertThat(tap(NFC, "2026-12-02T17:00").decision()).isInstanceOf(Decision.Granted.class);
        assertThat(spent()).hasSize(2);
        assertThat(tap(NFC, "2026-12-04T09:00").decision()).isInstanceOf(Decision.Granted.class);
        assertThat(spent())
                .containsExactlyInAnyOrder(
                        LocalDate.parse("2026-12-01"), LocalDate.parse("2026-12-02"), LocalDate.parse("2026-12-04"));

        // Used up: a fourth day is denied at both doors; a spent day still opens.
        assertThat(tap(NFC, "2026-12-05T09:00").decision()).isEqualTo(new Decision.Denied(DenyReason.PASS_USED_UP));
        assertThat(tap(NFC_SIDE, "2026-12-05T09:01").decision())
                .isEqualTo(new Decision.Denied(DenyReason.PASS_USED_UP));
        assertThat(tap(NFC_SIDE, "2026-12-04T18:00").decision()).isInstanceOf(Decision.Granted.class);
        assertThat(spent()).hasSize(3);

        // Every tap is on record for the hub; the three that spent a day name the pass for its count.
        List<AccessEvent> events = evesEvents();
        assertThat(events).hasSize(9);
        assertThat(events.stream().filter(AccessEvent::granted)).hasSize(7);
        assertThat(events.stream().filter(event -> event.grant().isPresent()))
                .hasSize(3)
                .allSatisfy(event -> {
                    assertThat(event.grant()).contains(PASS);
                    assertThat(event.granted()).isTrue();
                });
        assertThat(events.stream().filter(event -> !event.granted()))
                .hasSize(2)
                .allSatisfy(event -> assertThat(event.reason()).contains(DenyReason.PASS_USED_UP));
    }

    @Test
    void theDaySpentSurvivesARestart() {
        // The day is in the cache file with the event, not in memory: a restart cannot hand it back.
        tap(NFC, "2026-12-01T08:30");
        agent.close();
        hardware.close();
        hardware = SimulatedHardware.forConfig(edgeConfig, dir.resolve("dev"), Clock.systemUTC());
        agent = EdgeAgent.start(edgeConfig, hardware, clock);
        agent.onDecision(decisions::add);

        assertThat(spent()).containsExactly(LocalDate.parse("2026-12-01"));
        assertThat(tap(NFC_SIDE, "2026-12-01T10:00").decision()).isInstanceOf(Decision.Granted.class);
        assertThat(spent()).hasSize(1);
    }
}
