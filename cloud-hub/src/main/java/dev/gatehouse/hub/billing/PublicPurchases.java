package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.CredentialViews.CredentialView;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.plans.PlanAssignmentStore;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Tokens;
import dev.gatehouse.protocol.model.CredentialType;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Purchases on a tenant's public page (issue 16 items 2 and 7): someone who is not a member yet buys
 * a package sold in public and pays online before anything else. {@link #start} writes the purchase
 * (pending) with the amount due, tax included, before the browser goes to Stripe's Checkout; Stripe's
 * {@code checkout.session.completed} webhook completes it ({@link #completed}) in the inbox's
 * transaction: the member found or made by e-mail, the pass sold with the purchase's id as the key
 * (or, for a membership, the subscription started through {@link SubscriptionStore}), the invoice
 * issued, the payment recorded under the PaymentIntent's id, and for a pass a member-QR credential
 * for the pass's window; the buyer's mail leaves once it commits. A second delivery, or the same purchase paid twice, changes nothing; a
 * payment that is not the amount or currency due, or for no purchase, is kept as a problem and gives
 * no access.
 */
public record PublicPurchases(Database database, Clock clock) {
    /** Who the webhook's writes are done by, in members' histories and the audit of the sale. */
    static final String ACTOR = "public-page";

    /** What the buyer's credential is called in the console. */
    static final String CREDENTIAL_LABEL = "Day pass (bought online)";

    private static final String COLUMNS = "id, tenant_id, token, package_id, site_id, first_day, email, full_name,"
            + " amount, currency, status, link_base, checkout_session_id, checkout_url, member_id, credential_id,"
            + " invoice_id, payment_intent_id, problem, created_at, updated_at";

    /** Where a purchase stands. */
    public enum Status {
        /** Written, sent to Checkout: nothing is sold until Stripe says it is paid. */
        PENDING,
        /** Paid: the member has the package (and, for a pass, its credential). */
        PAID,
        /** Paid, but not what was due (amount, currency): no access; the operator refunds or sells by hand. */
        PROBLEM
    }

    /** What the buyer asked for on the page, already checked for form; {@code linkBase} starts their links. */
    public record Order(
            String packageId,
            String siteId,
            Optional<LocalDate> firstDay,
            String email,
            String fullName,
            String linkBase) {}

    /** A purchase as stored. */
    public record Purchase(
            String id,
            String tenantId,
            String token,
            String packageId,
            String siteId,
            Optional<LocalDate> firstDay,
            String email,
            String fullName,
            long amount,
            String currency,
            Status status,
            String linkBase,
            Optional<String> checkoutSessionId,
            Optional<String> checkoutUrl,
            Optional<String> memberId,
            Optional<String> credentialId,
            Optional<String> problem) {}

    /** What the tenant sells in public: active packages marked for public sale that a buyer can take. */
    public List<BillingPackage> catalogue(String tenantId) {
        return new PackageStore(database, clock)
                .list(tenantId, false).stream()
                        .filter(PublicPurchases::publiclySold)
                        .toList();
    }

    /** A pass or a membership, active, for public sale, with a door plan (else it would open nothing). */
    static boolean publiclySold(BillingPackage pkg) {
        return pkg.publicSale()
                && pkg.status() == BillingPackage.Status.ACTIVE
                && pkg.planId().isPresent()
                && pkg.price() > 0
                && (pkg.kind() == BillingPackage.Kind.PASS
                        || (pkg.kind() == BillingPackage.Kind.MEMBERSHIP && pkg.interval() != BillingInterval.ONE_OFF));
    }

    /**
     * What the form says to someone whose e-mail is a member's already: a purchase on the public page
     * never reaches an existing member (whoever types an address would otherwise get a code that
     * opens that member's doors); members buy in the portal, on their account.
     */
    static final String MEMBER_ALREADY =
            "belongs to a member already: sign in to the member portal and buy it there, on your account";

    /**
     * Writes a pending purchase of a public package, with the amount due (the price and the tenant's
     * tax on it). Refused, writing nothing: a package that is not this tenant's, not for public sale,
     * retired; a site not this tenant's; a pass's first day before today at the site or beyond a year.
     */
    public StoreResult<Purchase> start(String tenantId, Order order) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<BillingPackage> found = PackageStore.find(c, tenantId, order.packageId());
            if (found.isEmpty() || !found.get().publicSale()) {
                return StoreResult.invalid("packageId", "is not sold on this page; choose one of the packages listed");
            }
            BillingPackage pkg = found.get();
            if (!publiclySold(pkg)) {
                return StoreResult.invalid("packageId", "'" + pkg.name() + "' is sold no more");
            }
            Optional<ZoneId> zone = SubscriptionStore.zone(c, tenantId, order.siteId());
            if (zone.isEmpty()) {
                return StoreResult.invalid("siteId", "is not one of this space's sites; choose one listed");
            }
            if (MemberStore.byEmail(c, tenantId, order.email()).isPresent()) {
                return StoreResult.invalid("email", MEMBER_ALREADY);
            }
            Optional<LocalDate> firstDay = Optional.empty();
            if (pkg.kind() == BillingPackage.Kind.PASS) {
                LocalDate today = now.atZone(zone.get()).toLocalDate();
                LocalDate first = order.firstDay().orElse(today);
                if (first.isBefore(today)) {
                    return StoreResult.invalid("firstDay", "is before today (" + today + " at the site)");
                }
                if (first.isAfter(today.plusDays(PassStore.MAX_DAYS_AHEAD))) {
                    return StoreResult.invalid("firstDay", "is more than a year ahead");
                }
                firstDay = Optional.of(first);
            }
            long amount = due(c, tenantId, pkg.price());
            String id = HubIds.next("pur");
            String token = Tokens.secret();
            Sql.update(
                    c,
                    "INSERT INTO public_purchases (id, tenant_id, token, package_id, site_id, first_day, email,"
                            + " full_name, amount, currency, status, link_base, created_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    tenantId,
                    token,
                    pkg.id(),
                    order.siteId(),
                    firstDay.map(LocalDate::toString),
                    order.email(),
                    order.fullName(),
                    amount,
                    pkg.currency(),
                    Status.PENDING,
                    order.linkBase(),
                    now,
                    now);
            return StoreResult.found(find(c, id).orElseThrow());
        });
    }

    /** What a buyer pays for {@code price}: the price with the tenant's tax on it. */
    public long due(String tenantId, long price) {
        return database.read(c -> due(c, tenantId, price));
    }

    /** The name of a package of the tenant (retired ones too: a purchase names what it bought). */
    public String catalogueName(String tenantId, String packageId) {
        return database.read(c -> PackageStore.find(c, tenantId, packageId))
                .map(BillingPackage::name)
                .orElse(packageId);
    }

    /** The price with the tenant's tax on it, rounded as the invoice will round it. */
    private static long due(Connection c, String tenantId, long price) throws SQLException {
        return price + Proration.share(price, InvoiceStore.tax(c, tenantId).rateBasisPoints(), 10_000);
    }

    /** Keeps the Checkout Session made for a pending purchase. */
    public void checkoutOpened(String purchaseId, String sessionId, String url) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "UPDATE public_purchases SET checkout_session_id = ?, checkout_url = ?, updated_at = ? WHERE id = ?",
                sessionId,
                url,
                now,
                purchaseId));
    }

    /** The purchase whose page address holds {@code token}. */
    public Optional<Purchase> byToken(String token) {
        return database.read(c -> Sql.one(
                c, "SELECT " + COLUMNS + " FROM public_purchases WHERE token = ?", PublicPurchases::read, token));
    }

    private static Optional<Purchase> find(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM public_purchases WHERE id = ?", PublicPurchases::read, id);
    }

    private static Purchase read(ResultSet row) throws SQLException {
        return new Purchase(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                Optional.ofNullable(row.getString(6)).map(LocalDate::parse),
                row.getString(7),
                row.getString(8),
                row.getLong(9),
                row.getString(10),
                Status.valueOf(row.getString(11)),
                row.getString(12),
                Optional.ofNullable(row.getString(13)),
                Optional.ofNullable(row.getString(14)),
                Optional.ofNullable(row.getString(15)),
                Optional.ofNullable(row.getString(16)),
                Optional.ofNullable(row.getString(19)));
    }

    /** The address of the purchase's page, from which the pass is shown. */
    public static String pageUrl(String linkBase, String tenantSlug, String token) {
        return linkBase + "/join/" + tenantSlug + "/purchases/" + token;
    }

    /**
     * Applies a {@code checkout.session.completed} event, in the inbox's transaction; {@code mails}
     * receives what to send once it commits. The session names its purchase by {@code
     * client_reference_id} (and {@code metadata.gatehouse_purchase}); only a paid session of a pending
     * purchase of this tenant, in the amount and currency due, sells anything.
     */
    static String completed(
            Connection c, MasterKey masterKey, String tenantId, JsonNode session, Instant now, List<Mail> mails)
            throws SQLException {
        String sessionId = session.path("id").asText();
        String purchaseId = session.path("client_reference_id")
                .asText(session.path("metadata").path("gatehouse_purchase").asText(""));
        Optional<Purchase> found = purchaseId.isEmpty()
                ? Optional.empty()
                : find(c, purchaseId).filter(p -> p.tenantId().equals(tenantId));
        if (found.isEmpty()) {
            return "problem: Checkout Session " + sessionId + " names no purchase of this tenant ('" + purchaseId
                    + "'); nothing was sold";
        }
        Purchase purchase = found.get();
        if (!"paid".equals(session.path("payment_status").asText())) {
            return "ignored: Checkout Session " + sessionId + " is "
                    + session.path("payment_status").asText() + ", not paid";
        }
        if (purchase.status() != Status.PENDING) {
            return "ignored: purchase " + purchase.id() + " is "
                    + purchase.status().name().toLowerCase(Locale.ROOT) + " already";
        }
        long paid = session.path("amount_total").asLong();
        String currency = session.path("currency").asText().toUpperCase(Locale.ROOT);
        String paymentIntent = session.path("payment_intent").asText("");
        if (paid != purchase.amount() || !currency.equals(purchase.currency()) || paymentIntent.isEmpty()) {
            String problem = "paid " + paid + " " + currency + " (PaymentIntent '" + paymentIntent + "') where "
                    + purchase.amount() + " " + purchase.currency()
                    + " was due; no access was given: refund it at Stripe or sell by hand";
            return problem(c, purchase, problem, paymentIntent, now);
        }
        if (MemberStore.byEmail(c, tenantId, purchase.email()).isPresent()) {
            // Became a member's address since the form was sent: never hand that member's doors over.
            return problem(
                    c,
                    purchase,
                    "paid, but " + purchase.email() + " is a member's address now; nothing was given: refund it at"
                            + " Stripe or sell the member the pass at the front desk",
                    paymentIntent,
                    now);
        }
        Savepoint before = c.setSavepoint();
        String member = MemberStore.create(c, tenantId, ACTOR, purchase.email(), purchase.fullName(), now);
        BillingPackage pkg =
                PackageStore.find(c, tenantId, purchase.packageId()).orElseThrow();
        // A pass gives its door plan for its window, shown as a QR credential for that window; a
        // membership starts now, and the member signs in to the portal for their pass.
        Optional<PlanAssignmentStore.PassGiven> window = Optional.empty();
        if (pkg.kind() == BillingPackage.Kind.PASS) {
            StoreResult<PassStore.Sold> sold = PassStore.sell(
                    c,
                    tenantId,
                    ACTOR,
                    member,
                    new PassStore.Sale(purchase.packageId(), purchase.siteId(), purchase.firstDay(), purchase.id()),
                    now);
            if (!(sold instanceof StoreResult.Found<PassStore.Sold>(PassStore.Sold pass))) {
                c.rollback(before);
                return problem(
                        c, purchase, "paid, but the pass could not be sold: " + refusal(sold), paymentIntent, now);
            }
            window = Optional.of(pass.given());
        } else {
            StoreResult<SubscriptionStore.Outcome> subscribed = SubscriptionStore.subscribeInTransaction(
                    c,
                    tenantId,
                    ACTOR,
                    new SubscriptionStore.NewSubscription(
                            member, pkg.id(), purchase.siteId(), Optional.empty(), Optional.empty()),
                    now);
            if (!(subscribed instanceof StoreResult.Found<SubscriptionStore.Outcome>)) {
                c.rollback(before);
                return problem(
                        c,
                        purchase,
                        "paid, but the membership could not start: " + refusal(subscribed),
                        paymentIntent,
                        now);
            }
        }
        StoreResult<Invoice> invoice = InvoiceStore.issue(c, tenantId, member, now);
        if (!(invoice instanceof StoreResult.Found<Invoice>(Invoice issued))) {
            c.rollback(before);
            return problem(
                    c, purchase, "paid, but no invoice could be issued: " + refusal(invoice), paymentIntent, now);
        }
        PaymentStore.recordReported(
                c,
                tenantId,
                new Payment(
                        HubIds.next("pay"),
                        issued.id(),
                        member,
                        Payment.Provider.STRIPE,
                        "card",
                        paid,
                        currency,
                        paymentIntent,
                        "stripe:pi:" + paymentIntent,
                        now,
                        "stripe:checkout:" + sessionId));
        // Known as the invoice's PaymentIntent: a refund at Stripe (charge.refunded) is recorded against it.
        Sql.update(
                c,
                "INSERT INTO stripe_payment_intents (tenant_id, payment_intent_id, invoice_id, idempotency_key, amount,"
                        + " currency, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'SUCCEEDED', ?)"
                        + " ON CONFLICT (tenant_id, payment_intent_id) DO NOTHING",
                tenantId,
                paymentIntent,
                issued.id(),
                "checkout:" + sessionId,
                paid,
                currency,
                now);
        Optional<String> credentialId = Optional.empty();
        if (window.isPresent()) {
            String id = HubIds.next("cred");
            StoreResult<CredentialView> credential = CredentialStore.enroll(
                    c,
                    masterKey,
                    tenantId,
                    member,
                    id,
                    new CredentialStore.Enrollment(
                            CredentialType.MEMBER_QR,
                            Optional.empty(),
                            Optional.of(CREDENTIAL_LABEL),
                            Optional.of(window.get().validFrom()),
                            Optional.of(window.get().validUntil())),
                    now);
            if (!(credential instanceof StoreResult.Found<CredentialView>)) {
                c.rollback(before);
                return problem(
                        c,
                        purchase,
                        "paid, but no credential could be given: " + refusal(credential),
                        paymentIntent,
                        now);
            }
            credentialId = Optional.of(id);
        }
        Sql.update(
                c,
                "UPDATE public_purchases SET status = ?, member_id = ?, credential_id = ?, invoice_id = ?,"
                        + " payment_intent_id = ?, updated_at = ? WHERE id = ?",
                Status.PAID,
                member,
                credentialId,
                issued.id(),
                paymentIntent,
                now,
                purchase.id());
        Map<String, Object> signup = new LinkedHashMap<>();
        signup.put("id", purchase.id());
        signup.put("memberId", member);
        signup.put("email", purchase.email());
        signup.put("fullName", purchase.fullName());
        signup.put("packageId", pkg.id());
        signup.put("packageName", pkg.name());
        signup.put("siteId", purchase.siteId());
        signup.put("amount", paid);
        signup.put("currency", currency);
        signup.put("invoiceId", issued.id());
        signup.put("paidAt", now.toString());
        Outbox.emit(c, tenantId, EventType.SIGNUP_COMPLETED, purchase.id(), signup, now);
        mails.add(mail(c, tenantId, purchase, pkg, window, issued));
        return "purchase " + purchase.id() + " paid: member " + member + ", " + pkg.name() + ", invoice "
                + issued.documentNumber()
                + credentialId.map(id -> ", credential " + id).orElse("");
    }

    /** The buyer's mail: a pass's page with its code, or a new member's welcome with the portal's sign-in. */
    private static Mail mail(
            Connection c,
            String tenantId,
            Purchase purchase,
            BillingPackage pkg,
            Optional<PlanAssignmentStore.PassGiven> window,
            Invoice issued)
            throws SQLException {
        String slug = Sql.one(c, "SELECT slug FROM tenants WHERE id = ?", Sql.STRING, tenantId)
                .orElseThrow();
        String space = Sql.one(c, "SELECT name FROM tenants WHERE id = ?", Sql.STRING, tenantId)
                .orElseThrow();
        String hello = "Hello " + purchase.fullName() + ",\n\n";
        String invoice = "Your invoice is " + issued.documentNumber() + ", paid by card.\n";
        if (window.isPresent()) {
            return new Mail(
                    purchase.email(),
                    "Your " + pkg.name() + " at " + space,
                    hello + "thank you for buying a " + pkg.name() + " at " + space
                            + ". Your door pass is on this page; open it on your phone at the door:\n\n"
                            + pageUrl(purchase.linkBase(), slug, purchase.token()) + "\n\nIt opens the doors from "
                            + window.get().validFrom() + " until "
                            + window.get().validUntil() + " (UTC).\n"
                            + invoice,
                    null,
                    List.of());
        }
        return new Mail(
                purchase.email(),
                "Welcome to " + space,
                hello + "welcome to " + space + ": your " + pkg.name() + " membership has started.\n\n"
                        + "Your door pass is in the member portal. Sign in with this e-mail address (the space's"
                        + " short name is " + slug + "):\n\n" + purchase.linkBase() + "/portal/signin\n\n" + invoice,
                null,
                List.of());
    }

    private static String problem(Connection c, Purchase purchase, String problem, String paymentIntent, Instant now)
            throws SQLException {
        Sql.update(
                c,
                "UPDATE public_purchases SET status = ?, problem = ?, payment_intent_id = ?, updated_at = ?"
                        + " WHERE id = ?",
                Status.PROBLEM,
                problem,
                paymentIntent.isEmpty() ? null : paymentIntent,
                now,
                purchase.id());
        return "problem: purchase " + purchase.id() + " " + problem;
    }

    private static String refusal(StoreResult<?> result) {
        return switch (result) {
            case StoreResult.Found<?> found -> "nothing";
            case StoreResult.NotFound<?> none -> "no " + none.what() + " " + none.id();
            case StoreResult.Conflict<?> conflict -> conflict.reason();
            case StoreResult.Invalid<?> invalid -> {
                List<String> errors = new ArrayList<>();
                invalid.errors().forEach(e -> errors.add(e.field() + " " + e.message()));
                yield String.join("; ", errors);
            }
        };
    }
}
