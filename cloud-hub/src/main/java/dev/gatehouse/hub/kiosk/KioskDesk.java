package dev.gatehouse.hub.kiosk;

import dev.gatehouse.hub.agreements.AgreementStore;
import dev.gatehouse.hub.credentials.VisitorPassUses;
import dev.gatehouse.hub.credentials.VisitorPassUses.PinPass;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.wifi.WifiVoucherStore;
import dev.gatehouse.hub.wifi.WifiVoucherStore.HandedOut;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

/**
 * What the hub's kiosk decides (issue 17 item 2, a site without an edge): a visitor's PIN against the
 * site's passes (window, revoked, a single-use pass spent for the whole site, wrong PINs throttled per
 * tablet), the site's visitor agreement to sign, and the sign-in itself, written in one transaction:
 * the pass's use, the {@code kiosk_sign_ins} row with its outbox event ({@code visitor.signed-in},
 * which webhooks and Slack get), the agreement's signature with the document's hash, and a Wi-Fi
 * voucher from the site's pool. The host's mail ({@link HostNotices}) is woken once it commits.
 */
public record KioskDesk(Database database, Clock clock, KioskThrottle throttle, Runnable stored) {
    /** The device a sign-in at the hub's kiosk is recorded from. */
    public static final String DEVICE = "hub";

    public KioskDesk(Database database, Clock clock, Runnable stored) {
        this(database, clock, new KioskThrottle(database, clock), stored);
    }

    /** Who is signing in: a visitor with a pass (found by its PIN) or a walk-in with the host they chose. */
    public sealed interface Visitor permits WithPin, WalkIn {
        String name();

        Optional<String> email();

        Optional<String> hostName();
    }

    /** A pass's visitor; {@code pin} is kept to check it again when the sign-in is written. */
    public record WithPin(String pin, PinPass pass, Optional<String> hostName) implements Visitor {
        @Override
        public String name() {
            return pass.visitorName();
        }

        @Override
        public Optional<String> email() {
            return pass.visitorEmail();
        }

        @Override
        public String toString() {
            return "WithPin[pass=" + pass.id() + ", pin=…]";
        }
    }

    public record WalkIn(String name, Optional<String> email, String hostId, Optional<String> hostName)
            implements Visitor {}

    /** What a typed PIN came to. */
    public sealed interface PinCheck permits PinFound, PinRefused, PinLocked {}

    public record PinFound(WithPin visitor) implements PinCheck {}

    /** Refused, with what the visitor reads. */
    public record PinRefused(String message) implements PinCheck {}

    /** Too many wrong PINs at this tablet: PINs wait this long. */
    public record PinLocked(Duration remaining) implements PinCheck {}

    /** The agreement a visitor must sign first: the version in force, its text as they read it. */
    public record ToSign(Agreement agreement, String rendered, Map<String, String> variables) {}

    /** The version a visitor agreed to, as the agreement page's form names it. */
    public record Agreed(String agreementId, int version, String sha256) {}

    /** What a sign-in came to. */
    public sealed interface Outcome permits SignedIn, MustSign, Refused {}

    /** Written: the event id, and the Wi-Fi voucher handed out (when the pool had one). */
    public record SignedIn(String eventId, Optional<HandedOut> voucher) implements Outcome {}

    /** Not written: the version in force must be signed first (none agreed, or another one). */
    public record MustSign(ToSign agreement) implements Outcome {}

    /** Not written, with what the visitor reads. */
    public record Refused(String message) implements Outcome {}

    // ---- a PIN ------------------------------------------------------------------------------------

    /**
     * Checks {@code pin} at the tablet's site. An unknown PIN counts against the tablet ({@link
     * KioskThrottle}); a known one that may not sign in now says why. Nothing is spent here.
     */
    public PinCheck checkPin(HubKiosks.Kiosk kiosk, String pin) {
        Optional<Duration> locked = throttle.locked(pinKey(kiosk));
        if (locked.isPresent()) {
            return new PinLocked(locked.get());
        }
        Instant now = clock.instant();
        Optional<PinPass> pass = database.read(
                c -> VisitorPassUses.byPin(c, database.masterKey(), kiosk.tenantId(), kiosk.siteId(), pin));
        if (pass.isEmpty()) {
            throttle.wrong(pinKey(kiosk));
            return throttle.locked(pinKey(kiosk))
                    .<PinCheck>map(PinLocked::new)
                    .orElseGet(
                            () -> new PinRefused("That PIN is not known here. Check your invitation and try again."));
        }
        Optional<String> refusal = refusal(pass.get(), now);
        if (refusal.isPresent()) {
            return new PinRefused(refusal.get());
        }
        Optional<String> hostName = pass.get().hostMemberId().flatMap(id -> memberName(kiosk.tenantId(), id));
        return new PinFound(new WithPin(pin, pass.get(), hostName));
    }

    /** How long PINs wait at this tablet, when they do. */
    public Optional<Duration> pinLocked(HubKiosks.Kiosk kiosk) {
        return throttle.locked(pinKey(kiosk));
    }

    private static Optional<String> refusal(PinPass pass, Instant now) {
        if (pass.revoked()) {
            return Optional.of("This pass was withdrawn. Please ask at the desk or call your host.");
        }
        if (pass.singleUse() && pass.used()) {
            return Optional.of("This pass was already used. Please ask at the desk or call your host.");
        }
        if (now.isBefore(pass.validFrom())) {
            return Optional.of("This pass is not valid yet. Please ask at the desk.");
        }
        if (!now.isBefore(pass.validUntil())) {
            return Optional.of("This pass has expired. Please ask at the desk or call your host.");
        }
        return Optional.empty();
    }

    private static String pinKey(HubKiosks.Kiosk kiosk) {
        return "pin:" + kiosk.id();
    }

    private Optional<String> memberName(String tenantId, String memberId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT full_name FROM members WHERE id = ? AND tenant_id = ? AND erased_at IS NULL",
                Sql.STRING,
                memberId,
                tenantId));
    }

    // ---- the agreement ----------------------------------------------------------------------------

    /**
     * The agreement the visitor must sign at the tablet's site before signing in: the version in force
     * there, unless the visitor's e-mail address has signed that very version already. Empty when the
     * site has none or it is signed.
     */
    public Optional<ToSign> toSign(HubKiosks.Kiosk kiosk, Visitor visitor) {
        Instant now = clock.instant();
        return database.read(c -> toSign(c, kiosk, visitor, now));
    }

    private static Optional<ToSign> toSign(Connection c, HubKiosks.Kiosk kiosk, Visitor visitor, Instant now)
            throws SQLException {
        Optional<Agreement> agreement = AgreementStore.entity(c, kiosk.tenantId(), kiosk.siteId());
        if (agreement.isEmpty()
                || (visitor.email().isPresent()
                        && AgreementStore.hasSignedCurrent(
                                c,
                                kiosk.tenantId(),
                                kiosk.siteId(),
                                visitor.email().get()))) {
            return Optional.empty();
        }
        String zone = Sql.one(
                        c,
                        "SELECT time_zone FROM sites WHERE id = ? AND tenant_id = ?",
                        Sql.STRING,
                        kiosk.siteId(),
                        kiosk.tenantId())
                .orElse("UTC");
        Map<String, String> variables = Map.of(
                "visitorName", visitor.name(),
                "hostName", visitor.hostName().orElse("-"),
                "siteName", agreement.get().siteName(),
                "date", LocalDate.ofInstant(now, ZoneId.of(zone)).toString());
        return Optional.of(new ToSign(agreement.get(), agreement.get().render(variables), variables));
    }

    // ---- the sign-in ------------------------------------------------------------------------------

    /**
     * Signs the visitor in, all in one transaction, or nothing: a PIN is checked again (a pass spent
     * meanwhile at another tablet is refused), the agreement in force must be the one {@code agreed}
     * names (else {@link MustSign} with it), then the pass's use, the sign-in with its outbox event,
     * the signature and a voucher are written. Wakes the host's notice when it is stored.
     */
    public Outcome signIn(HubKiosks.Kiosk kiosk, Visitor visitor, Optional<Agreed> agreed) {
        Instant now = clock.instant();
        String eventId = HubIds.next("ksk");
        Outcome outcome = database.write(c -> {
            Optional<PinPass> pass = Optional.empty();
            if (visitor instanceof WithPin withPin) {
                pass = VisitorPassUses.byPin(c, database.masterKey(), kiosk.tenantId(), kiosk.siteId(), withPin.pin());
                if (pass.isEmpty() || !pass.get().id().equals(withPin.pass().id())) {
                    return new Refused("That PIN is not known here any more. Please ask at the desk.");
                }
                Optional<String> refusal = refusal(pass.get(), now);
                if (refusal.isPresent()) {
                    return new Refused(refusal.get());
                }
            }
            Optional<ToSign> toSign = toSign(c, kiosk, visitor, now);
            if (toSign.isPresent() && !matches(toSign.get().agreement(), agreed)) {
                return new MustSign(toSign.get());
            }
            if (pass.isPresent()
                    && !VisitorPassUses.spendAtHubKiosk(
                            c,
                            kiosk.tenantId(),
                            kiosk.siteId(),
                            pass.get().id(),
                            pass.get().singleUse(),
                            kiosk.id(),
                            eventId,
                            now)) {
                return new Refused("This pass was already used. Please ask at the desk or call your host.");
            }
            KioskEvent event =
                    switch (visitor) {
                        case WithPin p ->
                            KioskEvent.visitor(
                                    kiosk.siteId(),
                                    kiosk.id(),
                                    PassId.of(p.pass().id()),
                                    p.pass().hostMemberId().map(MemberId::of),
                                    false);
                        case WalkIn w ->
                            KioskEvent.walkIn(
                                    kiosk.siteId(), kiosk.id(), MemberId.of(w.hostId()), w.name(), w.email(), false);
                    };
            KioskSignIns.insert(c, kiosk.tenantId(), DEVICE, new Envelope(eventId, now, event), now);
            if (toSign.isPresent()) {
                Agreement agreement = toSign.get().agreement();
                AgreementStore.Recording recording = AgreementStore.recordSignature(
                        c,
                        kiosk.tenantId(),
                        new AgreementStore.NewSignature(
                                kiosk.siteId(),
                                eventId,
                                agreement.id(),
                                agreement.version(),
                                agreement.sha256(),
                                Agreement.renderedSha256(toSign.get().rendered()),
                                visitor.name(),
                                visitor.email(),
                                pass.map(PinPass::id),
                                toSign.get().variables(),
                                DEVICE,
                                now),
                        now);
                if (recording instanceof AgreementStore.Refused refused) {
                    // The hub rendered the version it holds: a refusal here is a fault, not input.
                    throw new IllegalStateException("the hub's kiosk signature was refused: " + refused.reason());
                }
            }
            Optional<HandedOut> voucher = WifiVoucherStore.handOutAtHub(
                    c, database.masterKey(), kiosk.tenantId(), kiosk.siteId(), eventId, now);
            return new SignedIn(eventId, voucher);
        });
        if (outcome instanceof SignedIn) {
            stored.run();
        }
        return outcome;
    }

    private static boolean matches(Agreement current, Optional<Agreed> agreed) {
        return agreed.isPresent()
                && agreed.get().agreementId().equals(current.id())
                && agreed.get().version() == current.version()
                && agreed.get().sha256().equals(current.sha256());
    }
}
