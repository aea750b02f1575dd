package dev.gatehouse.browser;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.openqa.selenium.JavascriptExecutor;

/**
 * Accessibility checks with axe-core (the WebJar on the test class path) in the page a {@link Browser}
 * shows. The script goes in through WebDriver, which a page's Content-Security-Policy does not block
 * in Chromium, so pages keep their strict policy under test.
 */
public final class Axe {
    private static final String WEBJAR = "META-INF/resources/webjars/axe-core/";
    private static final Set<String> SERIOUS = Set.of("serious", "critical");
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    // Flattens what the test needs from axe's results; a target is a list of selectors, a list
    // within it when the node is inside a shadow root or a frame.
    private static final String RUN = """
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']}).then(
                results => done(JSON.stringify(results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({
                        target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(', '),
                        html: n.html}))})))),
                error => done('axe failed: ' + error));
            """;
    private static String script;

    private Axe() {}

    /** One broken rule on the page: axe's id and impact (minor … critical), its help text and where. */
    public record Violation(String id, String impact, String help, String helpUrl, List<Node> nodes) {
        public Violation {
            nodes = List.copyOf(nodes);
        }

        boolean serious() {
            return SERIOUS.contains(impact);
        }
    }

    /** An element that breaks a rule: its CSS selector and its HTML. */
    public record Node(String target, String html) {}

    /** Runs every axe rule on the current page and returns what it breaks. */
    public static List<Violation> violations(Browser browser) {
        JavascriptExecutor js = (JavascriptExecutor) browser.driver();
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object';"))) {
            js.executeScript(script());
        }
        Object answer = js.executeAsyncScript(RUN);
        if (!(answer instanceof String text) || text.startsWith("axe failed")) {
            throw new IllegalStateException(
                    "axe-core did not run on " + browser.driver().getCurrentUrl() + ": " + answer);
        }
        try {
            return JSON.readValue(text, new TypeReference<List<Violation>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unexpected axe-core result: " + text, e);
        }
    }

    /**
     * Fails when the current page breaks a rule of serious or critical impact, listing each rule with
     * its help and the elements at fault. {@code pageName} says which page in the message.
     */
    public static void assertNoSeriousViolations(Browser browser, String pageName) {
        List<Violation> serious =
                violations(browser).stream().filter(Violation::serious).toList();
        if (!serious.isEmpty()) {
            throw new AssertionError(pageName + " (" + browser.driver().getCurrentUrl() + ") has " + serious.size()
                    + " serious accessibility violation(s):\n"
                    + serious.stream().map(Axe::describe).collect(Collectors.joining("\n")));
        }
    }

    private static String describe(Violation violation) {
        return "- " + violation.id() + " [" + violation.impact() + "]: " + violation.help() + " (" + violation.helpUrl()
                + ")\n"
                + violation.nodes().stream()
                        .map(node -> "    at " + node.target() + ": " + node.html())
                        .collect(Collectors.joining("\n"));
    }

    private static synchronized String script() {
        if (script == null) {
            ClassLoader loader = Axe.class.getClassLoader();
            try (InputStream pom =
                    loader.getResourceAsStream("META-INF/maven/org.webjars.npm/axe-core/pom.properties")) {
                if (pom == null) {
                    throw new IllegalStateException(
                            "axe-core is not on the test class path: add the org.webjars.npm:axe-core test dependency");
                }
                Properties properties = new Properties();
                properties.load(pom);
                String path = WEBJAR + properties.getProperty("version") + "/axe.min.js";
                try (InputStream in = loader.getResourceAsStream(path)) {
                    if (in == null) {
                        throw new IllegalStateException(path + " is missing from the axe-core WebJar");
                    }
                    script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read axe-core from the class path", e);
            }
        }
        return script;
    }
}
