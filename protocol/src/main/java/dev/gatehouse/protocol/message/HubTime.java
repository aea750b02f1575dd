package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import java.util.List;

/**
 * The hub's signed time, sent to one device in answer to its {@code device.state} {@code inReplyTo}:
 * the envelope's {@code time} is the hub's clock when it answered. The device knows when it sent
 * the state, so the answer bounds the true time on both sides (as NTP does): it can tell a clock that
 * is behind <em>and</em> one that is ahead, and trust its clock again without any entitlement change.
 *
 * <p>{@code reads} names what the hub reads in this device's messages beyond the first version
 * (such as {@link DeviceState#ROOMS_FEATURE}); the hub sends it only to a device that reports the
 * same feature, since an older edge refuses a field it does not know.
 */
public record HubTime(String tenant, String site, String device, String inReplyTo, List<String> reads)
        implements Message {
    public HubTime {
        Ids.require(tenant, "hub time tenant");
        Ids.require(site, "hub time site");
        Ids.require(device, "hub time device");
        Ids.require(inReplyTo, "hub time inReplyTo");
        reads = List.copyOf(Checks.present(reads, "hub time reads"));
        if (reads.size() > 20) {
            throw Checks.bad("hub time lists " + reads.size() + " reads; the limit is 20");
        }
        reads.forEach(feature -> Checks.text(feature, 40, "hub time read"));
    }

    /** A hub time without {@code reads}: what every edge reads. */
    public HubTime(String tenant, String site, String device, String inReplyTo) {
        this(tenant, site, device, inReplyTo, List.of());
    }

    @Override
    public MessageType type() {
        return MessageType.HUB_TIME;
    }
}
