package dev.gatehouse.hub.analytics;

import dev.gatehouse.hub.billing.Mrr;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * One revision of a subscription ({@code subscription_history}): the row as a write left it, known from
 * {@code recordedAt} until the next revision.
 */
public record Revision(
        String subscriptionId,
        int revision,
        String memberId,
        String siteId,
        String packageId,
        String packageKind,
        int seats,
        long price,
        String currency,
        String interval,
        String status,
        Instant startedAt,
        Optional<Instant> endsAt,
        Optional<LocalDate> committedUntil,
        Optional<Instant> pausedFrom,
        Optional<Instant> pausedUntil,
        Instant recordedAt) {

    /** Whether, as this revision says, the subscription runs (started, not ended, not paused) at {@code t}. */
    public boolean runsAt(Instant t) {
        if ("ENDED".equals(status) || startedAt.isAfter(t)) {
            return false;
        }
        if (endsAt.isPresent() && !t.isBefore(endsAt.get())) {
            return false;
        }
        boolean paused = pausedFrom.isPresent()
                && !pausedFrom.get().isAfter(t)
                && pausedUntil.isPresent()
                && t.isBefore(pausedUntil.get());
        return !paused;
    }

    public boolean recurring() {
        return !"ONE_OFF".equals(interval);
    }

    /** Its contribution to MRR at {@code t}: the price per month when it runs then, else 0. */
    public long mrrAt(Instant t) {
        return recurring() && runsAt(t) ? Mrr.perMonth(interval, price) : 0;
    }
}
