package dev.gatehouse.hub.console;

import dev.gatehouse.hub.billing.BillingPackage;
import dev.gatehouse.hub.billing.Dunning;
import dev.gatehouse.hub.billing.InvoiceStore;
import dev.gatehouse.hub.billing.PassService;
import dev.gatehouse.hub.billing.PassStore;
import dev.gatehouse.hub.billing.Subscription;
import dev.gatehouse.hub.billing.SubscriptionService;
import dev.gatehouse.hub.billing.SubscriptionStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Permission;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A member's billing, linked from their page: subscriptions (sold and cancelled here, through the
 * API's {@link SubscriptionStore}, by whoever manages members at the site, audited as
 * {@code subscription.create} and {@code subscription.cancel}), and for finance their invoices with
 * PDFs, payments and dunning standing.
 *
 * <pre>
 * GET  /console/members/{memberId}/billing                the page (VIEW_MEMBERS; documents need FINANCE)
 * POST /console/members/{memberId}/billing/subscriptions  sell a package {packageId, siteId} (MANAGE_MEMBERS at the site)
 * POST /console/billing/subscriptions/{subscriptionId}/cancel  {when: period-end | now}
 * POST /console/billing/subscriptions/{subscriptionId}/pause   {periods: 1 to 6}
 * POST /console/members/{memberId}/billing/passes  sell a pass {pass.packageId, pass.siteId, pass.firstDay, pass.key}
 * </pre>
 */
public record MemberBillingPages(Console.Parts parts, BillingViews views, InvoiceStore invoices, PassStore passes)
        implements HttpService {

    public MemberBillingPages(Console.Parts parts) {
        this(
                parts,
                new BillingViews(parts),
                new InvoiceStore(parts.database(), parts.clock()),
                new PassStore(parts.database(), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/members/{memberId}/billing", this::page)
                .post("/console/members/{memberId}/billing/subscriptions", this::subscribe)
                .post("/console/members/{memberId}/billing/passes", this::sellPass)
                .post("/console/billing/subscriptions/{subscriptionId}/cancel", this::cancel)
                .post("/console/billing/subscriptions/{subscriptionId}/pause", this::pause);
    }

    /** Everything the page shows, and the subscribe form's choices, values and problems. */
    public record MemberBilling(
            MemberStore.MemberView member,
            Dunning.State standing,
            List<BillingViews.SubscriptionRow> subscriptions,
            boolean finance,
            List<BillingViews.Document> documents,
            List<BillingViews.PaymentRow> payments,
            boolean mayManage,
            List<BillingPackage> packages,
            List<BillingPackage> passes,
            List<Views.SiteView> sites,
            FormState state,
            Optional<String> notice,
            String passKey)
            implements FormState.Shown, BillingViews.Standing {
        public MemberBilling {
            subscriptions = List.copyOf(subscriptions);
            documents = List.copyOf(documents);
            payments = List.copyOf(payments);
            packages = List.copyOf(packages);
            passes = List.copyOf(passes);
            sites = List.copyOf(sites);
        }

        /** Problems that belong to no field of the forms. */
        public List<String> otherErrors() {
            return state.otherErrors(
                    List.of("packageId", "siteId", PASS + "packageId", PASS + "siteId", PASS + "firstDay"));
        }

        /** A pass's price: bought once. */
        public String passPrice(BillingPackage p) {
            return Money.format(p.price(), p.currency(), Guard.messages().locale());
        }

        public String price(BillingPackage p) {
            return Money.format(p.price(), p.currency(), Guard.messages().locale()) + " / "
                    + WireNames.wire(p.interval());
        }
    }

    private MemberStore.MemberView member(ConsoleSession session, String id) {
        return views.members()
                .find(session.tenant().id(), id)
                .orElseThrow(() -> PageException.notFound("There is no member " + id + "."));
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_MEMBERS);
        MemberStore.MemberView member =
                member(session, req.path().pathParameters().get("memberId"));
        render(
                res,
                Status.OK_200,
                session,
                member,
                Map.of(),
                List.of(),
                BillingPages.notice(req, "subscribed", "cancelled", "pass-sold", "paused"));
    }

    private void subscribe(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_MEMBERS);
        MemberStore.MemberView member =
                member(session, req.path().pathParameters().get("memberId"));
        Parameters form = Forms.read(req, session);
        Optional<String> packageId = Forms.field(form, "packageId");
        Optional<String> siteId = Forms.field(form, "siteId");
        Map<String, String> values = Map.of("packageId", packageId.orElse(""), "siteId", siteId.orElse(""));
        List<FieldError> errors = new ArrayList<>();
        if (packageId.isEmpty()) {
            errors.add(new FieldError("packageId", Guard.messages().get("billing.subscribe.package.required")));
        }
        if (siteId.isEmpty()) {
            errors.add(new FieldError("siteId", Guard.messages().get("billing.subscribe.site.required")));
        } else if (!session.access().may(Permission.MANAGE_MEMBERS, siteId.get())) {
            throw PageException.notFound("There is no site " + siteId.get() + ".");
        }
        if (errors.isEmpty()) {
            StoreResult<SubscriptionStore.Outcome> sold = views.subscriptions()
                    .subscribe(
                            session.tenant().id(),
                            session.caller().actorId(),
                            new SubscriptionStore.NewSubscription(
                                    member.id(), packageId.get(), siteId.get(), Optional.empty(), Optional.empty()));
            switch (sold) {
                case StoreResult.Found<SubscriptionStore.Outcome> found -> {
                    Subscription sub = found.value().subscription();
                    parts.audit()
                            .record(
                                    req,
                                    session.caller(),
                                    "subscription.create",
                                    "subscription",
                                    sub.id(),
                                    sub.siteId(),
                                    null,
                                    SubscriptionService.json(sub, parts.clock().instant()));
                    SignInService.redirect(
                            res, "/console/members/" + member.id() + "/billing?notice=subscribed#subscriptions");
                    return;
                }
                case StoreResult.Invalid<SubscriptionStore.Outcome> invalid -> errors.addAll(invalid.errors());
                case StoreResult.Conflict<SubscriptionStore.Outcome> conflict ->
                    errors.add(new FieldError("packageId", conflict.reason()));
                case StoreResult.NotFound<SubscriptionStore.Outcome> gone ->
                    throw PageException.notFound("There is no " + gone.what() + " " + gone.id() + ".");
            }
        }
        render(res, Status.UNPROCESSABLE_CONTENT_422, session, member, values, errors, Optional.empty());
    }

    /** The pass form's fields are named {@code pass.…}: beside the subscribe form's on one page. */
    static final String PASS = "pass.";

    /**
     * Sells the member a pass through {@link PassStore} (the API's {@code POST /members/{id}/passes}):
     * the form's key, made when it was shown, sells once however often it is sent.
     */
    private void sellPass(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_MEMBERS);
        MemberStore.MemberView member =
                member(session, req.path().pathParameters().get("memberId"));
        Parameters form = Forms.read(req, session);
        Optional<String> packageId = Forms.field(form, PASS + "packageId");
        Optional<String> siteId = Forms.field(form, PASS + "siteId");
        Optional<String> firstDay = Forms.field(form, PASS + "firstDay");
        String key = Forms.field(form, PASS + "key")
                .filter(k -> k.matches("[A-Za-z0-9_-]{16,64}"))
                .orElse("");
        Map<String, String> values = Map.of(
                PASS + "packageId", packageId.orElse(""),
                PASS + "siteId", siteId.orElse(""),
                PASS + "firstDay", firstDay.orElse(""));
        List<FieldError> errors = new ArrayList<>();
        if (packageId.isEmpty()) {
            errors.add(new FieldError(PASS + "packageId", Guard.messages().get("billing.pass.package.required")));
        }
        if (siteId.isEmpty()) {
            errors.add(new FieldError(PASS + "siteId", Guard.messages().get("billing.subscribe.site.required")));
        } else if (!session.access().may(Permission.MANAGE_MEMBERS, siteId.get())) {
            throw PageException.notFound("There is no site " + siteId.get() + ".");
        }
        Optional<LocalDate> day = Optional.empty();
        if (firstDay.isPresent()) {
            try {
                day = Optional.of(LocalDate.parse(firstDay.get()));
            } catch (DateTimeParseException e) {
                errors.add(new FieldError(PASS + "firstDay", Guard.messages().get("billing.pass.day.format")));
            }
        }
        if (key.isEmpty()) {
            errors.add(new FieldError("pass", Guard.messages().get("billing.pass.key")));
        }
        if (errors.isEmpty()) {
            switch (passes.sell(
                    session.tenant().id(),
                    session.caller().actorId(),
                    member.id(),
                    new PassStore.Sale(packageId.get(), siteId.get(), day, "console-" + key))) {
                case StoreResult.Found<PassStore.Sold> sold -> {
                    if (!sold.value().replayed()) {
                        parts.audit()
                                .record(
                                        req,
                                        session.caller(),
                                        "pass.sell",
                                        "member",
                                        member.id(),
                                        siteId.get(),
                                        null,
                                        PassService.json(sold.value()));
                    }
                    SignInService.redirect(res, "/console/members/" + member.id() + "/billing?notice=pass-sold#passes");
                    return;
                }
                case StoreResult.Invalid<PassStore.Sold> invalid ->
                    invalid.errors().forEach(e -> errors.add(new FieldError(PASS + e.field(), e.message())));
                case StoreResult.Conflict<PassStore.Sold> conflict ->
                    errors.add(new FieldError(PASS + "packageId", conflict.reason()));
                case StoreResult.NotFound<PassStore.Sold> gone ->
                    throw PageException.notFound("There is no " + gone.what() + " " + gone.id() + ".");
            }
        }
        render(res, Status.UNPROCESSABLE_CONTENT_422, session, member, values, errors, Optional.empty());
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_MEMBERS);
        Subscription sub = subscription(req, session);
        Parameters form = Forms.read(req, session);
        Optional<SubscriptionStore.CancelMode> mode =
                Forms.field(form, "when").flatMap(when -> WireNames.parse(SubscriptionStore.CancelMode.class, when));
        MemberStore.MemberView member = member(session, sub.memberId());
        if (mode.isEmpty()) {
            refuse(res, session, member, Guard.messages().get("billing.cancel.when.required"));
            return;
        }
        done(
                req,
                res,
                session,
                member,
                sub,
                "subscription.cancel",
                "cancelled",
                views.subscriptions()
                        .cancel(session.tenant().id(), session.caller().actorId(), sub.id(), mode.get()));
    }

    /** The subscription in the path, at a site the operator covers. */
    private Subscription subscription(ServerRequest req, ConsoleSession session) {
        String id = req.path().pathParameters().get("subscriptionId");
        return views.subscriptions()
                .find(session.tenant().id(), id)
                .filter(s -> session.access().covers(s.siteId()))
                .orElseThrow(() -> PageException.notFound("There is no subscription " + id + "."));
    }

    /** Audits a subscription's change and shows the member's billing again; a refusal said on the page. */
    private void done(
            ServerRequest req,
            ServerResponse res,
            ConsoleSession session,
            MemberStore.MemberView member,
            Subscription before,
            String action,
            String notice,
            StoreResult<SubscriptionStore.Outcome> result) {
        switch (result) {
            case StoreResult.Found<SubscriptionStore.Outcome> found -> {
                parts.audit()
                        .record(
                                req,
                                session.caller(),
                                action,
                                "subscription",
                                before.id(),
                                before.siteId(),
                                SubscriptionService.json(before, parts.clock().instant()),
                                SubscriptionService.json(
                                        found.value().subscription(),
                                        parts.clock().instant()));
                SignInService.redirect(
                        res, "/console/members/" + member.id() + "/billing?notice=" + notice + "#subscriptions");
            }
            // Cancelled already, committed, paused already: said on the page, nothing changed.
            case StoreResult.Conflict<SubscriptionStore.Outcome> conflict ->
                refuse(res, session, member, conflict.reason());
            case StoreResult.Invalid<SubscriptionStore.Outcome> invalid ->
                refuse(res, session, member, invalid.errors().getFirst().message());
            case StoreResult.NotFound<SubscriptionStore.Outcome> gone ->
                throw PageException.notFound("There is no " + gone.what() + " " + gone.id() + ".");
        }
    }

    private void pause(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_MEMBERS);
        Subscription sub = subscription(req, session);
        Parameters form = Forms.read(req, session);
        Optional<Integer> periods = Forms.field(form, "periods")
                .filter(n -> n.matches("[1-9]"))
                .map(Integer::valueOf)
                .filter(n -> n <= SubscriptionStore.MAX_PAUSE_PERIODS);
        MemberStore.MemberView member = member(session, sub.memberId());
        if (periods.isEmpty()) {
            refuse(res, session, member, Guard.messages().get("billing.pause.periods.required"));
            return;
        }
        done(
                req,
                res,
                session,
                member,
                sub,
                "subscription.pause",
                "paused",
                views.subscriptions()
                        .pause(session.tenant().id(), session.caller().actorId(), sub.id(), periods.get()));
    }

    private void refuse(ServerResponse res, ConsoleSession session, MemberStore.MemberView member, String message) {
        render(
                res,
                Status.CONFLICT_409,
                session,
                member,
                Map.of(),
                List.of(new FieldError("subscription", message)),
                Optional.empty());
    }

    private void render(
            ServerResponse res,
            Status status,
            ConsoleSession session,
            MemberStore.MemberView member,
            Map<String, String> values,
            List<FieldError> errors,
            Optional<String> notice) {
        String tenantId = session.tenant().id();
        boolean finance = session.access().may(Permission.FINANCE);
        List<BillingViews.Document> documents = finance
                ? views.documents(tenantId, BillingViews.found(invoices.ofMember(tenantId, member.id())))
                : List.of();
        Templates.render(
                res,
                status,
                "billing-member.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "billing.member.title", "/console/members"),
                        "b",
                        new MemberBilling(
                                member,
                                views.standing(tenantId, member.id()),
                                views.subscriptions(tenantId, Optional.of(member.id()), session.access()::covers),
                                finance,
                                documents,
                                finance ? views.paymentRows(tenantId, documents) : List.of(),
                                session.access().may(Permission.MANAGE_MEMBERS),
                                views.subscribable(tenantId),
                                views.passes(tenantId),
                                views.sites().sites(tenantId, Set.of()).stream()
                                        .filter(s -> session.access().may(Permission.MANAGE_MEMBERS, s.id()))
                                        .toList(),
                                new FormState(values, errors),
                                notice,
                                java.util.UUID.randomUUID().toString())));
    }
}
