package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.topic.Channel;
import java.util.Optional;

/** Every message type, its wire name, the channel it travels on and whether the hub signs it. */
public enum MessageType {
    SYNC_BATCH("sync.batch", Channel.SYNC, true),
    SYNC_REQUEST("sync.request", Channel.SYNC_REQUEST, false),
    SNAPSHOT_CHUNK("sync.snapshot", Channel.SNAPSHOT, true),
    ACCESS_EVENT("event.access", Channel.EVENTS, false),
    DOOR_EVENT("event.door", Channel.EVENTS, false),
    BOOKING_EVENT("event.booking", Channel.EVENTS, false),
    KIOSK_EVENT("event.kiosk", Channel.EVENTS, false),
    DEVICE_STATE("device.state", Channel.STATE, false),
    COMMAND("command", Channel.COMMANDS, true),
    COMMAND_ACK("command.ack", Channel.COMMAND_ACK, false),
    EVENT_ACK("event.ack", Channel.EVENT_ACK, false),
    HUB_TIME("hub.time", Channel.TIME, true);

    private final String wireName;
    private final Channel channel;
    private final boolean signed;

    MessageType(String wireName, Channel channel, boolean signed) {
        this.wireName = wireName;
        this.channel = channel;
        this.signed = signed;
    }

    public String wireName() {
        return wireName;
    }

    public Channel channel() {
        return channel;
    }

    /** Signed types travel as a JWS whose payload is the envelope; the receiver rejects them unsigned. */
    public boolean signed() {
        return signed;
    }

    public static Optional<MessageType> fromWireName(String name) {
        for (MessageType type : values()) {
            if (type.wireName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
