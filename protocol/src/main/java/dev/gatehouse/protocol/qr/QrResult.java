package dev.gatehouse.protocol.qr;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.policy.Presented;

/** The outcome of checking a scanned QR code: valid claims, or a rejection a door logs like any denial. */
public sealed interface QrResult permits QrResult.Valid, QrResult.Rejected {

    /** What to hand to the policy engine. */
    Presented presented();

    record Valid(QrClaims claims) implements QrResult {
        public Valid {
            Checks.present(claims, "claims");
        }

        @Override
        public Presented presented() {
            return claims.presented();
        }
    }

    /** {@code reason} is one of the {@code QR_*} deny reasons; {@code detail} is for the technician's log. */
    record Rejected(DenyReason reason, String detail) implements QrResult {
        public Rejected {
            Checks.present(reason, "reason");
            Checks.present(detail, "detail");
        }

        @Override
        public Presented presented() {
            return new Presented.Rejected(reason);
        }
    }
}
