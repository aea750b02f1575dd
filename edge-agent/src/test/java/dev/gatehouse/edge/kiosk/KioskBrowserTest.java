package dev.gatehouse.edge.kiosk;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.NFC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.browser.Browser;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.KioskEventKind;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

/**
 * The front-door kiosk in a real Chromium, served by an agent on simulated hardware whose hub is
 * unreachable: a technician pairs a tablet from the console, a visitor signs in with the pass's PIN
 * (the door opens, the pass is spent), a walk-in picks a host by two letters of a name, a member's
 * tap is greeted — each committed to the outbox as an {@code event.kiosk} before the screen says
 * welcome, and the screen says the sign-ins wait for the connection. One agent and one browser for
 * the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KioskBrowserTest {
    private static final String PASSWORD = KioskFixture.PASSWORD;

    private KioskFixture site;
    private SimulatedHardware hardware;
    private EdgeAgent agent;
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private Kiosk kiosk;
    private Browser browser;
    private String base;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        site = new KioskFixture(dir, clock, Kiosk.PIN_WAIT);
        hardware = site.hardware;
        agent = site.agent;
        kiosk = site.kiosk;
        base = site.base();
        browser = Browser.start(getClass());
        pairThisTablet();
    }

    @AfterAll
    void stop() {
        try (var b = browser;
                var s = site) {
            // closed in reverse order, each even if another fails
        }
    }

    @BeforeEach
    void doorAtRest() {
        // A grant of the test before (a PIN, a tap) relocks after its pulse: counted from a door at rest.
        hardware.site().removeCard(NFC);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !hardware.site().relay(DOOR).energised());
    }

    /** A single-use pass for the main entrance with this PIN, hosted by Ada. */
    private void invite(String passId, String pin) {
        site.invite(passId, pin, true, Duration.ofHours(4));
    }

    /** The technician signs in to the console, gets a code, and types it on the tablet. */
    private void pairThisTablet() {
        browser.open(base + "kiosk/");
        browser.awaitHeading("Pair this tablet");
        Axe.assertNoSeriousViolations(browser, "kiosk pairing page");
        browser.screenshot("unpaired");

        browser.open(base + "signin");
        browser.awaitVisible(By.id("password")).sendKeys(PASSWORD);
        browser.driver()
                .findElement(By.cssSelector("#signin button[type=submit]"))
                .click();
        browser.awaitHeading("Technician console");
        browser.awaitVisible(By.id("kiosk-name")).sendKeys("Lobby tablet");
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("kiosk-door")))
                .selectByValue(DOOR);
        browser.driver().findElement(By.id("pair-kiosk-button")).click();
        String notice = browser.awaitText(By.id("notice"), "Pairing code");
        Matcher code = Pattern.compile("Pairing code ([0-9A-Z]{4}-[0-9A-Z]{4})").matcher(notice);
        assertThat(code.find()).as(notice).isTrue();
        browser.screenshot("console-pairing-code");

        browser.open(base + "kiosk/");
        WebElement field = browser.awaitVisible(By.id("code"));
        field.sendKeys(code.group(1).toLowerCase(java.util.Locale.ROOT)); // typed in any case
        browser.driver()
                .findElement(By.cssSelector("#pair button[type=submit]"))
                .click();
        browser.awaitHeading("Welcome");
        assertThat(kiosk.paired()).extracting(p -> p.name()).containsExactly("Lobby tablet");
        Cookie cookie = browser.driver().manage().getCookieNamed(Kiosk.COOKIE);
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
    }

    private List<KioskEvent> kioskEvents() {
        return site.kioskEvents();
    }

    @Test
    void anUnpairedBrowserIsShownHowToPairAndAWrongCodeIsRefused() throws Exception {
        // The address typed without its slash is the kiosk too, never the technician's sign-in page.
        HttpResponse<String> bare = http.send(
                HttpRequest.newBuilder(URI.create(base + "kiosk")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bare.statusCode()).isEqualTo(303);
        assertThat(bare.headers().firstValue("Location"))
                .hasValueSatisfying(to -> assertThat(to).endsWith("/kiosk/"));
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(URI.create(base + "kiosk/walk-in")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(303);
        HttpResponse<String> pairing = http.send(
                HttpRequest.newBuilder(URI.create(base + "kiosk/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pairing.body()).contains("technician console").contains("Kiosks");
        String pre = pairing.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(Kiosk.PAIR_COOKIE + "="))
                .findFirst()
                .orElseThrow()
                .split(";")[0];
        String token = pre.substring(pre.indexOf('=') + 1);

        HttpResponse<String> wrong = http.send(
                HttpRequest.newBuilder(URI.create(base + "kiosk/pair"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", pre)
                        .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&code=AAAA-BBBB"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(wrong.statusCode()).isEqualTo(422);
        assertThat(wrong.body()).contains("unknown, used or expired");
        assertThat(wrong.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(Kiosk.COOKIE + "="));
        // Without the page's own token the form is refused outright.
        HttpResponse<String> forged = http.send(
                HttpRequest.newBuilder(URI.create(base + "kiosk/pair"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("code=AAAA-BBBB"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
    }

    @Test
    void aVisitorSignsInWithThePinOfflineTheDoorOpensAndThePassIsSpent() {
        invite("vp-kiosk-1", "246810");
        browser.open(base + "kiosk/");
        browser.awaitHeading("Welcome");
        // The hub is unreachable: the screen says so before anyone signs in.
        assertThat(browser.awaitText(By.id("degraded"), "Offline")).contains("sent when the connection is back");
        Axe.assertNoSeriousViolations(browser, "kiosk start");
        browser.screenshot("home-offline");
        browser.driver().findElement(By.id("choose-pin")).click();
        browser.awaitHeading("Sign in with your PIN");
        Axe.assertNoSeriousViolations(browser, "kiosk PIN page");
        int transitions = hardware.site().relay(DOOR).transitions().size();

        browser.awaitVisible(By.id("pin")).sendKeys("246810");
        browser.driver().findElement(By.id("pin-submit")).click();

        browser.awaitHeading("Signed in");
        // By the time the screen says welcome the sign-in is on record, offline, with the pass's host.
        assertThat(kioskEvents())
                .filteredOn(e -> e.pass().equals(Optional.of(PassId.of("vp-kiosk-1"))))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.kind()).isEqualTo(KioskEventKind.VISITOR_SIGNED_IN);
                    assertThat(e.host()).contains(MemberId.of("ada"));
                    assertThat(e.offline()).isTrue();
                });
        assertThat(browser.awaitText(By.id("welcome"), "Ada Lovelace")).contains("as soon as the connection is back");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hardware.site().relay(DOOR).transitions().size() > transitions);
        Axe.assertNoSeriousViolations(browser, "kiosk welcome");
        browser.screenshot("visitor-welcome");

        // The pass was its single use: typed again, it is refused as used, and nothing more is recorded.
        browser.open(base + "kiosk/pin");
        browser.awaitVisible(By.id("pin")).sendKeys("246810");
        browser.driver().findElement(By.id("pin-submit")).click();
        assertThat(browser.awaitText(By.id("error"), "already used")).contains("ask at the desk");
        assertThat(kioskEvents())
                .filteredOn(e -> e.pass().equals(Optional.of(PassId.of("vp-kiosk-1"))))
                .hasSize(1);
    }

    @Test
    void aVisitorReadsAndSignsTheAgreementAndIsHandedAWifiCode() {
        invite("vp-kiosk-3", "975310");
        String title = "Visitor agreement";
        String body = "I, {visitorName}, visiting {hostName} at {siteName} on {date}, agree to keep what I see"
                + " here to myself.\n\nPhotos need the host's permission.";
        site.sync(List.of(
                new Change.Upsert(
                        new Agreement("agr-lobby", 1, title, body, "HQ Berlin", Agreement.sha256(title, body))),
                new Change.Upsert(new WifiVoucher(
                        "wv-lobby-1", "pi-1", "LOBBY-7F3A", Optional.of(Duration.ofHours(8)), Optional.empty()))));
        try {
            int transitions = hardware.site().relay(DOOR).transitions().size();
            browser.open(base + "kiosk/pin");
            browser.awaitVisible(By.id("pin")).sendKeys("975310");
            browser.driver().findElement(By.id("pin-submit")).click();

            // The PIN is known, but the door waits for the signature: nothing is recorded yet.
            browser.awaitHeading(title);
            assertThat(browser.awaitVisible(By.id("agreement-text")).getText())
                    .contains("visiting Ada Lovelace at HQ Berlin")
                    .contains("Photos need the host's permission.");
            assertThat(kioskEvents()).noneMatch(e -> e.pass().equals(Optional.of(PassId.of("vp-kiosk-3"))));
            assertThat(hardware.site().relay(DOOR).transitions()).hasSize(transitions);
            Axe.assertNoSeriousViolations(browser, "kiosk agreement");
            browser.screenshot("agreement");

            browser.driver().findElement(By.id("signer")).sendKeys("Alan Turing");
            browser.driver().findElement(By.id("agree")).click();
            browser.driver().findElement(By.id("agreement-submit")).click();

            browser.awaitHeading("Signed in");
            assertThat(browser.awaitText(By.id("wifi-code"), "LOBBY-7F3A")).isEqualTo("LOBBY-7F3A");
            assertThat(browser.driver().findElement(By.id("wifi-network")).getText())
                    .isEqualTo("HQ Guest");
            assertThat(browser.driver().findElement(By.id("wifi-until")).getText())
                    .isNotBlank();
            assertThat(kioskEvents())
                    .filteredOn(e -> e.pass().equals(Optional.of(PassId.of("vp-kiosk-3"))))
                    .singleElement()
                    .satisfies(e -> {
                        assertThat(e.signature()).hasValueSatisfying(signature -> {
                            assertThat(signature.agreement()).isEqualTo("agr-lobby");
                            assertThat(signature.signer()).isEqualTo("Alan Turing");
                        });
                        assertThat(e.voucher()).contains("wv-lobby-1");
                    });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> hardware.site().relay(DOOR).transitions().size() > transitions);
            Axe.assertNoSeriousViolations(browser, "kiosk welcome with a Wi-Fi code");
            browser.screenshot("agreement-signed-wifi");
        } finally {
            site.sync(List.of(new Change.Remove(EntityKind.AGREEMENT, "agr-lobby")));
        }
    }

    @Test
    void fiveWrongPinsLockTheKioskWithACountdownAndNothingIsLookedUpMeanwhile() throws Exception {
        invite("vp-kiosk-2", "135791");
        browser.open(base + "kiosk/pin");
        for (int i = 0; i < 5; i++) {
            browser.awaitVisible(By.id("pin")).sendKeys("00000" + i);
            browser.driver().findElement(By.id("pin-submit")).click();
            if (i < 4) {
                browser.awaitText(By.id("error"), "not known here");
            }
        }
        browser.awaitHeading("PIN sign-in paused");
        WebElement countdown = browser.awaitVisible(By.id("countdown"));
        long shown = Long.parseLong(countdown.getText());
        assertThat(shown).isBetween(1L, 300L);
        // The countdown runs on screen without a reload.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Long.parseLong(
                                browser.driver().findElement(By.id("countdown")).getText())
                        < shown);
        Axe.assertNoSeriousViolations(browser, "kiosk locked");
        browser.screenshot("locked");

        // Even the right PIN is not looked up while locked: the pass stays unspent.
        browser.open(base + "kiosk/pin");
        browser.awaitHeading("PIN sign-in paused");
        assertThat(kioskEvents())
                .filteredOn(e -> e.pass().equals(Optional.of(PassId.of("vp-kiosk-2"))))
                .isEmpty();

        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        browser.open(base + "kiosk/pin");
        browser.awaitVisible(By.id("pin")).sendKeys("135791");
        browser.driver().findElement(By.id("pin-submit")).click();
        browser.awaitHeading("Signed in");
    }

    @Test
    void admitByPinAtADoorIsThrottledLikeTheKiosk() throws Exception {
        // The agent's own entry point for PINs (a door's keypad) counts wrong PINs per door.
        for (int i = 0; i < 5; i++) {
            assertThat(agent.admitByPin(DOOR, "99999" + i)
                            .get(10, TimeUnit.SECONDS)
                            .decision())
                    .isInstanceOf(dev.gatehouse.protocol.policy.Decision.Denied.class);
        }
        assertThatThrownBy(() -> agent.admitByPin(DOOR, "999990").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("too many wrong PINs at door " + DOOR);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(agent.admitByPin(DOOR, "999990").get(10, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void aWalkInPicksTheHostByTwoLettersAndGetsNoDoor() {
        browser.open(base + "kiosk/walk-in");
        browser.awaitHeading("Sign in as a visitor");
        int transitions = hardware.site().relay(DOOR).transitions().size();
        browser.awaitVisible(By.id("name")).sendKeys("Grace Hopper");
        browser.driver().findElement(By.id("email")).sendKeys("grace@example.org");
        browser.driver().findElement(By.id("walk-in-submit")).click();
        // No host chosen: refused with what to do, nothing recorded, what was typed kept.
        assertThat(browser.awaitText(By.id("error"), "choose whom you are visiting"))
                .startsWith("Please");
        assertThat(browser.driver().findElement(By.id("name")).getAttribute("value"))
                .isEqualTo("Grace Hopper");
        assertThat(kioskEvents()).noneMatch(e -> e.kind() == KioskEventKind.WALK_IN_SIGNED_IN);

        browser.awaitVisible(By.id("q")).sendKeys("ad");
        WebElement hosts = browser.awaitVisible(By.cssSelector("#hosts fieldset"));
        // Only active members, only their display names: Bob Adams is suspended.
        assertThat(hosts.getText()).contains("Ada Lovelace").doesNotContain("Bob");
        Axe.assertNoSeriousViolations(browser, "kiosk walk-in");
        browser.screenshot("walk-in-hosts");
        browser.driver().findElement(By.cssSelector("#hosts input[value=ada]")).click();
        browser.driver().findElement(By.id("walk-in-submit")).click();

        browser.awaitHeading("Signed in");
        assertThat(browser.awaitText(By.id("welcome"), "Welcome, Grace Hopper!"))
                .contains("Ada Lovelace");
        assertThat(kioskEvents())
                .filteredOn(e -> e.kind() == KioskEventKind.WALK_IN_SIGNED_IN)
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.host()).contains(MemberId.of("ada"));
                    assertThat(e.name()).contains("Grace Hopper");
                    assertThat(e.email()).contains("grace@example.org");
                });
        assertThat(hardware.site().relay(DOOR).transitions()).hasSize(transitions);
        browser.screenshot("walk-in-welcome");
    }

    @Test
    void aMemberTappingAtTheKiosksDoorIsGreetedAndCheckedIn() {
        browser.open(base + "kiosk/");
        browser.awaitHeading("Welcome");

        hardware.site().holdCard(NFC, ADA);

        assertThat(browser.awaitText(By.id("member-greeting"), "Welcome, Ada Lovelace!"))
                .contains("checked in");
        assertThat(kioskEvents())
                .filteredOn(e -> e.kind() == KioskEventKind.MEMBER_CHECKED_IN)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.member()).contains(MemberId.of("ada")));
        Axe.assertNoSeriousViolations(browser, "kiosk greeting");
        browser.screenshot("member-greeting");
        hardware.site().removeCard(NFC);
    }

    @Test
    void aFormWithoutTheKiosksTokenIsRefusedAndChangesNothing() throws Exception {
        Cookie cookie = browser.driver().manage().getCookieNamed(Kiosk.COOKIE);
        int before = kioskEvents().size();
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(base + "kiosk/walk-in"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", Kiosk.COOKIE + "=" + cookie.getValue())
                        .POST(HttpRequest.BodyPublishers.ofString("name=Mallory&host=ada&action=sign-in"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).contains("token");
        assertThat(kioskEvents()).hasSize(before);
    }
}
