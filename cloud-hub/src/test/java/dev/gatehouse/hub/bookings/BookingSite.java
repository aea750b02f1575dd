package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.testing.TestHub;

/**
 * A new tenant with a site in Berlin, a door and two members (Ada books, Bob gets in the way): what the
 * booking tests start from.
 */
record BookingSite(TestHub.Tenant tenant, String site, String door, String member, String other) {
    static BookingSite create(TestHub hub, String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin Mitte\",\"address\":\"Torstrasse 1\",\"timeZone\":\"Europe/Berlin\"}");
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Room door\"}");
        String member = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}");
        String other = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"bob@example.com\",\"fullName\":\"Bob Builder\"}");
        return new BookingSite(tenant, site, door, member, other);
    }
}
