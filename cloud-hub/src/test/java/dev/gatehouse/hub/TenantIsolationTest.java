package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One operator must never see another's data: tenant B's token gets the same 404 for tenant A's
 * rows as for rows that do not exist, and cannot point its own rows at them. One test per resource.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class TenantIsolationTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    TestHub.Tenant a;
    TestHub.Tenant b;
    String siteA;
    String doorA;
    String siteB;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void twoTenants() {
        a = hub.newTenant("alpha");
        b = hub.newTenant("beta");
        siteA = hub.create(
                "/api/v1/sites", a.token(), "{\"name\":\"A1\",\"address\":\"x\",\"timeZone\":\"Europe/Berlin\"}");
        doorA = hub.create("/api/v1/sites/" + siteA + "/doors", a.token(), "{\"name\":\"A door\"}");
        siteB = hub.create(
                "/api/v1/sites", b.token(), "{\"name\":\"B1\",\"address\":\"y\",\"timeZone\":\"Europe/Paris\"}");
    }

    Api api() {
        return hub.api();
    }

    void assertNotFoundForB(String method, String path, String body) {
        Api.Response response = api().send(
                        method,
                        path,
                        b.token(),
                        body == null ? java.util.Optional.empty() : java.util.Optional.of(body),
                        java.util.Optional.empty());
        assertThat(response.status()).as(method + " " + path + " → " + response).isEqualTo(404);
        assertThat(response.text()).doesNotContain("A1").doesNotContain("A door");
    }

    @Test
    void sites() {
        assertNotFoundForB("GET", "/api/v1/sites/" + siteA, null);
        assertNotFoundForB("PATCH", "/api/v1/sites/" + siteA, "{\"name\":\"stolen\"}");
        assertNotFoundForB("PUT", "/api/v1/sites/" + siteA + "/holidays", "{\"holidays\":[]}");
        assertNotFoundForB("GET", "/api/v1/sites/" + siteA + "/changes", null);
        assertThat(api().get("/api/v1/sites", b.token()).json().get("items")).hasSize(1);
        assertThat(api().get("/api/v1/sites/" + siteA, a.token())
                        .json()
                        .get("name")
                        .asText())
                .isEqualTo("A1");
    }

    @Test
    void doors() {
        assertNotFoundForB("GET", "/api/v1/doors/" + doorA, null);
        assertNotFoundForB("PATCH", "/api/v1/doors/" + doorA, "{\"name\":\"stolen\"}");
        assertNotFoundForB("DELETE", "/api/v1/doors/" + doorA, null);
        assertNotFoundForB("GET", "/api/v1/sites/" + siteA + "/doors", null);
        assertNotFoundForB("POST", "/api/v1/sites/" + siteA + "/doors", "{\"name\":\"planted\"}");
        assertThat(api().get("/api/v1/doors/" + doorA, a.token())
                        .json()
                        .get("name")
                        .asText())
                .isEqualTo("A door");
    }

    @Test
    void doorGroups() {
        String groupA = hub.create(
                "/api/v1/sites/" + siteA + "/door-groups",
                a.token(),
                "{\"name\":\"A group\",\"doorIds\":[\"" + doorA + "\"]}");
        assertNotFoundForB("GET", "/api/v1/door-groups/" + groupA, null);
        assertNotFoundForB("PATCH", "/api/v1/door-groups/" + groupA, "{\"doorIds\":[]}");
        assertNotFoundForB("DELETE", "/api/v1/door-groups/" + groupA, null);
        assertNotFoundForB("GET", "/api/v1/sites/" + siteA + "/door-groups", null);
        // B cannot put A's door into a group of its own.
        Api.Response planted = api().post(
                        "/api/v1/sites/" + siteB + "/door-groups",
                        b.token(),
                        "{\"name\":\"B group\",\"doorIds\":[\"" + doorA + "\"]}");
        assertThat(planted.status()).isEqualTo(422);
        assertThat(planted.json().at("/errors/0/field").asText()).isEqualTo("doorIds");
        assertThat(api().get("/api/v1/door-groups/" + groupA, a.token()).json().get("doorIds"))
                .hasSize(1);
    }

    @Test
    void devices() {
        String deviceA = hub.create("/api/v1/sites/" + siteA + "/devices", a.token(), "{\"name\":\"pi\"}");
        assertNotFoundForB("GET", "/api/v1/devices/" + deviceA, null);
        assertNotFoundForB("PATCH", "/api/v1/devices/" + deviceA, "{\"status\":\"retired\"}");
        assertNotFoundForB("GET", "/api/v1/sites/" + siteA + "/devices", null);
        assertThat(api().get("/api/v1/devices/" + deviceA, a.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("pending");
    }

    @Test
    void tokens() {
        String tokenA =
                api().get("/api/v1/tokens", a.token()).json().at("/items/0/id").asText();
        assertNotFoundForB("DELETE", "/api/v1/tokens/" + tokenA, null);
        assertThat(api().get("/api/v1/tenant", a.token()).status()).isEqualTo(200);
        assertThat(api().get("/api/v1/tokens", b.token()).text()).doesNotContain(tokenA);
    }

    @Test
    void tenantsThemselves() {
        assertThat(api().get("/api/v1/tenant", b.token()).json().get("id").asText())
                .isEqualTo(b.id());
        assertThat(api().get("/api/v1/tenants/" + a.id(), b.token()).status()).isEqualTo(403);
    }
}
