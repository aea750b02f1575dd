package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import java.util.Optional;

/** The edge's answer to one command. */
public record CommandAck(String commandId, CommandStatus status, Optional<String> detail) implements Message {
    public CommandAck {
        Ids.require(commandId, "command ack commandId");
        Checks.present(status, "command ack status");
        Checks.present(detail, "command ack detail");
        detail.ifPresent(text -> Checks.text(text, 200, "command ack detail"));
    }

    @Override
    public MessageType type() {
        return MessageType.COMMAND_ACK;
    }
}
