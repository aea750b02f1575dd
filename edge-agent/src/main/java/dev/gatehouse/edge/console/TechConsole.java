package dev.gatehouse.edge.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.edge.agent.AgentStatus;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.door.InputWiring;
import dev.gatehouse.edge.sync.SyncClient;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The technician's console on the Pi: a few server-rendered pages on the site's LAN, served by the
 * agent itself with the JDK's own HTTP server, so it works while the hub is unreachable. A technician
 * signs in with the console password and sees each door's wiring and state, the readers' health, the
 * cache and the hub link; tests a relay; watches taps and door events live (server-sent events); and
 * edits a door's wiring, which {@link WiringEditor} checks with the agent's own config loader and
 * writes to the YAML file for the next start.
 *
 * <p>Security: the password is checked against an Argon2id hash at most {@link
 * SignInThrottle#PER_ADDRESS} times a minute per address; a session is a random id in an HttpOnly,
 * SameSite=Strict cookie with an idle timeout; every form that changes something carries the
 * session's CSRF token, and one whose {@code Origin} is another site is refused; pages forbid framing
 * and inline script. Nothing secret is ever shown.
 */
public final class TechConsole implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TechConsole.class);
    static final String COOKIE = "gatehouse-console";
    /** At most this many live-event streams at once (each holds a watcher on the agent). */
    static final int MAX_STREAMS = 8;
    /** A comment line on each live stream this often, so a vanished browser is noticed. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** How many recent lines a newly opened live view starts with. */
    static final int RECENT_LINES = 30;
    /** How far a live view may fall behind before it is dropped. */
    static final int STREAM_QUEUE = 500;

    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(
            null, ContentType.Html, TechConsole.class.getClassLoader(), "dev.gatehouse.edge.console.pages");
    private static final String ASSETS = "dev/gatehouse/edge/console/assets/";
    private static final Pattern DOOR_PATH = Pattern.compile("/doors/([A-Za-z0-9_-]{1,64})(/test-relay)?");
    private static final String FROM = "the technician console";

    private final EdgeAgent agent;
    private final EdgeConfig.LocalConsole settings;
    private final WiringEditor wiring;
    private final Sessions sessions;
    private final SignInThrottle throttle;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final String htmxPath;
    private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();
    private final List<java.util.concurrent.BlockingQueue<String>> liveViews = new ArrayList<>();
    private final AutoCloseable watching;
    /** The kiosk's pairing, when the agent serves a kiosk on this server ({@link #mount}). */
    private volatile KioskPairing kiosks;

    private static final Pattern UNPAIR_PATH = Pattern.compile("/kiosks/([A-Za-z0-9_-]{1,64})/unpair");

    private TechConsole(EdgeAgent agent, Path configFile, EdgeConfig.LocalConsole settings, Clock clock)
            throws IOException {
        this.agent = agent;
        this.settings = settings;
        this.wiring = new WiringEditor(configFile);
        this.sessions = new Sessions(clock, settings.sessionIdle());
        this.throttle = new SignInThrottle(clock);
        this.htmxPath = "META-INF/resources/webjars/htmx.org/" + webJarVersion("htmx.org") + "/dist/htmx.min.js";
        String host = settings.host().startsWith("[")
                ? settings.host().substring(1, settings.host().length() - 1)
                : settings.host();
        this.server = HttpServer.create(new InetSocketAddress(host, settings.port()), 32);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        this.watching = agent.watch(this::broadcast);
        server.start();
    }

    /**
     * Starts the console for {@code agent}, whose configuration was read from {@code configFile} (the
     * file wiring edits go to). {@code clock} times sessions and sign-in throttling.
     */
    public static TechConsole start(EdgeAgent agent, Path configFile, EdgeConfig.LocalConsole settings, Clock clock)
            throws IOException {
        TechConsole console = new TechConsole(agent, configFile, settings, clock);
        log.info("technician console on {}", console.address());
        return console;
    }

    /**
     * Serves {@code handler} under {@code path} (e.g. {@code /kiosk/}) on the console's server, with the
     * console's security headers and error handling; the console's own pages keep every other path.
     * {@code pairing} is what the console's Kiosks section shows and does.
     */
    public void mount(String path, com.sun.net.httpserver.HttpHandler handler, KioskPairing pairing) {
        this.kiosks = pairing;
        server.createContext(path, exchange -> serve(exchange, handler, "the page at " + path));
    }

    /** Where the console answers, e.g. {@code http://192.168.1.20:8081/}. */
    public URI address() {
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + bound.getPort() + "/");
    }

    private void handle(HttpExchange exchange) {
        serve(exchange, this::route, "the console");
    }

    /** Answers one request with the console's headers; a failure is logged and, if it can be, answered 500. */
    private static void serve(HttpExchange exchange, com.sun.net.httpserver.HttpHandler handler, String what) {
        try (exchange) {
            Http.securityHeaders(exchange);
            handler.handle(exchange);
        } catch (Http.TooLarge e) {
            try {
                Http.text(exchange, 413, e.getMessage());
            } catch (IOException again) {
                log.debug("{} request {}: {}", what, exchange.getRequestURI(), again.toString());
            }
        } catch (IOException e) {
            log.debug("{} request {} failed: {}", what, exchange.getRequestURI(), e.toString());
        } catch (RuntimeException e) {
            log.error("{} request {} failed", what, exchange.getRequestURI().getPath(), e);
            try {
                Http.text(exchange, 500, what + " failed; the agent's log says why");
            } catch (IOException | RuntimeException again) {
                // the answer had begun already
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!Http.getOrPost(exchange)) {
            return;
        }
        boolean get = !exchange.getRequestMethod().equals("POST");
        boolean post = !get;
        if (path.startsWith("/assets/") && get) {
            asset(exchange, path.substring("/assets/".length()));
            return;
        }
        if (post && Http.foreignOrigin(exchange)) {
            Http.text(exchange, 403, "a request from another site's page is refused");
            return;
        }
        if (path.equals("/kiosk") && get && kiosks != null) {
            // The tablet's address without its slash: the kiosk, never the technician's sign-in page.
            Http.redirect(exchange, "/kiosk/");
            return;
        }
        if (path.equals("/signin")) {
            if (get) {
                signInPage(exchange, 200, "", false);
            } else {
                signIn(exchange);
            }
            return;
        }
        Optional<Sessions.Session> session = session(exchange);
        if (session.isEmpty()) {
            // Pages, forms and the live stream alike: no session, no console.
            Http.redirect(exchange, "/signin");
            return;
        }
        if (post) {
            Map<String, List<String>> form = Http.form(exchange);
            if (!session.get().csrfMatches(Http.first(form, "_csrf"))) {
                Http.text(
                        exchange,
                        403,
                        "refused: this form did not carry the page's CSRF token (reload the console and try again)");
                return;
            }
            post(exchange, session.get(), path, form);
            return;
        }
        switch (path) {
            case "/" -> home(exchange, session.get());
            case "/status" -> render(exchange, 200, "status.jte", Map.of("status", status()));
            case "/events" -> events(exchange);
            default -> {
                Matcher door = DOOR_PATH.matcher(path);
                if (door.matches() && door.group(2) == null) {
                    doorPage(exchange, session.get(), door.group(1));
                } else {
                    notFound(exchange);
                }
            }
        }
    }

    private void post(HttpExchange exchange, Sessions.Session session, String path, Map<String, List<String>> form)
            throws IOException {
        if (path.equals("/signout")) {
            sessions.remove(session.id);
            exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            Http.redirect(exchange, "/signin?signed-out");
            return;
        }
        if (path.equals("/kiosks/pair") && kiosks != null) {
            pairKiosk(exchange, session, form);
            return;
        }
        Matcher unpair = UNPAIR_PATH.matcher(path);
        if (unpair.matches() && kiosks != null) {
            boolean gone = kiosks.unpair(unpair.group(1));
            session.flash(new Sessions.Notice(
                    !gone,
                    gone
                            ? "Kiosk " + unpair.group(1) + " unpaired: its tablet shows the pairing page again."
                            : "No kiosk " + unpair.group(1) + " is paired."));
            Http.redirect(exchange, "/#kiosks-heading");
            return;
        }
        Matcher door = DOOR_PATH.matcher(path);
        if (!door.matches()) {
            notFound(exchange);
            return;
        }
        String doorId = door.group(1);
        if (door.group(2) != null) {
            testRelay(exchange, session, doorId);
        } else {
            saveWiring(exchange, session, doorId, form);
        }
    }

    // --- signing in -------------------------------------------------------------------------------

    private Optional<Sessions.Session> session(HttpExchange exchange) {
        Optional<String> id = Http.cookie(exchange, COOKIE);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> hash;
        try {
            hash = ConsolePassword.stored(settings.passwordFile());
        } catch (ConfigException e) {
            hash = Optional.empty(); // a password file gone wrong signs everyone out
        }
        return sessions.find(id.get(), hash);
    }

    private void signInPage(HttpExchange exchange, int status, String error, boolean throttled) throws IOException {
        String notice = "";
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null && query.contains("signed-out")) {
            notice = "Signed out.";
        }
        String problem = "";
        try {
            if (ConsolePassword.stored(settings.passwordFile()).isEmpty()) {
                problem = "No console password is set on this Pi yet. Set one on the Pi with: gatehouse-edge"
                        + " console-password --config " + wiring.file();
            }
        } catch (ConfigException e) {
            problem = e.getMessage();
        }
        render(
                exchange,
                status,
                "signin.jte",
                Map.of(
                        "page",
                        new Views.Page("Sign in", siteLabel(), "", notice, error),
                        "problem",
                        problem,
                        "throttled",
                        throttled));
    }

    private void signIn(HttpExchange exchange) throws IOException {
        String address = exchange.getRemoteAddress().getAddress().getHostAddress();
        Optional<Duration> wait = throttle.wait(address);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
            signInPage(exchange, 429, "Too many sign-in attempts. Wait " + seconds + " s before trying again.", true);
            return;
        }
        String password = Http.first(Http.form(exchange), "password");
        Optional<String> hash;
        try {
            hash = ConsolePassword.stored(settings.passwordFile());
        } catch (ConfigException e) {
            signInPage(exchange, 503, "", false);
            return;
        }
        if (hash.isEmpty()) {
            signInPage(exchange, 503, "", false);
            return;
        }
        if (!ConsolePassword.matches(password, hash.get())) {
            throttle.failed(address);
            log.warn("technician console: wrong password from {}", address);
            signInPage(exchange, 401, "Wrong password.", false);
            return;
        }
        throttle.succeeded(address);
        Sessions.Session session = sessions.create(hash.get());
        log.info("technician console: signed in from {}", address);
        exchange.getResponseHeaders()
                .add(
                        "Set-Cookie",
                        COOKIE + "=" + session.id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                                + Sessions.LIFETIME.toSeconds());
        Http.redirect(exchange, "/");
    }

    // --- pages ------------------------------------------------------------------------------------

    private void home(HttpExchange exchange, Sessions.Session session) throws IOException {
        WiringEditor.Loaded file = wiring.read();
        List<Views.DoorRow> doors = new ArrayList<>();
        AgentStatus status = agent.status();
        for (EdgeConfig.Door door : agent.config().doors()) {
            AgentStatus.DoorStatus state = status.doors().stream()
                    .filter(d -> d.id().equals(door.id()))
                    .findFirst()
                    .orElseThrow();
            doors.add(new Views.DoorRow(
                    door.id(),
                    door.name(),
                    wire(door.lock()),
                    relay(door),
                    input(door.contactPin(), door.contact()),
                    input(door.rexPin(), door.rex()),
                    door.readers().isEmpty() ? "none" : String.join(", ", door.readers()),
                    state.state(),
                    state.mode(),
                    restartNeeded(file, door.id())));
        }
        Views.Page page = page(session, "Technician console");
        render(
                exchange,
                200,
                "home.jte",
                Map.of(
                        "page",
                        page,
                        "status",
                        status(),
                        "doors",
                        doors,
                        "fileProblem",
                        file.problem().orElse(""),
                        "configFile",
                        wiring.file().toString(),
                        "kiosks",
                        kioskRows(),
                        "kioskServed",
                        kiosks != null));
    }

    private List<KioskPairing.Paired> kioskRows() {
        KioskPairing pairing = kiosks;
        return pairing == null ? List.of() : pairing.paired();
    }

    private void doorPage(HttpExchange exchange, Sessions.Session session, String doorId) throws IOException {
        WiringEditor.Loaded file = wiring.read();
        if (file.config().isEmpty()) {
            session.flash(new Sessions.Notice(
                    true,
                    "The configuration file does not load, so it cannot be edited here: "
                            + file.problem().orElse("")));
            Http.redirect(exchange, "/");
            return;
        }
        Optional<EdgeConfig.Door> door = file.config().get().door(doorId);
        if (door.isEmpty()) {
            notFound(exchange);
            return;
        }
        renderDoor(exchange, 200, page(session, "Wiring of " + door.get().name()), file, door.get());
    }

    private void renderDoor(
            HttpExchange exchange, int status, Views.Page page, WiringEditor.Loaded file, EdgeConfig.Door door)
            throws IOException {
        EdgeConfig config = file.config().orElseThrow();
        List<Views.Choice> readers = new ArrayList<>();
        for (EdgeConfig.Reader reader : config.readers()) {
            readers.add(new Views.Choice(
                    reader.id(),
                    reader.id() + " (" + wire(reader.type())
                            + reader.port().map(p -> ", " + p).orElse("") + ")",
                    door.readers().contains(reader.id())));
        }
        Views.DoorForm form = new Views.DoorForm(
                door.id(),
                door.name(),
                file.version(),
                Integer.toString(door.relayPin()),
                door.contactPin().map(String::valueOf).orElse(""),
                door.rexPin().map(String::valueOf).orElse(""),
                choices(List.of("fail-secure", "fail-safe"), wire(door.lock())),
                choices(List.of("low", "high"), door.relayActiveLow() ? "low" : "high"),
                choices(
                        List.of("normally-closed", "normally-open"),
                        wire(door.contact().circuit())),
                choices(List.of("ground", "3v3"), rail(door.contact().rail())),
                pulls(door.contact()),
                choices(
                        List.of("normally-open", "normally-closed"),
                        wire(door.rex().circuit())),
                choices(List.of("ground", "3v3"), rail(door.rex().rail())),
                pulls(door.rex()),
                readers,
                restartNeeded(file, door.id()));
        render(
                exchange,
                status,
                "door.jte",
                Map.of("page", page, "door", form, "configFile", wiring.file().toString()));
    }

    private void saveWiring(
            HttpExchange exchange, Sessions.Session session, String doorId, Map<String, List<String>> form)
            throws IOException {
        WiringEditor.Wiring edit = new WiringEditor.Wiring(
                Http.first(form, "lock"),
                Http.first(form, "relay-pin"),
                Http.first(form, "relay-active"),
                Http.first(form, "contact-pin"),
                Http.first(form, "contact-type"),
                Http.first(form, "contact-wired-to"),
                Http.first(form, "contact-pull"),
                Http.first(form, "rex-pin"),
                Http.first(form, "rex-type"),
                Http.first(form, "rex-wired-to"),
                Http.first(form, "rex-pull"),
                form.getOrDefault("readers", List.of()));
        switch (wiring.save(doorId, edit, Http.first(form, "version"))) {
            case WiringEditor.Outcome.Saved saved -> {
                log.info("technician console: wiring of door {} saved to {}", doorId, wiring.file());
                session.flash(new Sessions.Notice(
                        false,
                        "Saved the wiring of " + saved.door().name() + " to "
                                + wiring.file().getFileName()
                                + ". Restart needed: the agent keeps driving the old wiring until it is"
                                + " restarted (sudo systemctl restart gatehouse-edge)."));
                Http.redirect(exchange, "/doors/" + doorId);
            }
            case WiringEditor.Outcome.Refused refused -> {
                // The form as the technician sent it is gone; the page shows the file, unchanged, and why.
                WiringEditor.Loaded file = wiring.read();
                Optional<EdgeConfig.Door> door = file.config().flatMap(config -> config.door(doorId));
                if (door.isEmpty()) {
                    session.flash(new Sessions.Notice(true, "Not saved: " + refused.message()));
                    Http.redirect(exchange, "/");
                    return;
                }
                Views.Page page = new Views.Page(
                        "Wiring of " + door.get().name(),
                        siteLabel(),
                        session.csrf,
                        "",
                        "Not saved, nothing was written: " + refused.message());
                renderDoor(exchange, 422, page, file, door.get());
            }
        }
    }

    private void pairKiosk(HttpExchange exchange, Sessions.Session session, Map<String, List<String>> form)
            throws IOException {
        try {
            KioskPairing.Code code = kiosks.newCode(Http.first(form, "name"), Http.first(form, "door"));
            log.info("technician console: a kiosk pairing code was issued");
            session.flash(new Sessions.Notice(
                    false,
                    "Pairing code " + code.code() + " (shown once, valid " + code.validFor() + "): open "
                            + code.address() + " on the tablet and type it there."));
        } catch (IllegalArgumentException e) {
            session.flash(new Sessions.Notice(true, "No code issued: " + e.getMessage()));
        }
        Http.redirect(exchange, "/#kiosks-heading");
    }

    private void testRelay(HttpExchange exchange, Sessions.Session session, String doorId) throws IOException {
        try {
            agent.testRelay(doorId, FROM);
            session.flash(new Sessions.Notice(false, "Relay of " + doorId + " pulsed."));
        } catch (RuntimeException e) {
            session.flash(new Sessions.Notice(true, "Relay test failed: " + e.getMessage()));
        }
        Http.redirect(exchange, "/");
    }

    /**
     * Hands a decision or door event line to every open live view, without blocking (this runs on the
     * agent's watcher thread), and keeps it among the recent lines a newly opened view starts with. A
     * view that fell {@link #STREAM_QUEUE} lines behind is dropped.
     */
    private void broadcast(String line) {
        synchronized (recent) {
            recent.addLast(line);
            while (recent.size() > RECENT_LINES) {
                recent.removeFirst();
            }
            liveViews.removeIf(view -> !view.offer(line));
        }
    }

    /** Live decisions and door events as server-sent events, one line each, until the browser goes. */
    private void events(HttpExchange exchange) throws IOException {
        if (!streams.tryAcquire()) {
            Http.text(exchange, 503, "too many live views open; close one");
            return;
        }
        java.util.concurrent.BlockingQueue<String> queue = new java.util.concurrent.ArrayBlockingQueue<>(STREAM_QUEUE);
        try {
            synchronized (recent) {
                queue.addAll(recent); // what happened just before the page loaded (a relay test's own event)
                liveViews.add(queue);
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            send(out, "retry: 3000\n\n");
            while (closing.getCount() > 0) {
                String line = queue.poll(KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
                if (line == null) {
                    send(out, ": still here\n\n"); // a browser that went away fails this write
                } else {
                    send(out, "data: " + line.replace('\n', ' ').replace('\r', ' ') + "\n\n");
                }
            }
        } catch (IOException | InterruptedException e) {
            log.debug("live view ended: {}", e.toString());
        } finally {
            synchronized (recent) {
                liveViews.remove(queue);
            }
            streams.release();
        }
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void asset(HttpExchange exchange, String name) throws IOException {
        String resource;
        String type;
        switch (name) {
            case "htmx.min.js" -> {
                resource = htmxPath;
                type = "text/javascript; charset=utf-8";
            }
            case "console.js" -> {
                resource = ASSETS + "console.js";
                type = "text/javascript; charset=utf-8";
            }
            case "favicon.svg" -> {
                resource = ASSETS + "favicon.svg";
                type = "image/svg+xml";
            }
            case "console.css" -> {
                resource = ASSETS + "console.css";
                type = "text/css; charset=utf-8";
            }
            default -> {
                notFound(exchange);
                return;
            }
        }
        try (InputStream in = TechConsole.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                notFound(exchange);
                return;
            }
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            Http.send(exchange, 200, type, in.readAllBytes());
        }
    }

    private void notFound(HttpExchange exchange) throws IOException {
        Http.text(exchange, 404, "not found");
    }

    private void render(HttpExchange exchange, int status, String template, Map<String, Object> params)
            throws IOException {
        Utf8ByteOutput output = new Utf8ByteOutput();
        TEMPLATES.render(template, params, output);
        Http.send(exchange, status, "text/html; charset=utf-8", output.toByteArray());
    }

    // --- what the pages show ----------------------------------------------------------------------

    private Views.Page page(Sessions.Session session, String title) {
        Optional<Sessions.Notice> flash = session.takeFlash();
        return new Views.Page(
                title,
                siteLabel(),
                session.csrf,
                flash.filter(n -> !n.error()).map(Sessions.Notice::text).orElse(""),
                flash.filter(Sessions.Notice::error).map(Sessions.Notice::text).orElse(""));
    }

    private String siteLabel() {
        EdgeConfig.Site site = agent.config().site();
        return site.tenant() + " / " + site.id() + " / " + site.device();
    }

    Views.Status status() {
        AgentStatus status = agent.status();
        Optional<SyncClient> link = agent.sync();
        String state = link.map(sync -> sync.connected() ? "online" : "offline").orElse("offline");
        String detail = link.isEmpty() ? "no hub configured: this Pi runs offline-only" : status.hub();
        List<Views.ReaderRow> readers = new ArrayList<>();
        for (AgentStatus.ReaderStatus reader : status.readers()) {
            EdgeConfig.Reader config = agent.config().readers().stream()
                    .filter(r -> r.id().equals(reader.id()))
                    .findFirst()
                    .orElseThrow();
            String door = agent.config().doors().stream()
                    .filter(d -> d.readers().contains(reader.id()))
                    .map(EdgeConfig.Door::id)
                    .findFirst()
                    .orElse("none");
            readers.add(new Views.ReaderRow(
                    reader.id(),
                    reader.type(),
                    config.port().or(config::captureCommand).orElse(""),
                    door,
                    reader.healthy(),
                    reader.fault().orElse("")));
        }
        return new Views.Status(
                state,
                detail,
                status.cacheSeq(),
                status.credentials(),
                String.format(Locale.ROOT, "%,d KB", status.cacheBytes() / 1024),
                status.clock().name().toLowerCase(Locale.ROOT),
                status.clockReason(),
                status.outboxDepth(),
                status.hardware(),
                readers);
    }

    /** Whether the file holds other wiring for this door than the agent runs (or the door is gone from it). */
    private boolean restartNeeded(WiringEditor.Loaded file, String doorId) {
        Optional<EdgeConfig.Door> running = agent.config().door(doorId);
        Optional<EdgeConfig.Door> saved = file.config().flatMap(config -> config.door(doorId));
        return file.config().isPresent() && !running.equals(saved);
    }

    private static String relay(EdgeConfig.Door door) {
        return "GPIO " + door.relayPin() + ", active " + (door.relayActiveLow() ? "low" : "high");
    }

    private static String input(Optional<Integer> pin, InputWiring wiring) {
        return pin.map(p -> "GPIO " + p + ", " + wire(wiring.circuit()) + " to " + rail(wiring.rail()) + ", pull "
                        + wire(wiring.pull()))
                .orElse("none");
    }

    private static String rail(InputWiring.Rail rail) {
        return rail == InputWiring.Rail.GROUND ? "ground" : "3v3";
    }

    private static String wire(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static List<Views.Choice> choices(List<String> values, String selected) {
        return values.stream()
                .map(value -> new Views.Choice(value, value, value.equals(selected)))
                .toList();
    }

    /** The pull choices: the default (away from the rail) unless the file names one. */
    private static List<Views.Choice> pulls(InputWiring wiring) {
        boolean isDefault = (wiring.rail() == InputWiring.Rail.GROUND && wiring.pull() == InputWiring.Pull.UP)
                || (wiring.rail() == InputWiring.Rail.SUPPLY && wiring.pull() == InputWiring.Pull.DOWN);
        List<Views.Choice> out = new ArrayList<>();
        out.add(new Views.Choice("", "default (away from the rail)", isDefault));
        for (String pull : List.of("up", "down", "off")) {
            out.add(new Views.Choice(
                    pull, pull, !isDefault && wire(wiring.pull()).equals(pull)));
        }
        return out;
    }

    private static String webJarVersion(String artifact) throws IOException {
        String path = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = TechConsole.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("the " + artifact + " WebJar is missing from the class path");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        }
    }

    @Override
    public void close() {
        closing.countDown();
        try {
            watching.close();
        } catch (Exception e) {
            log.debug("closing the console's watcher: {}", e.toString());
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
