package dev.gatehouse.hub.devices;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the broker's device accounts as the store says: a device provisioned or enrolled (a new
 * password) gets its account created or updated, a retired one disabled, each confirmed by the broker
 * before the hub answers; and {@link #reconcile} at every connection to the broker makes good whatever
 * a failed push, an outage or a lost broker left behind.
 *
 * <p>The store holds each device's password sealed under the master key ({@code
 * devices.mqtt_password_sealed}) and the SHA-256 of the password the broker last confirmed ({@code
 * mqtt_broker_hash}): an active device whose confirmed hash is not its current one, or whose account
 * is missing or disabled on the broker, is enrolled again; a broker account of a retired or unknown
 * device that may still log in is disabled. Accounts that are not devices' ({@code dev_…}) are left
 * alone. A push that fails is logged and never fails the operator's request: the store is the truth.
 */
public final class DeviceAccounts implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DeviceAccounts.class.getName());

    private final Devices devices;
    private final BrokerAccounts broker;
    private final ExecutorService reconciler;
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    /** Pushes of one device's account are serial (by stripe), so that the latest password wins. */
    private static final Object[] STRIPES = stripes(64);

    public DeviceAccounts(Devices devices, BrokerAccounts broker) {
        this.devices = devices;
        this.broker = broker;
        this.reconciler = Executors.newSingleThreadExecutor(Thread.ofPlatform()
                .name("broker-accounts-reconcile")
                .daemon(true)
                .factory());
        broker.onConnected(this::reconcileSoon);
    }

    public BrokerAccounts broker() {
        return broker;
    }

    /**
     * The device has a new MQTT password (provisioning, enrollment, rotation): its broker account gets
     * it now, and a connection made with the old one is dropped. Answers whether the broker confirmed;
     * when it did not, the failure is logged and the next reconciliation makes the account.
     */
    public boolean enrolled(String deviceId) {
        try {
            return push(deviceId);
        } catch (BrokerAccountException e) {
            LOG.warning("device " + deviceId + ": its broker account is not updated yet (" + e.getMessage()
                    + "); the hub makes it again when it is next connected to the broker");
            return false;
        }
    }

    /**
     * Puts the device's current password (as the store has it when the push begins) on the broker and
     * records that the broker confirmed it. One push per device at a time in this hub; a password that
     * changed meanwhile (another request, another replica) is pushed again, so the broker never ends
     * with an older password than the store. False when the device is not active or has no sealed
     * password (provisioned before the hub kept one).
     */
    private boolean push(String deviceId) {
        if (!broker.keepsAccounts()) {
            // Nothing is kept there, nothing to confirm: only a connection made with the old password to drop.
            Optional<Devices.Account> account = devices.account(deviceId).filter(a -> a.sealed() != null);
            account.ifPresent(a -> broker.enrol(DeviceAccount.of(a.device()), devices.password(deviceId, a.sealed())));
            return account.isPresent();
        }
        synchronized (STRIPES[Math.floorMod(deviceId.hashCode(), STRIPES.length)]) {
            for (int attempt = 0; attempt < 3; attempt++) {
                Optional<Devices.Account> account = devices.account(deviceId);
                if (account.isEmpty()
                        || !account.get().device().status().equals("active")
                        || account.get().hash() == null
                        || account.get().sealed() == null) {
                    return false;
                }
                Devices.Account current = account.get();
                broker.enrol(DeviceAccount.of(current.device()), devices.password(deviceId, current.sealed()));
                if (devices.brokerConfirmed(deviceId, current.hash())) {
                    return true;
                }
            }
            throw new BrokerAccountException(
                    "device " + deviceId + "'s password changed three times while it was being pushed");
        }
    }

    /** The device was retired: its broker account is disabled and its connection dropped now. */
    public boolean retired(String deviceId) {
        try {
            synchronized (STRIPES[Math.floorMod(deviceId.hashCode(), STRIPES.length)]) {
                broker.retire(deviceId);
            }
            return true;
        } catch (BrokerAccountException e) {
            LOG.warning("device " + deviceId + " is retired but its broker account is not disabled yet ("
                    + e.getMessage() + "); the hub disables it when it is next connected to the broker");
            return false;
        }
    }

    /** What one reconciliation did. */
    public record Reconciled(int enrolled, int retired, int unchanged, List<String> problems) {
        public static final Reconciled NOTHING = new Reconciled(0, 0, 0, List.of());
    }

    /** Runs {@link #reconcile} on the reconciler's thread, once however often it is asked meanwhile. */
    public void reconcileSoon() {
        if (reconcileQueued.compareAndSet(false, true)) {
            reconciler.execute(() -> {
                reconcileQueued.set(false);
                try {
                    Reconciled done = reconcile();
                    if (done.enrolled() > 0
                            || done.retired() > 0
                            || !done.problems().isEmpty()) {
                        LOG.info("broker accounts reconciled with " + broker.description() + ": " + done);
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "broker accounts not reconciled; tried again at the next connection", e);
                }
            });
        }
    }

    /**
     * Makes the broker's device accounts what the store says (see the class comment) and answers what
     * it did; a device it cannot enrol (its password predates sealing, or the broker refused) is a
     * problem in the answer, and the rest go on.
     */
    public Reconciled reconcile() {
        Optional<List<BrokerAccounts.Listed>> listed = broker.list();
        if (listed.isEmpty()) {
            return Reconciled.NOTHING;
        }
        Map<String, Boolean> onBroker = new HashMap<>();
        for (BrokerAccounts.Listed account : listed.get()) {
            onBroker.put(account.username(), account.enabled());
        }
        List<Devices.Account> rows = devices.accounts();
        int enrolled = 0;
        int retired = 0;
        int unchanged = 0;
        List<String> problems = new ArrayList<>();
        for (Devices.Account row : rows) {
            String id = row.device().deviceId();
            Boolean enabled = onBroker.remove(id);
            if (!row.device().status().equals("active") || row.hash() == null) {
                if (Boolean.TRUE.equals(enabled)) {
                    retired += retire(id, problems);
                } else {
                    unchanged++;
                }
                continue;
            }
            if (Boolean.TRUE.equals(enabled) && row.hash().equals(row.brokerHash())) {
                unchanged++;
                continue;
            }
            if (row.sealed() == null) {
                problems.add("device " + id + " has no sealed password (provisioned before the hub kept one):"
                        + " provision or enrol it again to give it a broker account");
                continue;
            }
            try {
                if (push(id)) {
                    enrolled++;
                } else {
                    unchanged++;
                }
            } catch (BrokerAccountException e) {
                problems.add("device " + id + ": " + e.getMessage());
            }
        }
        // Accounts of devices the store does not know at all (deleted, or made by hand) may not log in.
        for (Map.Entry<String, Boolean> left : onBroker.entrySet()) {
            if (DeviceAccount.isDeviceId(left.getKey()) && left.getValue()) {
                retired += retire(left.getKey(), problems);
            }
        }
        return new Reconciled(enrolled, retired, unchanged, List.copyOf(problems));
    }

    /**
     * Disables the account of a device that is not active by the time its turn comes (one provisioned
     * since the reconciliation read the store keeps its account); 1 when it disabled one.
     */
    private int retire(String deviceId, List<String> problems) {
        try {
            synchronized (STRIPES[Math.floorMod(deviceId.hashCode(), STRIPES.length)]) {
                if (devices.account(deviceId)
                        .filter(a -> a.device().status().equals("active"))
                        .isPresent()) {
                    return 0;
                }
                broker.retire(deviceId);
            }
            return 1;
        } catch (BrokerAccountException e) {
            problems.add("device " + deviceId + " not disabled: " + e.getMessage());
            return 0;
        }
    }

    private static Object[] stripes(int count) {
        Object[] stripes = new Object[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new Object();
        }
        return stripes;
    }

    /** Stops reconciling; the broker adapter is its owner's to close. */
    @Override
    public void close() {
        reconciler.shutdownNow();
    }
}
