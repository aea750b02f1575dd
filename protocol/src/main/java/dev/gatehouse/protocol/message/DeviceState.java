package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.ClockStatus;
import java.util.List;

/**
 * An edge's state, published retained: the seq its cache has applied, whether it trusts its clock,
 * how many events wait in its outbox, its health with the problems behind it, its version, and the
 * protocol features it supports beyond the first version's (such as {@code door-policy}, see {@link
 * dev.gatehouse.protocol.model.Door#POLICY_FEATURE}), so the hub sends a site only what all its
 * edges read. An edge with meeting rooms may add each room's A/V ({@link RoomState}).
 */
public record DeviceState(
        String site,
        String device,
        long cacheSeq,
        ClockStatus clock,
        long outboxDepth,
        Health health,
        List<String> problems,
        String agentVersion,
        List<String> features,
        List<RoomState> rooms)
        implements Message {
    /**
     * The feature an edge reports when it can send its rooms' A/V state ({@link #rooms}); it sends
     * them only after the hub's {@link HubTime#reads} names the feature too, since a hub that predates
     * {@code rooms} refuses a state that has them.
     */
    public static final String ROOMS_FEATURE = "room-state";
    /** The most rooms one state reports. */
    public static final int MAX_ROOMS = 32;

    public DeviceState {
        Ids.require(site, "device state site");
        Ids.require(device, "device state device");
        Checks.nonNegative(cacheSeq, "device state cacheSeq");
        Checks.present(clock, "device state clock");
        Checks.nonNegative(outboxDepth, "device state outboxDepth");
        Checks.present(health, "device state health");
        problems = List.copyOf(Checks.present(problems, "device state problems"));
        if (problems.size() > 20) {
            throw Checks.bad("device state lists " + problems.size() + " problems; the limit is 20");
        }
        problems.forEach(problem -> Checks.text(problem, 200, "device state problem"));
        Checks.text(agentVersion, 40, "device state agentVersion");
        features = List.copyOf(Checks.present(features, "device state features"));
        if (features.size() > 20) {
            throw Checks.bad("device state lists " + features.size() + " features; the limit is 20");
        }
        features.forEach(feature -> Checks.text(feature, 40, "device state feature"));
        rooms = List.copyOf(Checks.present(rooms, "device state rooms"));
        if (rooms.size() > MAX_ROOMS) {
            throw Checks.bad("device state lists " + rooms.size() + " rooms; the limit is " + MAX_ROOMS);
        }
        if (rooms.stream().map(RoomState::room).distinct().count() != rooms.size()) {
            throw Checks.bad("device state lists a room twice");
        }
    }

    /** A state without features or rooms (an edge that predates them). */
    public DeviceState(
            String site,
            String device,
            long cacheSeq,
            ClockStatus clock,
            long outboxDepth,
            Health health,
            List<String> problems,
            String agentVersion) {
        this(site, device, cacheSeq, clock, outboxDepth, health, problems, agentVersion, List.of(), List.of());
    }

    @Override
    public MessageType type() {
        return MessageType.DEVICE_STATE;
    }
}
