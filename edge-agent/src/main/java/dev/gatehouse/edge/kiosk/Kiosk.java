package dev.gatehouse.edge.kiosk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.access.PinAttempt;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.cache.CacheException;
import dev.gatehouse.edge.cache.Kiosks;
import dev.gatehouse.edge.console.Http;
import dev.gatehouse.edge.console.KioskPairing;
import dev.gatehouse.edge.console.TechConsole;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.Decision;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front-door kiosk, served by the edge agent under {@code /kiosk/} on the technician console's
 * server, so that it works while the hub is unreachable. A tablet is paired once by the technician
 * (a one-time code from the console; the tablet keeps a random token in an HttpOnly, SameSite=Strict
 * cookie, the edge only its SHA-256). Then:
 *
 * <ul>
 *   <li>a visitor with a pre-registered pass types its 6-digit PIN: decided offline like the pass's QR
 *       code at the door the kiosk is bound to, which opens; a single-use pass is spent by it;
 *   <li>a walk-in types a name (and an e-mail) and chooses the host among the site's members by typing
 *       two letters of a name; a walk-in gets no door;
 *   <li>a member taps a card or shows a member QR at the bound door's reader: the kiosk greets them
 *       with today's bookings.
 * </ul>
 *
 * When the site has a visitor agreement in force, a visitor reads and signs it (typed name and a
 * ticked box) before the sign-in is recorded: every walk-in, and a pass's visitor unless that pass
 * signed this version here before ({@link SignInExtras}). A visitor's sign-in takes a Wi-Fi voucher
 * from this edge's slice of the pool, if one is left, shown on the welcome screen.
 *
 * <p>Each of these is committed to the edge's outbox as an {@code event.kiosk} before the screen says
 * welcome, with its signature and voucher in the same transaction; a PIN's sign-in also with the
 * access event, before the door opens. Wrong PINs lock the kiosk for a while ({@link EdgeAgent#tryPin}). Every form carries a
 * token derived from the kiosk's own (or, before pairing, a cookie of its own), and a form posted
 * from another site's page is refused.
 */
public final class Kiosk implements HttpHandler, KioskPairing, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Kiosk.class);
    static final String COOKIE = "gatehouse-kiosk";
    static final String PAIR_COOKIE = "gatehouse-kiosk-pair";
    /** How long a paired tablet's cookie lasts; pairing again or unpairing ends it sooner. */
    static final Duration TOKEN_LIFETIME = Duration.ofDays(400);
    /** How long a member's greeting stays on the screen. */
    static final Duration GREETING = Duration.ofSeconds(20);
    /** Seconds the welcome stays before the kiosk returns to its start. */
    static final int WELCOME_SECONDS = 12;

    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(
            null, ContentType.Html, Kiosk.class.getClassLoader(), "dev.gatehouse.edge.console.pages");
    private static final String ASSETS = "dev/gatehouse/edge/kiosk/assets/";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern PIN = Pattern.compile("\\d{6}");
    private static final Pattern NAME = Pattern.compile("[^\\p{Cntrl}]{1," + KioskEvent.MAX_NAME + "}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final DateTimeFormatter HOURS = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

    private final EdgeAgent agent;
    private final Kiosks kiosks;
    private final Clock clock;
    private final PairingCodes codes;
    private final SignInExtras extras;
    /** Ticket → a sign-in waiting for its agreement to be signed, until {@link #TO_SIGN} has passed. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private final String base;
    /** Kiosk id → the latest member greeted there, until {@link #GREETING} has passed. */
    private final Map<String, Greeted> greetings = new ConcurrentHashMap<>();
    /** Member check-ins are recorded off the door's queue, one at a time. */
    private final ExecutorService checkIns = Executors.newSingleThreadExecutor(
            task -> Thread.ofPlatform().name("kiosk-check-ins").daemon(true).unstarted(task));

    private final AutoCloseable listening;

    private record Greeted(KioskViews.Greeting greeting, Instant until) {}

    /** How long a visitor has to read and sign the agreement before the sign-in must start again. */
    static final Duration TO_SIGN = Duration.ofMinutes(10);
    /** At most this many sign-ins wait for a signature at once (per edge); the oldest make room. */
    private static final int MAX_PENDING = 64;
    /** How long the kiosk waits for the door's queue to take a PIN; after that the door stays shut. */
    static final Duration PIN_WAIT = Duration.ofSeconds(10);

    private final Duration pinWait;

    /**
     * A sign-in waiting for its signature, held in memory only (a restart asks again): the PIN typed
     * (kept here, never put in a page) or the walk-in's form, and the agreement it must sign.
     */
    private record Pending(
            String kiosk,
            Optional<String> pin,
            Optional<WalkInTyped> walkIn,
            SignInExtras.Visitor visitor,
            SignInExtras.ToSign toSign,
            Instant until) {}

    /** A walk-in's form, checked, as typed. */
    private record WalkInTyped(String name, Optional<String> email, MemberId host, String hostName) {}

    private Kiosk(EdgeAgent agent, Clock clock, String base, Duration pinWait) {
        this.agent = agent;
        this.pinWait = pinWait;
        this.kiosks = agent.cache().kiosks();
        this.clock = clock;
        this.codes = new PairingCodes(clock);
        this.base = base;
        this.extras = new SignInExtras(
                agent.cache(),
                agent.config().site().device(),
                agent.config().site().zone(),
                agent.config().site().guestWifi());
        this.listening = agent.onDecision(this::decided);
    }

    /**
     * Serves the kiosk under {@code /kiosk/} on {@code console}'s server and adds the console's Kiosks
     * section (pairing). {@code clock} times pairing codes and greetings.
     */
    public static Kiosk attach(EdgeAgent agent, TechConsole console, Clock clock) {
        return attach(agent, console, clock, PIN_WAIT);
    }

    /** As {@link #attach(EdgeAgent, TechConsole, Clock)}, waiting {@code pinWait} for a door to take a PIN (tests). */
    static Kiosk attach(EdgeAgent agent, TechConsole console, Clock clock, Duration pinWait) {
        Kiosk kiosk =
                new Kiosk(agent, clock, console.address().resolve("/kiosk/").toString(), pinWait);
        console.mount("/kiosk/", kiosk, kiosk);
        log.info("kiosk on {}", kiosk.base);
        return kiosk;
    }

    // --- the console's side: pairing -------------------------------------------------------------

    @Override
    public Code newCode(String name, String door) {
        String cleaned = name.strip();
        if (cleaned.isEmpty() || cleaned.length() > 60 || !NAME.matcher(cleaned).matches()) {
            throw new IllegalArgumentException("give the tablet a name of 1-60 characters, e.g. Lobby tablet");
        }
        Optional<String> bound = door.isBlank() ? Optional.empty() : Optional.of(door.strip());
        if (bound.isPresent() && agent.door(bound.get()).isEmpty()) {
            throw new IllegalArgumentException("this Pi has no door '" + bound.get() + "'");
        }
        String code = codes.issue(cleaned, bound);
        return new Code(code, PairingCodes.VALID.toMinutes() + " minutes", base);
    }

    @Override
    public List<Paired> paired() {
        return kiosks.all().stream()
                .map(k -> new Paired(
                        k.id(),
                        k.name(),
                        k.door().map(DoorId::value).orElse(""),
                        k.pairedAt()
                                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                                .toString()))
                .toList();
    }

    @Override
    public boolean unpair(String id) {
        greetings.remove(id);
        boolean removed = kiosks.unpair(id);
        if (removed) {
            log.info("kiosk {} unpaired", id);
        }
        return removed;
    }

    // --- the tablet's side ------------------------------------------------------------------------

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!Http.getOrPost(exchange)) {
            return;
        }
        boolean get = !exchange.getRequestMethod().equals("POST");
        boolean post = !get;
        if (path.equals("/kiosk")) {
            Http.redirect(exchange, "/kiosk/");
            return;
        }
        if (path.startsWith("/kiosk/assets/") && get) {
            asset(exchange, path.substring("/kiosk/assets/".length()));
            return;
        }
        if (post && Http.foreignOrigin(exchange)) {
            Http.text(exchange, 403, "a request from another site's page is refused");
            return;
        }
        Optional<String> token = Http.cookie(exchange, COOKIE);
        Optional<Kiosks.Kiosk> kiosk = token.flatMap(t -> kiosks.byTokenHash(sha256(t)));
        if (kiosk.isEmpty()) {
            if (path.equals("/kiosk/pair") && post) {
                pair(exchange);
            } else if (get && (path.equals("/kiosk/") || path.equals("/kiosk/pair"))) {
                pairPage(exchange, 200, "");
            } else if (get) {
                Http.redirect(exchange, "/kiosk/");
            } else {
                Http.text(exchange, 403, "this tablet is not paired: open /kiosk/ and type a pairing code");
            }
            return;
        }
        String csrf = csrf(token.orElseThrow());
        if (post) {
            Map<String, List<String>> form = Http.form(exchange);
            if (!MessageDigest.isEqual(
                    csrf.getBytes(StandardCharsets.UTF_8),
                    Http.first(form, "_csrf").getBytes(StandardCharsets.UTF_8))) {
                Http.text(exchange, 403, "refused: this form did not carry the kiosk's token (go back to the start)");
                return;
            }
            switch (path) {
                case "/kiosk/pin" -> pin(exchange, kiosk.get(), csrf, form);
                case "/kiosk/walk-in" -> walkIn(exchange, kiosk.get(), csrf, form);
                case "/kiosk/agreement" -> signed(exchange, kiosk.get(), csrf, form);
                default -> Http.text(exchange, 404, "not found");
            }
            return;
        }
        Map<String, String> query = query(exchange);
        switch (path) {
            case "/kiosk/" -> home(exchange, kiosk.get(), csrf);
            case "/kiosk/pin" -> pinPage(exchange, kiosk.get(), csrf, 200, "");
            case "/kiosk/walk-in" ->
                walkInPage(
                        exchange,
                        kiosk.get(),
                        csrf,
                        200,
                        "",
                        walkInForm(
                                query.getOrDefault("name", ""),
                                query.getOrDefault("email", ""),
                                query.getOrDefault("q", ""),
                                ""));
            case "/kiosk/hosts" ->
                render(
                        exchange,
                        200,
                        "kiosk/hosts.jte",
                        Map.of("walkIn", walkInForm("", "", query.getOrDefault("q", ""), "")));
            case "/kiosk/greeting" -> greeting(exchange, kiosk.get());
            case "/kiosk/link" -> render(exchange, 200, "kiosk/link.jte", Map.of("offline", !agent.hubReachable()));
            default -> Http.text(exchange, 404, "not found");
        }
    }

    private void pairPage(HttpExchange exchange, int status, String error) throws IOException {
        String pre =
                Http.cookie(exchange, PAIR_COOKIE).filter(v -> v.length() == 43).orElseGet(Kiosk::token);
        exchange.getResponseHeaders()
                .add("Set-Cookie", PAIR_COOKIE + "=" + pre + "; Path=/kiosk; HttpOnly; SameSite=Strict; Max-Age=3600");
        render(exchange, status, "kiosk/pair.jte", Map.of("frame", frame("Pair this tablet", "", pre, error, "", 0)));
    }

    private void pair(HttpExchange exchange) throws IOException {
        Map<String, List<String>> form = Http.form(exchange);
        Optional<String> pre = Http.cookie(exchange, PAIR_COOKIE);
        if (pre.isEmpty()
                || !MessageDigest.isEqual(
                        pre.get().getBytes(StandardCharsets.UTF_8),
                        Http.first(form, "_csrf").getBytes(StandardCharsets.UTF_8))) {
            Http.text(exchange, 403, "refused: this form did not carry the page's token (reload the page)");
            return;
        }
        String place =
                "pairing from " + exchange.getRemoteAddress().getAddress().getHostAddress();
        Optional<Duration> locked = agent.pinThrottle().locked(place);
        if (locked.isPresent()) {
            pairPage(exchange, 429, "Too many wrong codes. Wait " + seconds(locked.get()) + " s and try again.");
            return;
        }
        Optional<PairingCodes.Pending> pending = codes.redeem(Http.first(form, "code"));
        if (pending.isEmpty()) {
            agent.pinThrottle().wrong(place);
            pairPage(
                    exchange,
                    422,
                    "That code is unknown, used or expired. Ask the technician for a new one (console, Kiosks).");
            return;
        }
        String token = token();
        // An id of its own, not derived from the token: the id is shown and logged, the token never.
        String id = kioskId();
        kiosks.pair(
                new Kiosks.Kiosk(id, pending.get().name(), pending.get().door().map(DoorId::new), clock.instant()),
                sha256(token));
        log.info("kiosk {} ({}) paired", id, pending.get().name());
        exchange.getResponseHeaders()
                .add(
                        "Set-Cookie",
                        COOKIE + "=" + token + "; Path=/kiosk; HttpOnly; SameSite=Strict; Max-Age="
                                + TOKEN_LIFETIME.toSeconds());
        exchange.getResponseHeaders()
                .add("Set-Cookie", PAIR_COOKIE + "=; Path=/kiosk; HttpOnly; SameSite=Strict; Max-Age=0");
        Http.redirect(exchange, "/kiosk/");
    }

    private void home(HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf) throws IOException {
        render(
                exchange,
                200,
                "kiosk/home.jte",
                Map.of(
                        "frame",
                        frame("Welcome", kiosk.name(), csrf, "", "", 0),
                        "pins",
                        kiosk.door().isPresent(),
                        "greeting",
                        currentGreeting(kiosk.id())));
    }

    // --- a visitor's PIN --------------------------------------------------------------------------

    private void pinPage(HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf, int status, String error)
            throws IOException {
        if (kiosk.door().isEmpty()) {
            Http.redirect(exchange, "/kiosk/");
            return;
        }
        Optional<Duration> locked = agent.pinThrottle().locked(place(kiosk));
        if (locked.isPresent()) {
            lockedPage(exchange, kiosk, csrf, locked.get());
            return;
        }
        render(
                exchange,
                status,
                "kiosk/pin.jte",
                Map.of("frame", frame("Sign in with your PIN", kiosk.name(), csrf, error, "/kiosk/", 90)));
    }

    private void lockedPage(HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf, Duration remaining)
            throws IOException {
        long seconds = seconds(remaining);
        exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
        render(
                exchange,
                429,
                "kiosk/locked.jte",
                Map.of(
                        "frame",
                        frame("PIN sign-in paused", kiosk.name(), csrf, "", "/kiosk/", (int) seconds + 1),
                        "seconds",
                        seconds));
    }

    private void pin(HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf, Map<String, List<String>> form)
            throws IOException {
        if (kiosk.door().isEmpty()) {
            Http.text(exchange, 409, "this kiosk is not bound to a door, so it takes no PINs; ask at the desk");
            return;
        }
        String typed = Http.first(form, "pin").replaceAll("\\s", "");
        if (!PIN.matcher(typed).matches()) {
            pinPage(exchange, kiosk, csrf, 422, "Type the 6 digits of your PIN (from your invitation).");
            return;
        }
        Optional<Duration> locked = agent.pinThrottle().locked(place(kiosk));
        if (locked.isPresent()) {
            lockedPage(exchange, kiosk, csrf, locked.get());
            return;
        }
        // A known PIN whose visitor has not signed the agreement in force signs it first: the PIN is
        // decided (and the door opened) only with the signature. An unknown PIN is decided at once
        // (denied, and counted against this kiosk).
        // A pass that cannot open the door now (used, withdrawn, not yet or no longer valid) is decided at
        // once too: its visitor hears why without signing first.
        Instant now = clock.instant();
        Optional<VisitorPass> pass = agent.passByPin(typed)
                .flatMap(id -> agent.cache().visitorPass(id))
                .filter(p -> p.status() == dev.gatehouse.protocol.model.PassStatus.ACTIVE
                        && !now.isBefore(p.validFrom())
                        && now.isBefore(p.validUntil())
                        && !(p.singleUse() && agent.cache().visitorPassUsed(p.id())));
        if (pass.isPresent()) {
            Optional<MemberId> host = pass.get().host();
            SignInExtras.Visitor visitor =
                    new SignInExtras.Visitor(kiosk.id(), Optional.of(pass.get().id()), Optional.empty(), host);
            Optional<SignInExtras.ToSign> toSign = extras.agreementToSign(visitor, now);
            if (toSign.isPresent()) {
                String ticket = hold(new Pending(
                        kiosk.id(),
                        Optional.of(typed),
                        Optional.empty(),
                        visitor,
                        toSign.get(),
                        clock.instant().plus(TO_SIGN)));
                agreementPage(exchange, kiosk, csrf, 200, "", ticket, toSign.get(), "", true);
                return;
            }
        }
        signInByPin(exchange, kiosk, csrf, typed, Optional.empty());
    }

    /**
     * Decides {@code typed} at the kiosk's door with the sign-in (and {@code signature}) written in the
     * access event's transaction, then says welcome or why not. The door opens only once all of it is
     * committed; if the door's queue does not take the PIN within {@link #PIN_WAIT}, the kiosk gives up
     * and the PIN is never carried out (the door stays shut).
     */
    private void signInByPin(
            HttpExchange exchange,
            Kiosks.Kiosk kiosk,
            String csrf,
            String typed,
            Optional<dev.gatehouse.protocol.message.KioskSignature> signature)
            throws IOException {
        boolean offline = !agent.hubReachable();
        KioskPinSignIn signIn = new KioskPinSignIn(kiosk.id(), signature, offline);
        java.util.concurrent.CompletableFuture<PinAttempt> future =
                agent.tryPin(kiosk.door().orElseThrow().value(), typed, place(kiosk), Optional.of(signIn));
        PinAttempt attempt;
        try {
            try {
                attempt = future.get(pinWait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (signIn.abandon()) {
                    log.warn(
                            "kiosk {}: the door's queue did not take a PIN within {}; not carried out",
                            kiosk.id(),
                            pinWait);
                    pinPage(
                            exchange,
                            kiosk,
                            csrf,
                            503,
                            "Your PIN could not be checked just now. Please ask at the desk.");
                    return;
                }
                // The door's queue is carrying it out right now: its answer follows at once.
                attempt = future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            signIn.abandon();
            pinPage(exchange, kiosk, csrf, 503, "Your PIN could not be checked just now. Please ask at the desk.");
            return;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            log.error("kiosk {}: a PIN could not be decided or recorded", kiosk.id(), e);
            pinPage(exchange, kiosk, csrf, 503, "Your PIN could not be checked just now. Please ask at the desk.");
            return;
        }
        switch (attempt) {
            case PinAttempt.Locked locked -> lockedPage(exchange, kiosk, csrf, locked.remaining());
            case PinAttempt.Made made -> pinDecided(exchange, kiosk, csrf, made.decided(), signIn);
        }
    }

    private void pinDecided(
            HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf, Decided decided, KioskPinSignIn signIn)
            throws IOException {
        switch (decided.decision()) {
            case Decision.Denied denied -> {
                Optional<Duration> locked = agent.pinThrottle().locked(place(kiosk));
                if (locked.isPresent()) {
                    lockedPage(exchange, kiosk, csrf, locked.get());
                    return;
                }
                pinPage(exchange, kiosk, csrf, 422, refusal(denied.reason(), kiosk));
            }
            case Decision.Granted granted -> {
                SignInExtras.Written written = signIn.written().orElseThrow();
                agent.kioskEventRecorded(written.event());
                KioskEvent event = written.event().payloadAs(KioskEvent.class);
                boolean offline = event.offline();
                String hostName = event.host().flatMap(kiosks::displayName).orElse("your host");
                welcome(
                        exchange,
                        kiosk,
                        csrf,
                        "Welcome!",
                        "You are signed in and the door is open. "
                                + (offline
                                        ? "Saved here: " + hostName + " will be told as soon as the connection is back."
                                        : hostName.substring(0, 1).toUpperCase(Locale.ROOT) + hostName.substring(1)
                                                + " is being told you are here."),
                        offline,
                        written.voucher()
                                .map(v -> extras.view(v, written.event().time())));
            }
        }
    }

    /**
     * The kiosk's side of a PIN sign-in on the door's queue ({@link dev.gatehouse.edge.access.PinSignIn}):
     * claimed once, either by the queue (then it is carried out) or by the kiosk giving up (then never).
     */
    private final class KioskPinSignIn implements dev.gatehouse.edge.access.PinSignIn {
        private static final int WAITING = 0;
        private static final int CLAIMED = 1;
        private static final int ABANDONED = 2;

        private final String kioskId;
        private final Optional<dev.gatehouse.protocol.message.KioskSignature> signature;
        private final boolean offline;
        private final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
        private volatile SignInExtras.Written written;

        KioskPinSignIn(
                String kioskId, Optional<dev.gatehouse.protocol.message.KioskSignature> signature, boolean offline) {
            this.kioskId = kioskId;
            this.signature = signature;
            this.offline = offline;
        }

        @Override
        public boolean claim() {
            return state.compareAndSet(WAITING, CLAIMED);
        }

        /** The kiosk stops waiting: true if the queue had not claimed it, which now never will. */
        boolean abandon() {
            return state.compareAndSet(WAITING, ABANDONED);
        }

        @Override
        public void granted(dev.gatehouse.edge.cache.EdgeCache.Transaction tx, AccessEvent access, Instant at) {
            PassId pass = access.pass().orElseThrow();
            Optional<MemberId> host = agent.cache().visitorPass(pass).flatMap(VisitorPass::host);
            written = extras.write(tx, KioskEvent.visitor(site(), kioskId, pass, host, offline), signature, at);
        }

        /** What was committed with the granted PIN; empty when it was not granted. */
        Optional<SignInExtras.Written> written() {
            return Optional.ofNullable(written);
        }
    }

    private static String refusal(DenyReason reason, Kiosks.Kiosk kiosk) {
        return switch (reason) {
            case UNKNOWN_CREDENTIAL -> "That PIN is not known here. Check your invitation and try again.";
            case VISITOR_PASS_USED -> "This pass was already used. Please ask at the desk or call your host.";
            case VISITOR_PASS_NOT_YET_VALID -> "This pass is not valid yet. Please ask at the desk.";
            case VISITOR_PASS_EXPIRED -> "This pass has expired. Please ask at the desk or call your host.";
            case VISITOR_PASS_REVOKED -> "This pass was withdrawn. Please ask at the desk or call your host.";
            default ->
                "This pass does not open " + kiosk.door().map(DoorId::value).orElse("this door")
                        + " now. Please ask at the desk.";
        };
    }

    // --- a walk-in --------------------------------------------------------------------------------

    private KioskViews.WalkIn walkInForm(String name, String email, String query, String chosen) {
        String q = query.strip();
        boolean searched = q.length() >= 2;
        List<KioskViews.Host> hosts = new ArrayList<>();
        if (searched) {
            for (Kiosks.Host host : kiosks.hosts(q, 8)) {
                hosts.add(new KioskViews.Host(
                        host.id().value(), host.displayName(), host.id().value().equals(chosen)));
            }
        }
        if (!chosen.isEmpty() && hosts.stream().noneMatch(KioskViews.Host::chosen)) {
            try {
                MemberId id = new MemberId(chosen);
                kiosks.displayName(id).ifPresent(n -> hosts.addFirst(new KioskViews.Host(chosen, n, true)));
            } catch (RuntimeException e) {
                // not a member id: nothing chosen
            }
        }
        return new KioskViews.WalkIn(name, email, q, hosts, searched);
    }

    private void walkInPage(
            HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf, int status, String error, KioskViews.WalkIn form)
            throws IOException {
        render(
                exchange,
                status,
                "kiosk/walkin.jte",
                Map.of(
                        "frame",
                        frame("Sign in as a visitor", kiosk.name(), csrf, error, "/kiosk/", 180),
                        "walkIn",
                        form));
    }

    private void walkIn(HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf, Map<String, List<String>> form)
            throws IOException {
        String name = Http.first(form, "name").strip();
        String email = Http.first(form, "email").strip();
        String chosen = Http.first(form, "host").strip();
        KioskViews.WalkIn typed = walkInForm(name, email, Http.first(form, "q"), chosen);
        if (Http.first(form, "action").equals("find")) {
            walkInPage(exchange, kiosk, csrf, 200, "", typed);
            return;
        }
        List<String> problems = new ArrayList<>();
        if (name.isEmpty() || !NAME.matcher(name).matches()) {
            problems.add("type your name (up to " + KioskEvent.MAX_NAME + " characters)");
        }
        if (!email.isEmpty()
                && (email.length() > KioskEvent.MAX_EMAIL
                        || !EMAIL.matcher(email).matches())) {
            problems.add("check your e-mail address, or leave it empty");
        }
        Optional<String> hostName = Optional.empty();
        MemberId host = null;
        if (chosen.isEmpty()) {
            problems.add("choose whom you are visiting (type two letters of their name, then pick them)");
        } else {
            try {
                host = new MemberId(chosen);
                hostName = kiosks.displayName(host);
            } catch (RuntimeException e) {
                hostName = Optional.empty();
            }
            if (hostName.isEmpty()) {
                problems.add("choose whom you are visiting from the list");
            }
        }
        if (!problems.isEmpty()) {
            walkInPage(exchange, kiosk, csrf, 422, "Please " + String.join("; ", problems) + ".", typed);
            return;
        }
        WalkInTyped walkIn =
                new WalkInTyped(name, email.isEmpty() ? Optional.empty() : Optional.of(email), host, hostName.get());
        SignInExtras.Visitor visitor =
                new SignInExtras.Visitor(kiosk.id(), Optional.empty(), Optional.of(name), Optional.of(host));
        Optional<SignInExtras.ToSign> toSign = extras.agreementToSign(visitor, clock.instant());
        if (toSign.isPresent()) {
            String ticket = hold(new Pending(
                    kiosk.id(),
                    Optional.empty(),
                    Optional.of(walkIn),
                    visitor,
                    toSign.get(),
                    clock.instant().plus(TO_SIGN)));
            agreementPage(exchange, kiosk, csrf, 200, "", ticket, toSign.get(), name, false);
            return;
        }
        signInWalkIn(exchange, kiosk, csrf, walkIn, Optional.empty());
    }

    /** Records a walk-in's sign-in (with {@code signature} and a voucher, in one transaction) and says welcome. */
    private void signInWalkIn(
            HttpExchange exchange,
            Kiosks.Kiosk kiosk,
            String csrf,
            WalkInTyped walkIn,
            Optional<dev.gatehouse.protocol.message.KioskSignature> signature)
            throws IOException {
        boolean offline = !agent.hubReachable();
        KioskEvent event = KioskEvent.walkIn(site(), kiosk.id(), walkIn.host(), walkIn.name(), walkIn.email(), offline);
        Optional<SignInExtras.Written> written = record(exchange, kiosk, csrf, event, signature);
        if (written.isEmpty()) {
            return;
        }
        welcome(
                exchange,
                kiosk,
                csrf,
                "Welcome, " + walkIn.name() + "!",
                offline
                        ? "Saved here: " + walkIn.hostName() + " will be told as soon as the connection is back."
                                + " Please take a seat; the front desk can call them meanwhile."
                        : walkIn.hostName() + " is being told you are here. Please take a seat.",
                offline,
                written.get()
                        .voucher()
                        .map(v -> extras.view(v, written.get().event().time())));
    }

    // --- the visitor agreement --------------------------------------------------------------------

    /** Holds a sign-in until its agreement is signed; answers the ticket the form carries. */
    private String hold(Pending sign) {
        Instant now = clock.instant();
        pending.values().removeIf(p -> !now.isBefore(p.until()));
        while (pending.size() >= MAX_PENDING) {
            pending.entrySet().stream()
                    .min(java.util.Comparator.comparing(e -> e.getValue().until()))
                    .ifPresent(oldest -> pending.remove(oldest.getKey()));
        }
        String ticket = token();
        pending.put(ticket, sign);
        return ticket;
    }

    private void agreementPage(
            HttpExchange exchange,
            Kiosks.Kiosk kiosk,
            String csrf,
            int status,
            String error,
            String ticket,
            SignInExtras.ToSign toSign,
            String signer,
            boolean nameFromSigner)
            throws IOException {
        render(
                exchange,
                status,
                "kiosk/agreement.jte",
                Map.of(
                        "frame",
                        frame(toSign.agreement().title(), kiosk.name(), csrf, error, "/kiosk/", 600),
                        "agreement",
                        new KioskViews.AgreementForm(
                                ticket,
                                toSign.agreement().title(),
                                toSign.agreement().version(),
                                // A pass visitor's name is not known here: the text shows a blank until signed.
                                toSign.text(signer.isEmpty() ? "…………………………" : signer),
                                signer,
                                nameFromSigner)));
    }

    /**
     * The agreement's form: a typed name and the ticked box sign it, and the held sign-in goes on with the
     * signature in its transaction. A missing name or an unticked box changes nothing and says what to fix.
     */
    private void signed(HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf, Map<String, List<String>> form)
            throws IOException {
        String ticket = Http.first(form, "ticket");
        Pending held = pending.get(ticket);
        if (held == null || !held.kiosk().equals(kiosk.id()) || !clock.instant().isBefore(held.until())) {
            if (held != null && !clock.instant().isBefore(held.until())) {
                pending.remove(ticket, held);
            }
            problemPage(
                    exchange,
                    kiosk,
                    csrf,
                    409,
                    "Please start again",
                    "This sign-in waited too long or was already finished. Nothing was saved: start again.");
            return;
        }
        String signer = Http.first(form, "signer").strip();
        boolean nameFromSigner = held.pin().isPresent();
        List<String> problems = new ArrayList<>();
        if (signer.isEmpty() || !NAME.matcher(signer).matches()) {
            problems.add("type your full name to sign (up to " + KioskEvent.MAX_NAME + " characters)");
        }
        if (!Http.first(form, "agree").equals("yes")) {
            problems.add("tick the box to say you have read the agreement and agree to it");
        }
        if (!problems.isEmpty()) {
            agreementPage(
                    exchange,
                    kiosk,
                    csrf,
                    422,
                    "Please " + String.join("; ", problems) + ". Nothing was saved yet.",
                    ticket,
                    held.toSign(),
                    signer.length() > KioskEvent.MAX_NAME ? "" : signer,
                    nameFromSigner);
            return;
        }
        if (!pending.remove(ticket, held)) {
            problemPage(exchange, kiosk, csrf, 409, "Please start again", "This sign-in was already finished.");
            return;
        }
        Optional<dev.gatehouse.protocol.message.KioskSignature> signature =
                Optional.of(held.toSign().signature(signer));
        if (held.pin().isPresent()) {
            if (kiosk.door().isEmpty()) {
                Http.text(exchange, 409, "this kiosk is not bound to a door, so it takes no PINs; ask at the desk");
                return;
            }
            signInByPin(exchange, kiosk, csrf, held.pin().get(), signature);
        } else {
            signInWalkIn(exchange, kiosk, csrf, held.walkIn().orElseThrow(), signature);
        }
    }

    // --- a member at the reader -------------------------------------------------------------------

    /** A decision at any door: a member let in at a kiosk's door is checked in there (off the door's queue). */
    private void decided(Decided decided) {
        if (!(decided.decision() instanceof Decision.Granted)) {
            return;
        }
        AccessEvent event = decided.accessEvent();
        if (event.member().isEmpty()
                || (event.presented() != PresentedKind.NFC_CARD && event.presented() != PresentedKind.MEMBER_QR)) {
            return;
        }
        checkIns.execute(() -> {
            try {
                kiosks.all().stream()
                        .filter(k -> k.door().equals(Optional.of(decided.door())))
                        .findFirst()
                        .ifPresent(k -> checkIn(k, event.member().get()));
            } catch (RuntimeException e) {
                log.error("kiosk check-in of member {} failed", event.member().get(), e);
            }
        });
    }

    private void checkIn(Kiosks.Kiosk kiosk, MemberId member) {
        boolean offline = !agent.hubReachable();
        agent.recordKioskEvent(KioskEvent.member(site(), kiosk.id(), member, offline));
        ZoneId zone = agent.cache().site().map(Site::zone).orElse(ZoneOffset.UTC);
        ZonedDateTime now = clock.instant().atZone(zone);
        Instant dayStart = now.toLocalDate().atStartOfDay(zone).toInstant();
        Instant dayEnd = now.toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
        List<String> bookings = new ArrayList<>();
        for (Booking booking : agent.cache().bookingsBetween(dayStart, dayEnd)) {
            if (booking.member().equals(member) || booking.invitees().contains(member)) {
                bookings.add(HOURS.format(booking.start().atZone(zone)) + "–"
                        + HOURS.format(booking.end().atZone(zone)) + "  "
                        + booking.resource()
                                .orElse(String.join(
                                        ", ",
                                        booking.doors().stream()
                                                .map(DoorId::value)
                                                .sorted()
                                                .toList())));
            }
        }
        String name = kiosks.displayName(member).orElse("");
        greetings.put(
                kiosk.id(),
                new Greeted(
                        new KioskViews.Greeting(name, bookings, offline),
                        clock.instant().plus(GREETING)));
    }

    private Optional<KioskViews.Greeting> currentGreeting(String kioskId) {
        Greeted greeted = greetings.get(kioskId);
        if (greeted == null || !clock.instant().isBefore(greeted.until())) {
            return Optional.empty();
        }
        return Optional.of(greeted.greeting());
    }

    private void greeting(HttpExchange exchange, Kiosks.Kiosk kiosk) throws IOException {
        render(exchange, 200, "kiosk/greeting.jte", Map.of("greeting", currentGreeting(kiosk.id())));
    }

    // --- shared -----------------------------------------------------------------------------------

    /**
     * Commits a visitor's sign-in to the outbox, with {@code signature} and a voucher from this edge's
     * slice, in one transaction; only then may the kiosk say welcome. Answers empty (after showing the
     * visitor what to do) when it could not be recorded: then nothing of it was.
     */
    private Optional<SignInExtras.Written> record(
            HttpExchange exchange,
            Kiosks.Kiosk kiosk,
            String csrf,
            KioskEvent event,
            Optional<dev.gatehouse.protocol.message.KioskSignature> signature)
            throws IOException {
        try {
            Instant at = clock.instant();
            SignInExtras.Written written = agent.cache().inTransaction(tx -> extras.write(tx, event, signature, at));
            agent.kioskEventRecorded(written.event());
            return Optional.of(written);
        } catch (CacheException | IllegalArgumentException e) {
            log.error("kiosk {}: a sign-in could not be recorded", kiosk.id(), e);
            problemPage(
                    exchange,
                    kiosk,
                    csrf,
                    503,
                    "Sorry, that did not work",
                    "Your sign-in could not be saved. Please ask at the front desk.");
            return Optional.empty();
        }
    }

    private void problemPage(
            HttpExchange exchange, Kiosks.Kiosk kiosk, String csrf, int status, String heading, String text)
            throws IOException {
        render(
                exchange,
                status,
                "kiosk/welcome.jte",
                Map.of(
                        "frame",
                        frame("Not signed in", kiosk.name(), csrf, "", "/kiosk/", 20),
                        "welcome",
                        new KioskViews.Welcome(heading, text, false),
                        "voucher",
                        Optional.empty()));
    }

    private void welcome(
            HttpExchange exchange,
            Kiosks.Kiosk kiosk,
            String csrf,
            String heading,
            String text,
            boolean offline,
            Optional<KioskViews.Voucher> voucher)
            throws IOException {
        render(
                exchange,
                200,
                "kiosk/welcome.jte",
                Map.of(
                        "frame",
                        frame(
                                "Signed in",
                                kiosk.name(),
                                csrf,
                                "",
                                "/kiosk/",
                                voucher.isPresent() ? 60 : WELCOME_SECONDS),
                        "welcome",
                        new KioskViews.Welcome(heading, text, offline),
                        "voucher",
                        voucher));
    }

    private KioskViews.Frame frame(
            String title, String kioskName, String csrf, String error, String returnTo, int returnAfter) {
        return new KioskViews.Frame(title, kioskName, csrf, !agent.hubReachable(), error, returnTo, returnAfter);
    }

    private String site() {
        return agent.config().site().id();
    }

    private static String place(Kiosks.Kiosk kiosk) {
        return "kiosk " + kiosk.id();
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    private void asset(HttpExchange exchange, String name) throws IOException {
        String type =
                switch (name) {
                    case "kiosk.css" -> "text/css; charset=utf-8";
                    case "kiosk.js" -> "text/javascript; charset=utf-8";
                    default -> "";
                };
        if (type.isEmpty()) {
            Http.text(exchange, 404, "not found");
            return;
        }
        try (InputStream in = Kiosk.class.getClassLoader().getResourceAsStream(ASSETS + name)) {
            if (in == null) {
                Http.text(exchange, 404, "not found");
                return;
            }
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            Http.send(exchange, 200, type, in.readAllBytes());
        }
    }

    private void render(HttpExchange exchange, int status, String template, Map<String, Object> params)
            throws IOException {
        Utf8ByteOutput output = new Utf8ByteOutput();
        TEMPLATES.render(template, params, output);
        Http.send(exchange, status, "text/html; charset=utf-8", output.toByteArray());
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.length() > 2048) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(key, value.length() > 200 ? value.substring(0, 200) : value);
            } catch (IllegalArgumentException e) {
                // a malformed pair is ignored
            }
        }
        return out;
    }

    /** A new kiosk's id: {@code k-} and 16 random hex digits (64 bits), independent of its token. */
    static String kioskId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "k-" + HexFormat.of().formatHex(bytes);
    }

    static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The kiosk's form token: derived from its own token, which only the tablet's HttpOnly cookie holds. */
    private static String csrf(String token) {
        return sha256("gatehouse-kiosk-csrf:" + token);
    }

    /** Where tablets open the kiosk, e.g. {@code http://192.168.1.20:8081/kiosk/}. */
    public URI address() {
        return URI.create(base);
    }

    @Override
    public void close() {
        try {
            listening.close();
        } catch (Exception e) {
            log.debug("closing the kiosk's decision listener: {}", e.toString());
        }
        checkIns.shutdownNow();
    }
}
