package dev.gatehouse.edge.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.door.DoorSettings;
import dev.gatehouse.edge.door.LockOutput;
import dev.gatehouse.edge.door.LockType;
import dev.gatehouse.edge.gpio.Pi4jRelay;
import dev.gatehouse.edge.testing.ManualScheduler;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.policy.Entitlements;
import dev.gatehouse.protocol.policy.Evaluation;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SigningKeys;
import dev.gatehouse.sim.gpio.RelayHistory.Transition;
import dev.gatehouse.sim.gpio.SimulatedGpio;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The whole decision path at one door, on the simulated GPIO header with the production Pi4J relay
 * adapter: what was presented, what the engine said, what was recorded, and what the relay did.
 */
class DecisionServiceTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final DoorId FRONT = DoorId.of("front");
    private static final int RELAY_PIN = 17;
    /** Monday 2 March 2026, 10:00 in Berlin. */
    private static final Instant MONDAY_TEN = Instant.parse("2026-03-02T09:00:00Z");

    private static final byte[] ADA_CARD = HexFormat.of().parseHex("04A22B1C5D8000");
    private static final byte[] BOB_CARD = HexFormat.of().parseHex("04112233445566");
    private static final byte[] REVOKED_CARD = HexFormat.of().parseHex("04998877665544");
    private static final ECKey HUB = SigningKeys.generate("hub-1");

    private final MutableClock clock = new MutableClock(MONDAY_TEN);
    private final ManualScheduler queue = new ManualScheduler(clock);
    private final SimulatedGpio gpio = SimulatedGpio.create(clock);
    private final CardHasher cards = new CardHasher(new byte[32]);
    private final InMemoryEntitlements cache = new InMemoryEntitlements();
    private final RecordingRecorder recorder = new RecordingRecorder();
    private final List<Decided> watched = new ArrayList<>();
    private ClockStatus clockStatus = ClockStatus.TRUSTED;
    private DoorController door;
    private DecisionService service;

    /** The outbox as a list; it also notes whether the relay had moved when each event was stored. */
    private final class RecordingRecorder implements DecisionRecorder {
        final List<Envelope> events = new ArrayList<>();
        final List<Boolean> unlockedWhenRecorded = new ArrayList<>();
        final Set<PassId> usedPasses = new HashSet<>();
        boolean failing;

        @Override
        public boolean record(
                Envelope event,
                Optional<PassId> consumePass,
                Optional<Envelope> checkIn,
                Optional<Evaluation.PassDay> spendDay) {
            if (failing) {
                throw new IllegalStateException("disk full");
            }
            if (consumePass.isPresent() && !usedPasses.add(consumePass.get())) {
                return false;
            }
            events.add(event);
            unlockedWhenRecorded.add(gpio.relay(RELAY_PIN).energised());
            checkIn.ifPresent(events::add);
            return true;
        }
    }

    @BeforeEach
    void site() {
        cache.put(new Site("hq", BERLIN, Set.of()));
        cache.put(Door.standard("front", "Front"));
        cache.put(new Schedule(
                ScheduleId.of("office"),
                List.of(TimeWindow.of(DayOfWeek.MONDAY, "08:00", "18:00")),
                HolidayRule.CLOSED));
        member("ada", MemberStatus.ACTIVE, ADA_CARD, CredentialStatus.ACTIVE);
        member("bob", MemberStatus.SUSPENDED, BOB_CARD, CredentialStatus.ACTIVE);
        member("cy", MemberStatus.ACTIVE, REVOKED_CARD, CredentialStatus.REVOKED);
        cache.put(new Credential(
                CredentialId.of("ada-phone"),
                MemberId.of("ada"),
                CredentialType.MEMBER_QR,
                Optional.empty(),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty()));
        cache.put(new VisitorPass(
                PassId.of("visit-1"),
                Optional.of(MemberId.of("ada")),
                Set.of(),
                Set.of(FRONT),
                MONDAY_TEN.minusSeconds(3600),
                MONDAY_TEN.plusSeconds(8 * 3600),
                true,
                PassStatus.ACTIVE));
        door = DoorController.start(
                new DoorSettings(
                        FRONT,
                        LockType.FAIL_SECURE,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30),
                        List.of(),
                        BERLIN,
                        true),
                Pi4jRelay.create(gpio.context(), RELAY_PIN, new LockOutput(LockType.FAIL_SECURE, false)),
                Optional.empty(),
                Optional.empty(),
                clock,
                queue,
                (id, kind, detail) -> {});
        service = service(EntitlementSource.of(cache));
    }

    private DecisionService service(EntitlementSource entitlements) {
        return new DecisionService(
                "acme",
                "hq",
                entitlements,
                () -> KeySet.of(HUB),
                cards,
                clock,
                () -> clockStatus,
                () -> Duration.ZERO,
                recorder,
                watched::add);
    }

    private void member(String id, MemberStatus status, byte[] card, CredentialStatus cardStatus) {
        cache.put(new Member(MemberId.of(id), status, Set.of()));
        cache.put(new Credential(
                CredentialId.of(id + "-card"),
                MemberId.of(id),
                CredentialType.NFC_CARD,
                Optional.of(cards.hash(card)),
                cardStatus,
                Optional.empty(),
                Optional.empty()));
        cache.put(new Grant(
                GrantId.of(id + "-front"),
                MemberId.of(id),
                Set.<DoorGroupId>of(),
                Set.of(FRONT),
                Optional.of(ScheduleId.of("office")),
                Optional.empty(),
                Optional.empty()));
    }

    @AfterEach
    void shutDown() {
        door.close();
        gpio.close();
        assertThat(queue.failures()).isEmpty();
    }

    private Decided tap(byte[] uid) throws Exception {
        return service.presentCard(door, uid).get(5, TimeUnit.SECONDS);
    }

    private Decided scan(String text) throws Exception {
        return service.presentQr(door, text).get(5, TimeUnit.SECONDS);
    }

    private String memberToken(Instant notBefore, ECKey key) {
        return QrTokens.issue(
                new QrClaims(
                        "acme",
                        Set.of("hq"),
                        QrKind.MEMBER,
                        "ada-phone",
                        false,
                        notBefore,
                        notBefore.plusSeconds(60),
                        "t1"),
                key);
    }

    private String visitorToken() {
        return QrTokens.issue(
                new QrClaims(
                        "acme",
                        Set.of("hq"),
                        QrKind.VISITOR,
                        "visit-1",
                        true,
                        MONDAY_TEN,
                        MONDAY_TEN.plusSeconds(3600),
                        "v1"),
                HUB);
    }

    private List<Transition> relay() {
        return gpio.relay(RELAY_PIN).transitions();
    }

    @Nested
    class Cards {
        @Test
        void aKnownCardUnlocksForThePulseAfterTheEventIsRecorded() throws Exception {
            Decided decided = tap(ADA_CARD);

            assertThat(decided.decision()).isInstanceOf(Decision.Granted.class);
            assertThat(relay()).containsExactly(new Transition(MONDAY_TEN, true));
            // Recorded first: a grant that is not on record never opens the door.
            assertThat(recorder.unlockedWhenRecorded).containsExactly(false);
            AccessEvent event = decided.accessEvent();
            assertThat(event.granted()).isTrue();
            assertThat(event.basis()).contains(GrantBasis.MEMBER_GRANT);
            assertThat(event.member()).contains(MemberId.of("ada"));
            assertThat(event.cardHash()).contains(cards.hash(ADA_CARD));
            assertThat(recorder.events).containsExactly(decided.event());
            assertThat(watched).containsExactly(decided);

            clock.advance(Duration.ofSeconds(5));
            queue.runDueTasks();

            assertThat(relay())
                    .containsExactly(
                            new Transition(MONDAY_TEN, true), new Transition(MONDAY_TEN.plusSeconds(5), false));
        }

        @Test
        void theRawUidIsNeverInTheRecordedEvent() throws Exception {
            tap(ADA_CARD);

            assertThat(recorder.events.get(0).toString().toUpperCase()).doesNotContain("04A22B1C5D8000");
        }

        @Test
        void unknownRevokedAndSuspendedCardsLeaveTheDoorLockedWithTheirReason() throws Exception {
            assertThat(tap(HexFormat.of().parseHex("DEADBEEF")).decision())
                    .isEqualTo(new Decision.Denied(DenyReason.UNKNOWN_CREDENTIAL));
            assertThat(tap(REVOKED_CARD).decision()).isEqualTo(new Decision.Denied(DenyReason.CREDENTIAL_REVOKED));
            assertThat(tap(BOB_CARD).decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));

            assertThat(relay()).isEmpty();
            assertThat(recorder.events).hasSize(3).allSatisfy(event -> assertThat(
                            event.payloadAs(AccessEvent.class).granted())
                    .isFalse());
        }

        @Test
        void outsideTheScheduleIsDenied() throws Exception {
            clock.set(Instant.parse("2026-03-02T19:00:00Z"));

            assertThat(tap(ADA_CARD).decision()).isEqualTo(new Decision.Denied(DenyReason.OUTSIDE_SCHEDULE));
            assertThat(relay()).isEmpty();
        }

        @Test
        void aUidOfImpossibleLengthIsDeniedAsUnknownWithoutAHash() throws Exception {
            Decided decided = tap(new byte[] {1, 2, 3});

            assertThat(decided.decision()).isEqualTo(new Decision.Denied(DenyReason.UNKNOWN_CREDENTIAL));
            assertThat(decided.accessEvent().cardHash()).isEmpty();
            assertThat(decided.accessEvent().presented()).isEqualTo(PresentedKind.NFC_CARD);
        }

        @Test
        void inLockdownAnOrdinaryMemberIsDenied() throws Exception {
            door.setMode(new DoorMode.Lockdown(Set.of("security"))).get(5, TimeUnit.SECONDS);

            assertThat(tap(ADA_CARD).decision()).isEqualTo(new Decision.Denied(DenyReason.LOCKDOWN));
            assertThat(relay()).isEmpty();
        }

        @Test
        void aLockdownThatLandsBetweenTheDecisionAndTheUnlockKeepsTheDoorLocked() throws Exception {
            // Why: a card is decided off the door's queue; a lockdown that reaches the door after
            // that decision but before the unlock must win, or the door would open in a lockdown for
            // someone who is no responder.
            AtomicBoolean lockdownSent = new AtomicBoolean();
            service = service(new EntitlementSource() {
                @Override
                public <T> T reading(Function<Entitlements, T> work) {
                    T result = work.apply(cache);
                    if (lockdownSent.compareAndSet(false, true)) {
                        door.setMode(new DoorMode.Lockdown(Set.of("security")));
                    }
                    return result;
                }
            });

            Decided decided = tap(ADA_CARD);

            assertThat(lockdownSent).isTrue();
            assertThat(decided.decision()).isEqualTo(new Decision.Denied(DenyReason.LOCKDOWN));
            assertThat(relay()).isEmpty();
            assertThat(recorder.events).containsExactly(decided.event());
            assertThat(decided.accessEvent().reason()).contains(DenyReason.LOCKDOWN);
        }

        @Test
        void anEmergencyReleaseThatLandsBeforeTheUnlockIsWhatIsRecorded() throws Exception {
            // Why: the event on record must say why the door opened: the release, not the grant
            // that was decided a moment before it.
            AtomicBoolean releaseSent = new AtomicBoolean();
            service = service(new EntitlementSource() {
                @Override
                public <T> T reading(Function<Entitlements, T> work) {
                    T result = work.apply(cache);
                    if (releaseSent.compareAndSet(false, true)) {
                        door.setMode(DoorMode.EMERGENCY_RELEASE);
                    }
                    return result;
                }
            });

            Decided decided = tap(ADA_CARD);

            assertThat(decided.accessEvent().basis()).contains(GrantBasis.EMERGENCY_RELEASE);
            assertThat(recorder.events).containsExactly(decided.event());
        }

        @Test
        void whenTheEventCannotBeStoredTheDoorStaysLocked() {
            recorder.failing = true;

            assertThatThrownBy(() -> tap(ADA_CARD))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("disk full");
            assertThat(relay()).isEmpty();
        }

        @Test
        void theClockStatusIsRecordedWithTheDecision() throws Exception {
            clockStatus = ClockStatus.UNTRUSTED;

            assertThat(tap(ADA_CARD).accessEvent().clock()).isEqualTo(ClockStatus.UNTRUSTED);
        }
    }

    @Nested
    class QrCodes {
        @Test
        void aValidMemberCodeUnlocks() throws Exception {
            Decided decided = scan(memberToken(MONDAY_TEN.minusSeconds(5), HUB));

            assertThat(decided.decision()).isInstanceOf(Decision.Granted.class);
            assertThat(decided.accessEvent().presented()).isEqualTo(PresentedKind.MEMBER_QR);
            assertThat(decided.accessEvent().credential()).contains(CredentialId.of("ada-phone"));
            assertThat(relay()).containsExactly(new Transition(MONDAY_TEN, true));
        }

        @Test
        void anExpiredCodeIsDenied() throws Exception {
            assertThat(scan(memberToken(MONDAY_TEN.minusSeconds(600), HUB)).decision())
                    .isEqualTo(new Decision.Denied(DenyReason.QR_EXPIRED));
            assertThat(relay()).isEmpty();
        }

        @Test
        void aForgedCodeIsDeniedAndRecordedAsUnrecognised() throws Exception {
            Decided decided = scan(memberToken(MONDAY_TEN, SigningKeys.generate("hub-1")));

            assertThat(decided.decision()).isEqualTo(new Decision.Denied(DenyReason.QR_BAD_SIGNATURE));
            assertThat(decided.accessEvent().presented()).isEqualTo(PresentedKind.UNRECOGNISED_QR);
            assertThat(relay()).isEmpty();
        }

        @Test
        void aSingleUseVisitorPassOpensOnceOnly() throws Exception {
            assertThat(scan(visitorToken()).decision()).isInstanceOf(Decision.Granted.class);
            clock.advance(Duration.ofSeconds(10));
            queue.runDueTasks();
            cache.markPassUsed(PassId.of("visit-1"));

            assertThat(scan(visitorToken()).decision()).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
            assertThat(relay()).extracting(Transition::energised).containsExactly(true, false);
        }

        @Test
        void aPassUsedAtAnotherDoorInTheSameInstantIsDeniedHere() throws Exception {
            // The cache still says unused; the outbox's conditional write is what decides the race.
            recorder.usedPasses.add(PassId.of("visit-1"));

            Decided decided = scan(visitorToken());

            assertThat(decided.decision()).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
            assertThat(recorder.events).singleElement().satisfies(event -> assertThat(
                            event.payloadAs(AccessEvent.class).reason())
                    .contains(DenyReason.VISITOR_PASS_USED));
            assertThat(relay()).isEmpty();
        }

        @Test
        void textThatIsNotAGatehouseCodeIsDenied() throws Exception {
            assertThat(scan("https://example.com/menu").decision())
                    .isEqualTo(new Decision.Denied(DenyReason.QR_MALFORMED));
        }
    }

    @Test
    void eventIdsAreUniqueAndSortInTimeOrder() {
        Set<String> ids = new HashSet<>();
        String previous = "";
        for (int i = 0; i < 1000; i++) {
            String id = EventIds.next(MONDAY_TEN.plusMillis(i));
            assertThat(id).hasSize(26).matches("[0-9A-Z]{26}").isGreaterThan(previous);
            previous = id;
            ids.add(id);
        }
        assertThat(ids).hasSize(1000);
    }
}
