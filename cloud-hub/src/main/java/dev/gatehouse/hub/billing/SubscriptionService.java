package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Subscriptions (issue 16 item 2): a package sold to a member, changed with proration, cancelled at
 * the period's end or now. Whoever manages members sells (the front desk); whoever reads members
 * reads them and their charges (finance too). The door plan follows through the change log.
 *
 * <pre>
 * POST /api/v1/subscriptions                      {memberId, packageId, siteId, start?, anchor?}: 201 {subscription, charges}
 * GET  /api/v1/subscriptions/{id}                 one
 * POST /api/v1/subscriptions/{id}/change          {packageId, at?}: 200 {subscription, charges}
 * POST /api/v1/subscriptions/{id}/cancel          {"when": "period-end" | "now"}: 200 {subscription, charges}
 * POST /api/v1/subscriptions/{id}/pause           {periods}: from the next period, 1 to 6 whole periods
 * DELETE /api/v1/subscriptions/{id}/pause         lifts a pause that has not begun
 * GET  /api/v1/subscriptions/{id}/seats           a team's seats: {seats, members}
 * PUT  /api/v1/subscriptions/{id}/seats/{memberId}    seats the member (201; 200 seated already)
 * DELETE /api/v1/subscriptions/{id}/seats/{memberId} frees the seat
 * GET  /api/v1/members/{memberId}/subscriptions   the member's, newest first
 * GET  /api/v1/members/{memberId}/charges         what the member owes and is owed, in the order written
 * </pre>
 */
public record SubscriptionService(SubscriptionStore store, Audit audit, Clock clock, int maxBody)
        implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/subscriptions", this::subscribe)
                .get("/subscriptions/{subscriptionId}", this::get)
                .post("/subscriptions/{subscriptionId}/change", this::change)
                .post("/subscriptions/{subscriptionId}/cancel", this::cancel)
                .post("/subscriptions/{subscriptionId}/pause", this::pause)
                .delete("/subscriptions/{subscriptionId}/pause", this::lift)
                .get("/subscriptions/{subscriptionId}/seats", this::seats)
                .put("/subscriptions/{subscriptionId}/seats/{memberId}", this::addSeat)
                .delete("/subscriptions/{subscriptionId}/seats/{memberId}", this::removeSeat)
                .get("/members/{memberId}/subscriptions", this::ofMember)
                .get("/members/{memberId}/charges", this::charges)
                .get("/billing/mrr", this::mrr);
    }

    private void subscribe(ServerRequest req, ServerResponse res) {
        Input input = Input.of(Json.object(req, maxBody), "memberId", "packageId", "siteId", "start", "anchor");
        String member = input.text("memberId", 64);
        String pkg = input.text("packageId", 64);
        String site = input.text("siteId", 64);
        SubscriptionStore.NewSubscription sale =
                new SubscriptionStore.NewSubscription(member, pkg, site, input.instant("start"), input.date("anchor"));
        input.done();
        Caller.Operator caller = Caller.operator(req).require(Permission.MANAGE_MEMBERS, site);
        SubscriptionStore.Outcome outcome =
                StoreResults.value(store.subscribe(caller.tenantId(), caller.actorId(), sale));
        audit.record(
                req,
                caller,
                "subscription.create",
                "subscription",
                outcome.subscription().id(),
                site,
                null,
                json(outcome));
        Json.created(res, json(outcome));
    }

    private Subscription found(ServerRequest req, Caller.Operator caller) {
        String id = PathIds.id(req, "subscriptionId", "subscription");
        Subscription sub = StoreResults.found(store.find(caller.tenantId(), id), "subscription", id);
        caller.requireCovers(sub.siteId(), "subscription", id);
        return sub;
    }

    private void get(ServerRequest req, ServerResponse res) {
        Json.ok(res, json(found(req, Caller.require(req, Permission.VIEW_MEMBERS))));
    }

    private void change(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Subscription current = found(req, caller);
        Input input = Input.of(Json.object(req, maxBody), "packageId", "at");
        String pkg = input.text("packageId", 64);
        var at = input.instant("at");
        input.done();
        done(
                req,
                res,
                caller,
                "subscription.change",
                current,
                store.change(caller.tenantId(), caller.actorId(), current.id(), pkg, at));
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Subscription current = found(req, caller);
        Input input = Input.of(Json.object(req, maxBody), "when");
        Optional<SubscriptionStore.CancelMode> mode = input.enumValue("when", SubscriptionStore.CancelMode.class);
        if (!input.has("when")) {
            input.error("when", "is required: period-end (nothing credited) or now (the days after today credited)");
        }
        input.done();
        done(
                req,
                res,
                caller,
                "subscription.cancel",
                current,
                store.cancel(caller.tenantId(), caller.actorId(), current.id(), mode.orElseThrow()));
    }

    private void pause(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Subscription current = found(req, caller);
        Input input = Input.of(Json.object(req, maxBody), "periods");
        Optional<Integer> periods = input.integer("periods", 1, SubscriptionStore.MAX_PAUSE_PERIODS);
        if (!input.has("periods")) {
            input.error(
                    "periods",
                    "is required: how many whole periods to pause, from the next one (1 to "
                            + SubscriptionStore.MAX_PAUSE_PERIODS + ")");
        }
        input.done();
        done(
                req,
                res,
                caller,
                "subscription.pause",
                current,
                store.pause(caller.tenantId(), caller.actorId(), current.id(), periods.orElseThrow()));
    }

    private void lift(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Subscription current = found(req, caller);
        done(
                req,
                res,
                caller,
                "subscription.unpause",
                current,
                store.lift(caller.tenantId(), caller.actorId(), current.id()));
    }

    private void seats(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Subscription current = found(req, caller);
        Json.ok(res, json(StoreResults.value(store.seats(caller.tenantId(), current.id()))));
    }

    private void addSeat(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Subscription current = found(req, caller);
        String member = PathIds.id(req, "memberId", "member");
        SubscriptionStore.Seats seats =
                StoreResults.value(store.addSeat(caller.tenantId(), caller.actorId(), current.id(), member));
        if (!seats.added()) {
            Json.ok(res, json(seats));
            return;
        }
        audit.record(
                req,
                caller,
                "subscription.seat-add",
                "subscription",
                current.id(),
                current.siteId(),
                null,
                json(seats));
        Json.created(res, json(seats));
    }

    private void removeSeat(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Subscription current = found(req, caller);
        String member = PathIds.id(req, "memberId", "member");
        SubscriptionStore.Seats seats =
                StoreResults.value(store.removeSeat(caller.tenantId(), caller.actorId(), current.id(), member));
        audit.record(
                req,
                caller,
                "subscription.seat-remove",
                "subscription",
                current.id(),
                current.siteId(),
                null,
                json(seats));
        Json.ok(res, json(seats));
    }

    private static ObjectNode json(SubscriptionStore.Seats seats) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("subscriptionId", seats.subscription().id()).put("seats", seats.seats());
        ArrayNode members = node.putArray("members");
        seats.members().forEach(members::add);
        return node;
    }

    /** Answers the operation's outcome and audits it with the subscription before it. */
    private void done(
            ServerRequest req,
            ServerResponse res,
            Caller.Operator caller,
            String action,
            Subscription before,
            dev.gatehouse.hub.store.StoreResult<SubscriptionStore.Outcome> result) {
        SubscriptionStore.Outcome outcome = StoreResults.value(result);
        audit.record(req, caller, action, "subscription", before.id(), before.siteId(), json(before), json(outcome));
        Json.ok(res, json(outcome));
    }

    private void ofMember(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        String member = PathIds.id(req, "memberId", "member");
        List<ObjectNode> items = StoreResults.value(store.ofMember(caller.tenantId(), member)).stream()
                .filter(sub -> caller.access().covers(sub.siteId()))
                .map(this::json)
                .toList();
        Json.ok(res, Map.of("items", items));
    }

    /** MRR over the caller's sites, by currency ({@link Mrr}: recurring prices per month, no one-offs, no tax). */
    private void mrr(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        java.time.Instant now = clock.instant();
        List<Map<String, Object>> items =
                store
                        .database()
                        .read(c -> Mrr.of(c, caller.tenantId(), now, site -> caller.access()
                                .covers(site)))
                        .stream()
                        .map(m -> Map.<String, Object>of(
                                "currency", m.currency(), "mrr", m.mrr(), "subscriptions", m.subscriptions()))
                        .toList();
        Json.ok(res, Map.of("asOf", now.toString(), "items", items));
    }

    private void charges(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        String member = PathIds.id(req, "memberId", "member");
        List<Charge> charges = StoreResults.value(store.charges(caller.tenantId(), member));
        long balance = charges.stream()
                .filter(charge -> charge.invoiceId().isEmpty())
                .mapToLong(Charge::amount)
                .sum();
        Json.ok(
                res,
                Map.of("items", charges.stream().map(SubscriptionService::json).toList(), "uninvoiced", balance));
    }

    private ObjectNode json(SubscriptionStore.Outcome outcome) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.set("subscription", json(outcome.subscription()));
        ArrayNode charges = node.putArray("charges");
        outcome.charges().forEach(charge -> charges.add(json(charge)));
        return node;
    }

    /** A subscription as the API answers it: its status as of now. */
    ObjectNode json(Subscription sub) {
        return json(sub, clock.instant());
    }

    /** A subscription as the API answers it and the audit log records it: its status as of {@code now}. */
    public static ObjectNode json(Subscription sub, java.time.Instant now) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", sub.id())
                .put("memberId", sub.memberId())
                .put("siteId", sub.siteId())
                .put("packageId", sub.packageId());
        sub.planId().ifPresentOrElse(id -> node.put("planId", id), () -> node.putNull("planId"));
        node.put("price", sub.price())
                .put("currency", sub.currency())
                .put("interval", WireNames.wire(sub.interval()))
                .put("anchor", sub.anchor().toString());
        sub.committedUntil()
                .ifPresentOrElse(d -> node.put("committedUntil", d.toString()), () -> node.putNull("committedUntil"));
        node.put(
                        "status",
                        sub.statusAt(now) == Subscription.Status.ACTIVE && sub.pausedAt(now)
                                ? "paused"
                                : WireNames.wire(sub.statusAt(now)))
                .put("startedAt", sub.startedAt().toString());
        sub.pausedFrom().ifPresentOrElse(at -> node.put("pausedFrom", at.toString()), () -> node.putNull("pausedFrom"));
        sub.pausedUntil()
                .ifPresentOrElse(at -> node.put("pausedUntil", at.toString()), () -> node.putNull("pausedUntil"));
        sub.endsAt().ifPresentOrElse(at -> node.put("endsAt", at.toString()), () -> node.putNull("endsAt"));
        node.put("createdAt", sub.createdAt().toString())
                .put("updatedAt", sub.updatedAt().toString());
        return node;
    }

    static ObjectNode json(Charge charge) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", charge.id());
        charge.subscriptionId()
                .ifPresentOrElse(id -> node.put("subscriptionId", id), () -> node.putNull("subscriptionId"));
        node.put("kind", WireNames.wire(charge.kind()))
                .put("description", charge.description())
                .put("amount", charge.amount())
                .put("currency", charge.currency());
        charge.periodStart().ifPresent(d -> node.put("periodStart", d.toString()));
        charge.periodEnd().ifPresent(d -> node.put("periodEnd", d.toString()));
        charge.invoiceId().ifPresentOrElse(id -> node.put("invoiceId", id), () -> node.putNull("invoiceId"));
        node.put("createdAt", charge.createdAt());
        return node;
    }
}
