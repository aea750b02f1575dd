package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.billing.BillingInterval;
import dev.gatehouse.hub.billing.BillingPackage;
import dev.gatehouse.hub.billing.Dunning;
import dev.gatehouse.hub.billing.Invoice;
import dev.gatehouse.hub.billing.InvoicePdf;
import dev.gatehouse.hub.billing.InvoiceStore;
import dev.gatehouse.hub.billing.ManualPayments;
import dev.gatehouse.hub.billing.PackageService;
import dev.gatehouse.hub.billing.PackageStore;
import dev.gatehouse.hub.billing.PaymentProvider;
import dev.gatehouse.hub.billing.PaymentService;
import dev.gatehouse.hub.billing.PaymentStore;
import dev.gatehouse.hub.plans.PlanStore;
import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The console's billing section, for finance (and owners): the package catalogue and its form, the
 * tenant's subscriptions, invoices with their PDF and manual payments, and the unpaid list with each
 * member's dunning standing. Every page reads the billing stores the API uses; the package and payment
 * forms are read by the API's own readers ({@link PackageService#input}, {@link
 * PaymentService#manualRequest}), so a form accepts what the API accepts and refuses it in the same
 * words, and each change is audited as its API twin.
 *
 * <pre>
 * GET  /console/billing                               the packages
 * GET  /console/billing/packages/new                  a new package's form
 * POST /console/billing/packages                      create it
 * GET  /console/billing/packages/{packageId}          a package's form
 * POST /console/billing/packages/{packageId}          change it
 * POST /console/billing/packages/{packageId}/retire   sell it no more
 * GET  /console/billing/subscriptions                 every member's subscriptions
 * GET  /console/billing/invoices                      the newest documents
 * GET  /console/billing/invoices/{invoiceId}          one, with its payments and the payment form
 * GET  /console/billing/invoices/{invoiceId}/pdf      its PDF
 * POST /console/billing/invoices/{invoiceId}/payments record a bank transfer or cash
 * GET  /console/billing/unpaid                        invoices with an open balance, days overdue, dunning
 * </pre>
 */
public record BillingPages(Console.Parts parts, BillingViews views, InvoiceStore invoices, PlanStore plans)
        implements HttpService {
    /** The most documents and subscriptions a list shows. */
    static final int LIMIT = 200;

    public BillingPages(Console.Parts parts) {
        this(
                parts,
                new BillingViews(parts),
                new InvoiceStore(parts.database(), parts.clock()),
                new PlanStore(parts.database(), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/billing", this::packageList)
                .get("/console/billing/packages/new", this::newPackage)
                .post("/console/billing/packages", this::createPackage)
                .get("/console/billing/packages/{packageId}", this::editPackage)
                .post("/console/billing/packages/{packageId}/retire", this::retirePackage)
                .post("/console/billing/packages/{packageId}", this::updatePackage)
                .get("/console/billing/subscriptions", this::subscriptionList)
                .get("/console/billing/invoices", this::invoiceList)
                .get("/console/billing/invoices/{invoiceId}/pdf", this::pdf)
                .get("/console/billing/invoices/{invoiceId}", this::invoice)
                .post("/console/billing/invoices/{invoiceId}/payments", this::recordPayment)
                .get("/console/billing/unpaid", this::unpaid);
    }

    // ---- packages

    /** The catalogue, retired packages last. */
    public record PackageList(List<BillingPackage> packages, Optional<String> notice) {
        public PackageList {
            packages = List.copyOf(packages);
        }

        public String price(BillingPackage p) {
            return Money.format(p.price(), p.currency(), Guard.messages().locale());
        }
    }

    private void packageList(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        List<BillingPackage> all = views.packages().list(session.tenant().id(), true).stream()
                .sorted((a, b) -> Boolean.compare(
                        a.status() == BillingPackage.Status.RETIRED, b.status() == BillingPackage.Status.RETIRED))
                .toList();
        Templates.render(
                res,
                "billing-packages.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "billing.packages.title", BillingViews.NAV),
                        "list",
                        new PackageList(all, notice(req, "created", "updated", "retired"))));
    }

    /** The package form: what was typed (or stored), the choices, and every problem by field. */
    public record PackageForm(
            Optional<BillingPackage> pkg, String currency, FormState state, List<PlanStore.PlanView> plans)
            implements FormState.Shown {
        public PackageForm {
            plans = List.copyOf(plans);
        }

        public String action() {
            return pkg.map(p -> "/console/billing/packages/" + p.id()).orElse("/console/billing/packages");
        }

        public List<String> kinds() {
            return wires(BillingPackage.Kind.values());
        }

        public List<String> intervals() {
            return wires(BillingInterval.values());
        }

        public List<String> statuses() {
            return wires(BillingPackage.Status.values());
        }

        private static List<String> wires(Enum<?>[] values) {
            return Arrays.stream(values).map(WireNames::wire).toList();
        }
    }

    private BillingPackage found(ConsoleSession session, ServerRequest req) {
        String id = req.path().pathParameters().get("packageId");
        return views.packages()
                .find(session.tenant().id(), id)
                .orElseThrow(() -> PageException.notFound("There is no package " + id + "."));
    }

    private void newPackage(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        renderPackage(res, Status.OK_200, session, Optional.empty(), stored(Optional.empty()), List.of());
    }

    private void editPackage(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        BillingPackage pkg = found(session, req);
        renderPackage(res, Status.OK_200, session, Optional.of(pkg), stored(Optional.of(pkg)), List.of());
    }

    private void createPackage(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        savePackage(req, res, session, Optional.empty());
    }

    private void updatePackage(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        savePackage(req, res, session, Optional.of(found(session, req)));
    }

    private void retirePackage(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        BillingPackage current = found(session, req);
        Forms.read(req, session);
        ObjectNode body = Json.MAPPER.createObjectNode().put("status", "retired");
        PackageStore.PackageInput input = PackageService.input(Input.of(body, "status"), Optional.of(current));
        stored(
                        req,
                        res,
                        session,
                        Optional.of(current),
                        views.packages().update(session.tenant().id(), current.id(), input))
                .ifPresent(errors -> {
                    throw PageException.badRequest(errors.getFirst().message());
                });
    }

    private void savePackage(
            ServerRequest req, ServerResponse res, ConsoleSession session, Optional<BillingPackage> current) {
        Parameters form = Forms.read(req, session);
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : form.names()) {
            if (!name.equals(Forms.CSRF_FIELD)) {
                values.put(name, form.first(name).orElse(""));
            }
        }
        String tenantId = session.tenant().id();
        List<FieldError> errors = new ArrayList<>();
        ObjectNode body = packageBody(values, views.packages().currency(tenantId), current.isPresent(), errors);
        try {
            PackageStore.PackageInput input = PackageService.input(Input.of(body, PackageService.FIELDS), current);
            if (errors.isEmpty()) {
                StoreResult<BillingPackage> saved = current.isPresent()
                        ? views.packages().update(tenantId, current.get().id(), input)
                        : views.packages().create(tenantId, input);
                Optional<List<FieldError>> refused = stored(req, res, session, current, saved);
                if (refused.isEmpty()) {
                    return;
                }
                errors.addAll(refused.get());
            }
        } catch (ApiException e) {
            errors.addAll(e.errors());
        }
        renderPackage(res, Status.UNPROCESSABLE_CONTENT_422, session, current, values, errors);
    }

    /** Audits a saved package and goes back to the list; the store's refusal as field errors. */
    private Optional<List<FieldError>> stored(
            ServerRequest req,
            ServerResponse res,
            ConsoleSession session,
            Optional<BillingPackage> current,
            StoreResult<BillingPackage> saved) {
        return switch (saved) {
            case StoreResult.Found<BillingPackage> found -> {
                BillingPackage p = found.value();
                boolean retired = current.isPresent()
                        && current.get().status() == BillingPackage.Status.ACTIVE
                        && p.status() == BillingPackage.Status.RETIRED;
                parts.audit()
                        .record(
                                req,
                                session.caller(),
                                current.isPresent() ? "package.update" : "package.create",
                                "package",
                                p.id(),
                                null,
                                current.map(PackageService::json).orElse(null),
                                PackageService.json(p));
                SignInService.redirect(
                        res,
                        "/console/billing?notice="
                                + (retired ? "retired" : current.isPresent() ? "updated" : "created")
                                + "#package-" + p.id());
                yield Optional.empty();
            }
            case StoreResult.Invalid<BillingPackage> invalid -> Optional.of(invalid.errors());
            // A taken name, or a currency that cannot change: said on the form, nothing saved.
            case StoreResult.Conflict<BillingPackage> conflict ->
                Optional.of(List.of(new FieldError("name", conflict.reason())));
            case StoreResult.NotFound<BillingPackage> gone ->
                throw PageException.notFound("There is no " + gone.what() + " " + gone.id() + ".");
        };
    }

    /**
     * The form as the API's JSON body. The price is typed as an amount of the tenant's currency and sent
     * in minor units, a negative one too, so the API's reader says why it is refused; credits are typed
     * one kind a line ({@code meeting-room: 8}).
     */
    static ObjectNode packageBody(
            Map<String, String> values, String currency, boolean editing, List<FieldError> errors) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("name", values.getOrDefault("name", ""));
        String description = values.getOrDefault("description", "").strip();
        if (description.isEmpty()) {
            body.putNull("description"); // none: the API refuses an empty text, and null clears it
        } else {
            body.put("description", description);
        }
        body.put("kind", values.getOrDefault("kind", ""));
        body.put("interval", values.getOrDefault("interval", ""));
        String price = values.getOrDefault("price", "").strip();
        if (!price.isEmpty()) {
            Optional<Long> minor = Money.minorUnits(price, currency);
            if (minor.isEmpty()) {
                errors.add(new FieldError("price", Guard.messages().get("billing.price.invalid", price, currency)));
            } else {
                body.put("price", minor.get());
            }
        }
        ResourcePages.number(body, "commitmentPeriods", values.getOrDefault("commitmentPeriods", ""), false);
        String plan = values.getOrDefault("planId", "").strip();
        if (plan.isEmpty()) {
            body.putNull("planId");
        } else {
            body.put("planId", plan);
        }
        ObjectNode credits = body.putObject("credits");
        for (String line : values.getOrDefault("credits", "").split("[\\r\\n,]+")) {
            if (line.isBlank()) {
                continue;
            }
            String[] kindAndCredits = line.split("[:=]", 2);
            if (kindAndCredits.length != 2) {
                errors.add(new FieldError("credits", Guard.messages().get("billing.credits.invalid", line.strip())));
                continue;
            }
            String amount = kindAndCredits[1].strip();
            if (amount.matches("-?\\d{1,9}")) {
                credits.put(kindAndCredits[0].strip(), Long.parseLong(amount));
            } else {
                credits.put(kindAndCredits[0].strip(), amount);
            }
        }
        // A pass's entries and days are sent only when typed: the API refuses them on other kinds.
        for (String field : List.of("passes", "passValidDays", "seats")) {
            ResourcePages.number(body, field, values.getOrDefault(field, ""), false);
        }
        body.put("publicSale", values.containsKey("publicSale"));
        if (editing) {
            body.put("status", values.getOrDefault("status", "active"));
        }
        return body;
    }

    /** A package's stored settings (or a new one's defaults) as the form shows them. */
    static Map<String, String> stored(Optional<BillingPackage> pkg) {
        Map<String, String> values = new HashMap<>();
        if (pkg.isEmpty()) {
            values.put("kind", "membership");
            values.put("interval", "month");
            values.put("commitmentPeriods", "0");
            return values;
        }
        BillingPackage p = pkg.get();
        values.put("name", p.name());
        values.put("description", p.description());
        values.put("kind", WireNames.wire(p.kind()));
        values.put("price", Money.typed(p.price(), p.currency()));
        values.put("interval", WireNames.wire(p.interval()));
        values.put("commitmentPeriods", String.valueOf(p.commitmentPeriods()));
        p.planId().ifPresent(id -> values.put("planId", id));
        values.put("credits", creditsTyped(p.credits()));
        p.passes().ifPresent(n -> values.put("passes", String.valueOf(n)));
        p.passValidDays().ifPresent(n -> values.put("passValidDays", String.valueOf(n)));
        values.put("seats", String.valueOf(p.seats()));
        if (p.publicSale()) {
            values.put("publicSale", "on");
        }
        values.put("status", WireNames.wire(p.status()));
        return values;
    }

    /** {@code meeting-room: 8}, one kind a line, in the kinds' order. */
    static String creditsTyped(Map<ResourceKind, Long> credits) {
        StringBuilder typed = new StringBuilder();
        new java.util.TreeMap<>(credits).forEach((kind, n) -> typed.append(WireNames.wire(kind))
                .append(": ")
                .append(n)
                .append('\n'));
        return typed.toString();
    }

    private void renderPackage(
            ServerResponse res,
            Status status,
            ConsoleSession session,
            Optional<BillingPackage> pkg,
            Map<String, String> values,
            List<FieldError> errors) {
        String tenantId = session.tenant().id();
        Templates.render(
                res,
                status,
                "billing-package.jte",
                Map.of(
                        "page",
                        Guard.pageFor(
                                session,
                                pkg.isPresent() ? "billing.package.edit.title" : "billing.package.new.title",
                                BillingViews.NAV),
                        "form",
                        new PackageForm(
                                pkg,
                                views.packages().currency(tenantId),
                                new FormState(values, errors),
                                plans.list(tenantId, ResourcePages.MAX_PLANS, Optional.empty())
                                        .items())));
    }

    // ---- subscriptions

    private void subscriptionList(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        Templates.render(
                res,
                "billing-subscriptions.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "billing.subscriptions.title", BillingViews.NAV),
                        "subs",
                        views.subscriptions(session.tenant().id(), Optional.empty(), session.access()::covers)));
    }

    // ---- invoices

    private void invoiceList(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        List<Invoice> recent = invoices.recent(session.tenant().id(), LIMIT);
        Templates.render(
                res,
                "billing-invoices.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "billing.invoices.title", BillingViews.NAV),
                        "docs",
                        views.documents(session.tenant().id(), recent)));
    }

    private PaymentStore.Balance balance(ConsoleSession session, ServerRequest req) {
        String id = req.path().pathParameters().get("invoiceId");
        return BillingViews.found(views.payments().balance(session.tenant().id(), id));
    }

    /** One document, its lines and payments, and the form that records a payment. */
    public record InvoicePage(
            BillingViews.Document doc, List<BillingViews.PaymentRow> payments, FormState state, Optional<String> notice)
            implements FormState.Shown {
        public InvoicePage {
            payments = List.copyOf(payments);
        }

        public String money(long minor) {
            return doc.money(minor);
        }

        public List<String> methods() {
            return Arrays.stream(PaymentService.Method.values())
                    .map(WireNames::wire)
                    .toList();
        }

        /** The tax rate as people read it: {@code 19 %}, {@code 7.5 %}. */
        public String rate() {
            return java.math.BigDecimal.valueOf(doc.invoice().taxRateBasisPoints())
                            .movePointLeft(2)
                            .stripTrailingZeros()
                            .toPlainString()
                    + " %";
        }
    }

    private void invoice(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        PaymentStore.Balance balance = balance(session, req);
        Map<String, String> values = Map.of(
                "amount",
                balance.open() > 0
                        ? Money.typed(balance.open(), balance.invoice().currency())
                        : "",
                "method",
                "bank-transfer");
        renderInvoice(
                res, Status.OK_200, session, balance, values, List.of(), notice(req, "paid", "part-paid", "recorded"));
    }

    private void renderInvoice(
            ServerResponse res,
            Status status,
            ConsoleSession session,
            PaymentStore.Balance balance,
            Map<String, String> values,
            List<FieldError> errors,
            Optional<String> notice) {
        Map<String, String> form = new HashMap<>(values);
        // A new key for each form shown: a double click or a resent form records the payment once.
        form.put("idempotencyKey", "console-" + UUID.randomUUID());
        Templates.render(
                res,
                status,
                "billing-invoice.jte",
                Map.of(
                        "page",
                        new ConsolePage(
                                Guard.messages(), session, balance.invoice().documentNumber(), BillingViews.NAV),
                        "inv",
                        new InvoicePage(
                                views.document(session.tenant().id(), balance),
                                views.paymentRows(session.tenant().id(), balance),
                                new FormState(form, errors),
                                notice)));
    }

    private void recordPayment(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        PaymentStore.Balance balance = balance(session, req);
        Parameters form = Forms.read(req, session);
        Map<String, String> values = new HashMap<>();
        for (String field : List.of("amount", "method", "reference", "idempotencyKey")) {
            values.put(field, form.first(field).orElse(""));
        }
        List<FieldError> errors = new ArrayList<>();
        ObjectNode body = Json.MAPPER
                .createObjectNode()
                .put("method", values.get("method"))
                .put("reference", values.get("reference"))
                .put("idempotencyKey", values.get("idempotencyKey"));
        String amount = values.get("amount").strip();
        if (!amount.isEmpty()) {
            Optional<Long> minor = Money.minorUnits(amount, balance.invoice().currency());
            if (minor.isEmpty()) {
                errors.add(new FieldError(
                        "amount",
                        Guard.messages()
                                .get(
                                        "billing.price.invalid",
                                        amount,
                                        balance.invoice().currency())));
            } else {
                body.put("amount", minor.get());
            }
        }
        String invoiceId = balance.invoice().id();
        try {
            PaymentProvider.Request request = PaymentService.manualRequest(
                    Input.of(body, PaymentService.MANUAL_FIELDS),
                    Optional.empty(),
                    session.caller().actor().id());
            if (errors.isEmpty()) {
                StoreResult<PaymentProvider.Collected> collected = new ManualPayments(views.payments())
                        .collect(session.tenant().id(), invoiceId, request);
                switch (collected) {
                    case StoreResult.Found<PaymentProvider.Collected> found -> {
                        if (found.value() instanceof PaymentProvider.Collected.Recorded recorded
                                && !recorded.replayed()) {
                            parts.audit()
                                    .record(
                                            req,
                                            session.caller(),
                                            "payment.record",
                                            "invoice",
                                            invoiceId,
                                            null,
                                            null,
                                            PaymentService.json(recorded.payment()));
                        }
                        long open = balance(session, req).open();
                        SignInService.redirect(
                                res,
                                "/console/billing/invoices/" + invoiceId + "?notice="
                                        + (open == 0 ? "paid" : "part-paid"));
                        return;
                    }
                    case StoreResult.Invalid<PaymentProvider.Collected> invalid -> errors.addAll(invalid.errors());
                    // More than the open balance, a credit note, a key used for another payment.
                    case StoreResult.Conflict<PaymentProvider.Collected> conflict ->
                        errors.add(new FieldError("amount", conflict.reason()));
                    case StoreResult.NotFound<PaymentProvider.Collected> gone ->
                        throw PageException.notFound("There is no " + gone.what() + " " + gone.id() + ".");
                }
            }
        } catch (ApiException e) {
            errors.addAll(e.errors());
        }
        renderInvoice(res, Status.UNPROCESSABLE_CONTENT_422, session, balance, values, errors, Optional.empty());
    }

    private void pdf(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        String id = req.path().pathParameters().get("invoiceId");
        Invoice invoice = invoices.find(session.tenant().id(), id)
                .orElseThrow(() -> PageException.notFound("There is no invoice " + id + "."));
        sendPdf(res, invoice, invoices.parties(session.tenant().id(), invoice.memberId()));
    }

    /** The document as a PDF download, named by its number; the same bytes every time. */
    public static void sendPdf(ServerResponse res, Invoice invoice, InvoicePdf.Parties parties) {
        byte[] pdf = InvoicePdf.render(invoice, parties);
        res.header(HeaderNames.CONTENT_TYPE, "application/pdf");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + invoice.documentNumber() + ".pdf\"");
        res.send(pdf);
    }

    // ---- unpaid

    /** One unpaid invoice with its member's name and dunning standing. */
    public record UnpaidRow(PaymentStore.Unpaid unpaid, String member, Dunning.State standing)
            implements BillingViews.Standing {
        public String open() {
            return Money.format(
                    unpaid.open(), unpaid.currency(), Guard.messages().locale());
        }

        public String total() {
            return Money.format(
                    unpaid.total(), unpaid.currency(), Guard.messages().locale());
        }
    }

    private void unpaid(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.FINANCE);
        String tenantId = session.tenant().id();
        Instant now = parts.clock().instant();
        Map<String, String> names = new HashMap<>();
        Map<String, Dunning.State> standings = new HashMap<>();
        List<UnpaidRow> rows = new ArrayList<>();
        for (PaymentStore.Unpaid u : views.payments().unpaid(tenantId, now)) {
            String name = names.computeIfAbsent(u.memberId(), id -> views.memberName(tenantId, id));
            Dunning.State standing = standings.computeIfAbsent(u.memberId(), id -> views.standing(tenantId, id));
            rows.add(new UnpaidRow(u, name, standing));
        }
        Templates.render(
                res,
                "billing-unpaid.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "billing.unpaid.title", BillingViews.NAV),
                        "rows",
                        rows,
                        "date",
                        views.date(tenantId, now)));
    }

    /** The {@code notice} query parameter when it is one of {@code allowed}. */
    static Optional<String> notice(ServerRequest req, String... allowed) {
        return req.query().first("notice").asOptional().filter(List.of(allowed)::contains);
    }
}
