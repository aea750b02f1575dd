package dev.gatehouse.hub.tenants;

/**
 * Who acts, for the audit log and member history: an API token, an operator account signed in to the
 * console, a member in the portal, or a device enrolling with a one-time code. {@code label} is what a person reads (the token's name, an
 * e-mail address).
 */
public record Actor(Kind kind, String id, String label) {
    public enum Kind {
        TOKEN,
        OPERATOR,
        MEMBER,
        DEVICE,
        /** The hub itself, e.g. dunning moving a member as their invoices go unpaid. */
        SYSTEM
    }
}
