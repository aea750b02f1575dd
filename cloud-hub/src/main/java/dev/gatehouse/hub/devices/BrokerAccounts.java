package dev.gatehouse.hub.devices;

import java.util.List;
import java.util.Optional;

/**
 * Device accounts on the MQTT broker, as the hub keeps them: what a broker adapter does so that
 * enrolling, rotating and retiring a device take effect on the broker at once. One implementation per
 * kind of broker: the embedded HiveMQ reads the hub's store at every login (nothing to keep, only
 * connections to drop), Mosquitto's dynamic-security plugin is driven over its {@code $CONTROL} topic;
 * an EMQX or HiveMQ Enterprise adapter would implement the same five operations over their REST APIs.
 *
 * <p>Every operation is idempotent and synchronous: it returns once the broker confirmed it, or throws
 * {@link BrokerAccountException} saying why not. The caller ({@link DeviceAccounts}) keeps what the
 * broker confirmed in the store, so a failed push is made again by {@link DeviceAccounts#reconcile}.
 */
public interface BrokerAccounts extends AutoCloseable {
    /**
     * Creates the device's account, or updates the one the broker has: the password (the old one stops
     * working at once and a connection made with it is dropped), the client id (the device id), the
     * topics (only its own) and enabled.
     */
    void enrol(DeviceAccount device, String password);

    /** A new password for an enrolled device; the same as {@link #enrol}, which updates. */
    default void rotate(DeviceAccount device, String password) {
        enrol(device, password);
    }

    /** Disables the device's account and drops its connection; nothing when the broker has no such account. */
    void retire(String deviceId);

    /**
     * Whether the broker keeps accounts of its own, which the hub must keep as the store says (false:
     * the embedded broker reads the store at every login; a manually kept broker is its operator's).
     */
    default boolean keepsAccounts() {
        return true;
    }

    /**
     * The device accounts the broker holds (ids of the form {@code dev_…}), or empty when the broker
     * keeps none of its own (the embedded broker reads the store; a manually kept broker is the
     * operator's), and then there is nothing to reconcile.
     */
    Optional<List<Listed>> list();

    /**
     * Registers a listener run after every connection to the broker's account interface (the first and
     * each reconnect), on a thread of the adapter's own; {@link DeviceAccounts} reconciles there.
     */
    default void onConnected(Runnable listener) {}

    /** What this adapter manages, for the logs: "Mosquitto dynamic security at tcp://…". */
    String description();

    @Override
    void close();

    /** One account on the broker: its user name and whether it may log in. */
    record Listed(String username, boolean enabled) {}
}
