package dev.gatehouse.hub.testing;

import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.console.TechConsole;
import dev.gatehouse.edge.kiosk.Kiosk;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kiosk tablet over plain HTTP, for tests and benchmarks: the edge agent's technician console and
 * kiosk started on a free port, the tablet paired with a code as the technician hands it out, and
 * the kiosk's forms posted with their tokens as a browser would.
 */
public final class KioskClient implements AutoCloseable {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern TICKET = Pattern.compile("name=\"ticket\" value=\"([^\"]+)\"");

    public final Kiosk kiosk;
    private final TechConsole console;
    private final String cookie;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private KioskClient(TechConsole console, Kiosk kiosk, String door) throws Exception {
        this.console = console;
        this.kiosk = kiosk;
        String code = kiosk.newCode("Lobby", door).code();
        HttpResponse<String> page = get("", "");
        String pre = cookie(page, "gatehouse-kiosk-pair");
        HttpResponse<String> paired = post("pair", pre, "_csrf=" + csrf(page.body()) + "&code=" + code);
        if (paired.statusCode() != 303) {
            throw new IllegalStateException("pairing answered " + paired.statusCode() + ": " + paired.body());
        }
        this.cookie = cookie(paired, "gatehouse-kiosk");
    }

    /** Starts the console and kiosk of {@code agent} (config file {@code configFile}) and pairs a tablet bound to {@code door}. */
    public static KioskClient start(EdgeAgent agent, Path configFile, String door) throws Exception {
        TechConsole console = TechConsole.start(
                agent,
                configFile,
                new EdgeConfig.LocalConsole(
                        "127.0.0.1", 0, configFile.resolveSibling("console-password"), Duration.ofMinutes(15)),
                Clock.systemUTC());
        Kiosk kiosk = Kiosk.attach(agent, console, Clock.systemUTC());
        return new KioskClient(console, kiosk, door);
    }

    /** GET of a kiosk page (relative to {@code /kiosk/}) as the paired tablet. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, cookie);
    }

    /** Types {@code pin} at the kiosk; answers what the visitor sees. */
    public HttpResponse<String> signInWithPin(String pin) throws IOException, InterruptedException {
        return post("pin", cookie, "_csrf=" + token("pin") + "&pin=" + pin);
    }

    /** Signs a walk-in named {@code name} in for {@code host} (a member id); answers what the visitor sees. */
    public HttpResponse<String> signInWalkIn(String name, String host) throws IOException, InterruptedException {
        return signInWalkIn(name, host, token("walk-in"));
    }

    /** The same with the form's token fetched before ({@link #token}): the form's submission alone. */
    public HttpResponse<String> signInWalkIn(String name, String host, String token)
            throws IOException, InterruptedException {
        return post(
                "walk-in",
                cookie,
                "_csrf=" + token + "&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&email=&q=&host="
                        + host + "&action=sign-in");
    }

    /**
     * Signs the visitor agreement shown on {@code page} (the kiosk's answer to a sign-in that must sign
     * first) with {@code signer}'s name and the box ticked; answers what the visitor sees then.
     */
    public HttpResponse<String> signAgreement(String page, String signer) throws IOException, InterruptedException {
        Matcher ticket = TICKET.matcher(page);
        if (!ticket.find()) {
            throw new IllegalStateException("no agreement form in the page");
        }
        return post(
                "agreement",
                cookie,
                "_csrf=" + URLEncoder.encode(csrf(page), StandardCharsets.UTF_8) + "&ticket="
                        + URLEncoder.encode(ticket.group(1), StandardCharsets.UTF_8) + "&signer="
                        + URLEncoder.encode(signer, StandardCharsets.UTF_8) + "&agree=yes");
    }

    /** The form token of kiosk page {@code page}, URL-encoded, as the page carries it. */
    public String token(String page) throws IOException, InterruptedException {
        return URLEncoder.encode(csrf(get(page, cookie).body()), StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(String path, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(kiosk.address().resolve(path));
        if (!cookie.isEmpty()) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String cookie, String form)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(kiosk.address().resolve(path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<?> response, String name) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(name + "="))
                .map(c -> c.split(";")[0])
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + " cookie in " + response.headers()));
    }

    private static String csrf(String page) {
        Matcher matcher = CSRF.matcher(page);
        if (!matcher.find()) {
            throw new IllegalStateException("no form token in the page");
        }
        return matcher.group(1);
    }

    @Override
    public void close() {
        try (var k = kiosk;
                var c = console) {
            // closed in reverse order, each even if another fails
        }
    }
}
