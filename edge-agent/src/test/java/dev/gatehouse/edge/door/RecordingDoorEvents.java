package dev.gatehouse.edge.door;

import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.model.DoorId;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link DoorEvents} sink that keeps what it was told, stamped with the test clock. */
final class RecordingDoorEvents implements DoorEvents {
    /** One report: which door, what, when (by the test clock), and the technician's text. */
    record Event(DoorId door, DoorEventKind kind, Instant at, String detail) {}

    private final Clock clock;
    private final List<Event> events = new CopyOnWriteArrayList<>();

    RecordingDoorEvents(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void doorEvent(DoorId door, DoorEventKind kind, String detail) {
        events.add(new Event(door, kind, clock.instant(), detail));
    }

    List<Event> all() {
        return List.copyOf(events);
    }

    List<DoorEventKind> kinds() {
        return events.stream().map(Event::kind).toList();
    }
}
