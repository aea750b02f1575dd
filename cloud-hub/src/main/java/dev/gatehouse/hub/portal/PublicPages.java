package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.accounts.Invitations;
import dev.gatehouse.hub.billing.BillingPackage;
import dev.gatehouse.hub.billing.PublicPurchases;
import dev.gatehouse.hub.billing.PublicPurchases.Purchase;
import dev.gatehouse.hub.billing.StripePayments;
import dev.gatehouse.hub.console.ConsoleFilter;
import dev.gatehouse.hub.console.ConsoleSettings;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.console.QrPng;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views.SiteView;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import dev.gatehouse.hub.web.ApiException;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.text.NumberFormat;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A tenant's public page (issue 16 items 2 and 7), for people who are not members yet: no sign-in.
 *
 * <pre>
 * GET  /join/{slug}                          the packages sold in public: name, description, price, what it gives
 * GET  /join/{slug}/buy/{packageId}          the form: full name, e-mail, site (when there are several; ?site=
 *                                            chooses one), day
 * POST /join/{slug}/buy/{packageId}          checks it, writes a pending purchase, makes a Stripe Checkout
 *                                            Session and sends the browser to it (303); at most 5 per e-mail
 *                                            and 20 per client address in 15 minutes
 * GET  /join/{slug}/purchases/{token}        the purchase: waiting for the payment (the page reloads), the
 *                                            pass and its QR code once paid, or what went wrong
 * GET  /join/{slug}/purchases/{token}/qr.png a fresh 60-second QR token of the pass's credential
 * </pre>
 *
 * Nothing is sold when the browser returns: Stripe's signed webhook completes the purchase
 * ({@link PublicPurchases}). Without the tenant's Stripe keys the page says to buy at the front desk.
 * On a tenant's subdomain only that tenant's page answers. Nothing but the public packages and the
 * sites' names is shown.
 */
public record PublicPages(
        Clock clock,
        TenantStore tenants,
        TenantHost host,
        SiteStore sites,
        PublicPurchases purchases,
        StripePayments stripe,
        CredentialStore credentials,
        LinkThrottle throttle,
        Invitations links,
        ConsoleSettings settings)
        implements HttpService {
    private static final Logger LOG = Logger.getLogger(PublicPages.class.getName());
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final int MAX_NAME = 200;
    private static final String THROTTLE = "public-purchase";

    @Override
    public void routing(HttpRules rules) {
        rules.get("/join/{slug}", this::catalogue)
                .get("/join/{slug}/buy/{packageId}", this::form)
                .post("/join/{slug}/buy/{packageId}", this::buy)
                .get("/join/{slug}/purchases/{token}", this::purchase)
                .get("/join/{slug}/purchases/{token}/qr.png", this::qr);
    }

    private static Messages t() {
        return Portal.WORDS;
    }

    /** One package as the page shows it. */
    public record Offer(String id, String name, String description, String price, String gives, boolean pass) {}

    /** The form's fields as sent (or their defaults), with the error next to each. */
    public record Fields(String fullName, String email, String siteId, String day, Map<String, String> errors) {
        public String error(String field) {
            return errors.get(field);
        }
    }

    /** What the purchase page shows. */
    public record Shown(
            String state,
            String product,
            String site,
            String when,
            String qrSrc,
            long refreshSeconds,
            String email,
            String notice) {}

    // ---- the catalogue

    private void catalogue(ServerRequest req, ServerResponse res) {
        Optional<TenantView> tenant = tenant(req);
        if (tenant.isEmpty()) {
            missing(res);
            return;
        }
        List<Offer> offers = purchases.catalogue(tenant.get().id()).stream()
                .map(pkg -> offer(tenant.get().id(), pkg))
                .toList();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put(
                "page", new PortalPage(t(), t().get("join.title", tenant.get().name()), tenant.get(), null, null));
        params.put("slug", tenant.get().slug());
        params.put("offers", offers);
        params.put("online", stripe.enabled(tenant.get().id()));
        Templates.render(res, Status.OK_200, "join.jte", params);
    }

    private Offer offer(String tenantId, BillingPackage pkg) {
        return offer(purchases, tenantId, pkg);
    }

    /** A package as a buyer sees it: the price with tax, and what it gives (the hub's kiosk shows it too). */
    static Offer offer(PublicPurchases purchases, String tenantId, BillingPackage pkg) {
        long due = purchases.due(tenantId, pkg.price());
        String price = money(due, pkg.currency());
        if (due != pkg.price()) {
            price = t().get("join.price.taxed", price, money(pkg.price(), pkg.currency()));
        }
        String gives;
        if (pkg.kind() == BillingPackage.Kind.PASS) {
            gives = t().get(
                            "join.gives.pass",
                            pkg.passes().orElse(1),
                            pkg.passValidDays().orElse(1));
        } else {
            gives = t().get("join.gives.membership", pkg.interval().name().toLowerCase(Locale.ROOT));
            if (!pkg.credits().isEmpty()) {
                List<String> credits = new ArrayList<>();
                pkg.credits()
                        .forEach((kind, n) -> credits.add(
                                n + " " + kind.name().toLowerCase(Locale.ROOT).replace('_', '-')));
                gives += " " + t().get("join.gives.credits", String.join(", ", credits));
            }
        }
        return new Offer(
                pkg.id(),
                pkg.name(),
                pkg.description() == null ? "" : pkg.description(),
                price,
                gives,
                pkg.kind() == BillingPackage.Kind.PASS);
    }

    /** Minor units as the currency writes them, in English: {@code 2500 EUR} → {@code €25.00}. */
    static String money(long minor, String currency) {
        NumberFormat format = NumberFormat.getCurrencyInstance(Locale.ENGLISH);
        Currency unit = Currency.getInstance(currency);
        format.setCurrency(unit);
        int digits = Math.max(0, unit.getDefaultFractionDigits());
        format.setMinimumFractionDigits(digits);
        format.setMaximumFractionDigits(digits);
        return format.format(java.math.BigDecimal.valueOf(minor, digits));
    }

    // ---- the form and the purchase

    /** The package a form is for, of the page's tenant and sold in public, with the tenant's sites. */
    private record Offered(TenantView tenant, BillingPackage pkg, List<SiteView> sites) {}

    private Optional<Offered> offered(ServerRequest req) {
        String packageId = req.path().pathParameters().get("packageId");
        return tenant(req).flatMap(tn -> purchases.catalogue(tn.id()).stream()
                .filter(pkg -> pkg.id().equals(packageId))
                .findFirst()
                .map(pkg -> new Offered(tn, pkg, siteList(tn))));
    }

    private void form(ServerRequest req, ServerResponse res) {
        Optional<Offered> offered = offered(req);
        if (offered.isEmpty()) {
            missing(res);
            return;
        }
        List<SiteView> siteList = offered.get().sites();
        // ?site= chooses the site (the hub's kiosk links here from its site); an unknown one is ignored.
        String siteId = req.query()
                .first("site")
                .asOptional()
                .filter(id -> siteList.stream().anyMatch(site -> site.id().equals(id)))
                .orElse(siteList.isEmpty() ? "" : siteList.getFirst().id());
        String today = LocalDate.now(clock.withZone(zone(siteList, siteId))).toString();
        showForm(req, res, Status.OK_200, offered.get(), new Fields("", "", siteId, today, Map.of()), null);
    }

    private void showForm(
            ServerRequest req, ServerResponse res, Status status, Offered offered, Fields fields, String error) {
        TenantView tenant = offered.tenant();
        BillingPackage pkg = offered.pkg();
        List<SiteView> siteList = offered.sites();
        boolean online = stripe.enabled(tenant.id());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", new PortalPage(t(), t().get("join.buy.title", pkg.name()), tenant, null, null));
        params.put("slug", tenant.slug());
        params.put("offer", offer(tenant.id(), pkg));
        params.put("sites", siteList);
        params.put("fields", fields);
        params.put("online", online);
        params.put(
                "today",
                LocalDate.now(clock.withZone(zone(siteList, fields.siteId()))).toString());
        params.put("csrf", SignInService.preSessionToken(req, res, settings));
        params.put("error", error);
        // The form's answer sends the browser on to Stripe's page: the policy must let the form go there.
        res.header(
                HeaderNames.create("Content-Security-Policy"),
                ConsoleFilter.CSP.replace("form-action 'self'", "form-action 'self' " + checkoutOrigins()));
        Templates.render(res, status, "join-buy.jte", params);
    }

    /** Where Stripe's hosted Checkout page is: its own host, and a test stand-in's when one is configured. */
    private String checkoutOrigins() {
        URI base = stripe.apiBase();
        String own = base.getScheme() + "://" + base.getAuthority();
        return "https://checkout.stripe.com" + ("https://api.stripe.com".equals(own) ? "" : " " + own);
    }

    private void buy(ServerRequest req, ServerResponse res) {
        Parameters form = Forms.readBeforeSignIn(req, settings);
        Optional<Offered> offered = offered(req);
        if (offered.isEmpty()) {
            missing(res);
            return;
        }
        Optional<TenantView> tenant = offered.map(Offered::tenant);
        Optional<BillingPackage> pkg = offered.map(Offered::pkg);
        List<SiteView> siteList = offered.get().sites();
        Fields fields = new Fields(
                Forms.field(form, "fullName").orElse(""),
                Forms.field(form, "email").orElse(""),
                Forms.field(form, "siteId")
                        .orElse(siteList.size() == 1 ? siteList.getFirst().id() : ""),
                Forms.field(form, "day").orElse(""),
                new LinkedHashMap<>());
        Status unprocessable = Status.create(422, "Unprocessable Content");
        if (!stripe.enabled(tenant.get().id())) {
            showForm(req, res, Status.CONFLICT_409, offered.get(), fields, t().get("join.offline"));
            return;
        }
        Optional<LocalDate> day = check(fields, pkg.get(), siteList);
        if (!fields.errors().isEmpty()) {
            showForm(req, res, unprocessable, offered.get(), fields, t().get("join.buy.fix"));
            return;
        }
        if (!throttle.allow(THROTTLE, tenant.get().slug(), fields.email(), SignInService.address(req))) {
            showForm(req, res, Status.TOO_MANY_REQUESTS_429, offered.get(), fields, t().get("join.buy.throttled"));
            return;
        }
        String base = links.base(req);
        StoreResult<Purchase> started = purchases.start(
                tenant.get().id(),
                new PublicPurchases.Order(
                        pkg.get().id(), fields.siteId(), day, fields.email(), fields.fullName(), base));
        if (!(started instanceof StoreResult.Found<Purchase>(Purchase purchase))) {
            if (started instanceof StoreResult.Invalid<Purchase> invalid) {
                for (FieldError e : invalid.errors()) {
                    fields.errors().put(field(e.field()), e.message());
                }
            }
            showForm(req, res, unprocessable, offered.get(), fields, t().get("join.buy.fix"));
            return;
        }
        String page = PublicPurchases.pageUrl(base, tenant.get().slug(), purchase.token());
        StripePayments.Checkout checkout;
        try {
            checkout = stripe.checkout(
                    tenant.get().id(),
                    purchase,
                    pkg.get().name() + " · " + tenant.get().name(),
                    page + "?paid=1",
                    base + "/join/" + tenant.get().slug() + "/buy/" + pkg.get().id());
        } catch (ApiException e) {
            LOG.log(Level.WARNING, "purchase " + purchase.id() + ": " + e.getMessage());
            showForm(req, res, Status.BAD_GATEWAY_502, offered.get(), fields, t().get("join.buy.stripe-failed"));
            return;
        }
        purchases.checkoutOpened(purchase.id(), checkout.sessionId(), checkout.url());
        SignInService.redirect(res, checkout.url());
    }

    /** The store's field names as the form's. */
    private static String field(String storeField) {
        return switch (storeField) {
            case "firstDay" -> "day";
            default -> storeField;
        };
    }

    /** Checks the fields for form, writing each error next to its field; the day for a pass. */
    private Optional<LocalDate> check(Fields fields, BillingPackage pkg, List<SiteView> siteList) {
        Map<String, String> errors = fields.errors();
        if (fields.fullName().isEmpty()) {
            errors.put("fullName", t().get("join.error.name"));
        } else if (fields.fullName().length() > MAX_NAME) {
            errors.put("fullName", t().get("join.error.name-long", MAX_NAME));
        }
        if (!EMAIL.matcher(fields.email()).matches() || fields.email().length() > 254) {
            errors.put("email", t().get("join.error.email"));
        }
        if (siteList.stream().noneMatch(site -> site.id().equals(fields.siteId()))) {
            errors.put("siteId", t().get("join.error.site"));
        }
        if (pkg.kind() != BillingPackage.Kind.PASS) {
            return Optional.empty();
        }
        try {
            LocalDate day = LocalDate.parse(fields.day());
            LocalDate today = LocalDate.now(clock.withZone(zone(siteList, fields.siteId())));
            if (day.isBefore(today)) {
                errors.put("day", t().get("join.error.day-past", today));
            }
            return Optional.of(day);
        } catch (DateTimeParseException e) {
            errors.put("day", t().get("join.error.day"));
            return Optional.empty();
        }
    }

    // ---- a purchase's page

    private void purchase(ServerRequest req, ServerResponse res) {
        Optional<TenantView> tenant = tenant(req);
        Optional<Purchase> purchase = tenant.flatMap(tn -> ownPurchase(tn, req));
        if (purchase.isEmpty()) {
            missing(res);
            return;
        }
        Purchase p = purchase.get();
        List<SiteView> siteList = siteList(tenant.get());
        SiteView site = siteList.stream()
                .filter(s -> s.id().equals(p.siteId()))
                .findFirst()
                .orElseThrow();
        String product = purchases.catalogueName(tenant.get().id(), p.packageId());
        ZoneId zone = ZoneId.of(site.timeZone());
        String when = p.firstDay()
                .map(day -> day.format(
                        DateTimeFormatter.ofLocalizedDate(FormatStyle.FULL).withLocale(Locale.ENGLISH)))
                .orElse("");
        State state =
                switch (p.status()) {
                    case PENDING -> new State("pending", null, null);
                    case PROBLEM -> new State("problem", null, null);
                    case PAID -> paid(tenant.get(), p, zone);
                };
        Map<String, Object> params = new LinkedHashMap<>();
        params.put(
                "page", new PortalPage(t(), t().get("join.purchase.title." + state.name()), tenant.get(), null, null));
        params.put("slug", tenant.get().slug());
        params.put(
                "shown",
                new Shown(
                        state.name(),
                        product,
                        site.name(),
                        when,
                        state.qrSrc(),
                        MemberPass.REFRESH.toSeconds(),
                        p.email(),
                        state.notice()));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Templates.render(res, Status.OK_200, "join-purchase.jte", params);
    }

    /** Where a purchase's page stands: its name, the code's address when it shows one, the pass's window. */
    private record State(String name, String qrSrc, String notice) {}

    /** A paid purchase: a membership, or a pass before, during or after its window (the code during it). */
    private State paid(TenantView tenant, Purchase p, ZoneId zone) {
        Optional<PassWindow> window = window(tenant.id(), p);
        if (p.credentialId().isEmpty() || window.isEmpty()) {
            return new State("member", null, null);
        }
        DateTimeFormatter format = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                .withLocale(Locale.ENGLISH)
                .withZone(zone);
        String notice = t().get(
                        "join.purchase.window",
                        format.format(window.get().from()),
                        format.format(window.get().until()),
                        zone.getId());
        Instant now = clock.instant();
        if (now.isBefore(window.get().from())) {
            return new State("later", null, notice);
        }
        if (!now.isBefore(window.get().until())) {
            return new State("over", null, notice);
        }
        return new State("pass", "/join/" + tenant.slug() + "/purchases/" + p.token() + "/qr.png", notice);
    }

    private record PassWindow(Instant from, Instant until) {}

    private Optional<PassWindow> window(String tenantId, Purchase p) {
        return p.credentialId()
                .flatMap(id -> credentials.find(tenantId, id))
                .filter(c -> c.validFrom() != null && c.validUntil() != null)
                .map(c -> new PassWindow(Instant.parse(c.validFrom()), Instant.parse(c.validUntil())));
    }

    private void qr(ServerRequest req, ServerResponse res) {
        Optional<TenantView> tenant = tenant(req);
        Optional<Purchase> purchase =
                tenant.flatMap(tn -> ownPurchase(tn, req)).filter(p -> p.status() == PublicPurchases.Status.PAID);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Optional<QrToken> token = purchase.flatMap(p -> p.credentialId()
                .flatMap(id -> credentials.issueToken(tenant.get().id(), id, Optional.of(p.siteId()))
                                instanceof StoreResult.Found<QrToken>(QrToken found)
                        ? Optional.of(found)
                        : Optional.empty()));
        if (token.isEmpty()) {
            res.status(Status.NOT_FOUND_404).send("no pass to show now: it is not paid, not begun or over");
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.send(QrPng.png(token.get().token(), 560));
    }

    // ---- lookups

    /** The page's tenant: the path's slug, and on a tenant's subdomain only that tenant's. */
    private Optional<TenantView> tenant(ServerRequest req) {
        String slug = req.path().pathParameters().get("slug");
        Optional<String> subdomain = host.subdomain(req);
        if (subdomain.isPresent() && !subdomain.get().equals(slug)) {
            return Optional.empty();
        }
        return tenants.findBySlug(slug);
    }

    private Optional<Purchase> ownPurchase(TenantView tenant, ServerRequest req) {
        String token = req.path().pathParameters().get("token");
        return purchases.byToken(token).filter(p -> p.tenantId().equals(tenant.id()));
    }

    private List<SiteView> siteList(TenantView tenant) {
        return sites.sites(tenant.id(), Set.of());
    }

    private static ZoneId zone(List<SiteView> siteList, String siteId) {
        return siteList.stream()
                .filter(site -> site.id().equals(siteId))
                .findFirst()
                .or(() -> siteList.stream().findFirst())
                .map(site -> ZoneId.of(site.timeZone()))
                .orElse(java.time.ZoneOffset.UTC);
    }

    private void missing(ServerResponse res) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", new PortalPage(t(), t().get("join.missing.title"), null, null, null));
        params.put("slug", "");
        params.put("offers", List.of());
        params.put("online", false);
        Templates.render(res, Status.NOT_FOUND_404, "join.jte", params);
    }
}
