package dev.gatehouse.edge.console;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.NFC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.browser.Browser;
import dev.gatehouse.edge.agent.DemoSite;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.sim.gpio.RelayHistory;
import dev.gatehouse.sim.site.SimulatedSite;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The technician's console on a Pi, in a real Chromium against an agent on simulated hardware with no
 * hub: a technician at the door, offline, signs in, checks the wiring and the link, pulses the relay,
 * watches a tap arrive, and rewires a door — and a mistake in the wiring is refused with the same
 * message the agent would stop with, before it reaches the file. One agent and one browser for the
 * class; each test starts signed out, with the sign-in throttle's minute gone by.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TechConsoleBrowserTest {
    private static final String PASSWORD = "plant-room correct horse";

    private DemoSite fixture;
    private SimulatedHardware hardware;
    private SimulatedSite site;
    private EdgeAgent agent;
    private final MutableClock clock = new MutableClock(Instant.now());
    private TechConsole console;
    private Browser browser;
    private String base;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        fixture = new DemoSite(dir);
        Files.writeString(fixture.configFile, """
                local-console:
                  listen: 127.0.0.1:0
                  password-file: console-password
                """, StandardOpenOption.APPEND);
        ConsolePassword.write(dir.resolve("console-password"), PASSWORD);
        hardware = SimulatedHardware.forConfig(fixture.config(), dir.resolve("dev"), Clock.systemUTC());
        site = hardware.site();
        agent = fixture.startSimulated(hardware);
        console = TechConsole.start(
                agent, fixture.configFile, agent.config().localConsole().orElseThrow(), clock);
        base = console.address().toString();
        browser = Browser.start(getClass());
    }

    @AfterAll
    void stop() {
        try (var b = browser;
                var c = console;
                var a = agent;
                var h = hardware) {
            // closed in reverse order, each even if another fails
        }
    }

    @BeforeEach
    void signedOut() {
        clock.advance(Duration.ofMinutes(2)); // past the sign-in throttle's window, within the session's idle time
        browser.open(base + "signin");
        browser.driver().manage().deleteAllCookies();
        site.removeCard(NFC);
        await().atMost(Duration.ofSeconds(10)).until(() -> !site.relay(DOOR).energised());
    }

    private void signIn() {
        browser.open(base + "signin");
        typePassword(PASSWORD);
        browser.awaitHeading("Technician console");
    }

    private void typePassword(String password) {
        WebElement field = browser.awaitVisible(By.id("password"));
        field.clear();
        field.sendKeys(password);
        browser.driver()
                .findElement(By.cssSelector("#signin button[type=submit]"))
                .click();
    }

    private String text(By locator) {
        return browser.awaitVisible(locator).getText();
    }

    @Test
    void withoutASessionEveryPageFormAndStreamLeadsToSignIn() throws Exception {
        // A console that pulses relays must not answer anyone who has not signed in, page or not.
        browser.open(base + "doors/" + DOOR);
        browser.awaitHeading("Sign in");
        assertThat(browser.driver().getCurrentUrl()).endsWith("/signin");
        int transitions = site.relay(DOOR).transitions().size();

        for (String path : List.of("", "doors/" + DOOR, "events", "status")) {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(path).isEqualTo(303);
            assertThat(answer.headers().firstValue("Location")).as(path).contains("/signin");
        }
        HttpResponse<String> relay = http.send(
                HttpRequest.newBuilder(URI.create(base + "doors/" + DOOR + "/test-relay"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("_csrf=guess"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(relay.statusCode()).isEqualTo(303);
        assertThat(site.relay(DOOR).transitions()).hasSize(transitions);
    }

    @Test
    void aWrongPasswordIsRefusedAndAFewTriesAMinuteAreAllThereIs() {
        browser.open(base + "signin");
        Axe.assertNoSeriousViolations(browser, "sign-in page");
        typePassword("not the password at all");
        assertThat(text(By.id("error"))).isEqualTo("Wrong password.");
        browser.screenshot("wrong-password");
        for (int i = 1; i < SignInThrottle.PER_ADDRESS; i++) {
            typePassword("still not the password " + i);
            browser.await(ExpectedConditions.textToBe(By.id("error"), "Wrong password."));
        }

        // Even the right password is not checked while the address is throttled: guessing is slowed
        // to a few tries a minute whatever is guessed.
        typePassword(PASSWORD);
        assertThat(text(By.id("error"))).startsWith("Too many sign-in attempts. Wait ");
        browser.screenshot("throttled");
        assertThat(browser.driver().findElements(By.id("doors"))).isEmpty();

        clock.advance(SignInThrottle.WINDOW.plusSeconds(1));
        typePassword(PASSWORD);
        browser.awaitHeading("Technician console");
    }

    @Test
    void theOverviewShowsTheDoorsWiringTheReadersTheCacheAndTheLinkOffline() {
        signIn();

        // No hub section: the Pi runs offline-only, and the console says so plainly.
        assertThat(text(By.id("link-state"))).isEqualTo("offline");
        assertThat(text(By.id("link-detail"))).contains("no hub configured");
        assertThat(text(By.id("cache"))).startsWith("seq " + agent.cache().seq() + ", ");
        WebElement door = browser.awaitVisible(By.id("door-" + DOOR));
        assertThat(door.getText())
                .contains("Main entrance")
                .contains("fail-secure")
                .contains("GPIO 17, active low")
                .contains("GPIO 27, normally-closed to ground, pull up")
                .contains("GPIO 22, normally-open to ground, pull up")
                .contains("nfc-main, qr-main")
                .contains("locked");
        String readers = text(By.id("readers"));
        assertThat(readers)
                .contains("nfc-main")
                .contains("pn532")
                .contains("/dev/ttyS0")
                .contains("ok");
        // No secret reaches the page: not the card key, not the password's hash.
        String source = browser.driver().getPageSource();
        assertThat(source)
                .doesNotContainIgnoringCase(HexFormat.of().formatHex(DemoSite.CARD_KEY))
                .doesNotContain("argon2");
        Axe.assertNoSeriousViolations(browser, "overview");
        assertThat(browser.consoleErrors()).isEmpty();
        browser.screenshot("overview");
    }

    @Test
    void testingARelayPulsesTheDoorsRelay() {
        signIn();
        RelayHistory relay = site.relay(DOOR);
        int before = relay.transitions().size();

        browser.driver().findElement(By.id("test-" + DOOR)).click();

        assertThat(text(By.id("notice"))).isEqualTo("Relay of " + DOOR + " pulsed.");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> relay
                        .transitions()
                        .subList(before, relay.transitions().size())
                        .stream()
                        .anyMatch(RelayHistory.Transition::energised));
        // The pulse ends by itself (unlock-pulse 1s): the door is locked again.
        await().atMost(Duration.ofSeconds(5)).until(() -> !relay.energised());
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("live"), "RELAY_TEST"));
        assertThat(text(By.id("live"))).contains("relay pulsed from the technician console");
    }

    @Test
    void aTapAtTheDoorAppearsLive() {
        signIn();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("live-state"), "Live:"));

        By granted = By.xpath("//ol[@id='live']/li[contains(., 'GRANTED')]");
        int before = browser.driver().findElements(granted).size();

        site.holdCard(NFC, ADA);
        try {
            browser.await(ExpectedConditions.numberOfElementsToBe(granted, before + 1));
        } finally {
            site.removeCard(NFC);
        }
        // Newest first: the tap's line is the first of the lines about it.
        assertThat(browser.driver().findElements(granted).getFirst().getText())
                .contains(DOOR)
                .contains("GRANTED")
                .contains("member ada");
        browser.screenshot("live-tap");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = ';',
            value = {
                // GPIO 4 is pulled up while the Pi boots: the relay would click on at every boot.
                "relay-pin   ; 4  ; doors[0].relay-pin: GPIO 4 is unsafe for a relay: it is pulled up while the Pi boots",
                // The PN532 sits on the Pi's UART (/dev/ttyS0), which owns GPIO 14 and 15.
                "contact-pin ; 14 ; doors[0].contact-pin: GPIO 14 is the serial port that reader 'nfc-main' uses",
                // GPIO 27 is the door contact already.
                "rex-pin     ; 27 ; doors[0].rex-pin: GPIO 27 is already used by another relay, contact, REX",
            })
    void wiringThatTheAgentWouldNotStartWithIsRefusedAndNothingIsWritten(String field, String pin, String message)
            throws IOException {
        signIn();
        byte[] before = Files.readAllBytes(fixture.configFile);
        browser.driver().findElement(By.id("edit-" + DOOR)).click();
        browser.awaitHeading("Wiring of Main entrance");
        Axe.assertNoSeriousViolations(browser, "door wiring page");

        WebElement input = browser.awaitVisible(By.id(field));
        input.clear();
        input.sendKeys(pin);
        browser.driver()
                .findElement(By.cssSelector("#wiring button[type=submit]"))
                .click();

        assertThat(text(By.id("error"))).startsWith("Not saved, nothing was written: " + message);
        assertThat(Files.readAllBytes(fixture.configFile)).isEqualTo(before);
        // The form shows the file as it is, not the refused value.
        assertThat(browser.awaitVisible(By.id(field)).getAttribute("value")).isNotEqualTo(pin);
        browser.screenshot("refused-" + field);
    }

    @Test
    void aSafePinIsWrittenToTheFileAndTheConsoleSaysARestartIsNeeded() throws IOException {
        signIn();
        var permissions = Files.getPosixFilePermissions(fixture.configFile);
        browser.driver().findElement(By.id("edit-" + DOOR)).click();
        browser.awaitHeading("Wiring of Main entrance");

        WebElement relayPin = browser.awaitVisible(By.id("relay-pin"));
        relayPin.clear();
        relayPin.sendKeys("23");
        browser.driver()
                .findElement(By.cssSelector("#wiring button[type=submit]"))
                .click();

        assertThat(text(By.id("notice"))).contains("Restart needed");
        assertThat(text(By.id("restart-needed"))).contains("Restart needed");
        assertThat(EdgeConfigLoader.load(fixture.configFile)
                        .door(DOOR)
                        .orElseThrow()
                        .relayPin())
                .isEqualTo(23);
        assertThat(Files.getPosixFilePermissions(fixture.configFile)).isEqualTo(permissions);
        // The running agent keeps driving the wiring it started with until it restarts.
        assertThat(agent.config().door(DOOR).orElseThrow().relayPin()).isEqualTo(17);
        browser.screenshot("saved-restart-needed");

        browser.open(base);
        assertThat(text(By.cssSelector("#door-" + DOOR + " .restart"))).isEqualTo("restart needed");
        assertThat(text(By.cssSelector("#door-" + DOOR + " .relay"))).isEqualTo("GPIO 17, active low");
    }

    @Test
    void aFormWithoutTheSessionsCsrfTokenIsRefused() throws Exception {
        signIn();
        int before = site.relay(DOOR).transitions().size();

        // A form stripped of its token, from the console's own page.
        browser.script("document.querySelector('#door-" + DOOR + " form input[name=_csrf]').remove();");
        browser.driver().findElement(By.id("test-" + DOOR)).click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "CSRF"));

        // The session's cookie with a guessed token, and the right token sent from another site's page.
        Cookie cookie = browser.driver().manage().getCookieNamed(TechConsole.COOKIE);
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        browser.open(base);
        String token = browser.driver()
                .findElement(By.cssSelector("#door-" + DOOR + " form input[name=_csrf]"))
                .getAttribute("value");
        HttpResponse<String> guessed = post(cookie, "_csrf=guessed", "");
        HttpResponse<String> foreign = post(cookie, "_csrf=" + token, "http://evil.example");

        assertThat(guessed.statusCode()).isEqualTo(403);
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(site.relay(DOOR).transitions()).hasSize(before);
    }

    @Test
    void anIdleSessionIsSignedOut() {
        signIn();
        clock.advance(agent.config().localConsole().orElseThrow().sessionIdle());

        browser.open(base);

        browser.awaitHeading("Sign in");
    }

    private HttpResponse<String> post(Cookie cookie, String body, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "doors/" + DOOR + "/test-relay"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", cookie.getName() + "=" + cookie.getValue())
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!origin.isEmpty()) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
