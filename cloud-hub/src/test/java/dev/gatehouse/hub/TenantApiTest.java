package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Tenants, branding and API tokens, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class TenantApiTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    Api api() {
        return hub.api();
    }

    @Test
    void theFirstAdminTokenIsWrittenForTheOwnerOnly() throws Exception {
        // No default secret: the only way in is a random token in a file only the hub's user can read.
        var file = hub.dataDir().resolve("admin-token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(hub.adminToken()).startsWith("ght_").hasSize(47);
    }

    @Test
    void anAdminCreatesATenantAndItsTokenWorksOnce() {
        Api.Response created = api().post(
                        "/api/v1/tenants",
                        hub.adminToken(),
                        "{\"slug\":\"acme-" + store.name().toLowerCase() + "\",\"name\":\"Acme Coworking\","
                                + "\"primaryColor\":\"#B34700\",\"logoUrl\":\"https://acme.example/logo.png\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String token = created.json().get("token").asText();
        JsonNode tenant = created.json().get("tenant");
        assertThat(tenant.get("primaryColor").asText()).isEqualTo("#b34700");

        Api.Response own = api().get("/api/v1/tenant", token);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json().get("id").asText()).isEqualTo(tenant.get("id").asText());
        assertThat(own.json().get("name").asText()).isEqualTo("Acme Coworking");
        // The token is never shown again: listings carry a hint only.
        Api.Response tokens = api().get("/api/v1/tokens", token);
        assertThat(tokens.text()).doesNotContain(token);
        assertThat(tokens.json().at("/items/0/hint").asText()).isEqualTo(token.substring(0, 10) + "…");
    }

    @Test
    void aTakenOrMalformedSlugIsRefusedWithWhatToFix() {
        var tenant = hub.newTenant("dup");
        Api.Response again = api().post(
                        "/api/v1/tenants", hub.adminToken(), "{\"slug\":\"" + tenant.slug() + "\",\"name\":\"Other\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asText()).contains(tenant.slug()).contains("taken");

        Api.Response bad = api().post(
                        "/api/v1/tenants",
                        hub.adminToken(),
                        "{\"slug\":\"Bad Slug!\",\"name\":\"\",\"logoUrl\":\"javascript:alert(1)\",\"colour\":1}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.contentType()).isEqualTo("application/problem+json");
        assertThat(bad.json().get("instance").asText()).isEqualTo("/api/v1/tenants");
        assertThat(bad.json().get("errors").findValuesAsText("field"))
                .containsExactlyInAnyOrder("colour", "slug", "name", "logoUrl");
        Api.Response reserved = api().post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"www\",\"name\":\"W\"}");
        assertThat(reserved.status()).isEqualTo(422);
    }

    @Test
    void onlyThePlatformAdminManagesTenants() {
        var tenant = hub.newTenant("plain");
        assertThat(api().post("/api/v1/tenants", tenant.token(), "{\"slug\":\"sneaky\",\"name\":\"S\"}")
                        .status())
                .isEqualTo(403);
        assertThat(api().get("/api/v1/tenants", tenant.token()).status()).isEqualTo(403);
        // and the admin token holds no tenant data
        assertThat(api().get("/api/v1/sites", hub.adminToken()).status()).isEqualTo(403);
    }

    @Test
    void requestsWithoutAValidTokenAreRefused() {
        assertThat(api().get("/api/v1/tenant", null).status()).isEqualTo(401);
        Api.Response forged = api().get("/api/v1/tenant", "ght_" + "A".repeat(43));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.headers().firstValue("www-authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(api().get("/api/v1/tenant", "not-a-token").status()).isEqualTo(401);
    }

    @Test
    void aRevokedTokenStopsWorkingAtOnce() {
        var tenant = hub.newTenant("revoke");
        Api.Response second = api().post("/api/v1/tokens", tenant.token(), "{\"name\":\"ci\"}");
        assertThat(second.status()).isEqualTo(201);
        String token = second.json().get("token").asText();
        assertThat(api().get("/api/v1/tenant", token).status()).isEqualTo(200);

        assertThat(api().get("/api/v1/tokens", tenant.token()).json().findValues("revokedAt"))
                .isEmpty();
        assertThat(api().delete("/api/v1/tokens/" + second.json().get("id").asText(), tenant.token())
                        .status())
                .isEqualTo(204);
        assertThat(api().get("/api/v1/tokens", tenant.token()).json().findValues("revokedAt"))
                .hasSize(1);
        assertThat(api().get("/api/v1/tenant", token).status()).isEqualTo(401);
        assertThat(api().get("/api/v1/tenant", tenant.token()).status()).isEqualTo(200);
    }

    @Test
    void brandingIsPatchedFieldByField() {
        var tenant = hub.newTenant("brand");
        Api.Response patched = api().patch("/api/v1/tenant", tenant.token(), "{\"accentColor\":\"#00aa11\"}");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().get("accentColor").asText()).isEqualTo("#00aa11");
        assertThat(patched.json().get("name").asText()).isEqualTo("brand coworking");
        Api.Response cleared = api().patch("/api/v1/tenant", tenant.token(), "{\"accentColor\":null}");
        assertThat(cleared.json().has("accentColor")).isFalse();
        assertThat(api().patch("/api/v1/tenant", tenant.token(), "{\"accentColor\":\"orange\"}")
                        .status())
                .isEqualTo(422);
        // White text on a yellow header would be unreadable: refused with the contrast, nothing changed.
        Api.Response light = api().patch("/api/v1/tenant", tenant.token(), "{\"primaryColor\":\"#ffee00\"}");
        assertThat(light.status()).isEqualTo(422);
        assertThat(light.text()).contains("primaryColor").contains("too light").contains("1.2:1");
        assertThat(api().get("/api/v1/tenant", tenant.token()).json().has("primaryColor"))
                .isFalse();
    }

    @Test
    void aTenantPublishesItsSigningKeysWithoutThePrivatePart() {
        var tenant = hub.newTenant("keys");
        Api.Response keys = api().get("/api/v1/tenant/signing-keys", tenant.token());
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.json().get("keys")).hasSize(1);
        assertThat(keys.json().at("/keys/0/crv").asText()).isEqualTo("P-256");
        assertThat(keys.json().at("/keys/0").has("d")).isFalse();
    }

    @Test
    void malformedBodiesGetAProblemNotACrash() {
        var tenant = hub.newTenant("garbage");
        for (String body :
                new String[] {"", "{", "[]", "{\"name\":\"a\"}{}", "{\"name\":1}", "\"x\"", "{\"a\":1,\"a\":2}"}) {
            Api.Response response = api().post("/api/v1/sites", tenant.token(), body);
            assertThat(response.status()).as(body).isIn(400, 422);
            assertThat(response.json().get("detail").asText()).as(body).isNotBlank();
        }
    }

    @Nested
    class Health {
        @Test
        void healthNeedsNoTokenAndNamesTheStore() {
            Api.Response health = api().get("/health", null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().get("status").asText()).isEqualTo("UP");
            assertThat(health.json().at("/store/kind").asText()).isEqualTo(store.label());
        }
    }
}
