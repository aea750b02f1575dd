package dev.gatehouse.hub.console;

import java.time.Instant;
import java.util.Optional;

/**
 * A door and its state as the hub last heard it; the overview, the doors page and the floor plan show
 * the same state, worked out by {@link DoorStates}.
 */
public record DoorState(String id, String siteId, String name, State state, Optional<Instant> since) {
    /** What a door is doing now. */
    public enum State {
        LOCKED,
        UNLOCKED,
        HELD_OPEN,
        FORCED,
        OFFLINE
    }

    /** The state's CSS class suffix ({@code state-held_open}). */
    public String css() {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }
}
