package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.billing.BillingPackage;
import dev.gatehouse.hub.billing.PublicPurchases;
import dev.gatehouse.hub.console.QrPng;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.kiosk.HubKiosks;
import dev.gatehouse.hub.kiosk.KioskDesk;
import dev.gatehouse.hub.kiosk.KioskDesk.Agreed;
import dev.gatehouse.hub.kiosk.KioskThrottle;
import dev.gatehouse.hub.kiosk.KioskViews;
import dev.gatehouse.hub.kiosk.MemberCheckIns;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import dev.gatehouse.protocol.message.KioskEvent;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The front-door kiosk the hub serves for a site WITHOUT an edge (issue 17 item 2), under {@code
 * /kiosk/}. A site with an edge uses the edge's kiosk, which works with the internet down: the console
 * makes no pairing code for it, and a tablet paired before the edge came says so and signs nobody in.
 *
 * <pre>
 * GET  /kiosk/                         the start (or, unpaired, the pairing form), with member check-in
 * POST /kiosk/member                   a member's QR code as a scanner types it: checked in, or why not
 * POST /kiosk/pair                     pairs the tablet with a one-time code from the console
 * GET  /kiosk/pin, POST /kiosk/pin     a visitor's 6-digit PIN; then the agreement, then welcome
 * GET  /kiosk/walk-in, POST …          a walk-in's name, e-mail and host (typed, two letters at least)
 * GET  /kiosk/hosts?q=                 the hosts matching (htmx fragment)
 * GET  /kiosk/day-pass                 the day passes sold in public, each with a QR code for a phone
 * GET  /kiosk/day-pass/{id}/qr.png     that QR code: the public purchase page, the site chosen
 * </pre>
 *
 * The tablet holds a random token in an HttpOnly, SameSite=Strict cookie (path {@code /kiosk}); the
 * hub keeps its SHA-256 only ({@link HubKiosks}). Every form carries a token derived from it (before
 * pairing, the pre-session cookie's); wrong PINs pause PIN sign-in at the tablet ({@link
 * KioskThrottle}, 5 in 5 minutes), wrong member codes pause QR check-in there ({@link MemberCheckIns}),
 * and wrong pairing codes from one address pause pairing. With subdomain
 * tenancy a tablet's cookie works on its own tenant's subdomain only.
 */
public final class HubKioskPages implements HttpService {
    static final String COOKIE = "gh_kiosk";
    /** How long a paired tablet's cookie lasts; unpairing ends it sooner. */
    static final Duration TOKEN_LIFETIME = Duration.ofDays(400);
    /** Seconds the welcome stays before the kiosk returns to its start. */
    static final int WELCOME_SECONDS = 20;

    private static final Status INVALID = Status.create(422, "Unprocessable Content");
    private static final Pattern PIN = Pattern.compile("\\d{6}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final DateTimeFormatter UNTIL = DateTimeFormatter.ofPattern("EEEE d MMMM, HH:mm", Locale.ENGLISH);

    private final HubKiosks kiosks;
    private final KioskDesk desk;
    private final MemberCheckIns checkIns;
    private final KioskThrottle throttle;
    private final TenantStore tenants;
    private final TenantHost host;
    private final PublicPurchases purchases;
    private final Predicate<String> sellsOnline;
    private final Function<ServerRequest, String> base;
    private final boolean secureCookies;

    /**
     * {@code sellsOnline}: whether a tenant takes payments on its public page (Stripe keys set);
     * {@code base}: the hub's address as people reach it, for the purchase page's QR code.
     */
    public HubKioskPages(
            HubKiosks kiosks,
            KioskDesk desk,
            TenantStore tenants,
            TenantHost host,
            PublicPurchases purchases,
            Predicate<String> sellsOnline,
            Function<ServerRequest, String> base,
            boolean secureCookies) {
        this.kiosks = kiosks;
        this.desk = desk;
        this.checkIns = new MemberCheckIns(desk.database(), desk.clock(), desk.throttle(), desk.stored());
        this.throttle = desk.throttle();
        this.tenants = tenants;
        this.host = host;
        this.purchases = purchases;
        this.sellsOnline = sellsOnline;
        this.base = base;
        this.secureCookies = secureCookies;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/kiosk", (req, res) -> redirect(res, "/kiosk/"))
                .get("/kiosk/", this::home)
                .post("/kiosk/pair", this::pair)
                .get("/kiosk/member", (req, res) -> redirect(res, "/kiosk/"))
                .post("/kiosk/member", (req, res) -> posted(req, res, this::member))
                .get("/kiosk/pin", (req, res) -> paired(req, res, this::pinPage))
                .post("/kiosk/pin", (req, res) -> posted(req, res, this::pin))
                .get("/kiosk/walk-in", (req, res) -> paired(req, res, this::walkInPage))
                .post("/kiosk/walk-in", (req, res) -> posted(req, res, this::walkIn))
                .get("/kiosk/hosts", (req, res) -> paired(req, res, this::hosts))
                .get("/kiosk/day-pass", (req, res) -> paired(req, res, this::dayPasses))
                .get("/kiosk/day-pass/{packageId}/qr.png", (req, res) -> paired(req, res, this::dayPassQr));
    }

    /** A page of a paired tablet. */
    private interface PairedPage {
        void handle(ServerRequest req, ServerResponse res, Tablet tablet);
    }

    /** A form of a paired tablet, after its token matched. */
    private interface PairedForm {
        void handle(ServerRequest req, ServerResponse res, Tablet tablet, Parameters form);
    }

    /** The paired tablet of a request, its tenant and its form token. */
    private record Tablet(HubKiosks.Kiosk kiosk, TenantView tenant, String csrf) {}

    // ---- which tablet ---------------------------------------------------------------------------

    private Optional<Tablet> tablet(ServerRequest req) {
        Optional<String> token = req.headers().cookies().first(COOKIE).asOptional();
        return token.flatMap(t -> kiosks.byToken(t).flatMap(kiosk -> host.ownTenant(req, tenants, kiosk.tenantId())
                .map(tenant -> new Tablet(kiosk, tenant, csrf(t)))));
    }

    /** The kiosk's form token: derived from its own token, which only the tablet's HttpOnly cookie holds. */
    private static String csrf(String token) {
        return HubKiosks.sha256("gatehouse-hub-kiosk-csrf:" + token);
    }

    private void paired(ServerRequest req, ServerResponse res, PairedPage page) {
        noStore(res);
        Optional<Tablet> tablet = tablet(req);
        if (tablet.isEmpty()) {
            redirect(res, "/kiosk/");
            return;
        }
        if (kiosks.hasEdge(tablet.get().kiosk().tenantId(), tablet.get().kiosk().siteId())) {
            edge(res, tablet.get(), Status.OK_200);
            return;
        }
        page.handle(req, res, tablet.get());
    }

    private void posted(ServerRequest req, ServerResponse res, PairedForm handler) {
        noStore(res);
        Optional<Tablet> tablet = tablet(req);
        if (tablet.isEmpty()) {
            text(res, Status.FORBIDDEN_403, "this tablet is not paired: open /kiosk/ and type a pairing code");
            return;
        }
        Optional<Parameters> form = form(req, tablet.get().csrf());
        if (form.isEmpty()) {
            text(
                    res,
                    Status.FORBIDDEN_403,
                    "refused: this form did not carry the kiosk's token (go back to the start)");
            return;
        }
        if (kiosks.hasEdge(tablet.get().kiosk().tenantId(), tablet.get().kiosk().siteId())) {
            edge(res, tablet.get(), Status.CONFLICT_409);
            return;
        }
        handler.handle(req, res, tablet.get(), form.get());
    }

    /** The form, when it is one and its {@code _csrf} field equals {@code expected}. */
    private static Optional<Parameters> form(ServerRequest req, String expected) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                || !req.content().hasEntity()) {
            return Optional.empty();
        }
        Parameters form = req.content().as(Parameters.class);
        String sent = form.first("_csrf").orElse("");
        return MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))
                ? Optional.of(form)
                : Optional.empty();
    }

    // ---- pairing --------------------------------------------------------------------------------

    private void home(ServerRequest req, ServerResponse res) {
        noStore(res);
        Optional<Tablet> tablet = tablet(req);
        if (tablet.isEmpty()) {
            pairPage(req, res, Status.OK_200, "");
            return;
        }
        if (kiosks.hasEdge(tablet.get().kiosk().tenantId(), tablet.get().kiosk().siteId())) {
            edge(res, tablet.get(), Status.OK_200);
            return;
        }
        homePage(req, res, tablet.get(), Status.OK_200, "");
    }

    private void homePage(ServerRequest req, ServerResponse res, Tablet tablet, Status status, String error) {
        render(
                res,
                status,
                "kiosk-home.jte",
                frame(tablet, "Welcome", error, "", 0),
                Map.of("dayPasses", !dayPassOffers(req, tablet).isEmpty()));
    }

    /** The pre-pairing form token: a cookie of its own on path /kiosk (double submit). */
    private static final String PAIR_COOKIE = "gh_kiosk_pair";

    private void pairPage(ServerRequest req, ServerResponse res, Status status, String error) {
        String pre = req.headers()
                .cookies()
                .first(PAIR_COOKIE)
                .asOptional()
                .filter(v -> v.length() == 43)
                .orElseGet(HubKiosks::token);
        res.headers().addCookie(cookie(PAIR_COOKIE, pre, Duration.ofHours(1)));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("frame", new KioskViews.Frame("Pair this tablet", "", "", pre, error, "", 0));
        Templates.render(res, status, "kiosk-pair.jte", params);
    }

    private void pair(ServerRequest req, ServerResponse res) {
        noStore(res);
        Optional<String> pre = req.headers().cookies().first(PAIR_COOKIE).asOptional();
        Optional<Parameters> form = pre.flatMap(p -> form(req, p));
        if (form.isEmpty()) {
            text(res, Status.FORBIDDEN_403, "refused: this form did not carry the page's token (reload the page)");
            return;
        }
        String place = "pair:" + dev.gatehouse.hub.audit.Audit.address(req);
        Optional<Duration> locked = throttle.locked(place);
        if (locked.isPresent()) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(seconds(locked.get())));
            pairPage(
                    req,
                    res,
                    Status.TOO_MANY_REQUESTS_429,
                    "Too many wrong codes. Wait " + seconds(locked.get()) + " s and try again.");
            return;
        }
        Optional<String> subdomainTenant =
                host.subdomain(req).flatMap(tenants::findBySlug).map(TenantView::id);
        if (host.subdomain(req).isPresent() && subdomainTenant.isEmpty()) {
            pairPage(req, res, INVALID, "This address is no workspace of this hub.");
            return;
        }
        Optional<HubKiosks.Paired> paired = kiosks.pair(form.get().first("code").orElse(""), subdomainTenant);
        if (paired.isEmpty()) {
            throttle.wrong(place);
            pairPage(req, res, INVALID, "That code is unknown, used or expired. Ask for a new one (console, Kiosks).");
            return;
        }
        res.headers().addCookie(cookie(COOKIE, paired.get().token(), TOKEN_LIFETIME));
        res.headers().addCookie(cookie(PAIR_COOKIE, "", Duration.ZERO));
        redirect(res, "/kiosk/");
    }

    private SetCookie cookie(String name, String value, Duration maxAge) {
        return SetCookie.builder(name, value)
                .path("/kiosk")
                .httpOnly(true)
                .secure(secureCookies)
                .sameSite(SetCookie.SameSite.STRICT)
                .maxAge(maxAge)
                .build();
    }

    private void edge(ServerResponse res, Tablet tablet, Status status) {
        render(res, status, "kiosk-edge.jte", frame(tablet, "Use the site's own kiosk", "", "", 0), Map.of());
    }

    // ---- a visitor's PIN --------------------------------------------------------------------------

    private void pinPage(ServerRequest req, ServerResponse res, Tablet tablet) {
        Optional<Duration> locked = desk.pinLocked(tablet.kiosk());
        if (locked.isPresent()) {
            lockedPage(res, tablet, locked.get());
            return;
        }
        pinForm(res, tablet, Status.OK_200, "");
    }

    private void pinForm(ServerResponse res, Tablet tablet, Status status, String error) {
        render(res, status, "kiosk-pin.jte", frame(tablet, "Sign in with your PIN", error, "/kiosk/", 90), Map.of());
    }

    private void lockedPage(ServerResponse res, Tablet tablet, Duration wait) {
        long seconds = seconds(wait);
        res.header(HeaderNames.RETRY_AFTER, Long.toString(seconds));
        render(
                res,
                Status.TOO_MANY_REQUESTS_429,
                "kiosk-locked.jte",
                frame(tablet, "PIN sign-in paused", "", "/kiosk/", (int) seconds + 1),
                Map.of("seconds", seconds));
    }

    private void pin(ServerRequest req, ServerResponse res, Tablet tablet, Parameters form) {
        String typed = form.first("pin").orElse("").replaceAll("\\s", "");
        if (!PIN.matcher(typed).matches()) {
            pinForm(res, tablet, INVALID, "Type the 6 digits of your PIN (from your invitation).");
            return;
        }
        switch (desk.checkPin(tablet.kiosk(), typed)) {
            case KioskDesk.PinLocked locked -> lockedPage(res, tablet, locked.remaining());
            case KioskDesk.PinRefused refused -> pinForm(res, tablet, INVALID, refused.message());
            case KioskDesk.PinFound found ->
                signIn(res, tablet, found.visitor(), agreed(form), new KioskViews.Pending("pin", typed, "", "", ""));
        }
    }

    // ---- a member's QR code ------------------------------------------------------------------------

    /** A member's QR code as the desk's scanner typed it (and Enter): checked in, or the start again with why not. */
    private void member(ServerRequest req, ServerResponse res, Tablet tablet, Parameters form) {
        String code = form.first("code").orElse("").strip();
        if (code.isEmpty()) {
            homePage(req, res, tablet, INVALID, "Scan the QR code of your member pass (in the app).");
            return;
        }
        switch (checkIns.checkIn(tablet.kiosk(), code)) {
            case MemberCheckIns.Locked locked -> {
                long seconds = seconds(locked.remaining());
                res.header(HeaderNames.RETRY_AFTER, Long.toString(seconds));
                homePage(
                        req,
                        res,
                        tablet,
                        Status.TOO_MANY_REQUESTS_429,
                        "Too many codes that are not valid were scanned here. Check-in by QR code is paused for "
                                + seconds + " seconds. Please ask at the desk.");
            }
            case MemberCheckIns.Refused refused -> homePage(req, res, tablet, INVALID, refused.message());
            case MemberCheckIns.CheckedIn checkedIn ->
                render(
                        res,
                        Status.OK_200,
                        "kiosk-checked-in.jte",
                        frame(tablet, "Checked in", "", "/kiosk/", WELCOME_SECONDS),
                        Map.of("greeting", new KioskViews.Greeting(checkedIn.name(), checkedIn.bookings())));
        }
    }

    // ---- a walk-in --------------------------------------------------------------------------------

    private KioskViews.WalkIn walkInForm(Tablet tablet, String name, String email, String query, String chosen) {
        String q = query.strip();
        if (q.length() > 60) {
            q = q.substring(0, 60);
        }
        boolean searched = q.length() >= 2;
        List<KioskViews.Host> hosts = new ArrayList<>();
        if (searched) {
            for (HubKiosks.Host found :
                    kiosks.hosts(tablet.kiosk().tenantId(), tablet.kiosk().siteId(), q, 8)) {
                hosts.add(
                        new KioskViews.Host(found.id(), found.name(), found.id().equals(chosen)));
            }
        }
        if (!chosen.isEmpty() && hosts.stream().noneMatch(KioskViews.Host::chosen)) {
            kiosks.hostName(tablet.kiosk().tenantId(), tablet.kiosk().siteId(), chosen)
                    .ifPresent(n -> hosts.addFirst(new KioskViews.Host(chosen, n, true)));
        }
        return new KioskViews.WalkIn(name, email, q, hosts, searched);
    }

    private void walkInPage(ServerRequest req, ServerResponse res, Tablet tablet) {
        walkInPage(
                res,
                tablet,
                Status.OK_200,
                "",
                walkInForm(tablet, "", "", req.query().first("q").orElse(""), ""));
    }

    private void walkInPage(ServerResponse res, Tablet tablet, Status status, String error, KioskViews.WalkIn form) {
        render(
                res,
                status,
                "kiosk-walkin.jte",
                frame(tablet, "Sign in as a visitor", error, "/kiosk/", 180),
                Map.of("walkIn", form));
    }

    private void hosts(ServerRequest req, ServerResponse res, Tablet tablet) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("walkIn", walkInForm(tablet, "", "", req.query().first("q").orElse(""), ""));
        Templates.render(res, Status.OK_200, "kiosk-hosts.jte", params);
    }

    private void walkIn(ServerRequest req, ServerResponse res, Tablet tablet, Parameters form) {
        String name = form.first("name").orElse("").strip();
        String email = form.first("email").orElse("").strip();
        String chosen = form.first("host").orElse("").strip();
        KioskViews.WalkIn typed =
                walkInForm(tablet, name, email, form.first("q").orElse(""), chosen);
        if (form.first("action").orElse("").equals("find")) {
            walkInPage(res, tablet, Status.OK_200, "", typed);
            return;
        }
        List<String> problems = new ArrayList<>();
        if (name.isEmpty()
                || name.length() > KioskEvent.MAX_NAME
                || name.chars().anyMatch(Character::isISOControl)) {
            problems.add("type your name (up to " + KioskEvent.MAX_NAME + " characters)");
        }
        if (!email.isEmpty()
                && (email.length() > KioskEvent.MAX_EMAIL
                        || !EMAIL.matcher(email).matches())) {
            problems.add("check your e-mail address, or leave it empty");
        }
        Optional<String> hostName = chosen.isEmpty()
                ? Optional.empty()
                : kiosks.hostName(tablet.kiosk().tenantId(), tablet.kiosk().siteId(), chosen);
        if (chosen.isEmpty()) {
            problems.add("choose whom you are visiting (type two letters of their name, then pick them)");
        } else if (hostName.isEmpty()) {
            problems.add("choose whom you are visiting from the list");
        }
        if (!problems.isEmpty()) {
            walkInPage(res, tablet, INVALID, "Please " + String.join("; ", problems) + ".", typed);
            return;
        }
        signIn(
                res,
                tablet,
                new KioskDesk.WalkIn(name, email.isEmpty() ? Optional.empty() : Optional.of(email), chosen, hostName),
                agreed(form),
                new KioskViews.Pending("walk-in", "", name, email, chosen));
    }

    // ---- the agreement and the sign-in ------------------------------------------------------------

    /** The agreement the form says the visitor agreed to: only with the box ticked. */
    private static Optional<Agreed> agreed(Parameters form) {
        if (!form.first("agree").orElse("").equals("yes")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Agreed(
                    form.first("agreementId").orElse(""),
                    Integer.parseInt(form.first("version").orElse("")),
                    form.first("sha256").orElse("")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void signIn(
            ServerResponse res,
            Tablet tablet,
            KioskDesk.Visitor visitor,
            Optional<Agreed> agreed,
            KioskViews.Pending pending) {
        switch (desk.signIn(tablet.kiosk(), visitor, agreed)) {
            case KioskDesk.MustSign sign -> {
                var agreement = sign.agreement().agreement();
                // The signed text starts with the title, which the page shows as the heading.
                String rendered = sign.agreement().rendered();
                String titled = agreement.title().strip() + "\n\n";
                render(
                        res,
                        agreed.isPresent() ? Status.CONFLICT_409 : Status.OK_200,
                        "kiosk-agreement.jte",
                        frame(tablet, "Please read and sign", "", "/kiosk/", 300),
                        Map.of(
                                "toSign",
                                new KioskViews.ToSign(
                                        agreement.title(),
                                        rendered.startsWith(titled) ? rendered.substring(titled.length()) : rendered,
                                        agreement.id(),
                                        agreement.version(),
                                        agreement.sha256(),
                                        agreed.isPresent()),
                                "pending",
                                pending));
            }
            case KioskDesk.Refused refused -> {
                if (visitor instanceof KioskDesk.WithPin) {
                    pinForm(res, tablet, INVALID, refused.message());
                } else {
                    walkInPage(res, tablet, INVALID, refused.message(), walkInForm(tablet, "", "", "", ""));
                }
            }
            case KioskDesk.SignedIn signedIn -> {
                String who = visitor.hostName().orElse("The front desk");
                ZoneId zone = kiosks.siteZone(
                        tablet.kiosk().tenantId(), tablet.kiosk().siteId());
                KioskViews.Welcome welcome = new KioskViews.Welcome(
                        "Welcome, " + visitor.name() + "!",
                        who + " is being told you are here. Please take a seat.",
                        signedIn.voucher().map(v -> v.code()).orElse(""),
                        signedIn.voucher()
                                .map(v -> UNTIL.format(v.validUntil().atZone(zone)))
                                .orElse(""));
                render(
                        res,
                        Status.OK_200,
                        "kiosk-welcome.jte",
                        frame(tablet, "Signed in", "", "/kiosk/", WELCOME_SECONDS),
                        Map.of("welcome", welcome));
            }
        }
    }

    // ---- a day pass -------------------------------------------------------------------------------

    private List<KioskViews.Offer> dayPassOffers(ServerRequest req, Tablet tablet) {
        if (!sellsOnline.test(tablet.tenant().id())) {
            return List.of();
        }
        String tenantId = tablet.tenant().id();
        List<KioskViews.Offer> offers = new ArrayList<>();
        for (BillingPackage pkg : purchases.catalogue(tenantId)) {
            if (pkg.kind() != BillingPackage.Kind.PASS) {
                continue;
            }
            PublicPages.Offer offer = PublicPages.offer(purchases, tenantId, pkg);
            offers.add(new KioskViews.Offer(
                    offer.id(),
                    offer.name(),
                    offer.description(),
                    offer.price(),
                    offer.gives(),
                    buyUrl(req, tablet, pkg.id())));
        }
        return offers;
    }

    /** The public purchase page of the package, with the tablet's site chosen. */
    private String buyUrl(ServerRequest req, Tablet tablet, String packageId) {
        return base.apply(req) + "/join/" + tablet.tenant().slug() + "/buy/" + packageId + "?site="
                + URLEncoder.encode(tablet.kiosk().siteId(), StandardCharsets.UTF_8);
    }

    private void dayPasses(ServerRequest req, ServerResponse res, Tablet tablet) {
        render(
                res,
                Status.OK_200,
                "kiosk-daypass.jte",
                frame(tablet, "Buy a day pass", "", "/kiosk/", 180),
                Map.of("offers", dayPassOffers(req, tablet)));
    }

    private void dayPassQr(ServerRequest req, ServerResponse res, Tablet tablet) {
        String packageId = req.path().pathParameters().get("packageId");
        Optional<KioskViews.Offer> offer = dayPassOffers(req, tablet).stream()
                .filter(o -> o.id().equals(packageId))
                .findFirst();
        if (offer.isEmpty()) {
            text(res, Status.NOT_FOUND_404, "no day pass " + dev.gatehouse.protocol.Ids.printable(packageId) + " here");
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.send(QrPng.png(offer.get().url(), 360));
    }

    // ---- shared -----------------------------------------------------------------------------------

    private KioskViews.Frame frame(Tablet tablet, String title, String error, String returnTo, int returnAfter) {
        return new KioskViews.Frame(
                title,
                tablet.kiosk().name(),
                "?tenant=" + tablet.tenant().slug(),
                tablet.csrf(),
                error,
                returnTo,
                returnAfter);
    }

    private static void render(
            ServerResponse res, Status status, String template, KioskViews.Frame frame, Map<String, Object> more) {
        Map<String, Object> params = new LinkedHashMap<>(more);
        params.put("frame", frame);
        Templates.render(res, status, template, params);
    }

    private static void noStore(ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
    }

    private static void text(ServerResponse res, Status status, String message) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(message);
    }

    private static void redirect(ServerResponse res, String location) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }
}
