package dev.gatehouse.protocol.model;

import java.util.Set;

/** A named set of doors that plans and passes refer to ("Floor 2", "All entrances"). */
public record DoorGroup(DoorGroupId id, Set<DoorId> doors) implements Entity {
    public DoorGroup {
        Checks.present(id, "door group id");
        doors = Set.copyOf(Checks.present(doors, "door group " + id + " doors"));
    }

    @Override
    public EntityKind kind() {
        return EntityKind.DOOR_GROUP;
    }

    @Override
    public String key() {
        return id.value();
    }
}
