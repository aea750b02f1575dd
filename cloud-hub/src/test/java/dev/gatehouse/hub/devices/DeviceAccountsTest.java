package dev.gatehouse.hub.devices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.TestHub;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link DeviceAccounts} over a real store (both kinds, with migration V57) and a hand-written broker
 * that keeps accounts in memory and can be taken away: what the store says reaches the broker, a push
 * that failed while the broker was away is made by the next reconciliation, and the broker's leftovers
 * are disabled. {@code e2e.BrokerAccountsIT} runs the same against a real Mosquitto.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class DeviceAccountsTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    private final MemoryBroker broker = new MemoryBroker();
    private DeviceAccounts accounts;
    private TestHub.Tenant tenant;
    private String site;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void tenantWithASite() {
        accounts = new DeviceAccounts(new Devices(hub.hub().database()), broker);
        tenant = hub.newTenant("acct");
        site = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"S\",\"address\":\"1 S St\",\"timeZone\":\"UTC\"}");
    }

    /** Provisioning seals the password, so the hub can give the broker exactly what the device holds. */
    @Test
    void anEnrolledDeviceGetsItsAccountWithItsOwnTopics() {
        String device = device();
        String password = provision(device);

        assertThat(accounts.enrolled(device)).isTrue();

        assertThat(broker.accounts.get(device))
                .isEqualTo(new Account(password, true, "gh/v1/" + tenant.slug() + "/" + site + "/" + device + "/"));
    }

    /** The broker away: the operator's call still succeeds, and the next connection makes the account. */
    @Test
    void aPushThatFailedIsMadeByTheNextReconciliation() {
        String device = device();
        String password = provision(device);
        broker.away = true;
        assertThat(accounts.enrolled(device)).isFalse();
        broker.away = false;

        DeviceAccounts.Reconciled done = accounts.reconcile();

        assertThat(broker.accounts.get(device).password()).isEqualTo(password);
        assertThat(done.enrolled()).isGreaterThanOrEqualTo(1);
        assertThat(done.problems()).isEmpty();
    }

    /** A rotation that never reached the broker is found by the confirmed hash, not only by absence. */
    @Test
    void aRotationTheBrokerMissedIsPushedAgain() {
        String device = device();
        provision(device);
        accounts.enrolled(device);
        String rotated = provision(device);
        broker.away = true;
        accounts.enrolled(device);
        broker.away = false;

        accounts.reconcile();

        assertThat(broker.accounts.get(device).password()).isEqualTo(rotated);
        // Confirmed now: a second run pushes nothing (a push would drop the device's connection).
        int pushes = broker.enrolments;
        assertThat(accounts.reconcile().enrolled()).isZero();
        assertThat(broker.enrolments).isEqualTo(pushes);
    }

    /** Retired and unknown devices' accounts may not log in; accounts that are not devices' are left. */
    @Test
    void leftoversAreDisabledAndOthersLeftAlone() {
        String retired = device();
        provision(retired);
        accounts.enrolled(retired);
        hub.api().patch("/api/v1/devices/" + retired, tenant.token(), "{\"status\":\"retired\"}");
        broker.accounts.put("dev_unknown0000000000", new Account("x", true, "gh/v1/x/y/dev_unknown0000000000/"));
        broker.accounts.put("operator-tool", new Account("y", true, "#"));

        DeviceAccounts.Reconciled done = accounts.reconcile();

        assertThat(broker.accounts.get(retired).enabled()).isFalse();
        assertThat(broker.accounts.get("dev_unknown0000000000").enabled()).isFalse();
        assertThat(broker.accounts.get("operator-tool").enabled()).isTrue();
        assertThat(done.retired()).isGreaterThanOrEqualTo(2);
    }

    /** A device provisioned before the hub sealed passwords cannot be given an account: said, not hidden. */
    @Test
    void aDeviceWithoutASealedPasswordIsAProblemToFix() {
        String device = device();
        provision(device);
        hub.hub().database().run(c -> {
            try (var update = c.prepareStatement("UPDATE devices SET mqtt_password_sealed = NULL WHERE id = ?")) {
                update.setString(1, device);
                update.executeUpdate();
            }
        });

        DeviceAccounts.Reconciled done = accounts.reconcile();

        assertThat(broker.accounts).doesNotContainKey(device);
        assertThat(done.problems())
                .anySatisfy(problem -> assertThat(problem).contains(device, "provision or enrol it again"));
    }

    private String device() {
        return hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"Pi\"}");
    }

    private String provision(String device) {
        return hub.api()
                .post("/api/v1/devices/" + device + "/provision", tenant.token(), "")
                .json()
                .at("/mqtt/password")
                .asText();
    }

    /** One account as the fake broker keeps it. */
    record Account(String password, boolean enabled, String topics) {}

    /** A broker that keeps its accounts in memory; {@code away} makes every call fail as a lost connection would. */
    static final class MemoryBroker implements BrokerAccounts {
        final Map<String, Account> accounts = new ConcurrentHashMap<>();
        volatile boolean away;
        volatile int enrolments;

        @Override
        public void enrol(DeviceAccount device, String password) {
            reachable();
            enrolments++;
            accounts.put(device.deviceId(), new Account(password, true, device.topicPrefix()));
        }

        @Override
        public void retire(String deviceId) {
            reachable();
            accounts.computeIfPresent(deviceId, (id, a) -> new Account(a.password(), false, a.topics()));
        }

        @Override
        public Optional<List<Listed>> list() {
            reachable();
            List<Listed> listed = new ArrayList<>();
            accounts.forEach((name, account) -> listed.add(new Listed(name, account.enabled())));
            return Optional.of(listed);
        }

        private void reachable() {
            if (away) {
                throw new BrokerAccountException("the memory broker is away");
            }
        }

        @Override
        public String description() {
            return "a broker in memory";
        }

        @Override
        public void close() {}
    }
}
