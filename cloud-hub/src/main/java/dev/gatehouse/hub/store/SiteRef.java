package dev.gatehouse.hub.store;

/** A site (and its tenant) whose change log a committed transaction appended to. */
public record SiteRef(String tenantId, String siteId) {}
