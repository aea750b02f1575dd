package dev.gatehouse.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delivery is a row: a hub stopped between two attempts tries again after it starts, on the same
 * store, signing with the endpoint's secret that was sealed before the stop.
 */
class WebhookRestartTest {
    @TempDir
    Path dir;

    @Test
    void aDeliveryFailedBeforeARestartIsDeliveredAfterIt() throws Exception {
        MovableClock clock = MovableClock.standingStill();
        clock.moveTo(Instant.parse("2027-03-10T08:00:00Z"));
        HubConfig config = HubConfig.forTests(dir, StoreSettings.sqlite(dir));
        try (Receiver receiver = new Receiver()) {
            receiver.answer(503);
            String token;
            String secret;
            String endpointId;
            try (Hub hub = Hub.start(config, clock)) {
                Api api = new Api(hub.port());
                String admin = Files.readString(dir.resolve("admin-token")).strip();
                Api.Response tenant =
                        api.post("/api/v1/tenants", admin, "{\"slug\":\"restart\",\"name\":\"Restart coworking\"}");
                assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
                token = tenant.json().get("token").asText();
                JsonNode created = api.post(
                                "/api/v1/webhook-endpoints", token, "{\"url\":\"" + receiver.url("/restart") + "\"}")
                        .json();
                secret = created.get("secret").asText();
                endpointId = created.at("/endpoint/id").asText();
                api.post("/api/v1/members", token, "{\"email\":\"ada@example.com\",\"fullName\":\"Ada\"}");
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> api.get("/api/v1/webhook-endpoints/" + endpointId + "/deliveries", token)
                                        .json()
                                        .at("/items/0/attempts")
                                        .asInt()
                                == 1);
            }
            assertThat(receiver.count()).isEqualTo(1);

            receiver.answer(200);
            clock.advance(Duration.ofSeconds(5));
            try (Hub hub = Hub.start(config, clock)) {
                Api api = new Api(hub.port());
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> api.get("/api/v1/webhook-endpoints/" + endpointId + "/deliveries", token)
                                .json()
                                .at("/items/0/status")
                                .asText()
                                .equals("delivered"));
            }
            assertThat(receiver.count()).isEqualTo(2);
            Receiver.Received after = receiver.received().get(1);
            assertThat(after.header("webhook-id"))
                    .isEqualTo(receiver.received().get(0).header("webhook-id"));
            assertThat(StandardWebhooks.verify(secret, after.headers(), after.body(), clock.instant()))
                    .isInstanceOf(StandardWebhooks.Verified.class);
        }
    }
}
