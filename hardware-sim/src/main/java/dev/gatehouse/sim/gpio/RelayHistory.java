package dev.gatehouse.sim.gpio;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a relay coil on one GPIO pin physically did: every change of the coil, with the instant
 * (from the simulator's clock) at which it happened. The coil follows the pin through the board's
 * polarity: an active-high board energises it on HIGH, an active-low board on LOW. The coil starts
 * de-energised (an unclaimed pin drives nothing) and a write that leaves it as it is is not a
 * transition, so the list holds exactly the coil's edges. Safe to read from any thread while the
 * agent drives the pin.
 */
public final class RelayHistory {
    /** One edge on the relay pin: at {@code at} the coil became energised ({@code true}) or de-energised. */
    public record Transition(Instant at, boolean energised) {
        public Transition {
            Objects.requireNonNull(at, "at");
        }
    }

    private final int bcmPin;
    private final boolean activeLow;
    private final List<Transition> transitions = new ArrayList<>();
    private final List<Long> transitionNanos = new ArrayList<>();
    private boolean energised;
    private Boolean pinHigh;
    private Instant firstDriven;

    RelayHistory(int bcmPin, boolean activeLow) {
        this.bcmPin = bcmPin;
        this.activeLow = activeLow;
    }

    /** Whether the board energises the coil on a LOW input. */
    public boolean activeLow() {
        return activeLow;
    }

    /** The level the pin was last driven to; empty while no process has claimed it. */
    public synchronized Optional<Boolean> pinHigh() {
        return Optional.ofNullable(pinHigh);
    }

    /**
     * When a process first drove the pin (claimed it), even to the level the coil already had: for a
     * strike's relay, claimed de-energised, this is the only trace of the claim.
     */
    public synchronized Optional<Instant> firstDriven() {
        return Optional.ofNullable(firstDriven);
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

    /** Records the pin being driven HIGH ({@code true}) or LOW at {@code at}; returns whether the coil changed. */
    synchronized boolean record(Instant at, boolean high) {
        pinHigh = high;
        if (firstDriven == null) {
            firstDriven = at;
        }
        boolean coil = high != activeLow;
        if (coil == energised) {
            return false;
        }
        energised = coil;
        transitionNanos.add(System.nanoTime());
        transitions.add(new Transition(at, coil));
        return true;
    }

    @Override
    public synchronized String toString() {
        return "RelayHistory[BCM " + bcmPin + (activeLow ? ", active-low" : "") + ", energised=" + energised + ", "
                + transitions + "]";
    }
}
