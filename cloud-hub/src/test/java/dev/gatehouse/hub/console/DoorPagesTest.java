package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The doors, fleet and floor plan pages in a real Chromium against a real hub and a simulated site:
 * a remote unlock pulses the simulated relay, a lockdown needs a reason, the fleet shows an edge go
 * offline when it stops, when its connection dies and when its network goes silent, and floor plans
 * are checked before they are stored. The edge is stopped last (the other tests need it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DoorPagesTest extends LiveBrowserTest {
    private static final String PASSWORD = "a password for door page tests";
    private static final String CLEAN_SVG = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 240\""
            + " width=\"800\" height=\"480\"><rect x=\"4\" y=\"4\" width=\"392\" height=\"232\" fill=\"#f7f7f2\""
            + " stroke=\"#333\" stroke-width=\"4\"/><line x1=\"200\" y1=\"4\" x2=\"200\" y2=\"236\" stroke=\"#333\""
            + " stroke-width=\"3\"/><text x=\"60\" y=\"130\" font-size=\"20\">Lobby</text><text x=\"260\" y=\"130\""
            + " font-size=\"20\">Desks</text></svg>";

    @Test
    @Order(1)
    void aRemoteUnlockFromTheDoorsPagePulsesTheRelayAndItsCommandShowsDone() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/doors"));
        WebElement row = browser.awaitVisible(By.id("door-" + site.door));
        assertThat(row.getText()).contains("Front door").contains("locked").contains("Unlocks for 1 s");
        assertThat(row.findElement(By.cssSelector("[data-testid=held-open]")).getText())
                .isEqualTo("Held-open time: each edge's own");
        Axe.assertNoSeriousViolations(browser, "doors");
        int before = site.edge.relayTransitions();
        browser.click(By.cssSelector("#door-" + site.door + " form button[type=submit]"));
        browser.awaitVisible(By.cssSelector("p.notice"));
        // The signed command reached the edge, which pulsed the door's relay.
        await().atMost(Duration.ofSeconds(15)).until(() -> site.edge.relayTransitions() > before);
        // The edge's ack arrives and the page's polling shows it, without a reload.
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#door-" + site.door + " [data-testid=unlock-status]"), "done"));
        JsonNode audit = site.api()
                .get("/api/v1/audit?action=door.unlock&resourceId=" + site.door, site.token())
                .json();
        assertThat(audit.get("items")).hasSize(1);
        assertThat(audit.at("/items/0/actor/label").asText()).isEqualTo(site.ownerEmail);
        browser.screenshot("doors-unlocked");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(2)
    void aLockdownWithoutAReasonIsRefusedAndSendsNothingAndWithOneItIsSentAndAudited() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/doors"));
        // White space passes the browser's own "required" check; the hub must still refuse it.
        submitSiteCommand("lockdown", "   ");
        WebElement error = browser.awaitVisible(By.id("lockdown-error-" + site.siteId));
        assertThat(error.getText()).contains("Give a reason").contains("nothing was sent");
        assertThat(browser.driver()
                        .findElement(By.id("lockdown-reason-" + site.siteId))
                        .getAttribute("aria-describedby"))
                .isEqualTo("lockdown-error-" + site.siteId);
        Axe.assertNoSeriousViolations(browser, "doors with a refused lockdown");
        browser.screenshot("lockdown-refused");
        assertThat(commands("lockdown")).isEmpty();
        assertThat(browser.consoleErrors()).allMatch(e -> e.contains("422"));

        submitSiteCommand("lockdown", "Fire drill at 10:00");
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("Lockdown sent");
        assertThat(commands("lockdown")).hasSize(1);
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#doors-" + site.siteId + " [data-testid=lockdown-status]"), "lockdown: done"));
        JsonNode audit = site.api()
                .get("/api/v1/audit?action=site.lockdown&site=" + site.siteId, site.token())
                .json();
        assertThat(audit.get("items")).hasSize(1);
        assertThat(audit.at("/items/0/after/reason").asText()).isEqualTo("Fire drill at 10:00");

        submitSiteCommand("release", "Drill over");
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#doors-" + site.siteId + " [data-testid=lockdown-status]"), "release: done"));
        assertThat(site.api()
                        .get("/api/v1/audit?action=site.release&site=" + site.siteId, site.token())
                        .json()
                        .get("items"))
                .hasSize(1);
        browser.screenshot("released");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    private void submitSiteCommand(String form, String reason) {
        WebElement field = browser.awaitVisible(By.id(form + "-reason-" + site.siteId));
        field.clear();
        field.sendKeys(reason);
        browser.driver()
                .findElement(By.cssSelector(
                        "form[action='/console/doors/" + site.siteId + "/" + form + "'] button[type=submit]"))
                .click();
        browser.await(ExpectedConditions.alertIsPresent()).accept(); // the form's data-confirm question
    }

    /** The site's commands of this action type, from the API. */
    private List<JsonNode> commands(String type) {
        JsonNode items = site.api()
                .get("/api/v1/sites/" + site.siteId + "/commands", site.token())
                .json()
                .get("items");
        return StreamSupport.stream(items.spliterator(), false)
                .filter(command -> command.at("/action/type").asText().equals(type))
                .toList();
    }

    @Test
    @Order(3)
    void aTechnicianSeesTheFleetButGetsA403PageForALockdown() {
        String email = site.account("technician", "[]", PASSWORD);
        site.signIn(browser, email, PASSWORD);
        browser.open(site.url("/console/fleet"));
        WebElement device = browser.awaitVisible(By.cssSelector("tr[data-device='" + site.device + "']"));
        assertThat(device.getText())
                .contains("Front desk Pi")
                .contains("online")
                .contains("0 behind");
        assertThat(browser.driver().findElement(By.id("fleet-semantics")).getText())
                .contains("about 45 seconds")
                .contains("30-second MQTT keep-alive");
        Axe.assertNoSeriousViolations(browser, "fleet");
        browser.screenshot("fleet-technician");
        assertThat(browser.consoleErrors()).isEmpty();

        browser.open(site.url("/console/doors"));
        browser.awaitVisible(By.id("door-" + site.door));
        assertThat(browser.driver().findElements(By.cssSelector("form[action$='/lockdown']")))
                .isEmpty();
        assertThat(browser.driver().findElements(By.cssSelector("form[action$='/unlock']")))
                .isEmpty();
        String csrf = browser.driver()
                .findElement(By.cssSelector("meta[name=csrf-token]"))
                .getAttribute("content");
        int before = commands("lockdown").size();
        Api.Response refused = site.api()
                .withCookie(
                        "POST",
                        "/console/doors/" + site.siteId + "/lockdown",
                        "gh_session=" + session(),
                        Optional.of("_csrf=" + csrf + "&reason=because"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text()).contains("Your role (technician) cannot open this page");
        assertThat(commands("lockdown")).hasSize(before);
    }

    @Test
    @Order(4)
    void aSiteManagerOfAnotherSiteGetsA404ForThisSitesFloorPlan() {
        String other = site.hub.create(
                "/api/v1/sites",
                site.token(),
                "{\"name\":\"Hamburg Hafen\",\"address\":\"3 Test St\",\"timeZone\":\"Europe/Berlin\"}");
        String email = site.account("site_manager", "[\"" + other + "\"]", PASSWORD);
        site.signIn(browser, email, PASSWORD);
        for (String path : List.of("/floor-plan", "/floor-plan.svg", "/floor-plan/markers")) {
            Api.Response answer = site.api()
                    .withCookie(
                            "GET", "/console/sites/" + site.siteId + path, "gh_session=" + session(), Optional.empty());
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.text()).doesNotContain("Berlin Mitte").doesNotContain("Front door");
        }
        browser.open(site.url("/console/sites/" + site.siteId + "/floor-plan"));
        assertThat(browser.awaitVisible(By.cssSelector("p.error")).getText()).contains("There is no site");
        browser.open(site.url("/console/sites/" + other + "/floor-plan"));
        assertThat(browser.awaitVisible(By.id("plan-site")).getText()).isEqualTo("Hamburg Hafen");
    }

    @Test
    @Order(5)
    void aFloorPlanWithAScriptIsRefusedAndACleanOneIsShownWithTheDoorMarker() throws IOException {
        site.signInAsOwner(browser);
        String page = "/console/sites/" + site.siteId + "/floor-plan";
        browser.open(site.url(page));
        browser.awaitVisible(By.id("no-plan"));
        String hostile = CLEAN_SVG.replace("</svg>", "<script>alert('plan')</script></svg>");
        browser.script("document.getElementById('svg').value = arguments[0];", hostile);
        browser.driver()
                .findElement(By.cssSelector("#plan-form button[type=submit]"))
                .click();
        assertThat(browser.awaitVisible(By.id("svg-error")).getText()).contains("<script>");
        assertThat(browser.driver().findElements(By.id("no-plan"))).hasSize(1);
        assertThat(site.api()
                        .withCookie("GET", page + ".svg", "gh_session=" + session(), Optional.empty())
                        .status())
                .isEqualTo(404);
        Axe.assertNoSeriousViolations(browser, "floor plan with a refused upload");
        browser.screenshot("floor-plan-refused");
        browser.consoleErrors();

        // The page's module reads the chosen file into the form.
        Path file = Files.createTempFile("plan", ".svg");
        Files.writeString(file, CLEAN_SVG);
        browser.driver().findElement(By.id("svg")).clear();
        browser.driver()
                .findElement(By.id("svg-file"))
                .sendKeys(file.toAbsolutePath().toString());
        browser.await(
                driver -> CLEAN_SVG.equals(driver.findElement(By.id("svg")).getDomProperty("value")));
        browser.driver()
                .findElement(By.cssSelector("#plan-form button[type=submit]"))
                .click();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("Floor plan saved");

        WebElement x = browser.awaitVisible(By.id("x-" + site.door));
        x.clear();
        x.sendKeys("30");
        WebElement y = browser.driver().findElement(By.id("y-" + site.door));
        y.clear();
        y.sendKeys("40");
        browser.driver()
                .findElement(By.cssSelector("#position-" + site.door + " button[type=submit]"))
                .click();
        WebElement marker =
                browser.awaitVisible(By.cssSelector(".plan [data-testid=marker][data-door='" + site.door + "']"));
        assertThat(marker.getText()).isEqualTo("Front door: locked");
        assertThat(marker.getAttribute("class")).contains("state-locked");
        WebElement image = browser.driver().findElement(By.cssSelector(".plan img"));
        browser.await(driver ->
                ((Boolean) browser.script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image)));
        Rectangle plan = image.getRect();
        Rectangle at = marker.getRect();
        double cx = at.getX() + at.getWidth() / 2.0 - plan.getX();
        double cy = at.getY() + at.getHeight() / 2.0 - plan.getY();
        assertThat(cx / plan.getWidth()).isBetween(0.28, 0.32);
        assertThat(cy / plan.getHeight()).isBetween(0.38, 0.42);
        Axe.assertNoSeriousViolations(browser, "floor plan");
        browser.script("window.scrollTo(0, 0);");
        browser.screenshot("floor-plan");
        assertThat(browser.consoleErrors()).isEmpty();

        Api.Response svg = site.api().withCookie("GET", page + ".svg", "gh_session=" + session(), Optional.empty());
        assertThat(svg.status()).isEqualTo(200);
        assertThat(svg.contentType()).startsWith("image/svg+xml");
        assertThat(svg.headers().firstValue("Content-Security-Policy"))
                .hasValue("default-src 'none'; style-src 'unsafe-inline'");
        assertThat(svg.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(svg.text()).isEqualTo(CLEAN_SVG);

        // A position outside the plan is refused and changes nothing.
        browser.driver().findElement(By.id("x-" + site.door)).clear();
        browser.driver().findElement(By.id("x-" + site.door)).sendKeys("140");
        browser.driver()
                .findElement(By.cssSelector("#position-" + site.door + " button[type=submit]"))
                .click();
        assertThat(browser.awaitVisible(By.id("position-error-" + site.door)).getText())
                .contains("0 to 100");
        browser.open(site.url(page));
        assertThat(browser.awaitVisible(By.id("x-" + site.door)).getDomProperty("value"))
                .isEqualTo("30");
    }

    @Test
    @Order(100)
    void theFleetShowsAnEdgeOfflineWhenItStopsWhenItsConnectionDiesAndWhenItsNetworkGoesSilent() throws Exception {
        assertThat(FleetPages.EDGE_KEEP_ALIVE)
                .as("the keep-alive the fleet page states is the edge agent's default")
                .isEqualTo(EdgeConfig.Hub.DEFAULT_KEEP_ALIVE);
        site.signInAsOwner(browser);
        browser.open(site.url("/console/fleet"));
        awaitLink("online");

        // 1. A clean stop: the agent publishes its offline state itself before it disconnects.
        site.edge.close();
        awaitLink("offline");
        browser.screenshot("fleet-offline");

        // 2. The edge again, now through a proxy standing in for its network, with a 5 s keep-alive.
        Matcher url = Pattern.compile("mqtt-url: tcp://([^:\\s]+):(\\d+)").matcher(Files.readString(site.edge.config));
        assertThat(url.find()).isTrue();
        try (Proxy network = Proxy.to(url.group(1), Integer.parseInt(url.group(2)))) {
            Path config = site.edge.dir.resolve("through-proxy.yaml");
            Files.writeString(
                    config,
                    Files.readString(site.edge.config)
                            .replace(url.group(), "mqtt-url: tcp://127.0.0.1:" + network.port())
                            .replace("  password-file:", "  keep-alive: 5s\n  password-file:"));
            EdgeSite edge = EdgeSite.startAgain(site.door, site.edge.dir, config);
            try {
                awaitLink("online");

                // 3. The connection dies without a DISCONNECT (as when the process is killed): the
                // broker publishes the edge's last will at once.
                long cut = System.nanoTime();
                network.cut();
                awaitLink("offline");
                System.out.printf(
                        "fleet: offline %d ms after the connection was cut%n", (System.nanoTime() - cut) / 1_000_000);

                // 4. The network comes back, then goes silent: nothing is closed, bytes just stop. The
                // broker gives up after 1.5 keep-alives (7.5 s) and publishes the will.
                network.restore();
                awaitLink("online");
                long silent = System.nanoTime();
                network.silence();
                await().atMost(Duration.ofSeconds(40))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> link().equals("offline"));
                System.out.printf(
                        "fleet: offline %d ms after the network went silent%n",
                        (System.nanoTime() - silent) / 1_000_000);
            } finally {
                edge.close();
            }
        }
        Axe.assertNoSeriousViolations(browser, "fleet with an offline device");
        browser.screenshot("fleet-silent-offline");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    private void awaitLink(String state) {
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("tr[data-device='" + site.device + "'] [data-testid=link]"), state));
    }

    /** The device's link badge as the page shows it now (read by script: the polled table is replaced often). */
    private String link() {
        return String.valueOf(browser.script(
                "const badge = document.querySelector(arguments[0]); return badge ? badge.textContent.trim() : '';",
                "tr[data-device='" + site.device + "'] [data-testid=link]"));
    }

    private String session() {
        return browser.driver().manage().getCookieNamed("gh_session").getValue();
    }

    /**
     * A TCP proxy standing in for an edge's network: {@link #cut} resets every connection and stops
     * listening (as when the edge's process dies and its kernel closes the socket), {@link #restore}
     * listens again on the same port, {@link #silence} keeps connections open but drops every byte
     * (a network that goes away without a word).
     */
    private static final class Proxy implements AutoCloseable {
        private final String host;
        private final int target;
        private final int port;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile ServerSocket server;
        private volatile boolean silent;

        private Proxy(String host, int target, ServerSocket server) {
            this.host = host;
            this.target = target;
            this.server = server;
            this.port = server.getLocalPort();
            accept(server);
        }

        static Proxy to(String host, int target) throws IOException {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            return new Proxy(host, target, server);
        }

        int port() {
            return port;
        }

        private void accept(ServerSocket listening) {
            Thread.ofVirtual().start(() -> {
                while (!listening.isClosed()) {
                    try {
                        Socket edge = listening.accept();
                        Socket broker = new Socket(host, target);
                        sockets.add(edge);
                        sockets.add(broker);
                        pump(edge, broker);
                        pump(broker, edge);
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
        }

        private void pump(Socket from, Socket to) {
            Thread.ofVirtual().start(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream()) {
                    OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (!silent) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // the other side or cut() closed it
                }
            });
        }

        void cut() throws IOException {
            server.close();
            for (Socket socket : sockets) {
                if (!socket.isClosed()) { // an edge that timed out closed its side already
                    socket.setSoLinger(true, 0); // RST, no FIN handshake, no DISCONNECT
                    socket.close();
                }
            }
            sockets.clear();
        }

        void restore() throws IOException {
            silent = false;
            ServerSocket again = new ServerSocket();
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port));
            server = again;
            accept(again);
        }

        void silence() {
            silent = true;
        }

        @Override
        public void close() throws IOException {
            cut();
        }
    }
}
