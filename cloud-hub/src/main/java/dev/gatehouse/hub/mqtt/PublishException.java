package dev.gatehouse.hub.mqtt;

/**
 * Why the broker did not accept a publish: what a {@link MqttLink#publish} answer completes with
 * when the message will not reach the broker through this link. Every hub-to-edge message is
 * recoverable by the protocol; the caller decides whether to send it again.
 */
public final class PublishException extends RuntimeException {
    /** What kept the message from the broker. */
    public enum Reason {
        /** The link's bounded queue was full (the broker has been away or slow for long). */
        QUEUE_FULL,
        /** The broker or the client refused it (e.g. a PUBACK reason code of 0x80 or above). */
        REFUSED,
        /** The connection was lost before the broker acknowledged it. */
        CONNECTION_LOST,
        /** The link closed before the broker acknowledged it. */
        CLOSED,
        /** The hub runs without MQTT ({@code hub.mqtt.enabled: false}). */
        DISABLED
    }

    private final Reason reason;

    public PublishException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PublishException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
