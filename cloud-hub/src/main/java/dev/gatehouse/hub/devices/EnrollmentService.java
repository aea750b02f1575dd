package dev.gatehouse.hub.devices;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.tenants.Actor;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.tenants.Role;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.enroll.Enrollment;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Enrollment by one-time code.
 *
 * <pre>
 * POST /api/v1/devices/{deviceId}/enrollment-codes   → 201 {code, expiresAt, hubUrl, qrText}   (MANAGE_DEVICES)
 * POST /api/v1/enroll                                → 201 the device's bundle                   (no token: the code)
 * </pre>
 *
 * An operator asks for a code (optionally {@code validMinutes}, 5 to 10,080; two hours by default);
 * the code is answered once and only its hash is kept. The device sends {@link Enrollment}'s request:
 * the code, its own public key and a proof signed with the private key. A wrong code is a 404, an
 * expired one a 410, a used one or a retired device's a 409, each with what to do, and none changes
 * anything. Redeeming issues a new MQTT password (the old one stops working at once and a connection
 * made with it is dropped) and answers the same bundle as {@link ProvisioningService}. An address
 * with {@link DeviceEnrollments#FAILURES_PER_ADDRESS} failed tries in {@link
 * DeviceEnrollments#FAILURE_WINDOW} gets 429s until the window passes.
 */
public record EnrollmentService(
        DeviceStore devices,
        DeviceEnrollments enrollments,
        DoorStore doors,
        Audit audit,
        Supplier<String> brokerUrl,
        DeviceAccounts accounts,
        Optional<URI> publicUrl,
        int maxBody)
        implements HttpService {
    /** What a device's enrollment QR code says: this prefix, the hub's URL, '#', the code. */
    public static final String QR_PREFIX = "gatehouse-enroll:";

    @Override
    public void routing(HttpRules rules) {
        rules.post("/devices/{deviceId}/enrollment-codes", this::issue).post("/enroll", this::enroll);
    }

    private void issue(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_DEVICES);
        String deviceId = PathIds.id(req, "deviceId", "device");
        DeviceView device = StoreResults.found(devices.device(caller.tenantId(), deviceId), "device", deviceId);
        caller.requireCovers(device.siteId(), "device", deviceId);
        ObjectNode body = req.content().hasEntity() ? Json.object(req, maxBody) : Json.MAPPER.createObjectNode();
        Input input = Input.of(body, "validMinutes");
        Duration lifetime = input.integer("validMinutes", 5, (int) DeviceEnrollments.MAX_LIFETIME.toMinutes())
                .map(Duration::ofMinutes)
                .orElse(DeviceEnrollments.DEFAULT_LIFETIME);
        input.done();
        DeviceEnrollments.Issued issued = StoreResults.value(
                enrollments.issue(caller.tenantId(), deviceId, caller.actor().id(), lifetime));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("deviceId", deviceId);
        view.put("expiresAt", issued.expiresAt().toString());
        audit.record(req, caller, "device.enrollment-code", "device", deviceId, device.siteId(), null, view);
        Map<String, Object> answer = answer(req, issued);
        res.header("Cache-Control", "no-store");
        Json.created(res, answer);
    }

    /** What the API and the console show for a new code. */
    public Map<String, Object> answer(ServerRequest req, DeviceEnrollments.Issued issued) {
        String hub = hubUrl(req);
        String code = Enrollment.format(issued.code());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deviceId", issued.deviceId());
        answer.put("code", code);
        answer.put("expiresAt", issued.expiresAt().toString());
        answer.put("hubUrl", hub);
        answer.put("qrText", QR_PREFIX + hub + "#" + code);
        answer.put("command", "gatehouse-edge enroll " + hub + " " + code);
        return answer;
    }

    /** {@code scheme://host[:port]} of the hub as people (and devices) reach it. */
    public String hubUrl(ServerRequest req) {
        String host = req.headers().first(HeaderNames.HOST).orElse("127.0.0.1");
        return publicUrl
                .map(url -> url.toString().replaceAll("/+$", ""))
                .orElse((req.isSecure() ? "https" : "http") + "://" + host);
    }

    private void enroll(ServerRequest req, ServerResponse res) {
        String address = Audit.address(req);
        if (enrollments.throttled(address)) {
            res.header("Retry-After", String.valueOf(DeviceEnrollments.FAILURE_WINDOW.toSeconds()));
            throw new ApiException(
                    429,
                    "too-many-requests",
                    "Too many requests",
                    "too many wrong enrollment codes from this address; wait "
                            + DeviceEnrollments.FAILURE_WINDOW.toMinutes() + " minutes, then try the code again",
                    List.of());
        }
        ObjectNode body = Json.object(req, Enrollment.MAX_REQUEST_BYTES);
        Enrollment.Request request;
        try {
            request = Enrollment.parse(body.toString());
        } catch (ProtocolException e) {
            enrollments.failed(address);
            throw ApiException.badRequest(e.getMessage());
        }
        String password = MqttPasswords.newDevicePassword();
        DeviceEnrollments.Redeemed redeemed = enrollments.redeem(
                request.code(), request.publicKey().toPublicJWK().toJSONString(), password, address);
        switch (redeemed) {
            case DeviceEnrollments.Redeemed.Unknown unknown -> {
                enrollments.failed(address);
                throw new ApiException(
                        404,
                        "not-found",
                        "Not found",
                        "this enrollment code is not known: check it, or ask an operator for a new one (a new code"
                                + " for a device replaces its earlier ones)",
                        List.of());
            }
            case DeviceEnrollments.Redeemed.Expired expired -> {
                enrollments.failed(address);
                throw new ApiException(
                        410,
                        "gone",
                        "Expired",
                        "this enrollment code expired at " + expired.at() + "; ask an operator for a new one",
                        List.of());
            }
            case DeviceEnrollments.Redeemed.Used used -> {
                enrollments.failed(address);
                throw ApiException.conflict("this enrollment code was used at " + used.at()
                        + " and works only once; ask an operator for a new one");
            }
            case DeviceEnrollments.Redeemed.Retired retired -> {
                enrollments.failed(address);
                throw ApiException.conflict("device " + retired.deviceId()
                        + " is retired and cannot enroll; an operator adds a new device");
            }
            case DeviceEnrollments.Redeemed.Enrolled enrolled -> {
                // The broker takes the new password now; a device still connected with its earlier one
                // loses the connection.
                accounts.enrolled(enrolled.deviceId());
                DeviceView after =
                        devices.device(enrolled.tenantId(), enrolled.deviceId()).orElseThrow();
                Caller.Operator device = new Caller.Operator(
                        enrolled.tenantId(),
                        enrolled.issued().slug(),
                        new Actor(Actor.Kind.DEVICE, enrolled.deviceId(), after.name()),
                        new Access(Role.READ_ONLY, Set.of(after.siteId())));
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("status", after.status());
                view.put("agentVersion", request.agentVersion());
                view.put("keyId", request.publicKey().getKeyID());
                audit.record(req, device, "device.enroll", "device", enrolled.deviceId(), after.siteId(), null, view);
                res.header("Cache-Control", "no-store");
                Json.created(
                        res,
                        ProvisioningService.bundle(
                                doors,
                                enrolled.tenantId(),
                                enrolled.deviceId(),
                                enrolled.issued(),
                                brokerUrl.get(),
                                password));
            }
        }
    }
}
