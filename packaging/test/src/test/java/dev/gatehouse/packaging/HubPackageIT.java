package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub package installed with dpkg into a scratch root and the hub started from the installed files
 * with the installed config, then upgraded, removed and purged. The hub's database holds every tenant:
 * no package operation short of purge may lose it.
 */
class HubPackageIT {
    private static final Pattern READY = Pattern.compile("gatehouse hub ready on http://127\\.0\\.0\\.1:(\\d+) ");
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"(ght_[^\"]+)\"");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void theInstalledHubServesAndKeepsItsDatabaseUntilPurged(@TempDir Path work) throws Exception {
        ScratchRoot root = ScratchRoot.create(work.resolve("root"));
        Path hub = Packages.hubDeb();
        String version = Packages.field(hub, "Version");
        Path next = Packages.withVersion(hub, version + "+next", work);

        root.install(Packages.javaStub(work), hub);

        assertThat(root.status(Packages.HUB)).isEqualTo("install ok installed " + version);
        assertThat(root.account("passwd", "gatehouse-hub").get(6)).isEqualTo("/usr/sbin/nologin");
        Path data = root.path("/var/lib/gatehouse-hub");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                .isEqualTo("rwx------");
        assertThat(Files.getAttribute(data, "unix:uid")).isEqualTo(root.uid("gatehouse-hub"));
        // The config may name the store's password: readable by the hub's group, not by everyone.
        Path config = root.path("/etc/gatehouse/hub.yaml");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
                .isEqualTo("rw-r-----");
        assertThat(Files.getAttribute(config, "unix:gid")).isEqualTo(root.gid("gatehouse-hub"));

        // Version N, with the installed config; only the data dir and the ports are moved (system
        // properties in JAVA_OPTS, as a systemd drop-in would), so that nothing touches this host.
        Path launcher = root.path("/usr/bin/gatehouse-hub");
        String javaOpts = "-Dhub.data-dir=" + data + " -Dserver.port=0 -Dhub.mqtt.port=0 -Dhub.log-format=text";
        String tenantToken;
        try (Background running = Launcher.start(launcher, javaOpts, "--config", config.toString())) {
            int port = Integer.parseInt(
                    running.awaitLine(READY, Duration.ofMinutes(2)).group(1));
            // The launcher exec'd java: systemd's main process is the JVM, not a shell waiting for it.
            assertThat(running.command()).endsWith("/bin/java");
            assertThat(get(port, "/health", "").statusCode()).isEqualTo(200);
            String admin = Files.readString(data.resolve("admin-token")).strip();
            HttpResponse<String> created = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tenants"))
                            .header("Authorization", "Bearer " + admin)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"slug\":\"acme\",\"name\":\"Acme Coworking\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            Matcher token = TOKEN.matcher(created.body());
            assertThat(token.find()).as(created.body()).isTrue();
            tenantToken = token.group(1);
            running.stop();
        }
        assertThat(data.resolve("hub.db")).isRegularFile();

        // Version N+1 over it: the hub starts on the same database and knows the tenant and its token.
        root.install(next);
        assertThat(root.status(Packages.HUB)).isEqualTo("install ok installed " + version + "+next");
        try (Background running = Launcher.start(launcher, javaOpts, "--config", config.toString())) {
            int port = Integer.parseInt(
                    running.awaitLine(READY, Duration.ofMinutes(2)).group(1));
            HttpResponse<String> tenant = get(port, "/api/v1/tenant", tenantToken);
            assertThat(tenant.statusCode()).as(tenant.body()).isEqualTo(200);
            assertThat(tenant.body()).contains("\"acme\"");
            running.stop();
        }

        root.remove(Packages.HUB);
        assertThat(root.status(Packages.HUB)).startsWith("deinstall ok config-files");
        assertThat(data.resolve("hub.db")).isRegularFile();
        assertThat(config).exists();

        root.purge(Packages.HUB);
        assertThat(root.status(Packages.HUB)).isEmpty();
        assertThat(data).doesNotExist();
        assertThat(config).doesNotExist();
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
