package dev.gatehouse.hub.mqtt;

import dev.gatehouse.hub.devices.BrokerAccounts;
import dev.gatehouse.hub.devices.DeviceAccount;
import java.util.List;
import java.util.Optional;

/**
 * Device accounts where the broker keeps none of its own: the embedded broker, whose authenticator
 * reads the hub's store at every login, so enrolling, rotating and retiring only drop the device's
 * connection (it must log in again, with the new password or not at all); or an external broker whose
 * operator keeps the accounts ({@code hub.mqtt.accounts.kind: manual}), where the hub can do nothing.
 */
final class StoreReadAccounts implements BrokerAccounts {
    private final Optional<EmbeddedBroker> broker;

    StoreReadAccounts(Optional<EmbeddedBroker> broker) {
        this.broker = broker;
    }

    @Override
    public void enrol(DeviceAccount device, String password) {
        broker.ifPresent(b -> b.disconnect(device.deviceId()));
    }

    @Override
    public void retire(String deviceId) {
        broker.ifPresent(b -> b.disconnect(deviceId));
    }

    @Override
    public boolean keepsAccounts() {
        return false;
    }

    @Override
    public Optional<List<Listed>> list() {
        return Optional.empty();
    }

    @Override
    public String description() {
        return broker.map(b -> "the embedded broker (accounts read from the store)")
                .orElse("accounts kept by the broker's operator");
    }

    @Override
    public void close() {}
}
