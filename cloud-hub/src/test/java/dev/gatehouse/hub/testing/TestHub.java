package dev.gatehouse.hub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real hub for tests: a real HTTP server on a free port over a real SQLite file or a fresh
 * PostgreSQL database, with its first admin token read from the file the hub wrote.
 */
public final class TestHub implements AutoCloseable {
    private static final AtomicInteger SLUGS = new AtomicInteger();

    private final Hub hub;
    private final Api api;
    private final String adminToken;
    private final Path dataDir;

    private TestHub(Hub hub, Path dataDir) {
        this.hub = hub;
        this.dataDir = dataDir;
        this.api = new Api(hub.port());
        try {
            this.adminToken = Files.readString(dataDir.resolve("admin-token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("the hub wrote no admin token", e);
        }
    }

    public static TestHub start(StoreKind kind) {
        return start(kind, Clock.systemUTC(), Optional.empty());
    }

    public static TestHub start(StoreKind kind, Clock clock, Optional<String> baseDomain) {
        return start(kind, clock, baseDomain, MqttSettings.disabled());
    }

    /** A hub with its embedded MQTT broker on a free port (3-5 s more to start, ~4 s more to stop). */
    public static TestHub startWithBroker(StoreKind kind) {
        return start(kind, Clock.systemUTC(), Optional.empty(), MqttSettings.embedded(0));
    }

    public static TestHub start(StoreKind kind, Clock clock, Optional<String> baseDomain, MqttSettings mqtt) {
        return start(kind, clock, baseDomain, mqtt, config -> config);
    }

    /** A hub whose test configuration {@code custom} changes first (its mail settings, say). */
    public static TestHub start(
            StoreKind kind,
            Clock clock,
            Optional<String> baseDomain,
            MqttSettings mqtt,
            java.util.function.UnaryOperator<HubConfig> custom) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("gatehouse-hub-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HubConfig config = HubConfig.forTests(dataDir, settings(kind, dataDir)).withMqtt(mqtt);
        if (baseDomain.isPresent()) {
            config = config.withBaseDomain(baseDomain.get());
        }
        return new TestHub(Hub.start(custom.apply(config), clock), dataDir);
    }

    /** Store settings of the kind: a SQLite file under {@code dataDir}, or a fresh PostgreSQL database. */
    public static StoreSettings settings(StoreKind kind, Path dataDir) {
        return switch (kind) {
            case SQLITE -> StoreSettings.sqlite(dataDir);
            case POSTGRESQL -> new StoreSettings(dataDir, Optional.of(PostgresServer.freshDatabase()), "", "", 8);
        };
    }

    public Api api() {
        return api;
    }

    public Hub hub() {
        return hub;
    }

    public String adminToken() {
        return adminToken;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A new tenant with a unique slug; answers its first API token. */
    public Tenant newTenant(String prefix) {
        String slug = prefix + "-" + SLUGS.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100000, 36);
        Api.Response response = api.post(
                "/api/v1/tenants", adminToken, "{\"slug\":\"" + slug + "\",\"name\":\"" + prefix + " coworking\"}");
        if (response.status() != 201) {
            throw new AssertionError("tenant not created: " + response);
        }
        JsonNode body = response.json();
        return new Tenant(
                body.at("/tenant/id").asText(), slug, body.get("token").asText());
    }

    /** A tenant made for a test: its id, slug and first token. */
    public record Tenant(String id, String slug, String token) {}

    /** Creates a row through the API and answers its id (fails the test unless 201). */
    public String create(String path, String token, String json) {
        Api.Response response = api.post(path, token, json);
        if (response.status() != 201) {
            throw new AssertionError("POST " + path + " " + json + " answered " + response);
        }
        return response.json().get("id").asText();
    }

    /**
     * A console session of a new operator of {@code tenant} with {@code role} on the sites of {@code
     * sitesJson} (a JSON array; {@code []}: every site), as if they had signed in.
     */
    public dev.gatehouse.hub.accounts.Sessions.Opened operator(Tenant tenant, String role, String sitesJson) {
        return operator(tenant, role, sitesJson, Clock.systemUTC());
    }

    /** The same, signed in at {@code clock}'s time (a hub on a moved clock ends a session opened "earlier"). */
    public dev.gatehouse.hub.accounts.Sessions.Opened operator(
            Tenant tenant, String role, String sitesJson, Clock clock) {
        String account = create(
                "/api/v1/accounts",
                tenant.token(),
                "{\"email\":\"" + role + "-" + System.nanoTime() + "@operators.example\",\"name\":\"" + role
                        + "\",\"role\":\"" + role + "\",\"sites\":" + sitesJson
                        + ",\"password\":\"a password for operator sessions in tests\"}");
        return dev.gatehouse.hub.accounts.Sessions.operators(hub.database(), clock)
                .open(tenant.id(), dev.gatehouse.hub.accounts.WebSession.Kind.OPERATOR, account, "127.0.0.1", false);
    }

    @Override
    public void close() {
        hub.close();
    }
}
