package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.store.WireNames;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * Proration against the golden table {@code billing/proration-golden.csv}: 50 cases (starts,
 * upgrades, downgrades, cancellations; month-end anchors, leap years, DST days in three zones,
 * half-even rounding) whose expected figures were computed apart from this code, by
 * {@code proration-golden.py} (Python's own calendar arithmetic and exact fractions).
 */
class ProrationGoldenTest {
    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "/billing/proration-golden.csv", numLinesToSkip = 1)
    void matchesTheGoldenTable(
            String name,
            String op,
            String interval,
            LocalDate anchor,
            String zone,
            Instant at,
            long oldPrice,
            long newPrice,
            LocalDate day,
            LocalDate periodStart,
            LocalDate periodEnd,
            long days,
            long credit,
            long charge,
            long net,
            String document) {
        BillingInterval every = WireNames.of(BillingInterval.class, interval);
        ZoneId siteZone = ZoneId.of(zone);
        Proration.Prorated prorated =
                switch (op) {
                    case "start" -> Proration.start(anchor, every, siteZone, at, newPrice);
                    case "change" -> Proration.change(anchor, every, siteZone, at, oldPrice, newPrice);
                    case "cancel-now" -> Proration.cancelNow(anchor, every, siteZone, at, oldPrice);
                    default -> throw new AssertionError("unknown op in the golden table: " + op);
                };

        assertThat(prorated.day()).as("the site's day").isEqualTo(day);
        assertThat(prorated.period()).isEqualTo(new BillingPeriod(periodStart, periodEnd));
        assertThat(prorated.days()).as("days prorated").isEqualTo(days);
        assertThat(prorated.credit()).as("credit").isEqualTo(credit);
        assertThat(prorated.charge()).as("charge").isEqualTo(charge);
        assertThat(prorated.net()).as("net").isEqualTo(net);
        assertThat(WireNames.wire(prorated.document())).isEqualTo(document);
    }

    @Test
    void periodsTileTheCalendarFromAnyAnchorWithoutGapOrOverlap() {
        // Why: a day in no period is a day given away; a day in two is billed twice.
        Random random = new Random(15);
        for (int i = 0; i < 500; i++) {
            LocalDate anchor = LocalDate.of(2024, 1, 1).plusDays(random.nextInt(1500));
            BillingInterval interval = BillingInterval.values()[random.nextInt(4)];
            BillingPeriod period = BillingPeriod.containing(anchor, interval, anchor);
            assertThat(period.start()).isEqualTo(anchor);
            for (int n = 0; n < 40; n++) {
                BillingPeriod next = BillingPeriod.containing(anchor, interval, period.end());
                assertThat(next.start()).as("%s from %s", interval, anchor).isEqualTo(period.end());
                assertThat(BillingPeriod.containing(
                                anchor, interval, period.end().minusDays(1)))
                        .isEqualTo(period);
                period = next;
            }
        }
    }

    @Test
    void aCreditAndAChargeOfTheSamePriceCancelOutOnAnyDay() {
        Random random = new Random(16);
        for (int i = 0; i < 1000; i++) {
            LocalDate anchor = LocalDate.of(2027, 1, 1).plusDays(random.nextInt(400));
            Instant at = anchor.plusDays(random.nextInt(700)).atTime(12, 0).toInstant(java.time.ZoneOffset.UTC);
            long price = random.nextLong(1_000_000);
            Proration.Prorated same =
                    Proration.change(anchor, BillingInterval.MONTH, ZoneId.of("Europe/Berlin"), at, price, price);
            assertThat(same.net()).isZero();
            assertThat(same.document()).isEqualTo(Proration.Document.NONE);
            assertThat(same.charge()).isBetween(0L, price);
        }
    }

    @Test
    void whatCannotBeProratedIsRefusedWithTheReason() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Instant march = Instant.parse("2027-03-10T12:00:00Z");
        LocalDate anchor = LocalDate.of(2027, 1, 1);
        assertThatThrownBy(() -> Proration.start(anchor, BillingInterval.ONE_OFF, berlin, march, 100))
                .hasMessage("a one-off package has no periods to prorate");
        assertThatThrownBy(() -> Proration.change(anchor, BillingInterval.MONTH, berlin, march, 100, -1))
                .hasMessage("a price is never negative: -1");
        assertThatThrownBy(() -> Proration.start(LocalDate.of(2027, 4, 1), BillingInterval.MONTH, berlin, march, 1))
                .hasMessage("the day 2027-03-10 is before the anchor 2027-04-01");
    }
}
