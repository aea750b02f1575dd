package dev.gatehouse.protocol.topic;

import java.util.Optional;

/**
 * The last level of every topic: what flows on it, in which direction, with which QoS and retain
 * flag. {@code protocol/README.md} documents each one with a payload example.
 */
public enum Channel {
    /** Hub → edge: signed sync batches ({@code sync.batch}). */
    SYNC("sync", Direction.HUB_TO_EDGE, 1, false, true),
    /** Hub → edge: signed snapshot chunks ({@code sync.snapshot}) answering a request the log cannot serve. */
    SNAPSHOT("snapshot", Direction.HUB_TO_EDGE, 1, false, true),
    /** Edge → hub: the edge's seq and a request for what follows it ({@code sync.request}). */
    SYNC_REQUEST("sync-request", Direction.EDGE_TO_HUB, 1, false, false),
    /** Edge → hub: access and door events from the outbox ({@code event.access}, {@code event.door}). */
    EVENTS("events", Direction.EDGE_TO_HUB, 1, false, false),
    /** Hub → edge: acknowledgement of stored events ({@code event.ack}). */
    EVENT_ACK("event-ack", Direction.HUB_TO_EDGE, 1, false, false),
    /** Edge → hub: device state, retained; the last will publishes it with health {@code OFFLINE}. */
    STATE("state", Direction.EDGE_TO_HUB, 1, true, false),
    /** Hub → edge: signed, expiring commands ({@code command}). */
    COMMANDS("commands", Direction.HUB_TO_EDGE, 1, false, true),
    /** Edge → hub: the outcome of each command ({@code command.ack}). */
    COMMAND_ACK("command-ack", Direction.EDGE_TO_HUB, 1, false, false),
    /**
     * Hub → edge: the hub's signed time ({@code hub.time}) in answer to a {@code device.state}; QoS 0,
     * since an answer that arrives late is worth nothing and the next state asks again.
     */
    TIME("time", Direction.HUB_TO_EDGE, 0, false, true);

    /** Who publishes on a channel. */
    public enum Direction {
        HUB_TO_EDGE,
        EDGE_TO_HUB
    }

    private final String level;
    private final Direction direction;
    private final int qos;
    private final boolean retained;
    private final boolean signed;

    Channel(String level, Direction direction, int qos, boolean retained, boolean signed) {
        this.level = level;
        this.direction = direction;
        this.qos = qos;
        this.retained = retained;
        this.signed = signed;
    }

    /** The topic level as written on the wire. */
    public String level() {
        return level;
    }

    public Direction direction() {
        return direction;
    }

    public int qos() {
        return qos;
    }

    public boolean retained() {
        return retained;
    }

    /** Whether payloads on this channel are JWS-signed by the hub (the edge rejects anything else). */
    public boolean signed() {
        return signed;
    }

    public static Optional<Channel> fromLevel(String level) {
        for (Channel channel : values()) {
            if (channel.level.equals(level)) {
                return Optional.of(channel);
            }
        }
        return Optional.empty();
    }
}
