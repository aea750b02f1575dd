package dev.gatehouse.edge.door;

import java.util.Objects;

/**
 * The one place that turns a door's lock type and its relay board's polarity into levels: for each
 * {@link Phase} whether the door is locked, whether the relay's coil is energised, and whether the
 * GPIO pin is driven HIGH.
 *
 * <ul>
 *   <li>The lock type decides the coil: a fail-secure strike is unlocked by an energised coil, a
 *       fail-safe maglock is locked by one ({@link LockType}).
 *   <li>The board decides the pin: an active-high board energises its coil on HIGH, an active-low
 *       board (most optocoupled boards, "low level trigger") on LOW.
 *   <li>Every phase but a grant holds the door locked: the output is claimed at the locked level so
 *       the door does not blip open at start, and a clean stop leaves it locked too — the GPIO line
 *       keeps the level after the process lets go of it, so a restart or an upgrade never opens a
 *       door. Egress while the agent is down is the hard-wired REX and fire release's job (see the
 *       edge README's wiring section).
 * </ul>
 */
public record LockOutput(LockType lockType, boolean boardActiveLow) {
    /** The moments a relay is driven. */
    public enum Phase {
        /** The output is created (claimed), before anything else runs. */
        START,
        /** No grant, no REX, no unlock window: the door rests. */
        REST,
        /** A grant, a REX press, an unlock window or a held release: the door is unlocked. */
        GRANT,
        /** The agent stops cleanly; the line keeps this level once released. */
        SHUTDOWN
    }

    public LockOutput {
        Objects.requireNonNull(lockType, "lockType");
    }

    /** Whether the door is locked in {@code phase}. */
    public boolean locked(Phase phase) {
        return phase != Phase.GRANT;
    }

    /** Whether the coil is energised in {@code phase}. */
    public boolean energised(Phase phase) {
        return lockType.energisedFor(locked(phase));
    }

    /** Whether the pin is HIGH in {@code phase}. */
    public boolean pinHigh(Phase phase) {
        return pinHighFor(energised(phase));
    }

    /** The pin level that puts the coil at {@code energised} on this board. */
    public boolean pinHighFor(boolean energised) {
        return energised != boardActiveLow;
    }
}
