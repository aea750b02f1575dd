package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.util.Optional;

/** A decision together with whom it was about, as far as the credential could be resolved (for the access log). */
public record Evaluation(
        Decision decision, Optional<MemberId> member, Optional<CredentialId> credential, Optional<PassId> pass) {
    public Evaluation {
        Checks.present(decision, "decision");
        Checks.present(member, "member");
        Checks.present(credential, "credential");
        Checks.present(pass, "pass");
    }
}
