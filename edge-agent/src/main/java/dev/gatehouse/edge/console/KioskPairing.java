package dev.gatehouse.edge.console;

import java.util.List;

/**
 * What the technician console shows and does about kiosk tablets, when the agent serves a kiosk: a
 * one-time pairing code for a new tablet (shown once), the paired tablets, and unpairing one. The
 * kiosk implements it; the console knows nothing more of the kiosk.
 */
public interface KioskPairing {
    /** A paired tablet as the console lists it: {@code door} is empty when it opens none. */
    record Paired(String id, String name, String door, String pairedAt) {}

    /** A pairing code handed out: the code and the address the tablet opens to type it. */
    record Code(String code, String validFor, String address) {}

    /**
     * A new one-time code that pairs a tablet named {@code name}, bound to door {@code door} (empty:
     * none). Throws {@link IllegalArgumentException} with a message for the technician on bad input.
     */
    Code newCode(String name, String door);

    List<Paired> paired();

    /** Forgets a tablet: it shows the pairing page again. */
    boolean unpair(String id);
}
