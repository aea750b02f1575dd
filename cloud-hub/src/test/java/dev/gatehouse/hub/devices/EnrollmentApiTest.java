package dev.gatehouse.hub.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.enroll.Enrollment;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Enrollment by one-time code through the API, on both stores, with the embedded broker: a good code
 * gives a working bundle once; wrong, expired, reused and superseded codes and a retired device's are
 * refused with what to do and change nothing; re-enrolling rotates the device's credentials.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class EnrollmentApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final MovableClock clock = new MovableClock();
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind, clock, Optional.empty(), MqttSettings.embedded(0));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    /** Each test starts outside the previous tests' failure window, so their wrong codes do not add up. */
    @BeforeEach
    void freshThrottleWindow() {
        clock.advance(DeviceEnrollments.FAILURE_WINDOW.plusMinutes(1));
    }

    record Device(TestHub.Tenant tenant, String site, String door, String id) {}

    static Device device(String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Kreuzberg\",\"address\":\"Oranienstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Main entrance\"}");
        String id = hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"pi-lobby\"}");
        return new Device(tenant, site, door, id);
    }

    static JsonNode code(Device device, String body) {
        Api.Response response = hub.api()
                .post(
                        "/api/v1/devices/" + device.id() + "/enrollment-codes",
                        device.tenant().token(),
                        body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        return response.json();
    }

    static Api.Response enroll(String code, ECKey key) {
        return hub.api().post("/api/v1/enroll", null, Enrollment.request(code, key, "0.1.0"));
    }

    static String brokerUrl() {
        return "tcp://127.0.0.1:" + hub.hub().brokerPort();
    }

    static JsonNode deviceView(Device device) {
        return hub.api()
                .get("/api/v1/devices/" + device.id(), device.tenant().token())
                .json();
    }

    @Test
    void aGoodCodeEnrollsTheDeviceOnceWithItsOwnKey() throws Exception {
        Device device = device("enroll-good");
        JsonNode issued = code(device, "");
        String code = issued.get("code").asText();
        assertThat(code).matches("[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}");
        assertThat(Instant.parse(issued.get("expiresAt").asText()))
                .isBetween(
                        clock.instant().plus(Duration.ofMinutes(119)),
                        clock.instant().plus(Duration.ofMinutes(121)));
        String hubUrl = "http://127.0.0.1:" + hub.hub().port();
        assertThat(issued.get("hubUrl").asText()).isEqualTo(hubUrl);
        assertThat(issued.get("qrText").asText()).isEqualTo("gatehouse-enroll:" + hubUrl + "#" + code);
        assertThat(issued.get("command").asText()).isEqualTo("gatehouse-edge enroll " + hubUrl + " " + code);

        ECKey key = SigningKeys.generate("pi-lobby-key");
        // typed in lower case with spaces, as a technician might
        Api.Response enrolled = enroll(code.toLowerCase().replace('-', ' '), key);
        assertThat(enrolled.status()).as(enrolled.toString()).isEqualTo(201);
        JsonNode bundle = enrolled.json();
        assertThat(bundle.get("device").asText()).isEqualTo(device.id());
        assertThat(bundle.get("site").asText()).isEqualTo(device.site());
        assertThat(bundle.get("tenant").asText()).isEqualTo(device.tenant().slug());
        assertThat(bundle.at("/doors/0/id").asText()).isEqualTo(device.door());
        assertThat(bundle.at("/mqtt/url").asText()).isEqualTo(brokerUrl());
        String password = bundle.at("/mqtt/password").asText();
        try (FakeEdge edge = FakeEdge.connect(brokerUrl(), device.id(), device.id(), password)) {
            assertThat(edge).isNotNull();
        }
        JsonNode view = deviceView(device);
        assertThat(view.get("status").asText()).isEqualTo("active");

        // the device's public key is kept, never a private part
        String storedKey = hub.hub().database().read(c -> dev.gatehouse.hub.store.Sql.one(
                        c,
                        "SELECT public_key FROM devices WHERE id = ?",
                        dev.gatehouse.hub.store.Sql.STRING,
                        device.id())
                .orElseThrow());
        assertThat(ECKey.parse(storedKey)).isEqualTo(key.toPublicJWK());

        // audited as the device, without the code or any secret
        JsonNode audit = hub.api()
                .get("/api/v1/audit?resourceId=" + device.id(), device.tenant().token())
                .json();
        assertThat(audit.toString())
                .contains("device.enroll", "device.enrollment-code", "\"kind\":\"device\"")
                .doesNotContain(code, password, code.replace("-", ""));

        // once only: the same code again is refused, and the device's password still works
        Api.Response again = enroll(code, SigningKeys.generate("thief"));
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(again.json().get("detail").asText()).contains("works only once", "ask an operator for a new one");
        try (FakeEdge edge = FakeEdge.connect(brokerUrl(), device.id(), device.id(), password)) {
            assertThat(edge).isNotNull();
        }
        assertThat(storedKey).isEqualTo(hub.hub().database().read(c -> dev.gatehouse.hub.store.Sql.one(
                        c,
                        "SELECT public_key FROM devices WHERE id = ?",
                        dev.gatehouse.hub.store.Sql.STRING,
                        device.id())
                .orElseThrow()));
    }

    @Test
    void aWrongCodeIsNotFoundAndChangesNothing() {
        Device device = device("enroll-wrong");
        String code = code(device, "").get("code").asText();
        String wrong = code.substring(0, 13) + (code.charAt(13) == 'A' ? 'B' : 'A');
        Api.Response response = enroll(wrong, SigningKeys.generate("k"));
        assertThat(response.status()).as(response.toString()).isEqualTo(404);
        assertThat(response.json().get("detail").asText()).contains("not known", "ask an operator for a new one");
        assertThat(deviceView(device).get("status").asText()).isEqualTo("pending");
        // the right code still works afterwards
        assertThat(enroll(code, SigningKeys.generate("k")).status()).isEqualTo(201);
    }

    @Test
    void anExpiredCodeIsGoneAndChangesNothing() {
        Device device = device("enroll-expired");
        JsonNode issued = code(device, "{\"validMinutes\":5}");
        clock.advance(Duration.ofMinutes(6));
        Api.Response response = enroll(issued.get("code").asText(), SigningKeys.generate("k"));
        assertThat(response.status()).as(response.toString()).isEqualTo(410);
        assertThat(response.json().get("detail").asText())
                .contains("expired at " + issued.get("expiresAt").asText(), "new one");
        assertThat(deviceView(device).get("status").asText()).isEqualTo("pending");
    }

    @Test
    void aNewCodeReplacesTheDevicesEarlierOne() {
        Device device = device("enroll-superseded");
        String first = code(device, "").get("code").asText();
        String second = code(device, "").get("code").asText();
        assertThat(enroll(first, SigningKeys.generate("k")).status()).isEqualTo(404);
        assertThat(enroll(second, SigningKeys.generate("k")).status()).isEqualTo(201);
    }

    @Test
    void aRetiredDeviceCannotEnrollNorGetACode() {
        Device device = device("enroll-retired");
        String code = code(device, "").get("code").asText();
        Api.Response retired = hub.api()
                .patch("/api/v1/devices/" + device.id(), device.tenant().token(), "{\"status\":\"retired\"}");
        assertThat(retired.status()).as(retired.toString()).isEqualTo(200);
        Api.Response response = enroll(code, SigningKeys.generate("k"));
        assertThat(response.status()).as(response.toString()).isEqualTo(409);
        assertThat(response.json().get("detail").asText()).contains("retired");
        Api.Response another = hub.api()
                .post(
                        "/api/v1/devices/" + device.id() + "/enrollment-codes",
                        device.tenant().token(),
                        "");
        assertThat(another.status()).as(another.toString()).isEqualTo(409);
        assertThat(deviceView(device).get("status").asText()).isEqualTo("retired");
    }

    @Test
    void enrollingAgainRotatesTheCredentialsAndDropsTheOldConnection() throws Exception {
        Device device = device("enroll-rotate");
        String oldPassword = enroll(code(device, "").get("code").asText(), SigningKeys.generate("old"))
                .json()
                .at("/mqtt/password")
                .asText();
        try (FakeEdge connected = FakeEdge.connect(brokerUrl(), device.id(), device.id(), oldPassword)) {
            String code = code(device, "").get("code").asText();
            // until the new code is used, the old credentials keep working
            assertThat(connected.connected()).isTrue();
            Api.Response rotated = enroll(code, SigningKeys.generate("new"));
            assertThat(rotated.status()).as(rotated.toString()).isEqualTo(201);
            String newPassword = rotated.json().at("/mqtt/password").asText();
            assertThat(newPassword).isNotEqualTo(oldPassword);
            await().atMost(Duration.ofSeconds(10)).until(() -> !connected.connected());
            assertThatThrownBy(() -> FakeEdge.connect(brokerUrl(), device.id(), device.id(), oldPassword))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode())
                            .isEqualTo(0x86));
            try (FakeEdge edge = FakeEdge.connect(brokerUrl(), device.id(), device.id(), newPassword)) {
                assertThat(edge).isNotNull();
            }
        }
    }

    @Test
    void badRequestsSayWhatToFix() throws Exception {
        Device device = device("enroll-bad");
        String code = code(device, "").get("code").asText();
        Api.Response notACode = hub.api()
                .post(
                        "/api/v1/enroll",
                        null,
                        Enrollment.request("K7QM-3XRA-9PLD", SigningKeys.generate("k"), "0.1.0")
                                .replace("K7QM3XRA9PLD", "K7QM3XRA9PL0"));
        assertThat(notACode.status()).as(notACode.toString()).isEqualTo(400);
        assertThat(notACode.json().get("detail").asText()).contains("code:", "such as K7QM-3XRA-9PLD");

        ObjectNode forged = (ObjectNode) JSON.readTree(Enrollment.request(code, SigningKeys.generate("k"), "0.1.0"));
        forged.set(
                "publicKey",
                JSON.readTree(SigningKeys.generate("k").toPublicJWK().toJSONString()));
        Api.Response wrongProof = hub.api().post("/api/v1/enroll", null, forged.toString());
        assertThat(wrongProof.status()).as(wrongProof.toString()).isEqualTo(400);
        assertThat(wrongProof.json().get("detail").asText()).startsWith("proof:");

        assertThat(hub.api().post("/api/v1/enroll", null, "{\"code\":").status())
                .isEqualTo(400);
        Api.Response badLifetime = hub.api()
                .post(
                        "/api/v1/devices/" + device.id() + "/enrollment-codes",
                        device.tenant().token(),
                        "{\"validMinutes\":100000}");
        assertThat(badLifetime.status()).as(badLifetime.toString()).isEqualTo(422);
        assertThat(badLifetime.json().get("detail").asText()).contains("validMinutes");
        // none of it used up or changed the code
        assertThat(deviceView(device).get("status").asText()).isEqualTo("pending");
        assertThat(enroll(code, SigningKeys.generate("k")).status()).isEqualTo(201);
    }

    @Test
    void codesAreForTheDevicesOwnTenantAndForRolesThatManageDevices() {
        Device device = device("enroll-tenant");
        TestHub.Tenant other = hub.newTenant("enroll-other");
        Api.Response foreign =
                hub.api().post("/api/v1/devices/" + device.id() + "/enrollment-codes", other.token(), "");
        assertThat(foreign.status()).as(foreign.toString()).isEqualTo(404);
        Api.Response anonymous = hub.api().post("/api/v1/devices/" + device.id() + "/enrollment-codes", null, "");
        assertThat(anonymous.status()).isEqualTo(401);
        for (String role : new String[] {"front-desk", "read-only", "finance"}) {
            Api.Response made = hub.api()
                    .post(
                            "/api/v1/tokens",
                            device.tenant().token(),
                            "{\"name\":\"" + role + "\",\"role\":\"" + role + "\",\"sites\":[]}");
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            Api.Response refused = hub.api()
                    .post(
                            "/api/v1/devices/" + device.id() + "/enrollment-codes",
                            made.json().get("token").asText(),
                            "");
            assertThat(refused.status()).as(role + " " + refused).isEqualTo(403);
        }
        Api.Response technician = hub.api()
                .post(
                        "/api/v1/tokens",
                        device.tenant().token(),
                        "{\"name\":\"tech\",\"role\":\"technician\",\"sites\":[\"" + device.site() + "\"]}");
        Api.Response allowed = hub.api()
                .post(
                        "/api/v1/devices/" + device.id() + "/enrollment-codes",
                        technician.json().get("token").asText(),
                        "");
        assertThat(allowed.status()).as(allowed.toString()).isEqualTo(201);
    }

    @Test
    void anAddressGuessingCodesIsStoppedBeforeItsCodesAreLookedAt() {
        Device device = device("enroll-throttle");
        String code = code(device, "").get("code").asText();
        for (int i = 0; i < DeviceEnrollments.FAILURES_PER_ADDRESS; i++) {
            String guess = Enrollment.format(Enrollment.newCode());
            assertThat(enroll(guess, SigningKeys.generate("k")).status()).isEqualTo(404);
        }
        Api.Response throttled = enroll(code, SigningKeys.generate("k"));
        assertThat(throttled.status()).as(throttled.toString()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        assertThat(deviceView(device).get("status").asText()).isEqualTo("pending");
        clock.advance(DeviceEnrollments.FAILURE_WINDOW.plusMinutes(1));
        assertThat(enroll(code, SigningKeys.generate("k")).status()).isEqualTo(201);
    }
}
