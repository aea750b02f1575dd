package dev.gatehouse.hub.billing;

import java.time.LocalDate;

/**
 * How often a package is billed. A period starts on the subscription's anchor date and every
 * interval after it, each counted from the anchor (so a month anchored on the 31st runs 31 Jan –
 * 28 Feb – 31 Mar, never drifting to the 28th); {@link #ONE_OFF} has a single period with no end.
 */
public enum BillingInterval {
    DAY,
    WEEK,
    MONTH,
    YEAR,
    ONE_OFF;

    /** The start of the {@code n}th period after the anchor's (n ≥ 0); {@link #ONE_OFF} has no second. */
    LocalDate start(LocalDate anchor, long n) {
        return switch (this) {
            case DAY -> anchor.plusDays(n);
            case WEEK -> anchor.plusWeeks(n);
            case MONTH -> anchor.plusMonths(n);
            case YEAR -> anchor.plusYears(n);
            case ONE_OFF -> {
                if (n != 0) {
                    throw new IllegalArgumentException("a one-off package has one period");
                }
                yield anchor;
            }
        };
    }
}
