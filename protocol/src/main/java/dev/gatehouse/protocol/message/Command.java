package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import java.time.Instant;

/**
 * A signed command to one edge. The envelope id is the command id (an edge executes each id at most
 * once) and the envelope time its issue time; an edge never executes it at or after
 * {@code expiresAt}.
 */
public record Command(String tenant, String site, Instant expiresAt, CommandAction action) implements Message {
    public Command {
        Ids.require(tenant, "command tenant");
        Ids.require(site, "command site");
        Checks.present(expiresAt, "command expiresAt");
        Checks.present(action, "command action");
    }

    @Override
    public MessageType type() {
        return MessageType.COMMAND;
    }
}
