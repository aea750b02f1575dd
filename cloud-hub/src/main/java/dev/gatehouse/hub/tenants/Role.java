package dev.gatehouse.hub.tenants;

import java.util.EnumSet;
import java.util.Set;

/**
 * What an operator account or an API token may do in its tenant. A role applies to the sites of its
 * {@link Access} (all of the tenant's sites when none are named). Each role sees and does only its
 * share, the same in pages and in the API.
 */
public enum Role {
    /** Everything, for every site: settings, accounts, tokens, the audit log, billing. */
    OWNER(EnumSet.allOf(Permission.class)),
    /** Runs its sites: members, credentials, doors (lockdown too), devices, the audit log of its sites. */
    SITE_MANAGER(EnumSet.of(
            Permission.VIEW_SITES,
            Permission.VIEW_MEMBERS,
            Permission.VIEW_ACCESS_LOG,
            Permission.MANAGE_MEMBERS,
            Permission.MANAGE_CREDENTIALS,
            Permission.UNLOCK_DOORS,
            Permission.LOCKDOWN,
            Permission.MANAGE_BOOKINGS,
            Permission.MANAGE_SITES,
            Permission.MANAGE_DEVICES,
            Permission.VIEW_AUDIT,
            Permission.VIEW_ANALYTICS)),
    /** The desk: members, cards, visitor passes, remote unlock. No settings, no site configuration. */
    FRONT_DESK(EnumSet.of(
            Permission.VIEW_SITES,
            Permission.VIEW_MEMBERS,
            Permission.VIEW_ACCESS_LOG,
            Permission.MANAGE_MEMBERS,
            Permission.MANAGE_CREDENTIALS,
            Permission.MANAGE_BOOKINGS,
            Permission.UNLOCK_DOORS)),
    /** Invoices, payments and connectors (the billing issue adds them); reads members. */
    FINANCE(EnumSet.of(Permission.VIEW_SITES, Permission.VIEW_MEMBERS, Permission.FINANCE, Permission.VIEW_ANALYTICS)),
    /** Installs and keeps devices: sites, doors, the fleet, the access log; no member records. */
    TECHNICIAN(EnumSet.of(Permission.VIEW_SITES, Permission.VIEW_ACCESS_LOG, Permission.MANAGE_DEVICES)),
    /** Looks, changes nothing. */
    READ_ONLY(EnumSet.of(Permission.VIEW_SITES, Permission.VIEW_MEMBERS, Permission.VIEW_ACCESS_LOG));

    private final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
        this.permissions = Set.copyOf(permissions);
    }

    public boolean may(Permission permission) {
        return permissions.contains(permission);
    }

    public Set<Permission> permissions() {
        return permissions;
    }
}
