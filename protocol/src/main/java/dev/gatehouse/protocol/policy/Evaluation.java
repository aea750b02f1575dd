package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.util.Optional;

/**
 * A decision together with whom it was about, as far as the credential could be resolved (for the
 * access log). {@code consumesPass} is true when the grant uses up a single-use visitor pass: the
 * receiver must record the use atomically (only if not yet recorded, across all doors) before it
 * unlocks, and treat a failed conditional write as {@code VISITOR_PASS_USED}.
 */
public record Evaluation(
        Decision decision,
        Optional<MemberId> member,
        Optional<CredentialId> credential,
        Optional<PassId> pass,
        boolean consumesPass) {
    public Evaluation {
        Checks.present(decision, "decision");
        Checks.present(member, "member");
        Checks.present(credential, "credential");
        Checks.present(pass, "pass");
        if (consumesPass && (!decision.granted() || pass.isEmpty())) {
            throw Checks.bad("only a granted visitor pass can be consumed");
        }
    }

    /** An evaluation that consumes nothing. */
    public Evaluation(
            Decision decision, Optional<MemberId> member, Optional<CredentialId> credential, Optional<PassId> pass) {
        this(decision, member, credential, pass, false);
    }
}
