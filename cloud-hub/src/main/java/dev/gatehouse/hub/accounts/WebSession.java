package dev.gatehouse.hub.accounts;

/**
 * A signed-in browser as the store holds it: whose it is and the CSRF token its forms must send back.
 *
 * @param secondFactorDue the password was right but the owner's TOTP code is still to come: such a
 *     session opens nothing but the code form
 */
public record WebSession(
        String idHash,
        String tenantId,
        Kind kind,
        String principalId,
        String csrfToken,
        boolean secondFactorDue,
        long createdAt) {

    /** An operator (principal: an operator account) or a member (principal: a member) in the portal. */
    public enum Kind {
        OPERATOR,
        MEMBER
    }
}
