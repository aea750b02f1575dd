package dev.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The browser harness itself, against pages from a real HTTP server that sends the strict
 * Content-Security-Policy the console will send: page tests rely on it reporting what is wrong, so
 * each check here is shown to fail on a page that is wrong.
 */
class BrowserHarnessTest {
    private static final String POLICY = "default-src 'self'; script-src 'self'";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static HttpServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        Map<String, Page> pages = Map.of(
                "/page.css",
                Page.text("text/css", """
                        body { font-family: sans-serif; margin: 2rem; color: #111; background: #fff; }
                        .faint { color: #d8d8d8; }
                        """),
                "/door.png",
                new Page("image/png", doorImage()),
                "/fails.js",
                Page.text("text/javascript", "throw new Error('door state unknown');"),
                "/clean.html",
                Page.html("Doors", """
                        <main>
                          <h1>Doors</h1>
                          <img src="/door.png" alt="Front door, locked">
                          <form>
                            <label for="name">Door name</label>
                            <input id="name" name="name">
                            <button type="submit">Save</button>
                          </form>
                        </main>
                        """),
                "/broken.html",
                Page.html("Doors", """
                        <main>
                          <h1>Doors</h1>
                          <img src="/door.png">
                          <form><input id="name" name="name"><button type="submit">Save</button></form>
                          <p class="faint">Front door locked since 08:00</p>
                        </main>
                        """),
                "/inline-script.html",
                Page.html("Doors", """
                        <main><h1>Doors</h1><p id="state">served</p></main>
                        <script>document.getElementById('state').textContent = 'inline ran';</script>
                        """),
                "/script-error.html",
                Page.html("Doors", "<main><h1>Doors</h1></main><script src=\"/fails.js\"></script>"));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> serve(exchange, pages));
        server.start();
        browser = Browser.start(BrowserHarnessTest.class);
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            server.stop(0);
        }
    }

    @BeforeEach
    void forgetEarlierPagesErrors() {
        browser.consoleErrors();
    }

    @Nested
    class Accessibility {
        @Test
        void inaccessiblePageFailsListingEachRuleAndTheElementsAtFault() {
            // A page test's failure must say what to fix: the rule, its help and the element.
            browser.open(url("/broken.html"));

            assertThatThrownBy(() -> Axe.assertNoSeriousViolations(browser, "Door list"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Door list (" + url("/broken.html") + ")")
                    .hasMessageContaining("image-alt [critical]: Images must have alternate text")
                    .hasMessageContaining("at img: <img src=\"/door.png\">")
                    .hasMessageContaining("label [critical]")
                    .hasMessageContaining("at #name: <input id=\"name\" name=\"name\">")
                    .hasMessageContaining("color-contrast [serious]")
                    .hasMessageContaining("at p: <p class=\"faint\">Front door locked since 08:00</p>");
        }

        @Test
        void accessiblePagePassesAndInjectingAxeBreaksNoPolicy() {
            // axe goes in through WebDriver: the page's strict CSP must neither stop it nor log it.
            browser.open(url("/clean.html"));

            Axe.assertNoSeriousViolations(browser, "Door list");

            assertThat(browser.script("return typeof window.axe")).isEqualTo("object");
            assertThat(browser.consoleErrors()).isEmpty();
        }
    }

    @Nested
    class Console {
        @Test
        void inlineScriptRefusedByThePolicyIsReported() {
            // Pages must not rely on inline scripts; the console test catches one through this report.
            browser.open(url("/inline-script.html"));

            assertThat(browser.awaitVisible(By.id("state")).getText()).isEqualTo("served");
            assertThat(browser.consoleErrors()).anySatisfy(error -> assertThat(error)
                    .contains("inline-script.html")
                    .contains("inline script violates the following Content Security Policy directive"));
        }

        @Test
        void scriptErrorIsReportedAndReadingEmptiesTheLog() {
            browser.open(url("/script-error.html"));

            assertThat(browser.consoleErrors())
                    .anySatisfy(error -> assertThat(error).contains("door state unknown"));
            assertThat(browser.consoleErrors()).isEmpty();
        }
    }

    @Nested
    class Screenshots {
        @Test
        void screenshotIsAPngOfTheWindowUnderTheTestClassFolder() throws IOException {
            browser.open(url("/clean.html"));
            browser.await(ExpectedConditions.titleIs("Doors"));

            Path file = browser.screenshot("clean-desktop");

            assertThat(file).isEqualTo(Path.of("target", "screenshots", "BrowserHarnessTest", "clean-desktop.png"));
            assertThat(pngWidth(file)).isEqualTo(viewportPixels());
        }

        @Test
        void phoneViewportIsThePhonesSize() throws IOException {
            // The member portal is checked at the size of a phone's page, not a shrunken desktop.
            try {
                browser.phone().open(url("/clean.html"));

                assertThat(browser.script("return [window.innerWidth, window.innerHeight]"))
                        .isEqualTo(List.of(390L, 844L));
                assertThat(pngWidth(browser.screenshot("clean-phone"))).isEqualTo(viewportPixels());
            } finally {
                browser.desktop();
            }
            assertThat(browser.script("return [window.innerWidth, window.innerHeight]"))
                    .isEqualTo(List.of(1280L, 900L));
        }

        @Test
        void badScreenshotNameIsRefused() {
            assertThatThrownBy(() -> browser.screenshot("../escape"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'../escape' must be 1-100 letters, digits");
        }

        private static long viewportPixels() {
            return (Long) browser.script("return Math.round(window.innerWidth * window.devicePixelRatio)");
        }

        private static long pngWidth(Path file) throws IOException {
            byte[] png = Files.readAllBytes(file);
            assertThat(png).startsWith(PNG_SIGNATURE);
            assertThat(ImageIO.read(file.toFile())).as("decodes as an image").isNotNull();
            return Integer.toUnsignedLong(ByteBuffer.wrap(png, 16, 4).getInt());
        }
    }

    @Nested
    class Lifecycle {
        @Test
        void closeQuitsTheBrowserAndDeletesItsProfile() {
            Browser second = Browser.start(BrowserHarnessTest.class);
            Path profile = second.profile();
            second.open(url("/clean.html"));
            assertThat(profile).isDirectory();

            second.close();

            assertThat(profile).doesNotExist();
            assertThatThrownBy(() -> second.driver().getTitle()).hasMessageContaining("Session ID is null");
            second.close();
        }

        @Test
        void missingBinariesFailWithTheInstallCommand() {
            // CI installs Chromium: a missing one is an error to fix, never a silent skip.
            assertThatThrownBy(() -> Browser.locate(Browser.CHROMIUM_PROPERTY, null, Path.of("/nonexistent/chromium")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("/nonexistent/chromium, which is missing")
                    .hasMessageContaining("apt-get install chromium chromium-driver")
                    .hasMessageContaining("-Dgatehouse.test.chromium=");
            assertThatThrownBy(() -> Browser.locate(
                            Browser.CHROMEDRIVER_PROPERTY,
                            "/nonexistent/chromedriver",
                            Path.of("/usr/bin/chromedriver")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(
                            "-Dgatehouse.test.chromedriver=/nonexistent/chromedriver is not an executable");
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void serve(HttpExchange exchange, Map<String, Page> pages) throws IOException {
        try (exchange) {
            Page page = pages.get(exchange.getRequestURI().getPath());
            exchange.getResponseHeaders().set("Content-Security-Policy", POLICY);
            if (page == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", page.contentType());
            exchange.sendResponseHeaders(200, page.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page.body());
            }
        }
    }

    private static byte[] doorImage() throws IOException {
        BufferedImage image = new BufferedImage(120, 80, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        graphics.setColor(new Color(0x2b5d8c));
        graphics.fillRect(0, 0, 120, 80);
        graphics.setColor(Color.WHITE);
        graphics.fillRect(40, 10, 40, 70);
        graphics.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return png.toByteArray();
    }

    private record Page(String contentType, byte[] body) {
        static Page text(String contentType, String text) {
            return new Page(contentType + "; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }

        static Page html(String title, String body) {
            return text(
                    "text/html",
                    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                            + "</title><link rel=\"stylesheet\" href=\"/page.css\"></head>\n<body>\n" + body
                            + "</body></html>\n");
        }
    }
}
