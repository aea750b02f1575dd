package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PresentedKind;
import java.util.regex.Pattern;

/**
 * What a reader saw, after the reader adapter hashed a card UID or verified a QR token. A QR token
 * that failed verification arrives as {@link Rejected} so that it is decided and logged like the rest.
 */
public sealed interface Presented
        permits Presented.Card, Presented.MemberCode, Presented.VisitorCode, Presented.Rejected {

    PresentedKind kind();

    /** An NFC card, by the keyed hash of its UID. */
    record Card(String cardHash) implements Presented {
        private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

        public Card {
            Checks.present(cardHash, "cardHash");
            if (!HASH.matcher(cardHash).matches()) {
                throw Checks.bad("cardHash must be 64 lowercase hex digits (HMAC-SHA256 of the UID)");
            }
        }

        @Override
        public PresentedKind kind() {
            return PresentedKind.NFC_CARD;
        }
    }

    /** A verified member QR token naming the member-QR credential it was issued under. */
    record MemberCode(CredentialId credential) implements Presented {
        public MemberCode {
            Checks.present(credential, "credential");
        }

        @Override
        public PresentedKind kind() {
            return PresentedKind.MEMBER_QR;
        }
    }

    /**
     * A verified visitor QR token naming a pass ({@code singleUse} when the token itself says so), or
     * ({@code byPin}) the pass whose PIN was typed at a kiosk.
     */
    record VisitorCode(PassId pass, boolean singleUse, boolean byPin) implements Presented {
        public VisitorCode {
            Checks.present(pass, "pass");
        }

        /** A verified visitor QR token. */
        public VisitorCode(PassId pass, boolean singleUse) {
            this(pass, singleUse, false);
        }

        /** The pass whose PIN was typed: the pass alone says whether it is single-use. */
        public static VisitorCode pin(PassId pass) {
            return new VisitorCode(pass, false, true);
        }

        @Override
        public PresentedKind kind() {
            return byPin ? PresentedKind.VISITOR_PIN : PresentedKind.VISITOR_QR;
        }
    }

    /** A QR code that failed verification, with the reason (one of the {@code QR_*} reasons). */
    record Rejected(DenyReason reason) implements Presented {
        public Rejected {
            Checks.present(reason, "reason");
        }

        @Override
        public PresentedKind kind() {
            return PresentedKind.UNRECOGNISED_QR;
        }
    }
}
