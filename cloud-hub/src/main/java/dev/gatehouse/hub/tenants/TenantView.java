package dev.gatehouse.hub.tenants;

/** A tenant as the API shows it; the card key and private keys never leave the store this way. */
public record TenantView(
        String id,
        String slug,
        String name,
        String primaryColor,
        String accentColor,
        String logoUrl,
        String createdAt,
        String updatedAt) {}
