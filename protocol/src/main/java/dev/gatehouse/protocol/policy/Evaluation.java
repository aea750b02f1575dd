package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.util.Optional;

/**
 * A decision together with whom it was about, as far as the credential could be resolved (for the
 * access log). {@code consumesPass} is true when the grant uses up a single-use visitor pass: the
 * receiver must record the use atomically (only if not yet recorded, across all doors) before it
 * unlocks, and treat a failed conditional write as {@code VISITOR_PASS_USED}. {@code checksIn} names
 * the booking this granted presentation checks in (its member or an invitee at one of its doors,
 * within its check-in window, not checked in yet): the receiver records the check-in with the event.
 */
public record Evaluation(
        Decision decision,
        Optional<MemberId> member,
        Optional<CredentialId> credential,
        Optional<PassId> pass,
        boolean consumesPass,
        Optional<BookingId> checksIn) {
    public Evaluation {
        Checks.present(decision, "decision");
        Checks.present(member, "member");
        Checks.present(credential, "credential");
        Checks.present(pass, "pass");
        Checks.present(checksIn, "checksIn");
        if (consumesPass && (!decision.granted() || pass.isEmpty())) {
            throw Checks.bad("only a granted visitor pass can be consumed");
        }
        if (checksIn.isPresent() && (!decision.granted() || member.isEmpty())) {
            throw Checks.bad("only a member's granted presentation can check a booking in");
        }
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
