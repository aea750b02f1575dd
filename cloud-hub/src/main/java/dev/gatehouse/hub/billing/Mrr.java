package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.store.Sql;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Monthly recurring revenue: the recurring prices of the subscriptions running now, each normalised to
 * a month — a year's price ÷ 12, a week's × 52 ÷ 12, a day's × 365 ÷ 12 — summed exactly and rounded
 * half-even to minor units once, per currency. One-off packages, charges other than the price, and
 * tax are not in it. A subscription cancelled at its period's end counts until that end.
 *
 * @param mrr minor units of {@code currency} per month
 * @param subscriptions how many running recurring subscriptions it sums
 */
public record Mrr(String currency, long mrr, int subscriptions) {
    /** Twelve times a price's monthly amount, exactly (so that a sum divides by 12 once). */
    static long twelveMonths(BillingInterval interval, long price) {
        return switch (interval) {
            case DAY -> Math.multiplyExact(price, 365);
            case WEEK -> Math.multiplyExact(price, 52);
            case MONTH -> Math.multiplyExact(price, 12);
            case YEAR -> price;
            case ONE_OFF -> 0;
        };
    }

    /**
     * One recurring price per month, rounded half-even to minor units on its own (analytics sums these,
     * so that its movements add up to the cent); 0 for a one-off.
     */
    public static long perMonth(String interval, long price) {
        return monthly(twelveMonths(BillingInterval.valueOf(interval), price));
    }

    /** Σ twelveMonths ÷ 12, half-even. */
    static long monthly(long twelveMonths) {
        return BigDecimal.valueOf(twelveMonths)
                .divide(BigDecimal.valueOf(12), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    /**
     * The tenant's MRR at {@code now} over the sites {@code covers} accepts, by currency (none when
     * nothing recurring runs there).
     */
    public static List<Mrr> of(Connection c, String tenantId, Instant now, java.util.function.Predicate<String> covers)
            throws SQLException {
        record Row(String site, String currency, String interval, long price) {}
        Map<String, long[]> sums = new TreeMap<>();
        for (Row row : Sql.list(
                c,
                "SELECT site_id, currency, billing_interval, price FROM subscriptions WHERE tenant_id = ?"
                        + " AND (status = 'ACTIVE' OR (status = 'CANCELLING' AND ends_at > ?))"
                        + " AND started_at <= ? AND billing_interval <> 'ONE_OFF'"
                        + " AND NOT (paused_from IS NOT NULL AND paused_from <= ? AND paused_until > ?)",
                r -> new Row(r.getString(1), r.getString(2), r.getString(3), r.getLong(4)),
                tenantId,
                now.toEpochMilli(),
                now.toEpochMilli(),
                now.toEpochMilli(),
                now.toEpochMilli())) {
            if (!covers.test(row.site())) {
                continue;
            }
            long[] sum = sums.computeIfAbsent(row.currency(), k -> new long[2]);
            sum[0] = Math.addExact(sum[0], twelveMonths(BillingInterval.valueOf(row.interval()), row.price()));
            sum[1]++;
        }
        List<Mrr> out = new ArrayList<>();
        sums.forEach((currency, sum) -> out.add(new Mrr(currency, monthly(sum[0]), (int) sum[1])));
        return out;
    }
}
