package dev.gatehouse.hub.sync;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Java Flight Recorder events of the sync publisher, so that where the time of a change's fan-out
 * goes can be read from a running hub ({@code jcmd <pid> JFR.start}, or {@code -XX:StartFlightRecording}
 * as {@code ./gatehouse bench sync --breakdown} does): a commit heard, each site's batch read, signed
 * and handed to the MQTT link, and the broker's acceptance of it for every device. They cost nothing
 * while no recording runs (an event not enabled is not even timed).
 */
final class FanoutEvents {
    private FanoutEvents() {}

    /** A commit that appended to sites' logs, heard by the publisher (on the committing thread). */
    @Name("dev.gatehouse.hub.sync.ChangesHeard")
    @Label("Sync: changes heard")
    @Category({"Gatehouse", "Sync"})
    @StackTrace(false)
    static final class ChangesHeard extends Event {
        @Label("Sites")
        int sites;
    }

    /**
     * One site published in a round: from the round reaching the site to its batches handed to the
     * link; the event's span, with its store read and signing inside it.
     */
    @Name("dev.gatehouse.hub.sync.SitePublished")
    @Label("Sync: site published")
    @Category({"Gatehouse", "Sync"})
    @StackTrace(false)
    static final class SitePublished extends Event {
        @Label("Site")
        String site;

        @Label("To seq")
        long toSeq;

        @Label("Batches")
        int batches;

        @Label("Devices")
        int devices;

        @Label("Store read")
        @Description("Reading the site's log entries, head and signing key")
        @Timespan
        long readNanos;

        @Label("Signing")
        @Timespan
        long signNanos;

        @Label("Handing to the link")
        @Timespan
        long handNanos;
    }

    /** A site's batch up to {@code toSeq} accepted by the broker for every device: from handed to the last PUBACK. */
    @Name("dev.gatehouse.hub.sync.SiteAccepted")
    @Label("Sync: site accepted by the broker")
    @Category({"Gatehouse", "Sync"})
    @StackTrace(false)
    static final class SiteAccepted extends Event {
        @Label("Site")
        String site;

        @Label("To seq")
        long toSeq;
    }
}
