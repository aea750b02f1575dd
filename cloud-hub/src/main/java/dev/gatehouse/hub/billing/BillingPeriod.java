package dev.gatehouse.hub.billing;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

/**
 * One billing period, in whole days of the site's calendar: from {@code start} (included) to
 * {@code end} (excluded). Days, not hours, so that a period across a DST change is as long as its
 * days say, never 23 or 25 hours' worth of a price.
 */
public record BillingPeriod(LocalDate start, LocalDate end) {
    public BillingPeriod {
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("a period ends after it starts: " + start + " to " + end);
        }
    }

    /**
     * The period of a recurring {@code interval} anchored on {@code anchor} that holds {@code day}.
     *
     * @throws IllegalArgumentException for a day before the anchor, or a one-off interval
     */
    public static BillingPeriod containing(LocalDate anchor, BillingInterval interval, LocalDate day) {
        if (interval == BillingInterval.ONE_OFF) {
            throw new IllegalArgumentException("a one-off package has no periods to prorate");
        }
        if (day.isBefore(anchor)) {
            throw new IllegalArgumentException("the day " + day + " is before the anchor " + anchor);
        }
        // An estimate from the average length, then corrected: months and years vary.
        long n =
                switch (interval) {
                    case DAY -> ChronoUnit.DAYS.between(anchor, day);
                    case WEEK -> ChronoUnit.WEEKS.between(anchor, day);
                    case MONTH -> ChronoUnit.MONTHS.between(anchor, day);
                    case YEAR -> ChronoUnit.YEARS.between(anchor, day);
                    case ONE_OFF -> throw new AssertionError();
                };
        while (n > 0 && interval.start(anchor, n).isAfter(day)) {
            n--;
        }
        while (!interval.start(anchor, n + 1).isAfter(day)) {
            n++;
        }
        return new BillingPeriod(interval.start(anchor, n), interval.start(anchor, n + 1));
    }

    /** The period's length in days: the denominator of every proration, always the whole period. */
    public long days() {
        return ChronoUnit.DAYS.between(start, end);
    }

    /** Whether {@code day} is in the period. */
    public boolean holds(LocalDate day) {
        return !day.isBefore(start) && day.isBefore(end);
    }

    /** The days from {@code day} (included) to the period's end. */
    public long daysFrom(LocalDate day) {
        if (!holds(day)) {
            throw new IllegalArgumentException("the day " + day + " is not in the period " + this);
        }
        return ChronoUnit.DAYS.between(day, end);
    }

    @Override
    public String toString() {
        return start + "/" + end;
    }
}
