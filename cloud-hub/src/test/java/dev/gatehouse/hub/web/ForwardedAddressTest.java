package dev.gatehouse.hub.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hub behind a load balancer ({@code hub.trusted-proxies: 127.0.0.1}, as the replicas behind haproxy
 * run): the audit log records the address the proxy forwarded, and a spoofed left-most hop is not read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardedAddressTest {
    TestHub hub;

    @BeforeAll
    void start() {
        hub = TestHub.start(
                StoreKind.SQLITE,
                Clock.systemUTC(),
                Optional.empty(),
                dev.gatehouse.hub.mqtt.MqttSettings.disabled(),
                config -> config.withConsole(new dev.gatehouse.hub.console.ConsoleSettings(
                        config.console().publicUrl(),
                        config.console().dwell(),
                        TrustedProxies.parse(List.of("127.0.0.1")))));
    }

    @AfterAll
    void stop() {
        hub.close();
    }

    String suspendThrough(String token, String member, String forwardedFor) {
        String body = "{\"status\":\"suspended\"}";
        Api.Response answer = hub.api()
                .raw(("PATCH /api/v1/members/" + member + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                                + token + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                                + "\r\n" + forwardedFor + "Connection: close\r\n\r\n" + body)
                        .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        JsonNode entries = hub.api()
                .get("/api/v1/audit?resourceId=" + member + "&action=member.suspend", token)
                .json()
                .get("items");
        assertThat(entries).hasSize(1);
        return entries.get(0).get("address").asText();
    }

    String member(TestHub.Tenant tenant, String email) {
        return hub.create("/api/v1/members", tenant.token(), "{\"email\":\"" + email + "\",\"fullName\":\"A B\"}");
    }

    @Test
    void theAuditLogRecordsTheAddressTheProxyForwarded() {
        TestHub.Tenant tenant = hub.newTenant("forwarded");
        String member = member(tenant, "a@forwarded.example");
        assertThat(suspendThrough(tenant.token(), member, "X-Forwarded-For: 6.6.6.6, 203.0.113.9\r\n"))
                .isEqualTo("203.0.113.9");
    }

    @Test
    void withoutTheHeaderOrWithGarbageThePeerStands() {
        TestHub.Tenant tenant = hub.newTenant("unforwarded");
        assertThat(suspendThrough(tenant.token(), member(tenant, "b@forwarded.example"), ""))
                .isEqualTo("127.0.0.1");
        assertThat(suspendThrough(tenant.token(), member(tenant, "c@forwarded.example"), "X-Forwarded-For: evil\r\n"))
                .isEqualTo("127.0.0.1");
    }
}
