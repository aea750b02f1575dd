package dev.gatehouse.hub.bookings;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hub's side of no-show release: every {@link #INTERVAL} it releases the bookings whose release
 * time has passed without a check-in, so that their time is free for others even when no edge
 * reports the release (a site without an edge, an edge that is offline). The edges release on their
 * own clocks at the same instant; whichever is first changes the booking, once. The same sweep lets
 * members' requests that nobody approved lapse at the end of their hold ({@link BookingApprovals}).
 */
public final class ReleaseSweep implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReleaseSweep.class.getName());
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final BookingCheckIns checkIns;
    private final BookingApprovals approvals;
    private final ScheduledExecutorService executor;

    public ReleaseSweep(BookingCheckIns checkIns, BookingApprovals approvals) {
        this.checkIns = checkIns;
        this.approvals = approvals;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().daemon().name("hub-booking-release").unstarted(task));
    }

    public ReleaseSweep start() {
        executor.scheduleWithFixedDelay(this::sweep, 1, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweep() {
        try {
            int released = checkIns.releaseDue();
            if (released > 0) {
                LOG.info("released " + released + " bookings that were not checked in by their release time");
            }
            int lapsed = approvals.lapseDue();
            if (lapsed > 0) {
                LOG.info(lapsed + " booking requests lapsed: nobody approved them by the end of their hold");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the booking release sweep failed; it runs again in " + INTERVAL, e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
