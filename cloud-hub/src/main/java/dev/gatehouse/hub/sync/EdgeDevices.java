package dev.gatehouse.hub.sync;

import dev.gatehouse.hub.devices.DeviceRef;
import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.protocol.topic.Topic;
import java.util.List;
import java.util.Optional;

/** The devices sync and commands talk to: the hub's {@link Devices} ({@link #over}), or a fake in tests. */
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

    /** The hub's device lookups. */
    static EdgeDevices over(Devices devices) {
        return new EdgeDevices() {
            @Override
            public Optional<Device> byTopic(Topic topic) {
                return devices.byTopic(topic).map(EdgeDevices::device);
            }

            @Override
            public List<String> active(String tenantId, String siteId) {
                return devices.active(tenantId, siteId).stream()
                        .map(DeviceRef::deviceId)
                        .toList();
            }
        };
    }

    private static Device device(DeviceRef ref) {
        return new Device(ref.tenantId(), ref.tenantSlug(), ref.siteId(), ref.deviceId());
    }
}
