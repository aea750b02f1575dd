package dev.gatehouse.hub.e2e;

import static dev.gatehouse.hub.e2e.SyncResumeIT.create;
import static dev.gatehouse.hub.e2e.SyncResumeIT.head;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Browser;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.secrets.KeySettings;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.Haproxy;
import dev.gatehouse.hub.testing.HubReplica;
import dev.gatehouse.hub.testing.MosquittoBroker;
import dev.gatehouse.hub.testing.PostgresServer;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.policy.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * Issue 18's replicas, done-when: two hub processes (separate JVMs, {@code HubMain}) on one
 * PostgreSQL and one Mosquitto of the test's own, behind Debian's haproxy (round robin, so one
 * browser session's requests alternate between the replicas). Two simulated sites (real edge agents
 * on the hardware simulator) tap cards while the replica holding the sites' publish leases is killed
 * with SIGKILL. Then: every event the doors emitted is stored exactly once; a suspension made after
 * the kill reaches both sites (the survivor took the leases over) and their doors deny; the operator's
 * session cookie still opens the console through haproxy and its live feed shows a new tap.
 * Skips, saying so, where Mosquitto or haproxy is not installed; {@code .ci/run} installs both.
 */
class HubReplicasIT {
    static final String CARD = "04A1B2C3D4E5F6";
    static final Duration WAIT = Duration.ofSeconds(120);

    record Site(String id, String door, EdgeSite edge) {}

    @Test
    void twoReplicasBehindHaproxyLoseNothingWhenOneIsKilledMidStream() throws Exception {
        if (MosquittoBroker.binary().isEmpty() || Haproxy.binary().isEmpty()) {
            System.out.println("NOTICE: HubReplicasIT skipped: it needs mosquitto and haproxy"
                    + " (apt-get install mosquitto haproxy)");
            Assumptions.abort("mosquitto or haproxy is not installed");
        }
        Path dir = Files.createTempDirectory("gatehouse-replicas");
        String jdbcUrl = PostgresServer.freshDatabase();
        String hubPassword = "hub-" + UUID.randomUUID();
        Path passwordFile = Files.writeString(dir.resolve("hub-password"), hubPassword + "\n");
        List<AutoCloseable> open = new ArrayList<>();
        try (MosquittoBroker broker =
                MosquittoBroker.start(dir.resolve("broker"), MqttSettings.HUB_USER, hubPassword)) {
            // One after the other: the first migrates the database, the second finds it migrated.
            // The first makes the master key; the second is given the same one, as an operator copies it.
            HubReplica first = HubReplica.start(
                    dir.resolve("r1"), "hub-r1", jdbcUrl, broker.url(), passwordFile, Optional.empty());
            open.add(first);
            HubReplica second = HubReplica.start(
                    dir.resolve("r2"), "hub-r2", jdbcUrl, broker.url(), passwordFile, Optional.of(first.keyFile()));
            open.add(second);
            Haproxy proxy = Haproxy.start(dir.resolve("haproxy"), List.of(first.port(), second.port()));
            open.add(proxy);
            // The test's own view of the store needs the replicas' master key too.
            Database store = Database.open(
                    new StoreSettings(dir.resolve("test"), Optional.of(jdbcUrl), "", "", 2),
                    new KeySettings(first.keyFile(), Optional.empty()));
            open.add(store);
            Api api = new Api(proxy.port());
            String admin =
                    Files.readString(first.dataDir().resolve("admin-token")).strip();

            Api.Response tenant = api.post("/api/v1/tenants", admin, "{\"slug\":\"replicas\",\"name\":\"Replicas\"}");
            assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
            String token = tenant.json().get("token").asText();
            String tenantId = tenant.json().at("/tenant/id").asText();
            List<String> doorGroups = new ArrayList<>();
            List<String[]> made = new ArrayList<>();
            for (String name : List.of("North", "South")) {
                String site = create(
                        api,
                        token,
                        "/api/v1/sites",
                        "{\"name\":\"" + name + "\",\"address\":\"1 " + name + " St\",\"timeZone\":\"UTC\"}");
                String door = create(
                        api, token, "/api/v1/sites/" + site + "/doors", "{\"name\":\"Door\",\"unlockSeconds\":1}");
                doorGroups.add(create(
                        api,
                        token,
                        "/api/v1/sites/" + site + "/door-groups",
                        "{\"name\":\"G\",\"doorIds\":[\"" + door + "\"]}"));
                made.add(new String[] {site, door});
            }
            String plan = create(
                    api,
                    token,
                    "/api/v1/plans",
                    "{\"name\":\"P\",\"doorGroupIds\":[\"" + String.join("\",\"", doorGroups)
                            + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
            String member = create(
                    api, token, "/api/v1/members", "{\"email\":\"m@replicas.example\",\"fullName\":\"M Member\"}");
            api.put("/api/v1/members/" + member + "/plans/" + plan, token, "{}");
            create(
                    api,
                    token,
                    "/api/v1/members/" + member + "/credentials",
                    "{\"type\":\"nfc-card\",\"uid\":\"" + CARD + "\"}");
            List<Site> sites = new ArrayList<>();
            for (String[] siteAndDoor : made) {
                String device = create(api, token, "/api/v1/sites/" + siteAndDoor[0] + "/devices", "{\"name\":\"Pi\"}");
                JsonNode bundle = api.post("/api/v1/devices/" + device + "/provision", token, "")
                        .json();
                broker.addUser(device, bundle.at("/mqtt/password").asText());
                EdgeSite edge = EdgeSite.start(bundle, siteAndDoor[1], dir.resolve("site-" + siteAndDoor[0]));
                open.add(edge);
                sites.add(new Site(siteAndDoor[0], siteAndDoor[1], edge));
            }
            for (Site site : sites) {
                long head = head(api, token, site.id());
                await().atMost(WAIT).until(() -> site.edge().seq() >= head);
            }

            // An operator signs in with Chromium through haproxy: the sign-in form is served by one
            // replica and posted (with its CSRF token) to the other; then the session alternates.
            String password = "a password for operator sessions in tests";
            create(
                    api,
                    token,
                    "/api/v1/accounts",
                    "{\"email\":\"owner@replicas.example\",\"name\":\"Owner\",\"role\":\"owner\"," + "\"password\":\""
                            + password + "\"}");
            Browser browser = Browser.start(HubReplicasIT.class);
            open.add(browser);
            String console = "http://127.0.0.1:" + proxy.port();
            browser.open(console + "/signin");
            browser.awaitVisible(By.id("workspace")).sendKeys("replicas");
            browser.driver().findElement(By.id("email")).sendKeys("owner@replicas.example");
            browser.driver().findElement(By.id("password")).sendKeys(password);
            browser.click(By.cssSelector("form.stack button[type=submit]"));
            browser.awaitVisible(By.cssSelector("header.top"));
            for (int i = 0; i < 4; i++) {
                browser.open(console + "/console");
                browser.awaitVisible(By.cssSelector("table.feed"));
            }

            // Taps at both doors; the replica holding the sites' leases is killed half way.
            List<String> emitted = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                if (round == 5) {
                    // The replica whose commit or renewal came first holds a site: kill North's holder.
                    String held = store.read(c -> Sql.one(
                                    c,
                                    "SELECT holder FROM sync_leases WHERE site_id = ?",
                                    Sql.STRING,
                                    sites.getFirst().id()))
                            .orElseThrow();
                    HubReplica holder = held.startsWith("r" + first.pid() + "-") ? first : second;
                    assertThat(held).startsWith("r" + holder.pid() + "-");
                    holder.kill();
                    assertThat(holder.alive()).isFalse();
                }
                for (Site site : sites) {
                    Decided decided = site.edge().tap(CARD);
                    assertThat(decided.decision()).isInstanceOf(Decision.Granted.class);
                    emitted.add(decided.event().id());
                }
            }

            // A suspension made through haproxy after the kill reaches both sites: the survivor took
            // the leases over.
            assertThat(api.patch("/api/v1/members/" + member, token, "{\"status\":\"suspended\"}")
                            .status())
                    .isEqualTo(200);
            for (Site site : sites) {
                long head = head(api, token, site.id());
                await().atMost(WAIT).until(() -> site.edge().seq() >= head);
                Decided denied = site.edge().tap(CARD);
                assertThat(denied.decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));
                emitted.add(denied.event().id());
            }

            // The browser's session continues on the survivor: pages, the live feed with a new tap, and
            // a form with its CSRF token (signing out).
            for (int i = 0; i < 2; i++) {
                browser.open(console + "/console/members");
                browser.awaitVisible(By.cssSelector("header.top"));
            }
            browser.open(console + "/console");
            browser.awaitVisible(By.cssSelector("table.feed"));
            int rows = browser.driver().findElements(By.cssSelector("#feed tr")).size();
            // The page's event stream is open before the tap (its first event says so).
            await().atMost(WAIT)
                    .until(() -> Boolean.TRUE.equals(browser.script(
                            "return document.querySelector('[data-live]').dataset.connected === 'true'")));
            Decided last = sites.getFirst().edge().tap(CARD);
            emitted.add(last.event().id());
            await().atMost(WAIT)
                    .until(() -> browser.driver()
                                    .findElements(By.cssSelector("#feed tr"))
                                    .size()
                            > rows);
            assertThat(browser.driver().findElement(By.cssSelector("#feed tr")).getText())
                    .contains("M Member");
            browser.screenshot("replicas-console-after-kill");
            browser.click(By.cssSelector("header.top form button"));
            browser.awaitVisible(By.id("email"));
            browser.open(console + "/console");
            browser.awaitVisible(By.id("email")); // signed out on every replica

            // Every event emitted at the doors is stored, once.
            for (Site site : sites) {
                await().atMost(WAIT).until(() -> site.edge().outboxDepth() == 0);
            }
            List<String> stored = store.read(
                    c -> Sql.list(c, "SELECT id FROM access_events WHERE tenant_id = ?", Sql.STRING, tenantId));
            assertThat(new HashSet<>(stored)).hasSameSizeAs(stored);
            assertThat(stored).containsExactlyInAnyOrderElementsOf(emitted);
        } finally {
            for (AutoCloseable closeable : open.reversed()) {
                closeable.close();
            }
        }
    }
}
