package dev.gatehouse.hub.kiosk;

import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.plans.PassDays;
import dev.gatehouse.hub.projection.SiteProjection;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.policy.AccessRequest;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.policy.Entitlements;
import dev.gatehouse.protocol.policy.Evaluation;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import dev.gatehouse.protocol.policy.PolicyEngine;
import dev.gatehouse.protocol.policy.Presented;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrResult;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A member's check-in at the hub's kiosk by their member QR code (issue 17 item 2, a site without an
 * edge): a front-desk barcode scanner types the token and Enter into the kiosk's page. The token is
 * checked as a door of the tablet's site would check it: the tenant's published keys, its validity
 * window, tenant and site; then the edge's own policy engine over the member's slice of the site,
 * online with a trusted clock, at each of the site's doors: the credential must be active, the member
 * active, and some door of the site must admit them now. Anything else is refused with what the
 * member reads, and writes nothing. Wrong codes pause QR check-in at the tablet as wrong PINs do
 * ({@link KioskThrottle}: 5 in 5 minutes).
 *
 * <p>An accepted code is recorded as an edge kiosk's check-in is at the hub, in one transaction: a
 * granted {@code MEMBER_QR} entry in the access log (device {@code hub}, door = the kiosk, since no door
 * opened), which the hourly presence and so physical occupancy count and the member's access log shows,
 * and a {@code member-checked-in} row in the visitor log with its {@code member.checked-in} outbox event.
 * Both are keyed by the token's id: a code scanned twice (a scanner's double Enter, a resent form) is
 * one check-in. A member let in by a pass (an entry-limited plan) spends the site-local day as at a
 * door — once a day, however often they check in — and one whose days are spent is refused as a door
 * would refuse them. No booking is checked in: no door opened.
 */
public record MemberCheckIns(Database database, Clock clock, KioskThrottle throttle, Runnable stored) {
    private static final DateTimeFormatter HOURS = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    /** What a scanned code came to. */
    public sealed interface Outcome permits CheckedIn, Refused, Locked {}

    /**
     * Checked in (or, {@code again}, this very code was checked in before): whom to greet and their
     * bookings at this site today (local times, as the edge's kiosk shows them).
     */
    public record CheckedIn(String eventId, String memberId, String name, List<String> bookings, boolean again)
            implements Outcome {}

    /** Refused, with what the member reads; nothing was written. */
    public record Refused(String message) implements Outcome {}

    /** Too many wrong codes at this tablet: QR check-in waits this long. */
    public record Locked(Duration remaining) implements Outcome {}

    public MemberCheckIns(Database database, Clock clock, Runnable stored) {
        this(database, clock, new KioskThrottle(database, clock), stored);
    }

    /** How long QR check-in waits at this tablet, when it does. */
    public Optional<Duration> locked(HubKiosks.Kiosk kiosk) {
        return throttle.locked(key(kiosk));
    }

    /** Checks the scanned {@code token} at the tablet's site and records the check-in once. */
    public Outcome checkIn(HubKiosks.Kiosk kiosk, String token) {
        Optional<Duration> locked = throttle.locked(key(kiosk));
        if (locked.isPresent()) {
            return new Locked(locked.get());
        }
        Instant now = clock.instant();
        Decided decided = database.write(c -> decideAndRecord(c, kiosk, token.strip(), now));
        switch (decided) {
            case Decided.Wrong wrong -> {
                throttle.wrong(key(kiosk));
                return throttle.locked(key(kiosk))
                        .<Outcome>map(Locked::new)
                        .orElseGet(() -> new Refused(wrong.message()));
            }
            case Decided.No no -> {
                return new Refused(no.message());
            }
            case Decided.Yes yes -> {
                if (!yes.checkedIn().again()) {
                    stored.run();
                }
                return yes.checkedIn();
            }
        }
    }

    /** The decision inside the transaction: a code that counts against the tablet, a refusal, or the check-in. */
    private sealed interface Decided {
        record Wrong(String message) implements Decided {}

        record No(String message) implements Decided {}

        record Yes(CheckedIn checkedIn) implements Decided {}
    }

    private Decided decideAndRecord(Connection c, HubKiosks.Kiosk kiosk, String token, Instant now)
            throws SQLException {
        String tenantId = kiosk.tenantId();
        String siteId = kiosk.siteId();
        KeySet keys = KeySet.fromSigningKeys(TenantStore.signingKeys(c, tenantId));
        QrResult result = QrTokens.verify(token, keys, TenantStore.slug(c, tenantId), siteId, now);
        if (!(result instanceof QrResult.Valid valid)) {
            return new Decided.Wrong(message(((QrResult.Rejected) result).reason()));
        }
        if (valid.claims().kind() != QrKind.MEMBER) {
            return new Decided.No("This is a visitor's code. Visitors: choose \u201cI have an invitation\u201d"
                    + " and type the PIN from it.");
        }
        String eventId = "kci_" + valid.claims().tokenId();
        Optional<String> memberId = Sql.one(
                c,
                "SELECT member_id FROM credentials WHERE tenant_id = ? AND id = ?",
                Sql.STRING,
                tenantId,
                valid.claims().subject());
        if (memberId.isEmpty()) {
            return new Decided.Wrong(message(DenyReason.UNKNOWN_CREDENTIAL));
        }
        Optional<String> before = Sql.one(
                c,
                "SELECT member_id FROM kiosk_sign_ins WHERE tenant_id = ? AND id = ?",
                Sql.STRING,
                tenantId,
                eventId);
        if (before.isPresent()) {
            // This very code checked in before: greet again, record nothing more.
            return new Decided.Yes(greeting(c, kiosk, eventId, before.get(), now, true));
        }
        List<Entity> slice =
                SiteProjection.forMember(c, tenantId, siteId, memberId.get()).orElseThrow();
        Entitlements entitlements = InMemoryEntitlements.of(slice);
        Presented presented =
                new Presented.MemberCode(CredentialId.of(valid.claims().subject()));
        Optional<Evaluation> granted = Optional.empty();
        Optional<DenyReason> refusal = Optional.empty();
        for (Entity entity : slice) {
            if (entity instanceof Door door) {
                Evaluation evaluation =
                        PolicyEngine.evaluate(entitlements, AccessRequest.online(presented, door.id(), now));
                switch (evaluation.decision()) {
                    case Decision.Granted ignored -> granted = Optional.of(evaluation);
                    case Decision.Denied denied -> refusal = refusal.or(() -> Optional.of(denied.reason()));
                }
                if (granted.isPresent()) {
                    break;
                }
            }
        }
        if (granted.isEmpty()) {
            return new Decided.No(message(refusal.orElse(DenyReason.NO_ACCESS_TO_DOOR)));
        }
        Decision.Granted grant = (Decision.Granted) granted.get().decision();
        MemberId member = MemberId.of(memberId.get());
        // A pass's grant: the entry names it, so that PassDays counts its day as an edge's entry's.
        Optional<GrantId> passGrant = granted.get().spendsDay().map(Evaluation.PassDay::grant);
        AccessEvent entry = new AccessEvent(
                siteId,
                DoorId.of(kiosk.id()),
                PresentedKind.MEMBER_QR,
                Optional.empty(),
                Optional.of(CredentialId.of(valid.claims().subject())),
                Optional.of(member),
                Optional.empty(),
                true,
                Optional.of(grant.basis()),
                Optional.empty(),
                ClockStatus.TRUSTED,
                passGrant);
        Envelope entered = new Envelope(eventId, now, entry);
        AccessLogStore.insert(c, tenantId, siteId, KioskDesk.DEVICE, List.of(entered), now.toEpochMilli());
        PassDays.count(c, tenantId, siteId, KioskDesk.DEVICE, entered, now);
        KioskSignIns.insert(
                c,
                tenantId,
                KioskDesk.DEVICE,
                new Envelope(eventId, now, KioskEvent.member(siteId, kiosk.id(), member, false)),
                now);
        return new Decided.Yes(greeting(c, kiosk, eventId, memberId.get(), now, false));
    }

    private static CheckedIn greeting(
            Connection c, HubKiosks.Kiosk kiosk, String eventId, String memberId, Instant now, boolean again)
            throws SQLException {
        String name = Sql.one(
                        c,
                        "SELECT full_name FROM members WHERE tenant_id = ? AND id = ? AND erased_at IS NULL",
                        Sql.STRING,
                        kiosk.tenantId(),
                        memberId)
                .orElse("");
        ZoneId zone = ZoneId.of(Sql.one(
                        c,
                        "SELECT time_zone FROM sites WHERE tenant_id = ? AND id = ?",
                        Sql.STRING,
                        kiosk.tenantId(),
                        kiosk.siteId())
                .orElse("UTC"));
        LocalDate today = LocalDate.ofInstant(now, zone);
        List<String> bookings = new ArrayList<>();
        for (String[] booking : Sql.list(
                c,
                "SELECT b.start_at, b.end_at, r.name FROM bookings b JOIN resources r ON r.id = b.resource_id"
                        + " WHERE b.tenant_id = ? AND b.site_id = ? AND b.status = 'CONFIRMED'"
                        + " AND b.start_at < ? AND b.end_at > ? AND (b.member_id = ? OR EXISTS (SELECT 1 FROM"
                        + " booking_invitees i WHERE i.booking_id = b.id AND i.member_id = ?))"
                        + " ORDER BY b.start_at, b.id",
                row -> new String[] {Long.toString(row.getLong(1)), Long.toString(row.getLong(2)), row.getString(3)},
                kiosk.tenantId(),
                kiosk.siteId(),
                today.plusDays(1).atStartOfDay(zone).toInstant(),
                today.atStartOfDay(zone).toInstant(),
                memberId,
                memberId)) {
            bookings.add(HOURS.format(
                            Instant.ofEpochMilli(Long.parseLong(booking[0])).atZone(zone)) + "–"
                    + HOURS.format(
                            Instant.ofEpochMilli(Long.parseLong(booking[1])).atZone(zone)) + "  "
                    + booking[2]);
        }
        return new CheckedIn(eventId, memberId, name, List.copyOf(bookings), again);
    }

    /** What the member reads for a code a door would refuse for {@code reason}. */
    static String message(DenyReason reason) {
        return switch (reason) {
            case QR_MALFORMED -> "That is not a member code. Open your member pass in the app and scan it again.";
            case QR_BAD_SIGNATURE, QR_UNKNOWN_KEY ->
                "That code was not issued by this workspace. Please ask at the desk.";
            case QR_WRONG_TENANT -> "That code belongs to another workspace. Please ask at the desk.";
            case QR_WRONG_SITE -> "That code is not valid at this site. Please ask at the desk.";
            case QR_EXPIRED -> "That code has expired. Refresh your member pass in the app and scan it again.";
            case QR_NOT_YET_VALID -> "That code is not valid yet. Check your phone's clock and try again.";
            case UNKNOWN_CREDENTIAL, CREDENTIAL_MISMATCH -> "That code is not known here. Please ask at the desk.";
            case CREDENTIAL_SUSPENDED, CREDENTIAL_LOST, CREDENTIAL_REVOKED, CREDENTIAL_EXPIRED ->
                "This member code is no longer active. Please ask at the desk.";
            case CREDENTIAL_NOT_YET_VALID -> "This member code is not active yet. Please ask at the desk.";
            case UNKNOWN_MEMBER, MEMBER_SUSPENDED, MEMBER_CANCELLED ->
                "Your membership is not active. Please ask at the desk.";
            case NO_ACCESS_TO_DOOR,
                    GRANT_NOT_YET_VALID,
                    GRANT_EXPIRED,
                    OUTSIDE_SCHEDULE,
                    SITE_HOLIDAY,
                    OUTSIDE_BOOKING,
                    PASS_USED_UP,
                    BOOKING_RELEASED,
                    UNKNOWN_DOOR -> "Your membership does not include this site now. Please ask at the desk.";
            case SITE_NOT_CONFIGURED,
                    LOCKDOWN,
                    CLOCK_UNTRUSTED,
                    CLOCK_UNTRUSTED_STAFF_ONLY,
                    OFFLINE_TOO_LONG,
                    OFFLINE_STAFF_ONLY -> "Check-in is not possible here just now. Please ask at the desk.";
            case VISITOR_PASS_REVOKED,
                    VISITOR_PASS_NOT_YET_VALID,
                    VISITOR_PASS_EXPIRED,
                    VISITOR_PASS_NOT_FOR_DOOR,
                    VISITOR_PASS_USED ->
                "This is a visitor's code. Visitors: choose \u201cI have an invitation\u201d and type the PIN from it.";
        };
    }

    private static String key(HubKiosks.Kiosk kiosk) {
        return "qr:" + kiosk.id();
    }
}
