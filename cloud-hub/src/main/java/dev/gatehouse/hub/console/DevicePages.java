package dev.gatehouse.hub.console;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.devices.DeviceEnrollments;
import dev.gatehouse.hub.devices.DeviceStore;
import dev.gatehouse.hub.devices.DeviceView;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.protocol.Ids;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Adding, enrolling and retiring edge devices from the console, through the same stores and audit
 * entries as the API ({@code device.create}, {@code device.enrollment-code}, {@code device.retire}).
 *
 * <pre>
 * GET  /console/fleet/devices/{deviceId}                    the device: status, key, enrollment (VIEW_SITES)
 * POST /console/fleet/devices                               add a device (site, name) and show its code (MANAGE_DEVICES)
 * POST /console/fleet/devices/{deviceId}/enrollment-code    a new one-time code (MANAGE_DEVICES)
 * POST /console/fleet/devices/{deviceId}/retire             retire it for good (MANAGE_DEVICES)
 * </pre>
 *
 * A code is shown once, on the page that answers the POST (never in a URL): the code, its QR for the
 * Pi's camera, the command a technician types, and when it expires.
 */
public record DevicePages(Console.Parts parts, DeviceStore devices) implements HttpService {
    public DevicePages(Console.Parts parts) {
        this(parts, new DeviceStore(parts.database(), parts.clock()));
    }

    /** What the device page shows. */
    public record Device(
            DeviceView view, String siteName, ZoneId zone, Optional<String> keyId, Optional<String> keyThumbprint) {
        /** An instant as the site's people read it. */
        public String local(String iso) {
            return Formats.dateTime(Instant.parse(iso), zone, Locale.ENGLISH);
        }
    }

    /** A code just made, as the page shows it. */
    public record Code(String code, String expiresAt, String command, String qrText, String qrDataUrl) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/fleet/devices/{deviceId}", this::page)
                .post("/console/fleet/devices", this::add)
                .post("/console/fleet/devices/{deviceId}/enrollment-code", this::newCode)
                .post("/console/fleet/devices/{deviceId}/retire", this::retire);
    }

    private DeviceView device(ServerRequest req, ConsoleSession session) {
        String id = req.path().pathParameters().get("deviceId");
        return Optional.of(id)
                .filter(Ids::isValid)
                .flatMap(valid -> devices.device(session.tenant().id(), valid))
                .filter(device -> session.access().covers(device.siteId()))
                .orElseThrow(() -> PageException.notFound("There is no device " + Ids.printable(id) + "."));
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        render(
                res,
                session,
                device(req, session),
                Optional.empty(),
                req.query().first("notice").asOptional());
    }

    private void render(
            ServerResponse res, ConsoleSession session, DeviceView view, Optional<Code> code, Optional<String> notice) {
        String tenantId = session.tenant().id();
        record Stored(String siteName, String zone, String publicKey) {}
        Stored stored = parts.database().read(c -> Sql.one(
                        c,
                        "SELECT s.name, s.time_zone, d.public_key FROM devices d JOIN sites s ON s.id = d.site_id"
                                + " WHERE d.tenant_id = ? AND d.id = ?",
                        row -> new Stored(row.getString(1), row.getString(2), row.getString(3)),
                        tenantId,
                        view.id())
                .orElseThrow());
        Optional<ECKey> key = Optional.ofNullable(stored.publicKey()).flatMap(json -> {
            try {
                return Optional.of(ECKey.parse(json));
            } catch (ParseException e) {
                return Optional.empty();
            }
        });
        Optional<String> thumbprint = key.map(k -> {
            try {
                return k.computeThumbprint().toString();
            } catch (com.nimbusds.jose.JOSEException e) {
                return "?";
            }
        });
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "device.title", "/console/fleet"));
        params.put(
                "device",
                new Device(view, stored.siteName(), ZoneId.of(stored.zone()), key.map(ECKey::getKeyID), thumbprint));
        params.put("code", code);
        params.put("notice", notice.filter(n -> List.of("retired").contains(n)));
        params.put("mayManage", session.access().may(Permission.MANAGE_DEVICES));
        Templates.render(res, code.isPresent() ? Status.CREATED_201 : Status.OK_200, "device.jte", params);
    }

    private void add(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_DEVICES);
        Parameters form = Forms.read(req, session);
        String siteId = Forms.field(form, "site").orElse("");
        if (!session.access().covers(siteId)) {
            throw PageException.notFound("There is no site " + Ids.printable(siteId) + ".");
        }
        Messages t = Guard.messages();
        String name =
                Forms.field(form, "name").orElseThrow(() -> PageException.badRequest(t.get("device.add.name.missing")));
        if (name.length() > 100) {
            throw PageException.badRequest(t.get("device.add.name.too-long", name.length()));
        }
        DeviceView created =
                switch (devices.createDevice(session.tenant().id(), siteId, name)) {
                    case StoreResult.Found<DeviceView> found -> found.value();
                    default -> throw PageException.notFound("There is no site " + Ids.printable(siteId) + ".");
                };
        parts.audit().record(req, session.caller(), "device.create", "device", created.id(), siteId, null, created);
        issue(req, res, session, created);
    }

    private void newCode(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_DEVICES);
        Forms.read(req, session);
        issue(req, res, session, device(req, session));
    }

    private void issue(ServerRequest req, ServerResponse res, ConsoleSession session, DeviceView device) {
        DeviceEnrollments.Issued issued =
                switch (parts.enrollment()
                        .enrollments()
                        .issue(
                                session.tenant().id(),
                                device.id(),
                                session.caller().actor().id(),
                                DeviceEnrollments.DEFAULT_LIFETIME)) {
                    case StoreResult.Found<DeviceEnrollments.Issued> found -> found.value();
                    case StoreResult.Conflict<DeviceEnrollments.Issued> conflict ->
                        throw PageException.badRequest(conflict.reason());
                    default -> throw PageException.notFound("There is no device " + device.id() + ".");
                };
        Map<String, Object> view = new HashMap<>();
        view.put("deviceId", device.id());
        view.put("expiresAt", issued.expiresAt().toString());
        parts.audit()
                .record(
                        req,
                        session.caller(),
                        "device.enrollment-code",
                        "device",
                        device.id(),
                        device.siteId(),
                        null,
                        view);
        Map<String, Object> answer = parts.enrollment().answer(req, issued);
        String qrText = (String) answer.get("qrText");
        Code code = new Code(
                (String) answer.get("code"),
                (String) answer.get("expiresAt"),
                (String) answer.get("command"),
                qrText,
                "data:image/png;base64," + Base64.getEncoder().encodeToString(QrPng.png(qrText)));
        res.header("Cache-Control", "no-store");
        render(
                res,
                session,
                devices.device(session.tenant().id(), device.id()).orElseThrow(),
                Optional.of(code),
                Optional.empty());
    }

    private void retire(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_DEVICES);
        Forms.read(req, session);
        DeviceView before = device(req, session);
        if (before.status().equals("retired")) {
            SignInService.redirect(res, "/console/fleet/devices/" + before.id() + "?notice=retired");
            return;
        }
        DeviceView after =
                switch (devices.updateDevice(
                        session.tenant().id(), before.id(), Optional.empty(), Optional.of("retired"))) {
                    case StoreResult.Found<DeviceView> found -> found.value();
                    default -> throw PageException.notFound("There is no device " + before.id() + ".");
                };
        // As the API's retirement: the device's broker account is disabled and its connection dropped now.
        parts.enrollment().accounts().retired(before.id());
        parts.audit()
                .record(req, session.caller(), "device.retire", "device", before.id(), before.siteId(), before, after);
        SignInService.redirect(res, "/console/fleet/devices/" + before.id() + "?notice=retired");
    }
}
