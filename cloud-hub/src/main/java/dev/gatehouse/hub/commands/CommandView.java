package dev.gatehouse.hub.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A command as the API answers it. {@code status}, per device: {@code pending}, {@code done},
 * {@code rejected}, {@code expired} (a device that had not answered by {@code expiresAt}) or
 * {@code not-here} (none of the named doors is on that device). Overall, leaving {@code not-here}
 * devices out: {@code rejected} if any device rejected it or every device answered {@code not-here},
 * else {@code pending} while any device may still answer, else {@code done} if every device did it,
 * else {@code expired}. A command sent to no device is {@code pending} until it expires.
 */
public record CommandView(
        String id,
        String site,
        JsonNode action,
        String issuedAt,
        String expiresAt,
        String status,
        List<DeviceStatus> devices) {

    /** One device's answer; {@code detail} and {@code at} only once it answered. */
    public record DeviceStatus(String device, String status, String detail, String at) {}
}
