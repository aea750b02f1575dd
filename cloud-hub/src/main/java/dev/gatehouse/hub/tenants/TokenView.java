package dev.gatehouse.hub.tenants;

import java.util.List;

/**
 * An API token as listed: never the token itself, only a hint of its first characters; its role (wire
 * name) and the sites it is limited to (empty: every site).
 */
public record TokenView(
        String id, String name, String hint, String role, List<String> sites, String createdAt, String revokedAt) {
    public TokenView {
        sites = List.copyOf(sites);
    }
}
