package dev.gatehouse.edge.kiosk;

import java.util.Optional;

/**
 * The places in a visitor's sign-in where issue 17's versioned visitor agreements and Wi-Fi vouchers
 * plug in, once the hub syncs them to the edge (hub packages {@code agreements} and {@code wifi}).
 * Neither exists at the edge yet: {@link #NONE} asks for no agreement and hands out nothing.
 */
interface SignInExtras {
    /** Who is signing in, as the extras see them. {@code pass} or {@code name} tells a pre-registered visitor from a walk-in. */
    record Visitor(String kiosk, Optional<String> pass, Optional<String> name, Optional<String> host) {}

    /**
     * AGREEMENT STEP: before the sign-in is recorded, the agreement this visitor must sign (its text and
     * version) if they have not signed the current version. The kiosk will show it and record the
     * signature with the document's hash in the same outbox transaction as the sign-in.
     */
    Optional<String> agreementToSign(Visitor visitor);

    /**
     * VOUCHER HAND-OUT: after the sign-in is recorded, what to hand the visitor on the welcome screen
     * (a Wi-Fi voucher from the pool the hub syncs to the edge), if anything.
     */
    Optional<String> handOut(Visitor visitor);

    /** No agreements and no vouchers: what the kiosk does until those packages reach the edge. */
    SignInExtras NONE = new SignInExtras() {
        @Override
        public Optional<String> agreementToSign(Visitor visitor) {
            return Optional.empty();
        }

        @Override
        public Optional<String> handOut(Visitor visitor) {
            return Optional.empty();
        }
    };
}
