package dev.gatehouse.hub.devices;

/**
 * The broker did not confirm a change to a device account: it refused it (its answer is in the
 * message), it did not answer in time, or the hub is not connected to its account interface.
 */
public final class BrokerAccountException extends RuntimeException {
    public BrokerAccountException(String message) {
        super(message);
    }

    public BrokerAccountException(String message, Throwable cause) {
        super(message, cause);
    }
}
