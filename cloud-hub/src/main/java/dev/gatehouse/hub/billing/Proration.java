package dev.gatehouse.hub.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Day-based proration in the site's zone: what a subscription's start, change or cancellation in the
 * middle of a period is worth, in minor units. The rules (checked against the golden table in
 * {@code src/test/resources/billing/proration-golden.csv}):
 *
 * <ul>
 *   <li>The moment counts as its calendar day in the site's zone; a period is whole days
 *       ({@link BillingPeriod}), so DST changes nothing.
 *   <li>The denominator is always the whole period's days, never the days left or a 30-day month.
 *   <li>An amount is {@code price × days / period days}, rounded half-even to the minor unit, each
 *       amount on its own (a credit and a charge are each rounded, then netted).
 *   <li><b>Start</b> on day D: D to the period's end is charged.
 *   <li><b>Change</b> on day D from the old price to the new (same interval and anchor): D to the end
 *       is credited at the old price and charged at the new. A positive net (an upgrade) is invoiced
 *       now; a negative net (a downgrade) is a credit note.
 *   <li><b>Cancel now</b> on day D: D itself was used (the member got in that day); the days after D
 *       are credited by a credit note.
 * </ul>
 */
public final class Proration {
    private Proration() {}

    /** What a mid-period event is worth. {@code credit} and {@code charge} are ≥ 0. */
    public record Prorated(BillingPeriod period, LocalDate day, long days, long credit, long charge) {
        /** Charge minus credit: above zero an invoice, below a credit note. */
        public long net() {
            return charge - credit;
        }

        /** The document the net amount goes on. */
        public Document document() {
            return net() > 0 ? Document.INVOICE : net() < 0 ? Document.CREDIT_NOTE : Document.NONE;
        }
    }

    /** Where a prorated amount is billed. */
    public enum Document {
        INVOICE,
        CREDIT_NOTE,
        NONE
    }

    /** A subscription starting at {@code at} in a period of {@code interval} anchored on {@code anchor}. */
    public static Prorated start(LocalDate anchor, BillingInterval interval, ZoneId zone, Instant at, long price) {
        LocalDate day = day(at, zone);
        BillingPeriod period = BillingPeriod.containing(anchor, interval, day);
        long days = period.daysFrom(day);
        return new Prorated(period, day, days, 0, share(price, days, period.days()));
    }

    /** A change of price at {@code at}, from {@code oldPrice} to {@code newPrice} per period. */
    public static Prorated change(
            LocalDate anchor, BillingInterval interval, ZoneId zone, Instant at, long oldPrice, long newPrice) {
        LocalDate day = day(at, zone);
        BillingPeriod period = BillingPeriod.containing(anchor, interval, day);
        long days = period.daysFrom(day);
        return new Prorated(
                period, day, days, share(oldPrice, days, period.days()), share(newPrice, days, period.days()));
    }

    /** A cancellation that takes effect now, at {@code at}: the days after today are credited. */
    public static Prorated cancelNow(LocalDate anchor, BillingInterval interval, ZoneId zone, Instant at, long price) {
        LocalDate day = day(at, zone);
        BillingPeriod period = BillingPeriod.containing(anchor, interval, day);
        long days = period.daysFrom(day) - 1;
        return new Prorated(period, day, days, share(price, days, period.days()), 0);
    }

    /** {@code price × days / total}, rounded half-even to a whole minor unit. */
    static long share(long price, long days, long total) {
        if (price < 0) {
            throw new IllegalArgumentException("a price is never negative: " + price);
        }
        long product = Math.multiplyExact(price, days);
        long quotient = product / total;
        long twice = 2 * (product % total);
        if (twice > total || (twice == total && quotient % 2 != 0)) {
            quotient++;
        }
        return quotient;
    }

    private static LocalDate day(Instant at, ZoneId zone) {
        return at.atZone(zone).toLocalDate();
    }
}
