package dev.gatehouse.hub.devices;

import dev.gatehouse.protocol.topic.Topic;

/**
 * A device's account on the broker: user name and client id are the device id, and it may use only
 * the topics under {@link #topicPrefix()} ({@code gh/v1/{tenant}/{site}/{device}/}), as on the
 * embedded broker.
 */
public record DeviceAccount(String deviceId, String tenantSlug, String siteId) {
    /** The prefix of every device id ({@code dev_…}); broker accounts without it are not the hub's to manage. */
    public static final String ID_PREFIX = "dev_";

    public DeviceAccount {
        // Topic.of checks the three levels (no wildcard, no slash, a valid protocol id).
        Topic.of(tenantSlug, siteId, deviceId, dev.gatehouse.protocol.topic.Channel.SYNC);
        if (!deviceId.startsWith(ID_PREFIX)) {
            throw new IllegalArgumentException("'" + deviceId + "' is not a device id (" + ID_PREFIX + "…)");
        }
    }

    static DeviceAccount of(DeviceRef device) {
        return new DeviceAccount(device.deviceId(), device.tenantSlug(), device.siteId());
    }

    /** {@code gh/v1/{tenant}/{site}/{device}/}: the device's topics are this and one channel level. */
    public String topicPrefix() {
        return Topic.ROOT + "/" + Topic.VERSION + "/" + tenantSlug + "/" + siteId + "/" + deviceId + "/";
    }

    /** Whether a broker account of this user name is a device's (one the hub manages). */
    public static boolean isDeviceId(String username) {
        return username.startsWith(ID_PREFIX);
    }
}
