package dev.gatehouse.hub.accounts;

import dev.gatehouse.hub.tenants.Access;

/**
 * An operator account as pages and the API show it: never its password hash or second-factor secret.
 *
 * @param totpEnabled whether sign-in asks a TOTP code after the password
 */
public record Account(
        String id,
        String tenantId,
        String email,
        String name,
        Access access,
        Status status,
        boolean totpEnabled,
        long createdAt,
        long updatedAt) {

    /** Invited (no password yet), active, or disabled (cannot sign in; sessions ended). */
    public enum Status {
        INVITED,
        ACTIVE,
        DISABLED
    }
}
