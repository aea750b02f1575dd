package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.DoorId;
import java.util.Optional;

/** A door condition (alarm, REX, reader fault), with an optional human-readable detail of up to 200 characters. */
public record DoorEvent(String site, DoorId door, DoorEventKind kind, Optional<String> detail) implements Message {
    public DoorEvent {
        Ids.require(site, "door event site");
        Checks.present(door, "door event door");
        Checks.present(kind, "door event kind");
        Checks.present(detail, "door event detail");
        detail.ifPresent(text -> Checks.text(text, 200, "door event detail"));
    }

    @Override
    public MessageType type() {
        return MessageType.DOOR_EVENT;
    }
}
