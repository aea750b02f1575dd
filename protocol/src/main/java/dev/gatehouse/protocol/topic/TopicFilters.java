package dev.gatehouse.protocol.topic;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;

/**
 * Subscription filters: the only place wildcards are produced. Concrete topics come from
 * {@link Topic}; these are what the hub and an edge subscribe to.
 */
public final class TopicFilters {
    private TopicFilters() {}

    /** What an edge subscribes to: every hub-to-edge channel of its own device. */
    public static String edgeInbox(String tenant, String site, String device) {
        Topic own = Topic.of(tenant, site, device, Channel.SYNC); // validates the three levels
        // Built level by level: replacing "/sync" in the topic string would also hit ids such as "sync-hall".
        return Topic.ROOT + "/" + Topic.VERSION + "/" + own.tenant() + "/" + own.site() + "/" + own.device() + "/+";
    }

    /**
     * What the hub subscribes to for one edge-to-hub channel across all tenants, as an MQTT 5 shared
     * subscription so that several hub processes split the load: {@code $share/{group}/gh/v1/+/+/+/events}.
     */
    public static String hubShared(String group, Channel channel) {
        if (channel.direction() != Channel.Direction.EDGE_TO_HUB) {
            throw new ProtocolException(
                    ProtocolError.BAD_TOPIC, "the hub does not subscribe to hub-to-edge channel " + channel.level());
        }
        Ids.require(group, "shared subscription group");
        return "$share/" + group + "/" + Topic.ROOT + "/" + Topic.VERSION + "/+/+/+/" + channel.level();
    }

    /**
     * What a hub that is the broker's only hub subscribes to for one edge-to-hub channel across all
     * tenants, without sharing: {@code gh/v1/+/+/+/events}.
     */
    public static String hubAll(Channel channel) {
        if (channel.direction() != Channel.Direction.EDGE_TO_HUB) {
            throw new ProtocolException(
                    ProtocolError.BAD_TOPIC, "the hub does not subscribe to hub-to-edge channel " + channel.level());
        }
        return Topic.ROOT + "/" + Topic.VERSION + "/+/+/+/" + channel.level();
    }

    /** The ACL pattern a device is limited to (Mosquitto {@code pattern readwrite} form; {@code %u} = device id). */
    public static String devicePattern() {
        return Topic.ROOT + "/" + Topic.VERSION + "/+/+/%u/#";
    }
}
