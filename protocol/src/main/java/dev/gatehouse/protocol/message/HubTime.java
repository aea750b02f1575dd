package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;

/**
 * The hub's signed time, sent to one device in answer to its {@code device.state} {@code inReplyTo}:
 * the envelope's {@code time} is the hub's clock when it answered. The device knows when it sent
 * the state, so the answer bounds the true time on both sides (as NTP does): it can tell a clock that
 * is behind <em>and</em> one that is ahead, and trust its clock again without any entitlement change.
 */
public record HubTime(String tenant, String site, String device, String inReplyTo) implements Message {
    public HubTime {
        Ids.require(tenant, "hub time tenant");
        Ids.require(site, "hub time site");
        Ids.require(device, "hub time device");
        Ids.require(inReplyTo, "hub time inReplyTo");
    }

    @Override
    public MessageType type() {
        return MessageType.HUB_TIME;
    }
}
