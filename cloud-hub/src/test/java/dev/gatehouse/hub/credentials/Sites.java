package dev.gatehouse.hub.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.sign.KeySet;
import java.util.ArrayList;
import java.util.List;

/** Sites, doors, change logs and published keys through the API, for the credential and pass tests. */
final class Sites {
    private final TestHub hub;

    Sites(TestHub hub) {
        this.hub = hub;
    }

    String site(TestHub.Tenant tenant) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"HQ\",\"address\":\"Main Street 1\",\"timeZone\":\"Europe/Berlin\"}");
    }

    String door(TestHub.Tenant tenant, String siteId) {
        return hub.create("/api/v1/sites/" + siteId + "/doors", tenant.token(), "{\"name\":\"Front door\"}");
    }

    String group(TestHub.Tenant tenant, String siteId, String... doorIds) {
        return hub.create(
                "/api/v1/sites/" + siteId + "/door-groups",
                tenant.token(),
                "{\"name\":\"Floor 1\",\"doorIds\":[" + quoted(doorIds) + "]}");
    }

    static String quoted(String... ids) {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            out.add("\"" + id + "\"");
        }
        return String.join(",", out);
    }

    /** The last seq of the site's change log. */
    long head(TestHub.Tenant tenant, String siteId) {
        Api.Response log = hub.api().get("/api/v1/sites/" + siteId + "/changes?limit=1", tenant.token());
        assertThat(log.status()).as(log.toString()).isEqualTo(200);
        return log.json().get("head").asLong();
    }

    /** The site's change-log entries after {@code seq}. */
    List<JsonNode> changesAfter(TestHub.Tenant tenant, String siteId, long seq) {
        Api.Response log = hub.api().get("/api/v1/sites/" + siteId + "/changes?after=" + seq, tenant.token());
        assertThat(log.status()).as(log.toString()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        log.json().get("items").forEach(items::add);
        return items;
    }

    /** The tenant's published keys, read the way an integrator would: GET /api/v1/tenant/signing-keys. */
    KeySet keys(TestHub.Tenant tenant) {
        Api.Response keys = hub.api().get("/api/v1/tenant/signing-keys", tenant.token());
        assertThat(keys.status()).isEqualTo(200);
        return KeySet.parse(keys.text());
    }

    /** The field names of a 422 problem. */
    static List<String> fields(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        return response.json().get("errors").findValuesAsText("field");
    }
}
