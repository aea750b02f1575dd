package dev.gatehouse.hub.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * A package sold to a member at a price fixed then, counted in its site's days from {@code anchor}.
 *
 * @param planId the door plan it gives the member while it runs
 * @param committedUntil a cancellation before this day ends at it at the earliest
 * @param endsAt when it ends (cancelled), empty while it runs on
 * @param changes how many times its package was changed: numbers each change's charges
 * @param chargedThrough its periods are charged up to this day (excluded)
 * @param pausedFrom a pause set: from this period start (not charged, the door plan off)
 * @param pausedUntil until this period start, when the billing run gives the door plan back
 */
public record Subscription(
        String id,
        String memberId,
        String siteId,
        String packageId,
        Optional<String> planId,
        long price,
        String currency,
        BillingInterval interval,
        LocalDate anchor,
        Optional<LocalDate> committedUntil,
        Status status,
        Instant startedAt,
        Optional<Instant> endsAt,
        int changes,
        LocalDate chargedThrough,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> pausedFrom,
        Optional<Instant> pausedUntil) {

    /** Where a subscription is: running, cancelled but running to {@code endsAt}, or over. */
    public enum Status {
        ACTIVE,
        CANCELLING,
        ENDED
    }

    /** Whether a pause set on it holds {@code at}. */
    public boolean pausedAt(Instant at) {
        return pausedFrom.isPresent() && !at.isBefore(pausedFrom.get()) && at.isBefore(pausedUntil.orElseThrow());
    }

    /** The status at {@code now}: a cancelled subscription whose end has come is over. */
    public Status statusAt(Instant now) {
        return status == Status.CANCELLING
                        && endsAt.filter(end -> !now.isBefore(end)).isPresent()
                ? Status.ENDED
                : status;
    }
}
