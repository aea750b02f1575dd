package dev.gatehouse.edge.console;

import java.util.List;

/**
 * What the console's templates show (src/main/jte): plain values, already worded. Empty text means
 * "nothing to show". Nothing secret ever reaches a view: no card key, no MQTT password, no hash.
 */
public final class Views {
    private Views() {}

    /** Every page's frame: its title, the site it belongs to, the session's CSRF token and a notice. */
    public record Page(String title, String site, String csrf, String notice, String error) {}

    /** The hub link, readers' health, the cache and the clock (refreshed every few seconds). */
    public record Status(
            String link,
            String linkDetail,
            long cacheSeq,
            long credentials,
            String cacheSize,
            String clock,
            String clockReason,
            long outboxDepth,
            String hardware,
            List<ReaderRow> readers) {
        public Status {
            readers = List.copyOf(readers);
        }
    }

    public record ReaderRow(String id, String type, String port, String door, boolean healthy, String fault) {}

    /** A door as the agent runs it, and whether the file holds other wiring that a restart would apply. */
    public record DoorRow(
            String id,
            String name,
            String lock,
            String relay,
            String contact,
            String rex,
            String readers,
            String state,
            String mode,
            boolean restartNeeded) {}

    /** One option of a select, or one checkbox. */
    public record Choice(String value, String label, boolean selected) {}

    /** The wiring form of one door, filled from the file (what the next start will use). */
    public record DoorForm(
            String id,
            String name,
            String version,
            String relayPin,
            String contactPin,
            String rexPin,
            List<Choice> lock,
            List<Choice> relayActive,
            List<Choice> contactType,
            List<Choice> contactWiredTo,
            List<Choice> contactPull,
            List<Choice> rexType,
            List<Choice> rexWiredTo,
            List<Choice> rexPull,
            List<Choice> readers,
            boolean restartNeeded) {
        public DoorForm {
            lock = List.copyOf(lock);
            relayActive = List.copyOf(relayActive);
            contactType = List.copyOf(contactType);
            contactWiredTo = List.copyOf(contactWiredTo);
            contactPull = List.copyOf(contactPull);
            rexType = List.copyOf(rexType);
            rexWiredTo = List.copyOf(rexWiredTo);
            rexPull = List.copyOf(rexPull);
            readers = List.copyOf(readers);
        }
    }
}
