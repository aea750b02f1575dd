package dev.gatehouse.hub.tenants;

/** An API token as listed: never the token itself, only a hint of its first characters. */
public record TokenView(String id, String name, String hint, String createdAt, String revokedAt) {}
