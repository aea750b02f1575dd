package dev.gatehouse.hub.sync;

import dev.gatehouse.protocol.topic.Topic;
import java.util.List;
import java.util.Optional;

/** The devices sync and commands talk to: the hub's {@code mqtt.Devices}, or {@link StoreEdgeDevices}. */
public interface EdgeDevices {
    /** One active device, as named by a topic it published on. */
    record Device(String tenantId, String tenantSlug, String siteId, String deviceId) {}

    /**
     * The device named by {@code topic}, only if the topic's tenant slug and site are the device's
     * own and it is active.
     */
    Optional<Device> byTopic(Topic topic);

    /** The ids of the site's active devices. */
    List<String> active(String tenantId, String siteId);
}
