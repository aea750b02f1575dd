package dev.gatehouse.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven by ChromeDriver, for the console and member-portal page tests: one
 * per test class (like the hub), started in {@code @BeforeAll} and closed in {@code @AfterAll}.
 *
 * <p>It uses Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (or the paths in
 * {@code -Dgatehouse.test.chromium} and {@code -Dgatehouse.test.chromedriver}) and fails with the
 * install command when they are missing: CI installs them, so a silent skip would hide lost coverage.
 * Selenium Manager is kept offline. Each browser gets a fresh profile in a temp folder, deleted at
 * close together with the browser and driver processes, whether the tests passed or not.
 */
public final class Browser implements AutoCloseable {
    /** The console's viewport: a laptop screen. */
    public static final Dimension DESKTOP = new Dimension(1280, 900);
    /** The member portal's viewport: a phone held upright. */
    public static final Dimension PHONE = new Dimension(390, 844);
    /** How long a wait lasts before it fails: generous, since two cores are shared by several builds. */
    public static final Duration WAIT = Duration.ofSeconds(15);

    static final String CHROMIUM_PROPERTY = "gatehouse.test.chromium";
    static final String CHROMEDRIVER_PROPERTY = "gatehouse.test.chromedriver";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    // Selenium warns at each start that it has no CDP bindings for this Chromium: none are needed
    // (selenium-devtools does not resolve here), so the warning is noise. Held to keep the level.
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");
    private static final Pattern SCREENSHOT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final Class<?> testClass;
    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Browser(Class<?> testClass, Path profile, ChromeDriverService service, ChromeDriver driver) {
        this.testClass = testClass;
        this.profile = profile;
        this.service = service;
        this.driver = driver;
    }

    /**
     * Starts Chromium with a {@link #DESKTOP} viewport. {@code testClass} names the folder screenshots
     * go to.
     */
    public static Browser start(Class<?> testClass) {
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
        Path chromium = locate(CHROMIUM_PROPERTY, System.getProperty(CHROMIUM_PROPERTY), CHROMIUM);
        Path chromedriver = locate(CHROMEDRIVER_PROPERTY, System.getProperty(CHROMEDRIVER_PROPERTY), CHROMEDRIVER);
        if (System.getenv("SE_OFFLINE") == null && System.getProperty("SE_OFFLINE") == null) {
            // Selenium passes SE_* system properties to Selenium Manager, which must never go online.
            System.setProperty("SE_OFFLINE", "true");
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("gatehouse-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a Chromium profile folder", e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options(chromium, profile));
        } catch (RuntimeException e) {
            service.stop();
            deleteQuietly(profile);
            throw new IllegalStateException(
                    "Chromium " + chromium + " with " + chromedriver + " did not start: " + e.getMessage(), e);
        }
        Browser browser = new Browser(testClass, profile, service, driver);
        try {
            driver.manage().timeouts().implicitlyWait(Duration.ZERO);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return browser.resize(DESKTOP);
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
    }

    /**
     * The executable named by {@code property} ({@code configured}, its value, may be null), else
     * {@code fallback}; fails with what to install or set when it is not an executable file.
     */
    static Path locate(String property, String configured, Path fallback) {
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new IllegalStateException("-D" + property + "=" + configured
                        + " is not an executable file: point it at the binary, or remove it to use " + fallback);
            }
            return path;
        }
        if (!Files.isRegularFile(fallback) || !Files.isExecutable(fallback)) {
            throw new IllegalStateException("browser tests need " + fallback
                    + ", which is missing: install Chromium and its driver with"
                    + " `apt-get install chromium chromium-driver`, or set -D" + property + "=/path/to/it");
        }
        return fallback;
    }

    private static ChromeOptions options(Path chromium, Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--window-size=" + DESKTOP.width + "," + DESKTOP.height,
                "--user-data-dir=" + profile);
        options.setPageLoadStrategy(PageLoadStrategy.NORMAL);
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        return options;
    }

    /** The Selenium driver, for what the helpers here do not cover. */
    public WebDriver driver() {
        return driver;
    }

    /** Loads {@code url} and returns once its {@code load} event has fired. */
    public Browser open(String url) {
        driver.get(url);
        return this;
    }

    /**
     * Waits up to {@link #WAIT} for {@code condition} (see {@link ExpectedConditions}) and returns its value.
     * An element that went away because the page navigated meanwhile (stale, or Chromium's "does not
     * belong to the document") is looked for again rather than failing the wait.
     */
    public <T> T await(ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, WAIT)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(driver -> {
                    try {
                        return condition.apply(driver);
                    } catch (org.openqa.selenium.WebDriverException e) {
                        if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                            return null;
                        }
                        throw e;
                    }
                });
    }

    /** Waits until the page's {@code h1} reads {@code text} (the page a form or link led to has loaded). */
    public void awaitHeading(String text) {
        await(ExpectedConditions.textToBe(org.openqa.selenium.By.tagName("h1"), text));
    }

    /**
     * Waits for an element to be shown and clicks it. An element a live update replaced between the
     * lookup and the click (stale: nothing was clicked) is looked up again and clicked then.
     */
    public void click(By locator) {
        await(driver -> {
            WebElement element =
                    ExpectedConditions.visibilityOfElementLocated(locator).apply(driver);
            if (element == null) {
                return null;
            }
            element.click();
            return Boolean.TRUE;
        });
    }

    /** Waits up to {@link #WAIT} for an element to be shown and returns it. */
    public WebElement awaitVisible(By locator) {
        return await(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    /**
     * Waits until the element {@code locator} finds reads every one of {@code parts}, looking it up
     * again at each try, and returns its text. For a form posted again: the previous answer's element
     * with the same id is still there until the browser has the new page.
     */
    public String awaitText(By locator, String... parts) {
        return await(driver -> {
            java.util.List<WebElement> found = driver.findElements(locator);
            if (found.isEmpty()) {
                return null;
            }
            String text = found.getFirst().getText();
            for (String part : parts) {
                if (!text.contains(part)) {
                    return null;
                }
            }
            return text;
        });
    }

    /** Runs JavaScript in the page ({@code arguments[i]} are {@code args}) and returns its result. */
    public Object script(String javaScript, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(javaScript, args);
    }

    /** Switches to the {@link #PHONE} viewport, as the member portal is used. */
    public Browser phone() {
        return resize(PHONE);
    }

    /** Switches back to the {@link #DESKTOP} viewport of the console. */
    public Browser desktop() {
        return resize(DESKTOP);
    }

    /** Sizes the window so that the page itself (the viewport) is {@code size}, as on the device. */
    private Browser resize(Dimension size) {
        driver.manage().window().setSize(size);
        // The window takes its size a moment later (on a loaded machine the page still answered with
        // the old viewport, and the frame came out negative): wait until the viewport fits the window.
        Dimension viewport;
        try {
            viewport = await(d -> {
                Dimension now = viewport();
                return now.width <= size.width && now.height <= size.height ? now : null;
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            return this; // a window that will not get this small: as close as it gets
        }
        if (!viewport.equals(size)) {
            // Even headless, the window has a frame: add its width and height.
            Dimension framed = new Dimension(2 * size.width - viewport.width, 2 * size.height - viewport.height);
            driver.manage().window().setSize(framed);
            try {
                await(d -> viewport().equals(size) ? Boolean.TRUE : null);
            } catch (org.openqa.selenium.TimeoutException e) {
                // as close as the window gets
            }
        }
        return this;
    }

    /** The size of the page's viewport in CSS pixels. */
    public Dimension viewport() {
        List<?> size = (List<?>) script("return [window.innerWidth, window.innerHeight];");
        return new Dimension(((Number) size.get(0)).intValue(), ((Number) size.get(1)).intValue());
    }

    /**
     * Saves what the window shows as {@code <build dir>/screenshots/<TestClass>/<name>.png} and returns
     * the file. The build dir is {@code -Dproject.build.directory} when given, else {@code target}
     * under the working directory (the module, under Maven).
     */
    public Path screenshot(String name) {
        if (name == null || !SCREENSHOT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("screenshot name '" + name
                    + "' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        String buildDir = System.getProperty("project.build.directory", "target");
        Path file = Path.of(buildDir, "screenshots", testClass.getSimpleName(), name + ".png");
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write screenshot " + file.toAbsolutePath(), e);
        }
        return file;
    }

    /**
     * The errors the browser logged since the previous call (or the start): JavaScript errors, CSP
     * violations, failed resource loads. Reading empties the log, so each page can be checked on its own.
     */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    /** The profile folder of this browser; gone after {@link #close()}. */
    Path profile() {
        return profile;
    }

    /** Quits Chromium and ChromeDriver and deletes the profile; safe to call twice. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        // Chromium may still be flushing its profile while it exits: retry a few times.
        for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException | UncheckedIOException stillWriting) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
