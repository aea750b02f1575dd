package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.ClockStatus;
import java.util.List;

/**
 * An edge's state, published retained: the seq its cache has applied, whether it trusts its clock,
 * how many events wait in its outbox, its health with the problems behind it, and its version.
 */
public record DeviceState(
        String site,
        String device,
        long cacheSeq,
        ClockStatus clock,
        long outboxDepth,
        Health health,
        List<String> problems,
        String agentVersion)
        implements Message {
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
    }

    @Override
    public MessageType type() {
        return MessageType.DEVICE_STATE;
    }
}
