package dev.gatehouse.hub.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code gatehouse-hub --demo DIR}: seeds the demo tenant, writes the simulated site's files and a
 * {@code DIR/seeded} marker (the launcher then starts the edge agent), and prints the instructions
 * once the edge has connected and caught up with its site's change log.
 */
public final class DemoMode {
    /** How long the demo waits for its edge before it says where to look. */
    static final Duration EDGE_WAIT = Duration.ofMinutes(3);

    private DemoMode() {}

    /** Seeds the demo through the hub's API at {@code baseUrl} with a platform-admin token. */
    public static void run(String baseUrl, String adminToken, Path dir, Path mailFolder) throws IOException {
        Files.createDirectories(dir);
        DemoSeed.Seeded seeded = DemoSeed.seed(baseUrl, adminToken, dir, mailFolder);
        String launcher = System.getProperty("gatehouse.launcher", "./gatehouse");
        String text = DemoSeed.instructions(seeded, launcher);
        Files.writeString(dir.resolve("seeded"), seeded.edgeConfig() + "\n");
        System.out.println("demo tenant seeded; waiting for the simulated site " + seeded.deviceId() + " to connect…");
        Thread.ofPlatform().daemon(true).name("demo-wait").start(() -> {
            if (waitForEdge(seeded)) {
                System.out.println(text);
            } else {
                System.out.println("the simulated site did not connect within " + EDGE_WAIT.toMinutes()
                        + " minutes; see " + dir.resolve("edge.log") + ". The hub runs on; instructions: "
                        + dir.resolve("demo.txt"));
            }
        });
    }

    /** Polls the site's sync state until the device is online with the whole log applied. */
    static boolean waitForEdge(DemoSeed.Seeded seeded) {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + EDGE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(
                                        URI.create(seeded.baseUrl() + "/api/v1/sites/" + seeded.siteId() + "/sync"))
                                .header("Authorization", "Bearer " + seeded.token())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode sync = json.readTree(response.body());
                    long head = sync.get("headSeq").asLong();
                    for (JsonNode device : sync.get("devices")) {
                        if (device.get("device").asText().equals(seeded.deviceId())
                                && device.path("online").asBoolean()
                                && device.path("cacheSeq").asLong(-1) == head) {
                            return true;
                        }
                    }
                }
                Thread.sleep(250);
            } catch (IOException e) {
                // the hub is still starting its routes, or busy: ask again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
