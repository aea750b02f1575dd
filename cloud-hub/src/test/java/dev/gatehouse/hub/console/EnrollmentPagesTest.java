package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.testing.EdgeCli;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.hub.testing.QrImages;
import dev.gatehouse.protocol.policy.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * From the console to an open door by one-time code, in a real Chromium against a real hub: an owner
 * adds a device and gets its code and QR; the edge CLI enrolls with it (its own key pair, nothing
 * copied by hand); a technician maps the door; a member's card opens it. A code works once, wrong
 * codes change nothing, a front desk cannot add devices, and a retired device is dropped by the
 * broker at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnrollmentPagesTest extends LiveBrowserTest {
    private static String code;
    private static String deviceId;
    private static EdgeSite enrolled;

    String hubUrl() {
        return "http://127.0.0.1:" + site.hub.hub().port();
    }

    @AfterAll
    void stopEnrolledEdge() {
        if (enrolled != null) {
            enrolled.close();
        }
    }

    @Test
    @Order(1)
    void anOwnerAddsADeviceAndTheEdgeEnrollsWithTheCodeAndOpensTheDoor() throws Exception {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/fleet"));
        new Select(browser.awaitVisible(By.id("device-site"))).selectByValue(site.siteId);
        browser.driver().findElement(By.id("device-name")).sendKeys("Lobby Pi");
        long started = System.nanoTime();
        browser.driver().findElement(By.id("add-device")).click();

        code = browser.awaitVisible(By.cssSelector("[data-testid=enrollment-code]"))
                .getText();
        assertThat(code).matches("[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}");
        String command = browser.driver()
                .findElement(By.cssSelector("[data-testid=enroll-command]"))
                .getText();
        assertThat(command).isEqualTo("gatehouse-edge enroll " + hubUrl() + " " + code);
        String qrSrc = browser.driver()
                .findElement(By.cssSelector("[data-testid=enrollment-qr]"))
                .getAttribute("src");
        assertThat(qrSrc).startsWith("data:image/png;base64,");
        String qrText = QrImages.decode(Base64.getDecoder().decode(qrSrc.substring(qrSrc.indexOf(',') + 1)));
        assertThat(qrText).isEqualTo("gatehouse-enroll:" + hubUrl() + "#" + code);
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=device-status]"))
                        .getText())
                .isEqualTo("pending");
        Axe.assertNoSeriousViolations(browser, "device with its enrollment code");
        browser.screenshot("device-enrollment-code");
        for (var device : site.api()
                .get("/api/v1/sites/" + site.siteId + "/devices", site.token())
                .json()
                .get("items")) {
            if (device.get("name").asText().equals("Lobby Pi")) {
                deviceId = device.get("id").asText();
            }
        }
        assertThat(deviceId).isNotNull();

        // On the Pi: the QR code's text in place of HUB CODE.
        Path dir = Files.createTempDirectory("gatehouse-enrolled");
        EdgeCli run = EdgeCli.run("enroll", qrText, dir.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("enrolled as device " + deviceId, "device-key.json");
        for (String name : new String[] {"device-key.json", "card.key", "trusted-keys.json", "mqtt-password"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
                    .as(name)
                    .isEqualTo("rw-------");
        }
        ECKey deviceKey = ECKey.parse(Files.readString(dir.resolve("device-key.json")));
        assertThat(deviceKey.isPrivate()).isTrue();

        // The console shows the device active with the key the Pi made.
        browser.open(site.url("/console/fleet/devices/" + deviceId));
        assertThat(browser.awaitVisible(By.cssSelector("[data-testid=device-status]"))
                        .getText())
                .isEqualTo("active");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=device-key]"))
                        .getText())
                .contains(deviceKey.getKeyID(), deviceKey.computeThumbprint().toString());

        // The technician maps the hub's door to the simulator's pins and readers, and starts the agent.
        Path config = dir.resolve("gatehouse.yaml");
        String yaml = Files.readString(config);
        assertThat(yaml).contains("#  - id: " + site.door);
        Files.writeString(
                config,
                yaml.substring(0, yaml.indexOf("\ndoors:")) + """

                        doors:
                          - id: %s
                            name: Front door
                            lock: fail-secure
                            relay-pin: 17
                            relay-active: low
                            contact-pin: 27
                            contact-type: normally-closed
                            contact-wired-to: ground
                            unlock-pulse: 1s
                            readers: [%s]
                        readers:
                          - id: %s
                            type: pn532
                            port: /dev/ttyS0
                        """.formatted(site.door, EdgeSite.NFC, EdgeSite.NFC));
        String uid = LiveSite.uid();
        site.member("Enrolled Edna", uid);
        enrolled = EdgeSite.startAgain(site.door, dir, config);
        long head = site.api()
                .get("/api/v1/sites/" + site.siteId, site.token())
                .json()
                .get("changeSeq")
                .asLong();
        await().atMost(Duration.ofSeconds(60)).until(() -> enrolled.seq() >= head);
        Decided decided = enrolled.tap(uid);
        assertThat(decided.decision()).isInstanceOf(Decision.Granted.class);
        await().atMost(Duration.ofSeconds(10)).until(enrolled::relayEnergised);
        System.out.printf(
                "enrollment: from the console's add-device click to the first door opened by the enrolled edge: %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());

        // The fleet page lists it online.
        browser.open(site.url("/console/fleet"));
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("tr[data-device=" + deviceId + "] [data-testid=link]"), "online"));
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(2)
    void aUsedWrongOrPlainHttpCodeIsRefusedAndWritesNothing() throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-refused");
        EdgeCli reused = EdgeCli.run("enroll", hubUrl(), code, dir.toString());
        assertThat(reused.exit()).isEqualTo(1);
        assertThat(reused.err()).contains("HTTP 409", "works only once", "nothing was written");
        EdgeCli wrong = EdgeCli.run("enroll", hubUrl(), "2222-3333-4444", dir.toString());
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("HTTP 404", "not known");
        EdgeCli typo = EdgeCli.run("enroll", hubUrl(), "2222-3333-444O", dir.toString());
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("'O' is not a character of an enrollment code");
        EdgeCli plain = EdgeCli.run("enroll", "http://hub.example.org", code, dir.toString());
        assertThat(plain.exit()).isEqualTo(2);
        assertThat(plain.err()).contains("plain HTTP", "--allow-http");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    @Order(3)
    void aFrontDeskSeesTheDeviceButCannotAddOrRetireIt() {
        String email = site.account("front-desk", "[]", "a front desk password");
        site.signIn(browser, email, "a front desk password");
        browser.open(site.url("/console/fleet"));
        browser.awaitVisible(By.cssSelector("[data-testid=fleet-live]"));
        assertThat(browser.driver().findElements(By.id("add-device"))).isEmpty();
        browser.open(site.url("/console/fleet/devices/" + deviceId));
        browser.awaitVisible(By.cssSelector("[data-testid=device-status]"));
        assertThat(browser.driver().findElements(By.id("retire"))).isEmpty();
        assertThat(browser.driver().findElements(By.id("new-code"))).isEmpty();
    }

    @Test
    @Order(4)
    void retiringTheDeviceDropsItsConnectionAndTheBrokerRefusesIt() {
        assertThat(enrolled.agent.sync().orElseThrow().connected()).isTrue();
        site.signInAsOwner(browser);
        browser.open(site.url("/console/fleet/devices/" + deviceId));
        WebElement retire = browser.awaitVisible(By.id("retire"));
        retire.click();
        browser.await(ExpectedConditions.alertIsPresent()).accept(); // the form's data-confirm question
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("retired");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=device-status]"))
                        .getText())
                .isEqualTo("retired");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> !enrolled.agent.sync().orElseThrow().connected());
        // It stays out: the agent keeps retrying and the broker keeps refusing.
        assertThat(site.api()
                        .get("/api/v1/audit?action=device.retire&resourceId=" + deviceId, site.token())
                        .json()
                        .get("items"))
                .hasSize(1);
        assertThat(enrolled.agent.sync().orElseThrow().connected()).isFalse();
        browser.screenshot("device-retired");
        assertThat(browser.consoleErrors()).isEmpty();
    }
}
