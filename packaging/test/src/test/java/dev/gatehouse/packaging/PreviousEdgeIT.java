package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet is upgraded hub first: for a while the hub of this release serves edges of the previous one.
 * Here the hub runs from this build's tarball (its demo tenant) and the site's agent is the previous
 * release's, built from its commit ({@link PreviousEdge}). The old agent must sync, decide, revoke,
 * report its events and version and obey commands; what it cannot do (pushed door policy) the hub
 * refuses to send, naming the device, instead of breaking its sync.
 */
class PreviousEdgeIT {
    private static final Pattern READY = Pattern.compile("gatehouse hub ready on (http://127\\.0\\.0\\.1:\\d+) ");
    private static final Pattern TOKEN = Pattern.compile("API token\\s+(ght_\\S+)");
    private static final Pattern SITE =
            Pattern.compile("Site\\s+.*\\((\\S+)\\), doors: main entrance (\\S+), meeting room (\\S+)");
    private static final Pattern DEVICE = Pattern.compile("Edge agent\\s+(\\S+) on simulated hardware");
    private static final Pattern ADA = Pattern.compile("/api/v1/members/(\\S+)$");
    private static final String ADA_CARD = "04A22B1C5D8000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private String base;
    private String token;

    @Test
    void theHubServesTheEdgeOfThePreviousRelease(@TempDir Path work) throws Exception {
        PreviousEdge previous = PreviousEdge.build();
        Command.of("tar", "-xzf", Packages.hubTarball().toString(), "-C", work.toString())
                .succeeds();
        Path launcher;
        try (Stream<Path> dirs = Files.list(work)) {
            launcher = dirs.filter(d -> d.getFileName().toString().startsWith(Packages.HUB))
                    .findFirst()
                    .orElseThrow()
                    .resolve("bin/gatehouse-hub");
        }
        Path demo = work.resolve("demo");
        String javaOpts = "-Dhub.data-dir=" + work.resolve("hub-data") + " -Dserver.port=0 -Dhub.mqtt.port="
                + freePort() + " -Dhub.log-format=text";
        try (Background hub = Launcher.start(launcher, javaOpts, "--demo", demo.toString())) {
            base = hub.awaitLine(READY, Duration.ofMinutes(2)).group(1);
            hub.awaitLine(Pattern.compile("demo tenant seeded"), Duration.ofMinutes(2));
            String config = Files.readAllLines(demo.resolve("seeded")).getFirst();
            // The previous release's agent has no rooms' A/V: its site's config (kept through a hub-first
            // upgrade) has no rooms section, so the demo's is taken out (it is written last).
            String yaml = Files.readString(Path.of(config));
            int rooms = yaml.indexOf("\nrooms:\n");
            if (rooms >= 0) {
                Files.writeString(Path.of(config), yaml.substring(0, rooms + 1));
            }

            try (Background edge = Background.start(previous.argv("run", "--simulate", "--config", config), Map.of())) {
                // The demo prints its instructions only once its device is online with the site's whole
                // change log applied: the old agent took every entity this hub wrote.
                token = hub.awaitLine(TOKEN, Duration.ofMinutes(4)).group(1);
                var site = hub.awaitLine(SITE, Duration.ofSeconds(10));
                String siteId = site.group(1);
                String mainDoor = site.group(2);
                String device = hub.awaitLine(DEVICE, Duration.ofSeconds(10)).group(1);
                String ada = hub.awaitLine(ADA, Duration.ofSeconds(10)).group(1);

                // It reports its version, and the hub shows it.
                JsonNode reported = await(
                        "the device's reported version",
                        () -> get("/api/v1/devices/" + device),
                        d -> d.hasNonNull("version")
                                && !d.get("version").asText().isBlank());
                assertThat(reported.get("status").asText()).isEqualTo("active");

                // It decides a tap from what it synced, and its event reaches the hub once.
                assertThat(previous.cli("sim", "tap", "nfc-main", ADA_CARD, "--config", config)
                                .output())
                        .contains("GRANTED");
                JsonNode granted = await(
                        "Ada's granted tap at the hub",
                        () -> get("/api/v1/access-events?memberId=" + ada),
                        events -> count(events, e -> e.get("decision").asText().equals("granted")) == 1);
                assertThat(granted.get("items").get(0).get("deviceId").asText()).isEqualTo(device);
                assertThat(granted.get("items").get(0).get("doorId").asText()).isEqualTo(mainDoor);

                // A revocation reaches it.
                send("PATCH", "/api/v1/members/" + ada, "{\"status\":\"suspended\"}", 200);
                awaitCaughtUp(siteId, device);
                assertThat(previous.cli("sim", "tap", "nfc-main", ADA_CARD, "--config", config)
                                .output())
                        .contains("DENIED");
                await(
                        "Ada's denied tap at the hub",
                        () -> get("/api/v1/access-events?memberId=" + ada),
                        events -> count(events, e -> e.get("decision").asText().equals("denied")) == 1);

                // Pushed door policy would be an entity the old agent cannot read: the hub refuses it and
                // names the device to upgrade, and nothing is written.
                HttpResponse<String> refused =
                        send("PATCH", "/api/v1/doors/" + mainDoor, "{\"heldOpenSeconds\":90}", 409);
                assertThat(refused.body()).contains(device).contains("not apply pushed door policy");
                assertThat(get("/api/v1/doors/" + mainDoor)
                                        .path("heldOpenSeconds")
                                        .isMissingNode()
                                || get("/api/v1/doors/" + mainDoor)
                                        .get("heldOpenSeconds")
                                        .isNull())
                        .isTrue();
                // …and the old agent's sync goes on.
                send("PATCH", "/api/v1/members/" + ada, "{\"status\":\"active\"}", 200);
                awaitCaughtUp(siteId, device);
                assertThat(previous.cli("sim", "tap", "nfc-main", ADA_CARD, "--config", config)
                                .output())
                        .contains("GRANTED");

                // A signed command is verified and carried out.
                JsonNode command = JSON.readTree(send(
                                "POST",
                                "/api/v1/sites/" + siteId + "/commands",
                                "{\"action\":{\"type\":\"unlock-once\",\"door\":\"" + mainDoor
                                        + "\",\"unlockFor\":\"PT3S\"}}",
                                202)
                        .body());
                await(
                        "the unlock command done by the old agent",
                        () -> get("/api/v1/commands/" + command.get("id").asText()),
                        c -> c.get("status").asText().equals("done"));
                edge.stop();
            }
            hub.stop();
        }
    }

    private void awaitCaughtUp(String siteId, String device) throws Exception {
        await(
                "device " + device + " caught up with site " + siteId,
                () -> get("/api/v1/sites/" + siteId + "/sync"),
                s -> {
                    for (JsonNode d : s.get("devices")) {
                        if (d.get("device").asText().equals(device)) {
                            return d.path("online").asBoolean()
                                    && d.path("cacheSeq").asLong(-1)
                                            == s.get("headSeq").asLong();
                        }
                    }
                    return false;
                });
    }

    private static long count(JsonNode page, Predicate<JsonNode> which) {
        long n = 0;
        for (JsonNode item : page.get("items")) {
            if (which.test(item)) {
                n++;
            }
        }
        return n;
    }

    /** Asks the hub's API again, as a client would, until the answer satisfies {@code done}. */
    private static JsonNode await(String what, Callable<JsonNode> fetch, Predicate<JsonNode> done) {
        return Awaitility.await(what)
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200))
                .until(fetch, done::test);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(send("GET", path, null, 200).body());
    }

    private HttpResponse<String> send(String method, String path, String body, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("%s %s answered %s", method, path, response.body())
                .isEqualTo(expected);
        return response;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
