package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.GrantBasis;
import java.time.Duration;
import java.util.Optional;

/** The outcome of one access decision: exactly a grant or a denial. */
public sealed interface Decision permits Decision.Granted, Decision.Denied {

    boolean granted();

    /** Unlock for {@code unlockFor}, because of {@code basis}; {@code source} names the grant, booking or pass. */
    record Granted(Duration unlockFor, GrantBasis basis, Optional<String> source) implements Decision {
        public Granted {
            Checks.present(unlockFor, "unlockFor");
            Checks.present(basis, "basis");
            Checks.present(source, "source");
        }

        @Override
        public boolean granted() {
            return true;
        }
    }

    /** Stay locked, because of {@code reason}. */
    record Denied(DenyReason reason) implements Decision {
        public Denied {
            Checks.present(reason, "reason");
        }

        @Override
        public boolean granted() {
            return false;
        }
    }
}
