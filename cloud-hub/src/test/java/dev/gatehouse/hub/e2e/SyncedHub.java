package dev.gatehouse.hub.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.mqtt.BrokerAccountSettings;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A hub with MQTT for the end-to-end tests, on a store of the given kind, that can be stopped and
 * started again over the same data directory, database and broker port (its edges reconnect).
 */
final class SyncedHub implements AutoCloseable {
    final Path dataDir;
    final StoreSettings store;
    final MqttSettings mqtt;
    /** What the test adds to the hub's configuration (its mail settings, say) at every start. */
    private final java.util.function.UnaryOperator<HubConfig> tweak;

    private Hub hub;
    private Api api;
    private String adminToken;

    SyncedHub(StoreKind kind, MqttSettings mqtt) throws IOException {
        this(kind, mqtt, config -> config);
    }

    /** A hub whose configuration {@code tweak} adds to at every start (mail settings, say). */
    SyncedHub(StoreKind kind, MqttSettings mqtt, java.util.function.UnaryOperator<HubConfig> tweak) throws IOException {
        this(Files.createTempDirectory("gatehouse-e2e-hub"), kind, mqtt, tweak);
    }

    private SyncedHub(
            Path dataDir, StoreKind kind, MqttSettings mqtt, java.util.function.UnaryOperator<HubConfig> tweak)
            throws IOException {
        this(dataDir, TestHub.settings(kind, dataDir), mqtt, tweak);
    }

    /** A hub over a store the test chose (and may open too, e.g. for a broker of its own). */
    SyncedHub(Path dataDir, StoreSettings store, MqttSettings mqtt) throws IOException {
        this(dataDir, store, mqtt, config -> config);
    }

    private SyncedHub(
            Path dataDir, StoreSettings store, MqttSettings mqtt, java.util.function.UnaryOperator<HubConfig> tweak)
            throws IOException {
        this.dataDir = dataDir;
        this.store = store;
        this.mqtt = mqtt;
        this.tweak = tweak;
        start();
    }

    /**
     * The hub on an external broker at {@code url} as {@value MqttSettings#HUB_USER}, with the password
     * held in {@code passwordFile}; edges are given the same URL.
     */
    static MqttSettings external(String url, Path passwordFile, String clientId) {
        return new MqttSettings(
                true,
                false,
                "127.0.0.1",
                0,
                Optional.of(url),
                MqttSettings.HUB_USER,
                Optional.of(passwordFile),
                Optional.of(url),
                clientId,
                BrokerAccountSettings.manual());
    }

    /** The embedded broker on a fixed free port, so that a restarted hub is found again. */
    static MqttSettings embeddedOnFreePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return MqttSettings.embedded(socket.getLocalPort());
        }
    }

    void start() throws IOException {
        start(mqtt);
    }

    /** Starts the hub again with other MQTT settings (e.g. a password its broker refuses). */
    void start(MqttSettings settings) throws IOException {
        hub = Hub.start(tweak.apply(HubConfig.forTests(dataDir, store).withMqtt(settings)), Clock.systemUTC());
        api = new Api(hub.port());
        adminToken = Files.readString(dataDir.resolve("admin-token")).strip();
    }

    void stop() {
        hub.close();
        hub = null;
    }

    boolean running() {
        return hub != null;
    }

    Hub hub() {
        return hub;
    }

    Api api() {
        return api;
    }

    String adminToken() {
        return adminToken;
    }

    /** The ids of the access events stored for {@code tenantId}, and how many rows hold them. */
    record Stored(long rows, Set<String> ids) {}

    Stored accessEvents(String tenantId) {
        return hub.database().read(c -> {
            Set<String> ids = new HashSet<>();
            long rows = 0;
            try (PreparedStatement query = c.prepareStatement("SELECT id FROM access_events WHERE tenant_id = ?")) {
                query.setString(1, tenantId);
                try (ResultSet result = query.executeQuery()) {
                    while (result.next()) {
                        ids.add(result.getString(1));
                        rows++;
                    }
                }
            }
            return new Stored(rows, ids);
        });
    }

    JsonNode syncState(String token, String siteId) {
        Api.Response response = api.get("/api/v1/sites/" + siteId + "/sync", token);
        if (response.status() != 200) {
            throw new AssertionError("GET sync state answered " + response);
        }
        return response.json();
    }

    /** Problems {@code deviceId} reported in its last state message, as the hub shows them. */
    List<String> deviceProblems(String token, String siteId, String deviceId) {
        for (JsonNode device : syncState(token, siteId).get("devices")) {
            if (device.get("device").asText().equals(deviceId)) {
                return java.util.stream.StreamSupport.stream(
                                device.path("problems").spliterator(), false)
                        .map(JsonNode::asText)
                        .toList();
            }
        }
        return List.of();
    }

    @Override
    public void close() {
        if (hub != null) {
            hub.close();
        }
    }
}
