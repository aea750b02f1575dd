package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.time.LocalDate;
import java.util.Optional;

/**
 * A decision together with whom it was about, as far as the credential could be resolved (for the
 * access log). {@code consumesPass} is true when the grant uses up a single-use visitor pass: the
 * receiver must record the use atomically (only if not yet recorded, across all doors) before it
 * unlocks, and treat a failed conditional write as {@code VISITOR_PASS_USED}. {@code checksIn} names
 * the booking this granted presentation checks in (its member or an invitee at one of its doors,
 * within its check-in window, not checked in yet): the receiver records the check-in with the event.
 * {@code spendsDay} names the entry-limited grant and the site-local day this granted presentation
 * spends (the first entry of that day by that grant): the receiver records the day in the same
 * transaction as the event, so {@link Entitlements#passDaysSpent} counts it from then on.
 */
public record Evaluation(
        Decision decision,
        Optional<MemberId> member,
        Optional<CredentialId> credential,
        Optional<PassId> pass,
        boolean consumesPass,
        Optional<BookingId> checksIn,
        Optional<PassDay> spendsDay) {
    /** A day of an entry-limited grant: what a granted presentation spends. */
    public record PassDay(GrantId grant, LocalDate day) {
        public PassDay {
            Checks.present(grant, "pass day grant");
            Checks.present(day, "pass day day");
        }
    }

    public Evaluation {
        Checks.present(decision, "decision");
        Checks.present(member, "member");
        Checks.present(credential, "credential");
        Checks.present(pass, "pass");
        Checks.present(checksIn, "checksIn");
        Checks.present(spendsDay, "spendsDay");
        if (consumesPass && (!decision.granted() || pass.isEmpty())) {
            throw Checks.bad("only a granted visitor pass can be consumed");
        }
        if (checksIn.isPresent() && (!decision.granted() || member.isEmpty())) {
            throw Checks.bad("only a member's granted presentation can check a booking in");
        }
        if (spendsDay.isPresent() && (!decision.granted() || member.isEmpty())) {
            throw Checks.bad("only a member's granted presentation can spend a pass day");
        }
    }

    /** An evaluation that spends no pass day. */
    public Evaluation(
            Decision decision,
            Optional<MemberId> member,
            Optional<CredentialId> credential,
            Optional<PassId> pass,
            boolean consumesPass,
            Optional<BookingId> checksIn) {
        this(decision, member, credential, pass, consumesPass, checksIn, Optional.empty());
    }

    /** An evaluation that checks no booking in. */
    public Evaluation(
            Decision decision,
            Optional<MemberId> member,
            Optional<CredentialId> credential,
            Optional<PassId> pass,
            boolean consumesPass) {
        this(decision, member, credential, pass, consumesPass, Optional.empty());
    }

    /** An evaluation that consumes nothing. */
    public Evaluation(
            Decision decision, Optional<MemberId> member, Optional<CredentialId> credential, Optional<PassId> pass) {
        this(decision, member, credential, pass, false);
    }
}
