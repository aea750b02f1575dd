package dev.gatehouse.edge.access;

import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.policy.AccessRequest;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.policy.Evaluation;
import dev.gatehouse.protocol.policy.PolicyEngine;
import dev.gatehouse.protocol.policy.Presented;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision path: a card UID or QR text from a reader → a presented credential (keyed hash, or a
 * verified token) → the policy engine over one consistent view of the local cache → the access event
 * recorded in the outbox → the door unlocked.
 *
 * <p>The first half runs on the caller's thread (the reader's), against the door's mode at that
 * moment: it reads, never writes, and touches nothing of the door. The second half runs as one task
 * on the door's serial queue: if the door is still in the mode the decision was made for, the event
 * is recorded and the door unlocked; if a command changed the mode in between (a lockdown, an
 * emergency release), the decision is made again there, on the queue, against the new mode. So no
 * command can change the door between the decision that is carried out and the unlock. The event is
 * stored before the relay moves: if it cannot be stored, the door stays locked (nothing is granted
 * that is not on record).
 */
public final class DecisionService {
    private static final Logger log = LoggerFactory.getLogger(DecisionService.class);

    private final String tenant;
    private final String site;
    private final EntitlementSource entitlements;
    private final Supplier<KeySet> keys;
    private final CardHasher cards;
    private final Clock clock;
    private final ClockTrust clockTrust;
    private final Supplier<Duration> offlineFor;
    private final DecisionRecorder recorder;
    private final Consumer<Decided> listener;

    public DecisionService(
            String tenant,
            String site,
            EntitlementSource entitlements,
            Supplier<KeySet> keys,
            CardHasher cards,
            Clock clock,
            ClockTrust clockTrust,
            Supplier<Duration> offlineFor,
            DecisionRecorder recorder,
            Consumer<Decided> listener) {
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.site = Objects.requireNonNull(site, "site");
        this.entitlements = Objects.requireNonNull(entitlements, "entitlements");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.cards = Objects.requireNonNull(cards, "cards");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clockTrust = Objects.requireNonNull(clockTrust, "clockTrust");
        this.offlineFor = Objects.requireNonNull(offlineFor, "offlineFor");
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** A card's UID read at {@code door}'s reader just now. */
    public CompletableFuture<Decided> presentCard(DoorController door, byte[] uid) {
        return presentCard(door, uid, System.nanoTime());
    }

    /**
     * A card's UID read at {@code door}'s reader, in the reader's hands at {@code arrivedNanos}
     * ({@link System#nanoTime()}). The UID is hashed here and never stored. The card is decided on
     * the calling thread and confirmed on the door's queue (see the class comment).
     */
    public CompletableFuture<Decided> presentCard(DoorController door, byte[] uid, long arrivedNanos) {
        Optional<String> hash;
        try {
            hash = Optional.of(cards.hash(uid));
        } catch (ProtocolException e) {
            // Not a valid ISO 14443 UID length: a reader glitch, decided as an unknown card.
            log.warn("door {}: card UID of {} bytes is not a valid UID; denied", door.id(), uid.length);
            hash = Optional.empty();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // the door stays locked
        }
        Presented presented =
                hash.<Presented>map(Presented.Card::new).orElse(new Presented.Rejected(DenyReason.UNKNOWN_CREDENTIAL));
        return decide(door, presented, PresentedKind.NFC_CARD, hash, arrivedNanos, Optional.empty());
    }

    /** A QR code's text read at {@code door}'s reader (scanner or camera) just now. */
    public CompletableFuture<Decided> presentQr(DoorController door, String text) {
        return presentQr(door, text, System.nanoTime());
    }

    /**
     * A QR code's text read at {@code door}'s reader, in the reader's hands at {@code arrivedNanos}.
     * The token is verified and decided on the calling thread and confirmed on the door's queue.
     */
    public CompletableFuture<Decided> presentQr(DoorController door, String text, long arrivedNanos) {
        Presented presented;
        try {
            presented = QrTokens.verify(text, keys.get(), tenant, site, clock.instant())
                    .presented();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // the door stays locked
        }
        return decide(door, presented, presented.kind(), Optional.empty(), arrivedNanos, Optional.empty());
    }

    /**
     * A visitor pass's 6-digit PIN typed at {@code door}'s kiosk just now: the kiosk's way in. The PIN
     * is hashed with the tenant's key and looked up offline in the cache; the pass it names is
     * decided as its QR code would be (a single-use pass is spent by whichever comes first, QR or
     * PIN) and recorded as presented {@code visitor-pin}. A PIN of the wrong form or that no pass
     * holds is denied as {@code UNKNOWN_CREDENTIAL}. The PIN itself is never stored or sent. The
     * caller (the kiosk) limits the rate of guesses: 10^6 PINs are few.
     */
    public CompletableFuture<Decided> presentPin(DoorController door, String pin) {
        return presentPin(door, pin, Optional.empty());
    }

    /**
     * As {@link #presentPin(DoorController, String)}, for a kiosk's sign-in: on the door's queue the
     * sign-in is claimed first (a kiosk that stopped waiting gets a cancelled future, with nothing
     * recorded and the door shut), and a granted PIN's access event is committed with the sign-in's
     * writes in one transaction before the relay moves.
     */
    public CompletableFuture<Decided> presentPin(DoorController door, String pin, Optional<PinSignIn> signIn) {
        long arrivedNanos = System.nanoTime();
        Presented presented;
        try {
            String hash = cards.pinHash(site, pin);
            presented = entitlements
                    .reading(view -> view.visitorPassByPinHash(hash))
                    .<Presented>map(pass -> Presented.VisitorCode.pin(pass.id()))
                    .orElse(new Presented.Rejected(DenyReason.UNKNOWN_CREDENTIAL));
        } catch (ProtocolException e) {
            presented = new Presented.Rejected(DenyReason.UNKNOWN_CREDENTIAL);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // the door stays locked
        }
        return decide(door, presented, PresentedKind.VISITOR_PIN, Optional.empty(), arrivedNanos, signIn);
    }

    /**
     * The visitor pass a 6-digit PIN names in the cache, decided nothing and recorded nothing (the kiosk
     * asks for the agreement before it presents the PIN); empty for a PIN of the wrong form or that no
     * pass holds. Guesses are the caller's to bound, as for {@link #presentPin}.
     */
    public Optional<PassId> passByPin(String pin) {
        try {
            String hash = cards.pinHash(site, pin);
            return entitlements.reading(view -> view.visitorPassByPinHash(hash)).map(pass -> pass.id());
        } catch (ProtocolException e) {
            return Optional.empty();
        }
    }

    /** A decision made for {@code mode}: valid on the queue only while the door is still in that mode. */
    private record Draft(
            DoorMode mode,
            Instant at,
            ClockStatus clockStatus,
            Evaluation evaluation,
            Envelope event,
            long decidedNanos) {}

    /**
     * Decides on the calling thread against the door's mode now, then records and unlocks on the
     * door's queue if the door is still in that mode; if a command changed it meanwhile (a lockdown,
     * say), decides again on the queue, where nothing else can change the door.
     */
    private CompletableFuture<Decided> decide(
            DoorController door,
            Presented presented,
            PresentedKind kind,
            Optional<String> cardHash,
            long arrivedNanos,
            Optional<PinSignIn> signIn) {
        Draft draft;
        try {
            draft = draft(door, door.mode(), presented, kind, cardHash);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // the door stays locked
        }
        return door.onQueue(() -> {
            long queuedNanos = System.nanoTime();
            if (signIn.isPresent() && !signIn.get().claim()) {
                throw new CancellationException("the kiosk stopped waiting: nothing recorded, the door stays shut");
            }
            DoorMode now = door.mode();
            Draft confirmed = now.equals(draft.mode()) ? draft : draft(door, now, presented, kind, cardHash);
            return finish(door, kind, cardHash, confirmed, arrivedNanos, queuedNanos, signIn);
        });
    }

    /** The policy engine's answer for {@code mode}, over one consistent view of the cache. */
    private Draft draft(
            DoorController door, DoorMode mode, Presented presented, PresentedKind kind, Optional<String> cardHash) {
        Instant at = clock.instant();
        ClockStatus clockStatus = clockTrust.status();
        AccessRequest request = new AccessRequest(presented, door.id(), at, clockStatus, offlineFor.get(), mode);
        Evaluation evaluation = entitlements.reading(view -> PolicyEngine.evaluate(view, request));
        Envelope event = event(door, kind, cardHash, evaluation, evaluation.decision(), at, clockStatus);
        return new Draft(mode, at, clockStatus, evaluation, event, System.nanoTime());
    }

    /** Runs on the door's queue: the event is recorded, then the door unlocks if granted. */
    private Decided finish(
            DoorController door,
            PresentedKind kind,
            Optional<String> cardHash,
            Draft draft,
            long arrivedNanos,
            long queuedNanos,
            Optional<PinSignIn> signIn) {
        Evaluation evaluation = draft.evaluation();
        Decision decision = evaluation.decision();
        Envelope event = draft.event();
        Optional<PassId> consume = evaluation.consumesPass() ? evaluation.pass() : Optional.empty();
        // A tap that checks a booking in reports it beside its access event, in the same transaction.
        Optional<Envelope> checkIn = evaluation
                .checksIn()
                .map(booking -> new Envelope(
                        EventIds.next(draft.at()),
                        draft.at(),
                        BookingEvent.checkedIn(
                                site, booking, evaluation.member().orElseThrow(), door.id())));
        // A kiosk's sign-in is written with a granted PIN's event, before the relay moves.
        Envelope recorded = event;
        Optional<Consumer<EdgeCache.Transaction>> with = decision.granted() && signIn.isPresent()
                ? Optional.of(tx -> signIn.get().granted(tx, recorded.payloadAs(AccessEvent.class), draft.at()))
                : Optional.empty();
        if (!recorder.record(event, consume, checkIn, evaluation.spendsDay(), with)) {
            // Another door used this single-use pass first: the use is on record there, not here.
            decision = new Decision.Denied(DenyReason.VISITOR_PASS_USED);
            event = event(door, kind, cardHash, evaluation, decision, draft.at(), draft.clockStatus());
            recorder.record(event, Optional.empty(), Optional.empty(), Optional.empty());
        }
        long recordedNanos = System.nanoTime();
        if (decision instanceof Decision.Granted granted) {
            door.grant(granted.unlockFor());
        }
        Decided decided = new Decided(
                door.id(),
                draft.at(),
                decision,
                event,
                new Decided.Timeline(arrivedNanos, draft.decidedNanos(), queuedNanos, recordedNanos),
                checkIn.isPresent() && decision.granted() ? evaluation.checksIn() : Optional.empty());
        try {
            listener.accept(decided);
        } catch (RuntimeException e) {
            log.warn("decision listener failed: {}", e.toString());
        }
        return decided;
    }

    private Envelope event(
            DoorController door,
            PresentedKind kind,
            Optional<String> cardHash,
            Evaluation evaluation,
            Decision decision,
            Instant at,
            ClockStatus clockStatus) {
        Optional<GrantBasis> basis =
                decision instanceof Decision.Granted granted ? Optional.of(granted.basis()) : Optional.empty();
        Optional<DenyReason> reason =
                decision instanceof Decision.Denied denied ? Optional.of(denied.reason()) : Optional.empty();
        // The pass whose day this tap spent: the hub counts the pass's days by it.
        Optional<GrantId> grant =
                decision.granted() ? evaluation.spendsDay().map(Evaluation.PassDay::grant) : Optional.empty();
        AccessEvent payload = new AccessEvent(
                site,
                door.id(),
                kind,
                cardHash,
                evaluation.credential(),
                evaluation.member(),
                evaluation.pass(),
                decision.granted(),
                basis,
                reason,
                clockStatus,
                grant);
        return new Envelope(EventIds.next(at), at, payload);
    }
}
