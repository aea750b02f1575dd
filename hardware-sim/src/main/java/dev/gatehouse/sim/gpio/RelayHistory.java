package dev.gatehouse.sim.gpio;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a relay coil on one GPIO pin physically did: every change of its level, with the instant
 * (from the simulator's clock) at which it happened. A pin starts de-energised (LOW) and a write
 * of the level it already has is not a transition, so the list holds exactly the edges a scope on
 * the pin would show. Safe to read from any thread while the agent drives the pin.
 */
public final class RelayHistory {
    /** One edge on the relay pin: at {@code at} the coil became energised ({@code true}) or de-energised. */
    public record Transition(Instant at, boolean energised) {
        public Transition {
            Objects.requireNonNull(at, "at");
        }
    }

    private final int bcmPin;
    private final List<Transition> transitions = new ArrayList<>();
    private final List<Long> transitionNanos = new ArrayList<>();
    private boolean energised;

    RelayHistory(int bcmPin) {
        this.bcmPin = bcmPin;
    }

    /** The BCM number of the pin this history belongs to. */
    public int bcmPin() {
        return bcmPin;
    }

    /** Every transition so far, oldest first (a copy). */
    public synchronized List<Transition> transitions() {
        return List.copyOf(transitions);
    }

    /**
     * {@link System#nanoTime()} at each transition, index for index with {@link #transitions()}: for
     * latency measurements against other nanoTime stamps in the same process.
     */
    public synchronized List<Long> transitionNanos() {
        return List.copyOf(transitionNanos);
    }

    /** The coil's level now: {@code false} when de-energised or never driven. */
    public synchronized boolean energised() {
        return energised;
    }

    /** The most recent transition, if the pin ever changed. */
    public synchronized Optional<Transition> last() {
        return transitions.isEmpty() ? Optional.empty() : Optional.of(transitions.get(transitions.size() - 1));
    }

    /** Records the pin being driven to {@code level} at {@code at}; returns whether that was a transition. */
    synchronized boolean record(Instant at, boolean level) {
        if (level == energised) {
            return false;
        }
        energised = level;
        transitionNanos.add(System.nanoTime());
        transitions.add(new Transition(at, level));
        return true;
    }

    @Override
    public synchronized String toString() {
        return "RelayHistory[BCM " + bcmPin + ", energised=" + energised + ", " + transitions + "]";
    }
}
