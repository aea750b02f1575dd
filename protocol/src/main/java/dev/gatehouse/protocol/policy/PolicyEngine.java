package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.Roles;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.Decision.Denied;
import dev.gatehouse.protocol.policy.Decision.Granted;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The access policy engine: a pure function from (entitlements, request) to a {@link Decision}. The
 * edge runs it to open doors; the hub runs the same code to explain decisions. The rules, in the
 * order they apply, are written out in {@code protocol/README.md} ("Access policy").
 */
public final class PolicyEngine {
    private PolicyEngine() {}

    public static Decision decide(Entitlements entitlements, AccessRequest request) {
        return evaluate(entitlements, request).decision();
    }

    /** Decides, and reports which member, credential or pass the presentation resolved to. */
    public static Evaluation evaluate(Entitlements entitlements, AccessRequest request) {
        Optional<Door> maybeDoor = entitlements.door(request.door());
        if (maybeDoor.isEmpty()) {
            return anonymous(deny(DenyReason.UNKNOWN_DOOR));
        }
        Door door = maybeDoor.get();
        return switch (request.presented()) {
            case Presented.Rejected rejected -> anonymous(deny(rejected.reason()));
            case Presented.Card card -> {
                Optional<Credential> credential = entitlements.credentialByCardHash(card.cardHash());
                if (credential.isEmpty()) {
                    yield anonymous(emergencyOr(door, request, DenyReason.UNKNOWN_CREDENTIAL));
                }
                yield member(entitlements, request, door, credential.get());
            }
            case Presented.MemberCode code -> {
                Optional<Credential> credential = entitlements.credential(code.credential());
                if (credential.isEmpty()) {
                    yield anonymous(emergencyOr(door, request, DenyReason.UNKNOWN_CREDENTIAL));
                }
                Credential found = credential.get();
                if (found.type() != CredentialType.MEMBER_QR) {
                    // A card credential's id inside a QR token: signed by us, but not a QR credential.
                    yield new Evaluation(
                            emergencyOr(door, request, DenyReason.CREDENTIAL_MISMATCH),
                            Optional.of(found.member()),
                            Optional.of(found.id()),
                            Optional.empty());
                }
                yield member(entitlements, request, door, found);
            }
            case Presented.VisitorCode code -> {
                Decision decision = visitor(entitlements, request, door, code);
                boolean consumes = decision instanceof Granted granted
                        && granted.basis() == GrantBasis.VISITOR_PASS
                        && (code.singleUse()
                                || entitlements
                                        .visitorPass(code.pass())
                                        .map(VisitorPass::singleUse)
                                        .orElse(false));
                yield new Evaluation(decision, Optional.empty(), Optional.empty(), Optional.of(code.pass()), consumes);
            }
        };
    }

    private static Evaluation member(
            Entitlements entitlements, AccessRequest request, Door door, Credential credential) {
        Decision decision = memberDecision(entitlements, request, door, credential);
        return new Evaluation(
                decision,
                Optional.of(credential.member()),
                Optional.of(credential.id()),
                Optional.empty(),
                false,
                checksIn(entitlements, request, decision, credential.member()),
                spentDay(entitlements, request, decision, credential.member()));
    }

    /**
     * The booking a granted presentation checks in: the first (by id) booking of the member, or one
     * they are invited to, for this door, whose check-in window holds the instant and that nobody
     * checked in yet. Only a grant by plan or booking, on a trusted clock, with the door in normal
     * mode: an untrusted clock cannot place the tap in a window, and a lockdown or an emergency
     * release lets people through for other reasons than their meeting.
     */
    private static Optional<BookingId> checksIn(
            Entitlements entitlements, AccessRequest request, Decision decision, MemberId member) {
        if (!(decision instanceof Granted granted)
                || request.clock() != ClockStatus.TRUSTED
                || !(request.mode() instanceof DoorMode.Normal)) {
            return Optional.empty();
        }
        switch (granted.basis()) {
            case MEMBER_GRANT, BOOKING -> {}
            case VISITOR_PASS, LOCKDOWN_RESPONDER, EMERGENCY_RELEASE, STAFF_UNTRUSTED_CLOCK -> {
                return Optional.empty();
            }
        }
        for (Booking booking : entitlements.bookingsOf(member)) {
            if (booking.includes(member)
                    && booking.doors().contains(request.door())
                    && booking.checkInOpen(request.at())
                    && booking.checkIn().orElseThrow().checkedIn().isEmpty()
                    && entitlements.checkedIn(booking.id()).isEmpty()) {
                return Optional.of(booking.id());
            }
        }
        return Optional.empty();
    }

    private static Decision memberDecision(
            Entitlements entitlements, AccessRequest request, Door door, Credential credential) {
        if (request.mode() instanceof DoorMode.EmergencyRelease) {
            return new Granted(door.unlockFor(), GrantBasis.EMERGENCY_RELEASE, Optional.empty());
        }
        switch (credential.status()) {
            case ACTIVE -> {}
            case SUSPENDED -> {
                return deny(DenyReason.CREDENTIAL_SUSPENDED);
            }
            case LOST -> {
                return deny(DenyReason.CREDENTIAL_LOST);
            }
            case REVOKED -> {
                return deny(DenyReason.CREDENTIAL_REVOKED);
            }
        }
        Optional<Member> maybeMember = entitlements.member(credential.member());
        if (maybeMember.isEmpty()) {
            return deny(DenyReason.UNKNOWN_MEMBER);
        }
        Member member = maybeMember.get();
        switch (member.status()) {
            case ACTIVE -> {}
            case SUSPENDED -> {
                return deny(DenyReason.MEMBER_SUSPENDED);
            }
            case CANCELLED -> {
                return deny(DenyReason.MEMBER_CANCELLED);
            }
        }
        boolean clockTrusted = request.clock() == ClockStatus.TRUSTED;
        Instant at = request.at();

        if (request.mode() instanceof DoorMode.Lockdown lockdown) {
            if (!holdsAny(member, lockdown.allowedRoles())) {
                return deny(DenyReason.LOCKDOWN);
            }
            if (clockTrusted) {
                Optional<DenyReason> window = credentialWindow(credential, at);
                if (window.isPresent()) {
                    return deny(window.get());
                }
            }
            return new Granted(door.unlockFor(), GrantBasis.LOCKDOWN_RESPONDER, Optional.empty());
        }

        // Degraded operation: the stricter of the two door policies wins, so all denials come first.
        boolean staff = member.hasRole(Roles.STAFF);
        DegradedMode clockMode = clockTrusted ? DegradedMode.KEEP_GRANTING : door.untrustedClock();
        DegradedMode offlineMode = offlineTooLong(request, door) ? door.offline() : DegradedMode.KEEP_GRANTING;
        if (clockMode == DegradedMode.DENY) {
            return deny(DenyReason.CLOCK_UNTRUSTED);
        }
        if (offlineMode == DegradedMode.DENY) {
            return deny(DenyReason.OFFLINE_TOO_LONG);
        }
        if (clockMode == DegradedMode.STAFF_ONLY && !staff) {
            return deny(DenyReason.CLOCK_UNTRUSTED_STAFF_ONLY);
        }
        if (offlineMode == DegradedMode.STAFF_ONLY && !staff) {
            return deny(DenyReason.OFFLINE_STAFF_ONLY);
        }
        if (clockMode == DegradedMode.STAFF_ONLY) {
            // The time cannot be judged: a staff member with any grant for this door passes.
            for (Grant grant : entitlements.grantsOf(member.id())) {
                if (covers(entitlements, grant.doors(), grant.doorGroups(), door.id())) {
                    return new Granted(
                            door.unlockFor(),
                            GrantBasis.STAFF_UNTRUSTED_CLOCK,
                            Optional.of(grant.id().value()));
                }
            }
            return deny(DenyReason.NO_ACCESS_TO_DOOR);
        }

        Optional<DenyReason> window = credentialWindow(credential, at);
        if (window.isPresent()) {
            return deny(window.get());
        }
        return byGrantsAndBookings(entitlements, door, member, at, clockTrusted);
    }

    private static Decision byGrantsAndBookings(
            Entitlements entitlements, Door door, Member member, Instant at, boolean clockTrusted) {
        DenyReason best = null;
        LocalDateTime local = null;
        Site site = null;
        // An entry-limited grant that would spend a new day opens the door only if nothing else does.
        Grant spender = null;
        for (Grant grant : entitlements.grantsOf(member.id())) {
            if (!covers(entitlements, grant.doors(), grant.doorGroups(), door.id())) {
                continue;
            }
            DenyReason failure = null;
            if (grant.validFrom().isPresent() && at.isBefore(grant.validFrom().get())) {
                failure = DenyReason.GRANT_NOT_YET_VALID;
            } else if (grant.validUntil().isPresent()
                    && !at.isBefore(grant.validUntil().get())) {
                failure = DenyReason.GRANT_EXPIRED;
            } else if (grant.entries().isPresent() && !clockTrusted) {
                // The day a pass would spend cannot be judged on an untrusted clock: fail closed.
                failure = DenyReason.CLOCK_UNTRUSTED;
            } else if (grant.schedule().isPresent() || grant.entries().isPresent()) {
                if (local == null) {
                    Optional<Site> maybeSite = entitlements.site();
                    if (maybeSite.isEmpty()) {
                        best = best == null ? DenyReason.SITE_NOT_CONFIGURED : best;
                        continue;
                    }
                    site = maybeSite.get();
                    local = LocalDateTime.ofInstant(at, site.zone());
                }
                if (grant.schedule().isPresent()) {
                    failure = scheduleFailure(entitlements, grant, site, local);
                }
                if (failure == null && grant.entries().isPresent()) {
                    Optional<Boolean> newDay = spendsDay(entitlements, grant, local.toLocalDate(), site.zone());
                    if (newDay.isEmpty()) {
                        failure = DenyReason.PASS_USED_UP;
                    } else if (newDay.get()) {
                        spender = spender == null ? grant : spender;
                        continue;
                    }
                }
            }
            if (failure == null) {
                return new Granted(
                        door.unlockFor(),
                        GrantBasis.MEMBER_GRANT,
                        Optional.of(grant.id().value()));
            }
            if (best == null) {
                best = failure;
            }
        }
        for (Booking booking : entitlements.bookingsOf(member.id())) {
            if (!booking.includes(member.id()) || !booking.doors().contains(door.id())) {
                continue;
            }
            if (booking.admits(at)) {
                if (booking.checkIn().isPresent() && booking.releasedAt(at, entitlements.checkedIn(booking.id()))) {
                    // Nobody checked in by the release time: the rest of the slot is no longer theirs,
                    // and that is what the member at the door needs to hear, whatever their plan says.
                    best = DenyReason.BOOKING_RELEASED;
                    continue;
                }
                return new Granted(
                        door.unlockFor(),
                        GrantBasis.BOOKING,
                        Optional.of(booking.id().value()));
            }
            if (best == null) {
                best = DenyReason.OUTSIDE_BOOKING;
            }
        }
        if (spender != null) {
            return new Granted(
                    door.unlockFor(),
                    GrantBasis.MEMBER_GRANT,
                    Optional.of(spender.id().value()));
        }
        return deny(best == null ? DenyReason.NO_ACCESS_TO_DOOR : best);
    }

    /** Why the grant's schedule does not hold the local time; null when it does. */
    private static DenyReason scheduleFailure(Entitlements entitlements, Grant grant, Site site, LocalDateTime local) {
        Optional<Schedule> schedule = entitlements.schedule(grant.schedule().get());
        if (schedule.isEmpty()) {
            // A grant pointing at a schedule the cache lacks grants nothing: fail closed.
            return DenyReason.OUTSIDE_SCHEDULE;
        }
        if (schedule.get().holidays() == HolidayRule.CLOSED && site.holidays().contains(local.toLocalDate())) {
            return DenyReason.SITE_HOLIDAY;
        }
        if (schedule.get().contains(local.getDayOfWeek(), local.getHour() * 60 + local.getMinute())) {
            return null;
        }
        return DenyReason.OUTSIDE_SCHEDULE;
    }

    /**
     * Whether an entry-limited grant may open a door on local day {@code day}: a day already spent
     * (counted by the hub or recorded here) is free; a new day is allowed while fewer than the limit
     * are spent. Empty when the pass is used up; otherwise whether the day is a new one.
     */
    private static Optional<Boolean> spendsDay(Entitlements entitlements, Grant grant, LocalDate day, ZoneId zone) {
        Grant.Entries entries = grant.entries().orElseThrow();
        Set<LocalDate> spent = new HashSet<>(entries.spent());
        // Days this site recorded count within the grant's window only: an earlier pass of the same
        // plan (the same grant id) spent its own days, as the hub counts them.
        Optional<LocalDate> first = grant.validFrom().map(from -> LocalDate.ofInstant(from, zone));
        Optional<LocalDate> end = grant.validUntil().map(until -> LocalDate.ofInstant(until, zone));
        for (LocalDate local : entitlements.passDaysSpent(grant.id())) {
            if (first.map(f -> !local.isBefore(f)).orElse(true)
                    && end.map(e -> local.isBefore(e)).orElse(true)) {
                spent.add(local);
            }
        }
        if (spent.contains(day)) {
            return Optional.of(false);
        }
        return spent.size() < entries.limit() ? Optional.of(true) : Optional.empty();
    }

    /**
     * The pass day a granted presentation spends: when an entry-limited grant granted it and the
     * tap's local day is not spent yet. Only a {@code MEMBER_GRANT} spends (the engine reaches it on
     * a trusted clock only); other bases spend nothing.
     */
    private static Optional<Evaluation.PassDay> spentDay(
            Entitlements entitlements, AccessRequest request, Decision decision, MemberId member) {
        if (!(decision instanceof Granted granted) || granted.basis() != GrantBasis.MEMBER_GRANT) {
            return Optional.empty();
        }
        Optional<Site> site = entitlements.site();
        if (site.isEmpty()) {
            return Optional.empty();
        }
        for (Grant grant : entitlements.grantsOf(member)) {
            if (grant.entries().isPresent()
                    && granted.source().equals(Optional.of(grant.id().value()))) {
                LocalDate day = LocalDate.ofInstant(request.at(), site.get().zone());
                return spendsDay(entitlements, grant, day, site.get().zone())
                        .filter(Boolean::booleanValue)
                        .map(isNew -> new Evaluation.PassDay(grant.id(), day));
            }
        }
        return Optional.empty();
    }

    private static Decision visitor(
            Entitlements entitlements, AccessRequest request, Door door, Presented.VisitorCode code) {
        if (request.mode() instanceof DoorMode.EmergencyRelease) {
            return new Granted(door.unlockFor(), GrantBasis.EMERGENCY_RELEASE, Optional.empty());
        }
        Optional<VisitorPass> maybePass = entitlements.visitorPass(code.pass());
        if (maybePass.isEmpty()) {
            return deny(DenyReason.UNKNOWN_CREDENTIAL);
        }
        VisitorPass pass = maybePass.get();
        switch (pass.status()) {
            case ACTIVE -> {}
            case REVOKED -> {
                return deny(DenyReason.VISITOR_PASS_REVOKED);
            }
            case USED -> {
                // Spent at another edge of the site (or at this one): the hub says so to every edge.
                return deny(DenyReason.VISITOR_PASS_USED);
            }
        }
        if (request.mode() instanceof DoorMode.Lockdown) {
            return deny(DenyReason.LOCKDOWN);
        }
        DegradedMode clockMode =
                request.clock() == ClockStatus.TRUSTED ? DegradedMode.KEEP_GRANTING : door.untrustedClock();
        DegradedMode offlineMode = offlineTooLong(request, door) ? door.offline() : DegradedMode.KEEP_GRANTING;
        if (clockMode == DegradedMode.DENY) {
            return deny(DenyReason.CLOCK_UNTRUSTED);
        }
        if (offlineMode == DegradedMode.DENY) {
            return deny(DenyReason.OFFLINE_TOO_LONG);
        }
        // Visitors are never staff.
        if (clockMode == DegradedMode.STAFF_ONLY) {
            return deny(DenyReason.CLOCK_UNTRUSTED_STAFF_ONLY);
        }
        if (offlineMode == DegradedMode.STAFF_ONLY) {
            return deny(DenyReason.OFFLINE_STAFF_ONLY);
        }
        Instant at = request.at();
        if (at.isBefore(pass.validFrom())) {
            return deny(DenyReason.VISITOR_PASS_NOT_YET_VALID);
        }
        if (!at.isBefore(pass.validUntil())) {
            return deny(DenyReason.VISITOR_PASS_EXPIRED);
        }
        if (!covers(entitlements, pass.doors(), pass.doorGroups(), door.id())) {
            return deny(DenyReason.VISITOR_PASS_NOT_FOR_DOOR);
        }
        if ((pass.singleUse() || code.singleUse()) && entitlements.visitorPassUsed(pass.id())) {
            return deny(DenyReason.VISITOR_PASS_USED);
        }
        return new Granted(
                door.unlockFor(), GrantBasis.VISITOR_PASS, Optional.of(pass.id().value()));
    }

    /** An unknown credential still opens a door held by emergency release; otherwise it is denied. */
    private static Decision emergencyOr(Door door, AccessRequest request, DenyReason reason) {
        if (request.mode() instanceof DoorMode.EmergencyRelease) {
            return new Granted(door.unlockFor(), GrantBasis.EMERGENCY_RELEASE, Optional.empty());
        }
        return deny(reason);
    }

    private static boolean offlineTooLong(AccessRequest request, Door door) {
        return !request.offlineFor().isZero() && request.offlineFor().compareTo(door.offlineAfter()) >= 0;
    }

    private static Optional<DenyReason> credentialWindow(Credential credential, Instant at) {
        if (credential.validFrom().isPresent()
                && at.isBefore(credential.validFrom().get())) {
            return Optional.of(DenyReason.CREDENTIAL_NOT_YET_VALID);
        }
        if (credential.validUntil().isPresent()
                && !at.isBefore(credential.validUntil().get())) {
            return Optional.of(DenyReason.CREDENTIAL_EXPIRED);
        }
        return Optional.empty();
    }

    private static boolean covers(
            Entitlements entitlements, Set<DoorId> doors, Set<DoorGroupId> doorGroups, DoorId door) {
        if (doors.contains(door)) {
            return true;
        }
        for (DoorGroupId groupId : doorGroups) {
            var group = entitlements.doorGroup(groupId);
            if (group.isPresent() && group.get().doors().contains(door)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsAny(Member member, Set<String> roles) {
        for (String role : roles) {
            if (member.hasRole(role)) {
                return true;
            }
        }
        return false;
    }

    private static Evaluation anonymous(Decision decision) {
        return new Evaluation(decision, Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static Denied deny(DenyReason reason) {
        return new Denied(reason);
    }
}
