package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.testing.TestHub;

/** What a pass opens in the portal's tests: a Berlin site, its front door, and a door plan of it. */
record PassSite(String site, String door, String plan) {
    static PassSite of(TestHub hub, TestHub.Tenant tenant) {
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin\",\"address\":\"Torstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Front door\"}");
        String group = hub.create(
                "/api/v1/sites/" + site + "/door-groups",
                tenant.token(),
                "{\"name\":\"All\",\"doorIds\":[\"" + door + "\"]}");
        String plan = hub.create(
                "/api/v1/plans",
                tenant.token(),
                "{\"name\":\"Day\",\"doorGroupIds\":[\"" + group + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
        return new PassSite(site, door, plan);
    }
}
