package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.sites.ResourceKind;
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
import java.util.Currency;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tenant's package catalogue (issue 16 item 1) and its billing currency. Finance (and owners)
 * change them; whoever may read members may read them, since the front desk sells them.
 *
 * <pre>
 * POST  /api/v1/packages                a new package: 201
 * GET   /api/v1/packages?retired=true   the catalogue by name (retired ones only when asked)
 * GET   /api/v1/packages/{packageId}    one
 * PATCH /api/v1/packages/{packageId}    change it (absent fields keep their value); sold ones keep their price
 * GET   /api/v1/billing/settings        {"currency"}
 * PATCH /api/v1/billing/settings        {"currency": "EUR"}: 409 once packages are priced in another
 * </pre>
 */
public record PackageService(PackageStore store, Audit audit, int maxBody) implements HttpService {
    public static final String[] FIELDS = {
        "name",
        "description",
        "kind",
        "price",
        "currency",
        "interval",
        "commitmentPeriods",
        "planId",
        "credits",
        "passes",
        "passValidDays",
        "seats",
        "publicSale",
        "status"
    };
    /** The highest price: ten million in major units of a two-decimal currency. */
    static final long MAX_PRICE = 1_000_000_000L;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/packages", this::create)
                .get("/packages", this::list)
                .get("/packages/{packageId}", this::get)
                .patch("/packages/{packageId}", this::update)
                .get("/billing/settings", this::settings)
                .patch("/billing/settings", this::updateSettings);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        PackageStore.PackageInput input = input(Input.of(Json.object(req, maxBody), FIELDS), Optional.empty());
        BillingPackage created = StoreResults.value(store.create(caller.tenantId(), input));
        audit.record(req, caller, "package.create", "package", created.id(), null, null, json(created));
        Json.created(res, json(created));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        boolean retired = req.query().first("retired").map("true"::equals).orElse(false);
        List<ObjectNode> items = store.list(caller.tenantId(), retired).stream()
                .map(PackageService::json)
                .toList();
        Json.ok(res, Map.of("items", items));
    }

    private BillingPackage found(ServerRequest req, Caller.Operator caller) {
        String id = PathIds.id(req, "packageId", "package");
        return StoreResults.found(store.find(caller.tenantId(), id), "package", id);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Json.ok(res, json(found(req, Caller.require(req, Permission.VIEW_MEMBERS))));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        BillingPackage current = found(req, caller);
        PackageStore.PackageInput input = input(Input.of(Json.object(req, maxBody), FIELDS), Optional.of(current));
        BillingPackage updated = StoreResults.value(store.update(caller.tenantId(), current.id(), input));
        audit.record(req, caller, "package.update", "package", current.id(), null, json(current), json(updated));
        Json.ok(res, json(updated));
    }

    private void settings(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Json.ok(res, Map.of("currency", store.currency(caller.tenantId())));
    }

    private void updateSettings(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        Input input = Input.of(Json.object(req, maxBody), "currency");
        Optional<String> currency = currency(input);
        if (currency.isEmpty() && !input.has("currency")) {
            input.error("currency", "is required: an ISO 4217 code such as EUR");
        }
        input.done();
        String before = store.currency(caller.tenantId());
        String after = StoreResults.value(store.setCurrency(caller.tenantId(), currency.orElseThrow()));
        audit.record(
                req,
                caller,
                "billing.settings.update",
                "tenant",
                caller.tenantId(),
                null,
                Map.of("currency", before),
                Map.of("currency", after));
        Json.ok(res, Map.of("currency", after));
    }

    /** The body over {@code current} (a new package: over the defaults); every problem in one 422. */
    public static PackageStore.PackageInput input(Input input, Optional<BillingPackage> current) {
        String name = input.has("name") || current.isEmpty()
                ? input.text("name", 100)
                : current.get().name();
        String description = input.has("description")
                ? input.optionalText("description", 500).orElse("")
                : current.map(BillingPackage::description).orElse("");
        BillingPackage.Kind kind = required(input, "kind", BillingPackage.Kind.class, current.map(BillingPackage::kind))
                .orElse(BillingPackage.Kind.MEMBERSHIP);
        long price = price(input).orElse(current.map(BillingPackage::price).orElse(0L));
        if (!input.has("price") && current.isEmpty()) {
            input.error("price", "is required: minor units of the currency, 2500 for 25.00");
        }
        BillingInterval interval = required(
                        input, "interval", BillingInterval.class, current.map(BillingPackage::interval))
                .orElse(BillingInterval.MONTH);
        int commitment = input.integer("commitmentPeriods", 0, 120)
                .orElse(current.map(BillingPackage::commitmentPeriods).orElse(0));
        Optional<String> plan =
                input.has("planId") ? input.optionalText("planId", 64) : current.flatMap(BillingPackage::planId);
        if (plan.isPresent() && !dev.gatehouse.protocol.Ids.isValid(plan.get())) {
            input.error("planId", "must be a plan id");
        }
        Map<ResourceKind, Long> credits = input.has("credits")
                ? credits(input)
                : current.map(BillingPackage::credits).orElse(Map.of());
        Optional<Integer> passes =
                input.has("passes") ? input.integer("passes", 1, 1000) : current.flatMap(BillingPackage::passes);
        Optional<Integer> validDays = input.has("passValidDays")
                ? input.integer("passValidDays", 1, 3650)
                : current.flatMap(BillingPackage::passValidDays);
        int seats = input.integer("seats", 1, 1000)
                .orElse(current.map(BillingPackage::seats).orElse(kind == BillingPackage.Kind.TEAM ? 2 : 1));
        boolean publicSale = input.bool("publicSale")
                .orElse(current.map(BillingPackage::publicSale).orElse(false));
        BillingPackage.Status status = input.enumValue("status", BillingPackage.Status.class)
                .orElse(current.map(BillingPackage::status).orElse(BillingPackage.Status.ACTIVE));
        Optional<String> currency = currency(input);
        consistent(input, kind, interval, commitment, passes, validDays, seats);
        input.done();
        return new PackageStore.PackageInput(
                name,
                description,
                kind,
                price,
                currency,
                interval,
                commitment,
                plan,
                credits,
                kind == BillingPackage.Kind.PASS ? passes : Optional.empty(),
                kind == BillingPackage.Kind.PASS ? validDays : Optional.empty(),
                seats,
                publicSale,
                status);
    }

    /** What each kind needs and forbids, named field by field. */
    private static void consistent(
            Input input,
            BillingPackage.Kind kind,
            BillingInterval interval,
            int commitment,
            Optional<Integer> passes,
            Optional<Integer> validDays,
            int seats) {
        if (kind == BillingPackage.Kind.PASS) {
            if (interval != BillingInterval.ONE_OFF) {
                input.error("interval", "a pass is bought once: use one-off");
            }
            if (passes.isEmpty()) {
                input.error("passes", "is required for a pass: its entries, 1 for a day pass");
            }
            if (validDays.isEmpty()) {
                input.error("passValidDays", "is required for a pass: the days it stays valid from purchase");
            }
        } else {
            if (input.has("passes") && !input.isNull("passes")) {
                input.error("passes", "is for a pass only; this package is a " + WireNames.wire(kind));
            }
            if (input.has("passValidDays") && !input.isNull("passValidDays")) {
                input.error("passValidDays", "is for a pass only; this package is a " + WireNames.wire(kind));
            }
        }
        if (interval == BillingInterval.ONE_OFF && commitment > 0) {
            input.error("commitmentPeriods", "a one-off package has no periods to commit to; use 0");
        }
        if (kind == BillingPackage.Kind.TEAM && seats < 2) {
            input.error("seats", "a team package has 2 seats or more");
        }
        if (kind != BillingPackage.Kind.TEAM && seats != 1) {
            input.error("seats", "only a team package has seats; leave it out or use 1");
        }
    }

    private static <E extends Enum<E>> Optional<E> required(
            Input input, String field, Class<E> type, Optional<E> current) {
        if (!input.has(field) && current.isPresent()) {
            return current;
        }
        if (!input.has(field) || input.isNull(field)) {
            input.error(field, "is required: one of " + WireNames.choices(type));
            return Optional.empty();
        }
        return input.enumValue(field, type);
    }

    private static Optional<Long> price(Input input) {
        JsonNode sent = input.raw().get("price");
        if (sent != null && sent.isIntegralNumber() && sent.canConvertToLong() && sent.longValue() < 0) {
            input.error(
                    "price", "is " + sent.longValue() + "; a price is never negative (minor units, 2500 for 25.00)");
            return Optional.empty();
        }
        if (sent != null && sent.isNumber() && !sent.isIntegralNumber()) {
            input.error("price", "must be whole minor units (2500 for 25.00), never a fraction");
            return Optional.empty();
        }
        return input.wholeNumber("price", 0, MAX_PRICE);
    }

    private static Optional<String> currency(Input input) {
        Optional<String> code = input.optionalText("currency", 3);
        if (code.isPresent()) {
            boolean known;
            try {
                known = code.get().matches("[A-Z]{3}") && Currency.getInstance(code.get()) != null;
            } catch (IllegalArgumentException e) {
                known = false;
            }
            if (!known) {
                input.error("currency", "'" + code.get() + "' is not an ISO 4217 code such as EUR, CHF or USD");
                return Optional.empty();
            }
        }
        return code;
    }

    private static Map<ResourceKind, Long> credits(Input input) {
        JsonNode sent = input.raw().get("credits");
        Map<ResourceKind, Long> credits = new EnumMap<>(ResourceKind.class);
        if (sent == null || sent.isNull()) {
            return credits;
        }
        if (!sent.isObject()) {
            input.error(
                    "credits", "must be an object of credits per period by resource kind, e.g. {\"meeting-room\": 10}");
            return credits;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = sent.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            Optional<ResourceKind> kind = WireNames.parse(ResourceKind.class, field.getKey());
            JsonNode value = field.getValue();
            if (kind.isEmpty()) {
                input.error(
                        "credits." + field.getKey(),
                        "is not a resource kind; one of " + WireNames.choices(ResourceKind.class));
            } else if (!value.isIntegralNumber() || value.longValue() < 0 || value.longValue() > 100_000) {
                input.error("credits." + field.getKey(), "must be whole credits per period, 0 to 100000");
            } else {
                credits.put(kind.get(), value.longValue());
            }
        }
        return credits;
    }

    /** A package as the API answers it and the audit log records it. */
    public static ObjectNode json(BillingPackage p) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", p.id())
                .put("name", p.name())
                .put("description", p.description())
                .put("kind", WireNames.wire(p.kind()))
                .put("price", p.price())
                .put("currency", p.currency())
                .put("interval", WireNames.wire(p.interval()))
                .put("commitmentPeriods", p.commitmentPeriods());
        p.planId().ifPresentOrElse(id -> node.put("planId", id), () -> node.putNull("planId"));
        ObjectNode credits = node.putObject("credits");
        new java.util.TreeMap<>(p.credits()).forEach((kind, n) -> credits.put(WireNames.wire(kind), n));
        p.passes().ifPresentOrElse(n -> node.put("passes", n), () -> node.putNull("passes"));
        p.passValidDays().ifPresentOrElse(n -> node.put("passValidDays", n), () -> node.putNull("passValidDays"));
        node.put("seats", p.seats())
                .put("publicSale", p.publicSale())
                .put("status", WireNames.wire(p.status()))
                .put("createdAt", p.createdAt())
                .put("updatedAt", p.updatedAt());
        return node;
    }
}
