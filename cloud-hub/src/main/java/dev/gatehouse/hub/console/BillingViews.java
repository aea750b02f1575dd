package dev.gatehouse.hub.console;

import dev.gatehouse.hub.billing.BillingPackage;
import dev.gatehouse.hub.billing.BillingPeriod;
import dev.gatehouse.hub.billing.Dunning;
import dev.gatehouse.hub.billing.Invoice;
import dev.gatehouse.hub.billing.PackageStore;
import dev.gatehouse.hub.billing.Payment;
import dev.gatehouse.hub.billing.PaymentStore;
import dev.gatehouse.hub.billing.Subscription;
import dev.gatehouse.hub.billing.SubscriptionStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Billing records as the console's and the portal's pages show them: money in the document's currency
 * ({@link Money}), dates in the space's zone, members and packages by name, each document with what is
 * paid and open. Reads the billing stores only; who may see what is the caller's to decide.
 */
public record BillingViews(
        Database database,
        Clock clock,
        SiteStore sites,
        MemberStore members,
        PackageStore packages,
        SubscriptionStore subscriptions,
        PaymentStore payments,
        Locale locale) {
    /** The billing pages' menu entry. */
    static final String NAV = "/console/billing";

    public BillingViews(Database database, Clock clock, Locale locale) {
        this(
                database,
                clock,
                new SiteStore(database, clock),
                new MemberStore(database, clock),
                new PackageStore(database, clock),
                new SubscriptionStore(database, clock),
                new PaymentStore(database, clock),
                locale);
    }

    BillingViews(Console.Parts parts) {
        this(parts.database(), parts.clock(), Guard.messages().locale());
    }

    /** A view that says a member's dunning standing. */
    public interface Standing {
        Dunning.State standing();

        /** {@code good}, {@code past-due}, {@code restricted}, {@code suspended}: the key of its words. */
        default String standingWord() {
            return WireNames.wire(standing());
        }

        default boolean good() {
            return standing() == Dunning.State.GOOD;
        }
    }

    /** An invoice or credit note with what has been paid on it and what is open. */
    public record Document(
            Invoice invoice,
            String member,
            long paid,
            long open,
            String issued,
            String due,
            boolean overdue,
            Locale locale) {
        public String money(long minor) {
            return Money.format(minor, invoice.currency(), locale);
        }

        public String number() {
            return invoice.documentNumber();
        }

        public String total() {
            return money(invoice.total());
        }

        public String openAmount() {
            return money(open);
        }

        /** {@code credit-note}, {@code paid}, {@code overdue} or {@code open}: the key of its words and badge. */
        public String status() {
            if (invoice.kind() == Invoice.Kind.CREDIT_NOTE) {
                return "credit-note";
            }
            return open <= 0 ? "paid" : overdue ? "overdue" : "open";
        }
    }

    /** A payment (or, negative, a refund) as a row. */
    public record PaymentRow(Payment payment, String invoiceNumber, String date, String amount) {
        public String method() {
            return payment.method();
        }
    }

    /** A subscription with its member's and package's names, its status now and when its period ends. */
    public record SubscriptionRow(
            Subscription subscription,
            String member,
            String packageName,
            String site,
            String status,
            String price,
            Optional<String> periodEnd,
            Optional<String> endsOn,
            Optional<String> pausedOn) {
        public boolean running() {
            return !status.equals("ended");
        }
    }

    /** The member's name, or their e-mail when they have none; the id for a member no longer found. */
    public String memberName(String tenantId, String memberId) {
        return members.find(tenantId, memberId)
                .map(m -> m.fullName().isBlank() ? m.email() : m.fullName())
                .orElse(memberId);
    }

    /** The zone of the space's first site by name; UTC without sites. */
    public ZoneId zone(String tenantId) {
        return sites.sites(tenantId, Set.of()).stream()
                .findFirst()
                .map(site -> ZoneId.of(site.timeZone()))
                .orElse(ZoneOffset.UTC);
    }

    /** {@code Mar 10, 2027} in the space's zone. */
    public String date(String tenantId, Instant at) {
        return date(at, zone(tenantId));
    }

    private String date(Instant at, ZoneId zone) {
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                .withLocale(locale)
                .withZone(zone)
                .format(at);
    }

    private String date(LocalDate day) {
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                .withLocale(locale)
                .format(day);
    }

    /** The documents with their balances and their members' names. */
    public List<Document> documents(String tenantId, List<Invoice> invoices) {
        ZoneId zone = zone(tenantId);
        Map<String, String> names = new HashMap<>();
        return invoices.stream()
                .map(invoice -> document(
                        found(payments.balance(tenantId, invoice.id())),
                        names.computeIfAbsent(invoice.memberId(), id -> memberName(tenantId, id)),
                        zone))
                .toList();
    }

    /** One document with its balance. */
    public Document document(String tenantId, PaymentStore.Balance balance) {
        return document(balance, memberName(tenantId, balance.invoice().memberId()), zone(tenantId));
    }

    private Document document(PaymentStore.Balance balance, String member, ZoneId zone) {
        Invoice invoice = balance.invoice();
        return new Document(
                invoice,
                member,
                balance.paid(),
                balance.open(),
                date(invoice.issuedAt(), zone),
                date(invoice.dueAt(), zone),
                balance.open() > 0 && clock.instant().isAfter(invoice.dueAt()),
                locale);
    }

    /** The payments, each with its invoice's number, oldest first as recorded. */
    public List<PaymentRow> paymentRows(String tenantId, List<Document> documents) {
        ZoneId zone = zone(tenantId);
        return documents.stream()
                .flatMap(doc -> found(payments.balance(tenantId, doc.invoice().id())).payments().stream()
                        .map(p -> paymentRow(p, doc.number(), zone)))
                .sorted(java.util.Comparator.comparing(row -> row.payment().recordedAt()))
                .toList();
    }

    /** A document's own payments. */
    public List<PaymentRow> paymentRows(String tenantId, PaymentStore.Balance balance) {
        ZoneId zone = zone(tenantId);
        return balance.payments().stream()
                .map(p -> paymentRow(p, balance.invoice().documentNumber(), zone))
                .toList();
    }

    private PaymentRow paymentRow(Payment p, String number, ZoneId zone) {
        return new PaymentRow(p, number, date(p.recordedAt(), zone), Money.format(p.amount(), p.currency(), locale));
    }

    /** The tenant's subscriptions (a member's when given) at the sites {@code visible} lets through. */
    public List<SubscriptionRow> subscriptions(String tenantId, Optional<String> memberId, Predicate<String> visible) {
        List<Subscription> all = memberId.isPresent()
                ? switch (subscriptions.ofMember(tenantId, memberId.get())) {
                    case StoreResult.Found<List<Subscription>> found -> found.value();
                    default -> List.of();
                }
                : subscriptions.list(tenantId, BillingPages.LIMIT);
        Map<String, String> packageNames = new HashMap<>();
        packages.list(tenantId, true).forEach(p -> packageNames.put(p.id(), p.name()));
        Map<String, Views.SiteView> siteViews = new HashMap<>();
        sites.sites(tenantId, Set.of()).forEach(s -> siteViews.put(s.id(), s));
        Map<String, String> names = new HashMap<>();
        Instant now = clock.instant();
        return all.stream()
                .filter(sub -> visible.test(sub.siteId()))
                .map(sub -> {
                    Optional<Views.SiteView> site = Optional.ofNullable(siteViews.get(sub.siteId()));
                    ZoneId zone = site.map(s -> ZoneId.of(s.timeZone())).orElse(ZoneOffset.UTC);
                    Subscription.Status status = sub.statusAt(now);
                    LocalDate today = LocalDate.ofInstant(now, zone);
                    Optional<String> periodEnd = status == Subscription.Status.ACTIVE
                                    && sub.interval() != dev.gatehouse.hub.billing.BillingInterval.ONE_OFF
                            ? Optional.of(date(
                                    today.isBefore(sub.anchor())
                                            ? sub.anchor()
                                            : BillingPeriod.containing(sub.anchor(), sub.interval(), today)
                                                    .end()))
                            : Optional.empty();
                    // It ends at midnight starting endsAt's day: its last day is the one before.
                    Optional<String> endsOn = sub.endsAt()
                            .map(end -> date(LocalDate.ofInstant(end, zone).minusDays(1)));
                    return new SubscriptionRow(
                            sub,
                            names.computeIfAbsent(sub.memberId(), id -> memberName(tenantId, id)),
                            packageNames.getOrDefault(sub.packageId(), sub.packageId()),
                            site.map(Views.SiteView::name).orElse(sub.siteId()),
                            status == Subscription.Status.ACTIVE && sub.pausedAt(now)
                                    ? "paused"
                                    : WireNames.wire(status),
                            Money.format(sub.price(), sub.currency(), locale) + " / " + WireNames.wire(sub.interval()),
                            periodEnd,
                            endsOn,
                            sub.pausedFrom()
                                    .map(from -> date(LocalDate.ofInstant(from, zone)) + " – "
                                            + date(LocalDate.ofInstant(
                                                            sub.pausedUntil().orElseThrow(), zone)
                                                    .minusDays(1))));
                })
                .toList();
    }

    /** The packages a member can be subscribed to: active and recurring. */
    public List<BillingPackage> subscribable(String tenantId) {
        return packages.list(tenantId, false).stream()
                .filter(p -> p.status() == BillingPackage.Status.ACTIVE
                        && p.interval() != dev.gatehouse.hub.billing.BillingInterval.ONE_OFF)
                .toList();
    }

    /** The passes the front desk can sell: active packages of kind pass. */
    public List<BillingPackage> passes(String tenantId) {
        return packages.list(tenantId, false).stream()
                .filter(p -> p.status() == BillingPackage.Status.ACTIVE && p.kind() == BillingPackage.Kind.PASS)
                .toList();
    }

    /** The member's dunning standing. */
    public Dunning.State standing(String tenantId, String memberId) {
        return database.read(c -> Dunning.standing(c, tenantId, memberId)).state();
    }

    /** The value, or the 404 page for what was not found. */
    static <T> T found(StoreResult<T> result) {
        return switch (result) {
            case StoreResult.Found<T> found -> found.value();
            case StoreResult.NotFound<T> gone ->
                throw PageException.notFound("There is no " + gone.what() + " " + gone.id() + ".");
            case StoreResult.Invalid<T> invalid -> throw new IllegalStateException(invalid.toString());
            case StoreResult.Conflict<T> conflict -> throw new IllegalStateException(conflict.reason());
        };
    }
}
