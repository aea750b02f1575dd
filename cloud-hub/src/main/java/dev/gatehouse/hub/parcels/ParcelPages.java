package dev.gatehouse.hub.parcels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.console.ConsoleSession;
import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.Guard;
import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.console.PageException;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Mail and parcels in the console, for the front desk: log an item with a photo taken by the tablet's
 * camera, see what waits at each of the operator's sites, hand an item over against the member's
 * signature drawn on the screen, send a failed notice again. Every action goes through {@link
 * Parcels}, as the API's do.
 *
 * <pre>
 * GET  /console/parcels                    waiting items (?show=collected: handed over), and the form
 * POST /console/parcels                    log one (siteId, memberId, kind, carrier, trackingNumber, shelf, note, photo)
 * GET  /console/parcels/{id}               the item, its photo, its notice, the pickup form
 * POST /console/parcels/{id}/pickup        hand it over (collectedBy, signature | confirmed)
 * POST /console/parcels/{id}/notify        send the notice again
 * GET  /console/parcels/{id}/photo         its photo; /signature the signature
 * </pre>
 *
 * The photo and the signature reach the hub as data URLs in ordinary form fields, filled by {@code
 * /assets/parcels.js} (the hub takes no multipart uploads); the script scales the photo down so the
 * form stays under {@code hub.max-body-bytes}.
 */
public record ParcelPages(Database database, Parcels parcels, int maxBody) implements HttpService {
    private static final Status INVALID = Status.create(422, "Unprocessable Content");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/parcels", this::list)
                .post("/console/parcels", this::log)
                .get("/console/parcels/{parcelId}", this::show)
                .post("/console/parcels/{parcelId}/pickup", this::pickup)
                .post("/console/parcels/{parcelId}/notify", this::notifyAgain)
                .get("/console/parcels/{parcelId}/photo", (req, res) -> image(req, res, false))
                .get("/console/parcels/{parcelId}/signature", (req, res) -> image(req, res, true));
    }

    /** A site of the operator's, or a member, for the form's choices. */
    public record Choice(String id, String name) {}

    /** The logging form as typed, with a message per refused field. */
    public record LogForm(
            String siteId,
            String memberId,
            String kind,
            String carrier,
            String trackingNumber,
            String shelf,
            String note,
            Map<String, String> errors) {
        public Optional<String> error(String field) {
            return Optional.ofNullable(errors.get(field));
        }

        public boolean hasErrors() {
            return !errors.isEmpty();
        }
    }

    /** An item in a list or on its page, with its times in its site's zone. */
    public record Row(ParcelStore.ParcelView parcel, String loggedAt, String collectedAt, String kind, String notice) {
        public String id() {
            return parcel.id();
        }

        public boolean waiting() {
            return parcel.status() == ParcelStore.Status.WAITING;
        }

        public boolean noticeFailed() {
            return parcel.noticeState() == ParcelStore.NoticeState.FAILED;
        }
    }

    /** The pickup form as typed, with a message per refused field. */
    public record PickupForm(String collectedBy, boolean confirmed, Map<String, String> errors) {
        public Optional<String> error(String field) {
            return Optional.ofNullable(errors.get(field));
        }
    }

    private List<Choice> sites(ConsoleSession s) {
        return database
                .read(c -> Sql.list(
                        c,
                        "SELECT id, name FROM sites WHERE tenant_id = ? ORDER BY name, id",
                        row -> new Choice(row.getString(1), row.getString(2)),
                        s.tenant().id()))
                .stream()
                .filter(site -> s.access().covers(site.id()))
                .toList();
    }

    private List<Choice> members(ConsoleSession s) {
        return database.read(c -> Sql.list(
                c,
                "SELECT id, full_name, email FROM members WHERE tenant_id = ? AND status <> 'CANCELLED'"
                        + " ORDER BY full_name, id LIMIT 2000",
                row -> new Choice(row.getString(1), row.getString(2) + " (" + row.getString(3) + ")"),
                s.tenant().id()));
    }

    private ZoneId zone(String tenantId, String siteId) {
        return database.read(c -> Sql.one(
                        c, "SELECT time_zone FROM sites WHERE tenant_id = ? AND id = ?", Sql.STRING, tenantId, siteId))
                .map(ZoneId::of)
                .orElse(ZoneId.of("UTC"));
    }

    private Row row(String tenantId, ParcelStore.ParcelView parcel) {
        Messages t = Guard.messages();
        ZoneId zone = zone(tenantId, parcel.siteId());
        return new Row(
                parcel,
                Formats.dateTime(parcel.loggedAt(), zone, t.locale()),
                parcel.collectedAt()
                        .map(at -> Formats.dateTime(at, zone, t.locale()))
                        .orElse(""),
                t.get("parcels.kind." + WireNames.wire(parcel.kind())),
                t.get("parcels.notice." + WireNames.wire(parcel.noticeState())));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        List<Choice> sites = sites(s);
        renderList(req, res, s, Status.OK_200, blank(sites), Optional.empty());
    }

    private static LogForm blank(List<Choice> sites) {
        return new LogForm(sites.isEmpty() ? "" : sites.getFirst().id(), "", "parcel", "", "", "", "", Map.of());
    }

    private void renderList(
            ServerRequest req,
            ServerResponse res,
            ConsoleSession s,
            Status status,
            LogForm form,
            Optional<String> notice) {
        boolean collected = req.query()
                .first("show")
                .asOptional()
                .filter("collected"::equals)
                .isPresent();
        Set<String> scope = s.access().allSites() ? Set.of() : s.access().siteIds();
        List<Row> rows = parcels
                .store()
                .list(
                        s.tenant().id(),
                        new ParcelStore.Filter(
                                scope,
                                Optional.empty(),
                                Optional.of(collected ? ParcelStore.Status.COLLECTED : ParcelStore.Status.WAITING),
                                Optional.empty()),
                        Optional.empty(),
                        200)
                .items()
                .stream()
                .map(parcel -> row(s.tenant().id(), parcel))
                .toList();
        boolean manage = s.access().may(Permission.MANAGE_MEMBERS);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", Guard.pageFor(s, "parcels.title", "/console/parcels"));
        params.put("rows", rows);
        params.put("collected", collected);
        params.put("sites", sites(s));
        params.put("members", manage ? members(s) : List.of());
        params.put("form", form);
        params.put("manage", manage);
        params.put("notice", notice.or(() -> req.query()
                .first("done")
                .asOptional()
                .filter(Set.of("logged", "collected")::contains)
                .map(key -> Guard.messages().get("parcels.done." + key))));
        // The photo's data URL must fit in the form: the script scales the photo to this many characters.
        params.put("photoBudget", Math.max(4096, maxBody - 8192));
        Templates.render(res, status, "parcels.jte", params);
    }

    private void log(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        Parameters form = Forms.read(req, s);
        LogForm typed = new LogForm(
                Forms.field(form, "siteId").orElse(""),
                Forms.field(form, "memberId").orElse(""),
                Forms.field(form, "kind").orElse(""),
                Forms.field(form, "carrier").orElse(""),
                Forms.field(form, "trackingNumber").orElse(""),
                Forms.field(form, "shelf").orElse(""),
                Forms.field(form, "note").orElse(""),
                Map.of());
        ObjectNode body = Json.MAPPER.createObjectNode();
        for (String field : Parcels.FIELDS) {
            Forms.field(form, field).ifPresent(value -> body.put(field, value));
        }
        Map<String, String> errors = new LinkedHashMap<>();
        if (!typed.siteId().isEmpty() && !s.access().covers(typed.siteId())) {
            errors.put("siteId", Guard.messages().get("parcels.error.site"));
        }
        ParcelStore.ParcelView logged = null;
        if (errors.isEmpty()) {
            try {
                logged = parcels.log(req, s.caller(), Parcels.read(body));
            } catch (ApiException e) {
                if (e.errors().isEmpty()) {
                    throw e;
                }
                e.errors().forEach(error -> errors.putIfAbsent(error.field(), error.message()));
            }
        }
        if (logged == null) {
            renderList(
                    req,
                    res,
                    s,
                    INVALID,
                    new LogForm(
                            typed.siteId(),
                            typed.memberId(),
                            typed.kind(),
                            typed.carrier(),
                            typed.trackingNumber(),
                            typed.shelf(),
                            typed.note(),
                            Map.copyOf(errors)),
                    Optional.empty());
            return;
        }
        SignInService.redirect(res, "/console/parcels/" + logged.id() + "?done=logged");
    }

    private ParcelStore.ParcelView parcel(ServerRequest req, ConsoleSession s) {
        String id = req.path().pathParameters().get("parcelId");
        try {
            return parcels.find(s.caller(), id);
        } catch (ApiException e) {
            throw PageException.notFound("There is no parcel " + dev.gatehouse.protocol.Ids.printable(id) + ".");
        }
    }

    private void show(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        ParcelStore.ParcelView parcel = parcel(req, s);
        Optional<String> notice = req.query()
                .first("done")
                .asOptional()
                .filter(Set.of("logged", "collected", "notified")::contains)
                .map(key -> Guard.messages().get("parcels.done." + key));
        renderParcel(res, s, Status.OK_200, parcel, new PickupForm(parcel.memberName(), false, Map.of()), notice);
    }

    private void renderParcel(
            ServerResponse res,
            ConsoleSession s,
            Status status,
            ParcelStore.ParcelView parcel,
            PickupForm form,
            Optional<String> notice) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", Guard.pageFor(s, "parcels.parcel.title", "/console/parcels"));
        params.put("row", row(s.tenant().id(), parcel));
        params.put("form", form);
        params.put("manage", s.access().may(Permission.MANAGE_MEMBERS, parcel.siteId()));
        params.put("notice", notice);
        Templates.render(res, status, "parcel.jte", params);
    }

    private void pickup(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        ParcelStore.ParcelView parcel = parcel(req, s);
        Guard.site(req, Permission.MANAGE_MEMBERS, parcel.siteId());
        Parameters form = Forms.read(req, s);
        ObjectNode body = Json.MAPPER.createObjectNode();
        Forms.field(form, "collectedBy").ifPresent(value -> body.put("collectedBy", value));
        Forms.field(form, "signature").ifPresent(value -> body.put("signature", value));
        boolean confirmed = Forms.field(form, "confirmed").isPresent();
        if (confirmed) {
            body.put("confirmed", true);
        }
        try {
            parcels.collect(req, s.caller(), parcel.id(), Parcels.readPickup(body));
        } catch (ApiException e) {
            Map<String, String> errors = new LinkedHashMap<>();
            e.errors().forEach(error -> errors.putIfAbsent(error.field(), error.message()));
            if (errors.isEmpty()) {
                errors.put("collectedBy", e.getMessage());
            }
            renderParcel(
                    res,
                    s,
                    e.status() == 409 ? Status.CONFLICT_409 : INVALID,
                    parcels.find(s.caller(), parcel.id()),
                    new PickupForm(Forms.field(form, "collectedBy").orElse(""), confirmed, Map.copyOf(errors)),
                    Optional.empty());
            return;
        }
        SignInService.redirect(res, "/console/parcels/" + parcel.id() + "?done=collected");
    }

    private void notifyAgain(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        ParcelStore.ParcelView parcel = parcel(req, s);
        Guard.site(req, Permission.MANAGE_MEMBERS, parcel.siteId());
        Forms.read(req, s);
        try {
            parcels.notifyAgain(req, s.caller(), parcel.id());
        } catch (ApiException e) {
            throw PageException.badRequest(e.getMessage());
        }
        SignInService.redirect(res, "/console/parcels/" + parcel.id() + "?done=notified");
    }

    private void image(ServerRequest req, ServerResponse res, boolean signature) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        ParcelStore.ParcelView parcel = parcel(req, s);
        Guard.site(req, Permission.MANAGE_MEMBERS, parcel.siteId());
        try {
            parcels.image(res, s.tenant().id(), parcel, signature);
        } catch (ApiException e) {
            throw PageException.notFound("This parcel has no " + (signature ? "signature" : "photo") + ".");
        }
    }
}
