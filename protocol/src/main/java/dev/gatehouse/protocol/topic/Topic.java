package dev.gatehouse.protocol.topic;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import java.util.Objects;

/**
 * One concrete topic: {@code gh/v1/{tenant}/{site}/{device}/{channel}}. Build with {@link #of} and
 * read with {@link #parse}; both validate every level, so a {@code Topic} instance is always
 * well-formed and safe to publish on.
 */
public record Topic(String tenant, String site, String device, Channel channel) {
    /** The first two levels of every Gatehouse topic. */
    public static final String ROOT = "gh";

    public static final String VERSION = "v1";

    /** Longest topic this protocol produces or accepts, in bytes. */
    public static final int MAX_LENGTH = ROOT.length() + VERSION.length() + 3 * Ids.MAX_LENGTH + 12 + 5;

    public Topic {
        requireLevel(tenant, "tenant");
        requireLevel(site, "site");
        requireLevel(device, "device");
        Objects.requireNonNull(channel, "channel");
    }

    public static Topic of(String tenant, String site, String device, Channel channel) {
        return new Topic(tenant, site, device, channel);
    }

    /** The topic string as published. */
    public String value() {
        return ROOT + '/' + VERSION + '/' + tenant + '/' + site + '/' + device + '/' + channel.level();
    }

    @Override
    public String toString() {
        return value();
    }

    /**
     * Parses a received topic. Rejects wildcards, empty, oversized and non-ASCII-safe levels, other
     * roots and versions, and unknown channels, each with a {@link ProtocolException} of code
     * {@code BAD_TOPIC} that names the level at fault.
     */
    public static Topic parse(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw bad("the topic is empty");
        }
        if (topic.length() > MAX_LENGTH) {
            throw bad("the topic is " + topic.length() + " characters long; the limit is " + MAX_LENGTH);
        }
        String[] levels = topic.split("/", -1);
        if (levels.length != 6) {
            throw bad("'" + Ids.printable(topic) + "' has " + levels.length
                    + " levels; expected 6: gh/v1/{tenant}/{site}/{device}/{channel}");
        }
        if (!ROOT.equals(levels[0])) {
            throw bad("'" + Ids.printable(topic) + "' does not start with '" + ROOT + "/'");
        }
        if (!VERSION.equals(levels[1])) {
            throw bad("'" + Ids.printable(levels[1]) + "' is not a supported protocol version; this side speaks "
                    + VERSION);
        }
        Channel channel = Channel.fromLevel(levels[5])
                .orElseThrow(() -> bad("'" + Ids.printable(levels[5]) + "' is not a known channel"));
        return new Topic(levels[2], levels[3], levels[4], channel);
    }

    private static void requireLevel(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw bad("the " + name + " level is empty");
        }
        if (value.length() > Ids.MAX_LENGTH) {
            throw bad(
                    "the " + name + " level is " + value.length() + " characters long; the limit is " + Ids.MAX_LENGTH);
        }
        if (value.contains("+") || value.contains("#")) {
            throw bad("the " + name + " level '" + Ids.printable(value)
                    + "' contains an MQTT wildcard; a concrete topic may not");
        }
        if (!Ids.isValid(value)) {
            throw bad("the " + name + " level '" + Ids.printable(value) + "' may only use A-Z, a-z, 0-9, '_' and '-'");
        }
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(ProtocolError.BAD_TOPIC, message);
    }
}
