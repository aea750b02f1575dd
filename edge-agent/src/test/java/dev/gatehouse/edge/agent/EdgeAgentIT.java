package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static dev.gatehouse.edge.agent.DemoSite.BOB_SUSPENDED;
import static dev.gatehouse.edge.agent.DemoSite.CY_REVOKED;
import static dev.gatehouse.edge.agent.DemoSite.DEE_WEEKENDS;
import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.NFC;
import static dev.gatehouse.edge.agent.DemoSite.QR;
import static dev.gatehouse.edge.agent.DemoSite.STRANGER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.sim.gpio.RelayHistory.Transition;
import dev.gatehouse.sim.site.SimulatedSite;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled agent on the hardware simulator: a PN532 and a QR scanner behind real
 * pseudo-terminals read by the production adapters, a real SQLite cache and outbox, the door on
 * Pi4J's mock GPIO. One agent for the class (starting one takes the pty and SQLite setup); each
 * test waits for the door to be locked and quiet before it starts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeAgentIT {
    private DemoSite fixture;
    private SimulatedHardware hardware;
    private SimulatedSite site;
    private EdgeAgent agent;
    private final List<Decided> decisions = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        fixture = new DemoSite(dir);
        hardware = SimulatedHardware.forConfig(fixture.config(), dir.resolve("dev"), Clock.systemUTC());
        site = hardware.site();
        agent = fixture.startSimulated(hardware);
        agent.onDecision(decisions::add);
    }

    @AfterAll
    void stop() {
        agent.close();
        hardware.close();
    }

    @BeforeEach
    void quietDoor() {
        site.removeCard(NFC);
        await().atMost(Duration.ofSeconds(10)).until(() -> !unlocked());
        decisions.clear();
    }

    private boolean unlocked() {
        // fail-secure: the relay is energised to unlock.
        return site.relay(DOOR).energised();
    }

    private Decided tap(byte[] uid) {
        int before = decisions.size();
        site.holdCard(NFC, uid);
        await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > before);
        site.removeCard(NFC);
        return decisions.get(before);
    }

    private Decided scan(String text) {
        int before = decisions.size();
        site.scanCode(QR, text);
        await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > before);
        return decisions.get(before);
    }

    private List<Envelope> outbox() {
        return agent.cache().outbox().peek(10_000);
    }

    @Nested
    class Cards {
        @Test
        void aKnownCardEnergisesTheRelayForThePulseAndRelocks() {
            int before = site.relay(DOOR).transitions().size();

            Decided decided = tap(ADA);

            assertThat(decided.decision()).isInstanceOf(Decision.Granted.class);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> site.relay(DOOR).transitions().size() >= before + 2);
            List<Transition> pulse = site.relay(DOOR).transitions().subList(before, before + 2);
            assertThat(pulse).extracting(Transition::energised).containsExactly(true, false);
            // Never shorter than the door's pulse (exact instants are DoorControllerTest's, on a manual clock).
            assertThat(Duration.between(pulse.get(0).at(), pulse.get(1).at()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(900));
            // The event is in the outbox, with the card's keyed hash and never its UID.
            assertThat(outbox()).contains(decided.event());
            assertThat(decided.accessEvent().cardHash()).contains(fixture.cards.hash(ADA));
        }

        @Test
        void unknownSuspendedRevokedAndOutOfScheduleCardsStayLockedWithTheirReason() {
            int before = site.relay(DOOR).transitions().size();

            assertThat(tap(STRANGER).decision()).isEqualTo(new Decision.Denied(DenyReason.UNKNOWN_CREDENTIAL));
            assertThat(tap(BOB_SUSPENDED).decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));
            assertThat(tap(CY_REVOKED).decision()).isEqualTo(new Decision.Denied(DenyReason.CREDENTIAL_REVOKED));
            assertThat(tap(DEE_WEEKENDS).decision()).isEqualTo(new Decision.Denied(DenyReason.OUTSIDE_SCHEDULE));

            assertThat(site.relay(DOOR).transitions()).hasSize(before);
            assertThat(outbox())
                    .extracting(Envelope::payload)
                    .filteredOn(AccessEvent.class::isInstance)
                    .map(AccessEvent.class::cast)
                    .filteredOn(event -> !event.granted())
                    .extracting(event -> event.reason().orElseThrow())
                    .contains(
                            DenyReason.UNKNOWN_CREDENTIAL,
                            DenyReason.MEMBER_SUSPENDED,
                            DenyReason.CREDENTIAL_REVOKED,
                            DenyReason.OUTSIDE_SCHEDULE);
        }

        @Test
        void garbageFromTheReaderNeverCrashesOrGrants() {
            int before = site.relay(DOOR).transitions().size();

            site.nfc(NFC).sendGarbage(new byte[] {0x00, 0x00, (byte) 0xFF, 0x05, (byte) 0xFB, (byte) 0xD5, 0x4B, 1, 2});
            site.nfc(NFC).sendTruncatedFrame();
            site.nfc(NFC).sendGarbage(new byte[] {(byte) 0xAA, 0x55, 0x00});

            // Still working afterwards: a known card opens the door.
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(tap(ADA).decision()).isInstanceOf(Decision.Granted.class));
            assertThat(decisions).extracting(Decided::decision).allMatch(Decision::granted);
            assertThat(site.relay(DOOR).transitions().size()).isGreaterThan(before);
        }
    }

    @Nested
    class QrCodes {
        @Test
        void aValidMemberCodeOpensAForgedOrExpiredOneDoesNot() {
            Instant now = Instant.now();
            assertThat(scan(fixture.forgedCode(now)).decision())
                    .isEqualTo(new Decision.Denied(DenyReason.QR_BAD_SIGNATURE));
            assertThat(scan(fixture.expiredCode(now)).decision()).isEqualTo(new Decision.Denied(DenyReason.QR_EXPIRED));
            assertThat(unlocked()).isFalse();

            Decided valid = scan(fixture.memberCode(now));

            assertThat(valid.decision()).isInstanceOf(Decision.Granted.class);
            await().atMost(Duration.ofSeconds(5)).until(EdgeAgentIT.this::unlocked);
        }

        @Test
        void aSingleUseVisitorPassOpensOnceAndIsRefusedTheSecondTime() {
            Instant now = Instant.now();
            Decided first = scan(fixture.visitorCode(now));
            await().atMost(Duration.ofSeconds(5)).until(() -> !unlocked());

            Decided second = scan(fixture.visitorCode(now));

            assertThat(first.decision())
                    .isInstanceOfSatisfying(Decision.Granted.class, granted -> assertThat(granted.basis())
                            .isEqualTo(GrantBasis.VISITOR_PASS));
            assertThat(second.decision()).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
        }
    }

    @Nested
    class DoorHardware {
        @Test
        void rexUnlocksForEgressAndIsRecorded() {
            site.pressRex(DOOR);
            site.releaseRex(DOOR);

            await().atMost(Duration.ofSeconds(5)).until(EdgeAgentIT.this::unlocked);
            await().atMost(Duration.ofSeconds(5)).until(() -> doorEvents().contains(DoorEventKind.REX));
        }

        @Test
        void aDoorOpenedWhileLockedRaisesForcedOpen() {
            site.openDoor(DOOR);
            site.closeDoor(DOOR);

            await().atMost(Duration.ofSeconds(5)).until(() -> doorEvents().contains(DoorEventKind.FORCED_OPEN));
        }

        @Test
        void aCutContactWireReadsAsAnOpenDoor() {
            // The demo's contact is normally closed to ground, as the README wires it: a cut cable can
            // never hide a door standing open. As filed, the agent read this wiring inverted.
            long forced = count(DoorEventKind.FORCED_OPEN);
            long restored = count(DoorEventKind.RESTORED);
            site.cutContactWire(DOOR);
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> count(DoorEventKind.FORCED_OPEN) == forced + 1);
            } finally {
                site.mendContactWire(DOOR);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> count(DoorEventKind.RESTORED) == restored + 1);
        }

        @Test
        void anUnpluggedReaderIsAFaultAndReadsAgainWhenItIsBack() {
            site.nfc(NFC).unplug();
            await().atMost(Duration.ofSeconds(10)).until(() -> doorEvents().contains(DoorEventKind.READER_FAULT));
            assertThat(agent.status().readers())
                    .filteredOn(reader -> reader.id().equals(NFC))
                    .singleElement()
                    .satisfies(reader -> assertThat(reader.healthy()).isFalse());

            site.nfc(NFC).replug();

            await().atMost(Duration.ofSeconds(20)).until(() -> doorEvents().contains(DoorEventKind.RESTORED));
            assertThat(tap(ADA).decision()).isInstanceOf(Decision.Granted.class);
        }

        private long count(DoorEventKind kind) {
            return doorEvents().stream().filter(kind::equals).count();
        }

        private List<DoorEventKind> doorEvents() {
            return outbox().stream()
                    .map(Envelope::payload)
                    .filter(DoorEvent.class::isInstance)
                    .map(event -> ((DoorEvent) event).kind())
                    .toList();
        }
    }

    @Test
    void aWatcherThatStopsReadingNeverHoldsADoorOpen() throws Exception {
        // A technician's terminal that hangs must not delay a relock: lines go out on the watcher's
        // own thread, never on the door's queue.
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        try (AutoCloseable stalled = agent.watch(line -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            int before = site.relay(DOOR).transitions().size();

            assertThat(tap(ADA).decision()).isInstanceOf(Decision.Granted.class);

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> site.relay(DOOR).transitions().size() >= before + 2);
            assertThat(unlocked()).isFalse();
        }
    }

    @Test
    void aSecondAgentOnTheSameDataDirectoryIsRefused() {
        // Two agents would fight over the relays, the cache and the control socket.
        try (SimulatedHardware other =
                SimulatedHardware.forConfig(fixture.config(), fixture.dir.resolve("dev-2"), Clock.systemUTC())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> EdgeAgent.start(fixture.config(), other, Clock.systemUTC()))
                    .isInstanceOf(dev.gatehouse.edge.config.ConfigException.class)
                    .hasMessageContaining("data-dir")
                    .hasMessageContaining("another agent is running");
        }
    }

    @Test
    void statusShowsTheDoorTheReadersTheCacheAndTheOutbox() {
        AgentStatus status = agent.status();

        assertThat(status.site()).isEqualTo("hq-berlin");
        assertThat(status.hardware()).isEqualTo("simulated");
        assertThat(status.cacheSeq())
                .isEqualTo(fixture.entitlements(Instant.now()).size());
        assertThat(status.credentials()).isEqualTo(5); // four cards and one member QR credential
        assertThat(status.doors()).singleElement().satisfies(door -> {
            assertThat(door.id()).isEqualTo(DOOR);
            assertThat(door.mode()).isEqualTo("normal");
            assertThat(door.readers()).containsExactly(NFC, QR);
        });
        assertThat(status.readers()).extracting(AgentStatus.ReaderStatus::id).containsExactly(NFC, QR);
    }
}
