package dev.gatehouse.hub.tenants;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A role and the sites it applies to; no sites named means every site of the tenant (an owner always
 * has every site). Stored as the role's name and a comma-separated list of site ids.
 */
public record Access(Role role, Set<String> siteIds) {
    public Access {
        siteIds = role == Role.OWNER ? Set.of() : Set.copyOf(siteIds);
    }

    public static Access owner() {
        return new Access(Role.OWNER, Set.of());
    }

    /** Reads the stored form: a role name and {@code "site_a,site_b"} (empty for all sites). */
    public static Access stored(String role, String siteIds) {
        Set<String> sites = siteIds == null || siteIds.isBlank()
                ? Set.of()
                : Arrays.stream(siteIds.split(",")).map(String::strip).collect(Collectors.toSet());
        return new Access(Role.valueOf(role), sites);
    }

    /** The stored form of the site list: sorted, comma-separated, empty for all sites. */
    public String storedSites() {
        return String.join(",", new TreeSet<>(siteIds));
    }

    public boolean allSites() {
        return siteIds.isEmpty();
    }

    public boolean may(Permission permission) {
        return role.may(permission);
    }

    /** Whether this access covers the site (every site when none are named). */
    public boolean covers(String siteId) {
        return siteIds.isEmpty() || siteIds.contains(siteId);
    }

    /** Whether the role may do this at that site. */
    public boolean may(Permission permission, String siteId) {
        return may(permission) && covers(siteId);
    }
}
