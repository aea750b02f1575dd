package dev.gatehouse.hub.credits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.Violation;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 1,500 random operations — bookings (some overridden, some refused, some colliding) at sites in two
 * zones, cancellations in time and late, replays of cancellations, operator adjustments, the clock
 * moving on — against a model written here from the rules alone. After every step the store agrees
 * with the model on the outcome, and regularly on every period's balance and overage; throughout, a
 * period's balance is the sum of its entries, no booking is debited or refunded twice, no period has
 * two allowances, and each member's entries are numbered 1, 2, 3… without a gap.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class CreditLedgerPropertyTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final MovableClock CLOCK = MovableClock.standingStill();
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind, CLOCK, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    /** A bookable resource as the model knows it. */
    private record Room(String id, ZoneId zone, long creditsPerHour, long pricePerHour, long cancelWindowMinutes) {}

    /** A plan held by a member in the model: its monthly credits, whether credits-only, its window. */
    private record Held(String member, long credits, boolean creditsOnly, Instant from, Instant until) {
        boolean overlaps(Instant periodStart, Instant periodEnd) {
            return from.isBefore(periodEnd) && until.isAfter(periodStart);
        }

        boolean validAt(Instant at) {
            return !at.isBefore(from) && at.isBefore(until);
        }
    }

    private record Key(String member, YearMonth period) {}

    /** A booking's debit in the model. */
    private record Debit(Key key, long debited, CreditLedger.Overage overage, Instant refundableUntil) {}

    private final Map<Key, Long> balance = new HashMap<>();
    private final Map<Key, CreditLedger.Overage> overage = new HashMap<>();
    private final Set<Key> allowanceWritten = new HashSet<>();
    private final Map<String, Debit> debits = new HashMap<>();
    private final Set<String> cancelled = new HashSet<>();
    private final List<String> bookingIds = new ArrayList<>();

    @Test
    void theLedgerMatchesTheModelAndNeverCountsTwice() {
        TestHub.Tenant tenant = hub.newTenant("ledger");
        String token = tenant.token();
        String berlin =
                hub.create("/api/v1/sites", token, "{\"name\":\"B\",\"address\":\"b\",\"timeZone\":\"Europe/Berlin\"}");
        String newYork = hub.create(
                "/api/v1/sites", token, "{\"name\":\"N\",\"address\":\"n\",\"timeZone\":\"America/New_York\"}");
        String ada = hub.create("/api/v1/members", token, "{\"email\":\"ada@example.com\",\"fullName\":\"Ada\"}");
        String bob = hub.create("/api/v1/members", token, "{\"email\":\"bob@example.com\",\"fullName\":\"Bob\"}");
        List<String> members = List.of(ada, bob);
        Instant base = CLOCK.instant().truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
        YearMonth next = YearMonth.from(base.atZone(BERLIN)).plusMonths(1);
        Instant nextStart = next.atDay(1).atStartOfDay(BERLIN).toInstant();
        Instant nextEnd = next.plusMonths(1).atDay(1).atStartOfDay(BERLIN).toInstant();
        List<Held> plans = List.of(
                new Held(ada, 8, false, Instant.EPOCH, Instant.MAX),
                // Held for exactly next month in Berlin: a New York booking of the month before sees it too.
                new Held(ada, 5, false, nextStart, nextEnd),
                new Held(bob, 6, true, Instant.EPOCH, Instant.MAX));
        for (Held held : plans) {
            String plan = hub.create(
                    "/api/v1/plans",
                    token,
                    "{\"name\":\"P" + held.credits() + "\",\"doorGroupIds\":[],\"creditsPerMonth\":" + held.credits()
                            + ",\"creditsOnly\":" + held.creditsOnly() + "}");
            String window = held.from().equals(Instant.EPOCH)
                    ? "{}"
                    : "{\"validFrom\":\"" + held.from() + "\",\"validUntil\":\"" + held.until() + "\"}";
            Api.Response assigned = hub.api().put("/api/v1/members/" + held.member() + "/plans/" + plan, token, window);
            assertThat(assigned.status()).as(assigned.toString()).isEqualTo(201);
        }
        List<Room> rooms = List.of(
                room(token, berlin, BERLIN, "Room", 2, 3000, 1440),
                room(token, newYork, NEW_YORK, "Desk", 1, 1000, 120),
                room(token, berlin, BERLIN, "Booth", 0, 500, 0));

        BookingStore bookings = new BookingStore(hub.hub().database(), CLOCK);
        CreditStore credits = new CreditStore(hub.hub().database(), CLOCK);
        Random random = new Random(17);
        int booked = 0;
        int refused = 0;
        int refundedInTime = 0;
        int late = 0;
        int replays = 0;
        for (int step = 0; step < 1500; step++) {
            int dice = random.nextInt(100);
            if (dice < 45) {
                String who = members.get(random.nextInt(members.size()));
                Room room = rooms.get(random.nextInt(rooms.size()));
                Instant start = base.plus(random.nextInt(75 * 24 * 4) * 15L, ChronoUnit.MINUTES);
                Instant end = start.plus((1 + random.nextInt(16)) * 15L, ChronoUnit.MINUTES);
                boolean override = random.nextInt(10) < 3;
                String outcome = book(bookings, credits, tenant.id(), plans, room, who, start, end, override, step);
                booked += outcome.equals("booked") ? 1 : 0;
                refused += outcome.equals("credits") ? 1 : 0;
            } else if (dice < 70 && !bookingIds.isEmpty()) {
                String id = bookingIds.get(random.nextInt(bookingIds.size()));
                boolean replay = cancelled.contains(id);
                String outcome = cancel(bookings, credits, tenant.id(), id);
                replays += replay ? 1 : 0;
                refundedInTime += outcome.equals("in-time") ? 1 : 0;
                late += outcome.equals("late") ? 1 : 0;
            } else if (dice < 85) {
                String who = members.get(random.nextInt(members.size()));
                YearMonth period = YearMonth.from(base.atZone(BERLIN)).plusMonths(random.nextInt(4));
                long by = (1 + random.nextInt(5)) * (random.nextBoolean() ? 1 : -1);
                assertThat(credits.adjust(
                                tenant.id(), who, new CreditStore.Adjustment(period, by, "step " + step, "tester")))
                        .isInstanceOf(StoreResult.Found.class);
                balance.merge(new Key(who, period), by, Long::sum);
            } else {
                CLOCK.advance(Duration.ofMinutes(random.nextInt(36 * 60)));
            }
            if (step % 100 == 99) {
                checkInvariants(credits, tenant.id());
            }
        }
        checkInvariants(credits, tenant.id());
        // The run meant something: every path was taken many times.
        assertThat(booked).isGreaterThan(300);
        assertThat(refused).isGreaterThan(5);
        assertThat(refundedInTime).isGreaterThan(30);
        assertThat(late).isGreaterThan(30);
        assertThat(replays).isGreaterThan(30);
        assertThat(overage.values().stream()
                        .mapToLong(CreditLedger.Overage::credits)
                        .sum())
                .isPositive();
    }

    private Room room(String token, String site, ZoneId zone, String name, long credits, long price, long window) {
        String id = hub.create(
                "/api/v1/sites/" + site + "/resources",
                token,
                "{\"name\":\"" + name + "\",\"kind\":\"meeting-room\",\"pricePerHour\":" + price
                        + ",\"creditsPerHour\":" + credits + ",\"rules\":{\"cancelWindowMinutes\":" + window + "}}");
        return new Room(id, zone, credits, price, window);
    }

    /** One booking request; answers booked, credits (refused for them), or other (rules, collision). */
    private String book(
            BookingStore bookings,
            CreditStore credits,
            String tenantId,
            List<Held> plans,
            Room room,
            String who,
            Instant start,
            Instant end,
            boolean override,
            int step) {
        long minutes = Duration.between(start, end).toMinutes();
        long cost = room.creditsPerHour() * minutes / 60;
        long price = room.pricePerHour() * minutes / 60;
        YearMonth period = YearMonth.from(start.atZone(room.zone()));
        Key key = new Key(who, period);
        Instant periodStart = period.atDay(1).atStartOfDay(room.zone()).toInstant();
        Instant periodEnd =
                period.plusMonths(1).atDay(1).atStartOfDay(room.zone()).toInstant();
        long allowance = allowanceWritten.contains(key)
                ? 0
                : plans.stream()
                        .filter(p -> p.member().equals(who) && p.overlaps(periodStart, periodEnd))
                        .mapToLong(Held::credits)
                        .sum();
        long available = balance.getOrDefault(key, 0L) + allowance;
        long debited = Math.min(cost, Math.max(available, 0));
        long shortfall = cost - debited;
        boolean creditsOnly =
                plans.stream().anyMatch(p -> p.member().equals(who) && p.creditsOnly() && p.validAt(start));
        boolean mustRefuse = cost > 0 && shortfall > 0 && !override && creditsOnly;

        BookingStore.Outcome outcome = ((StoreResult.Found<BookingStore.Outcome>) bookings.create(
                        tenantId,
                        new BookingStore.NewBooking(
                                room.id(),
                                who,
                                "s" + step,
                                start,
                                end,
                                override ? Optional.of("property test") : Optional.empty(),
                                "tester")))
                .value();
        String what = "step " + step + ": " + cost + " credits for " + who + " in " + period;
        switch (outcome) {
            case BookingStore.Outcome.Booked made -> {
                assertThat(mustRefuse)
                        .as(what + " was booked though the balance does not cover it")
                        .isFalse();
                String id = made.booking().id();
                bookingIds.add(id);
                Optional<CreditStore.BookingCredits> ledger = credits.forBooking(tenantId, id);
                if (cost == 0) {
                    assertThat(ledger).as(what).isEmpty();
                    return "booked";
                }
                CreditLedger.Overage expected = shortfall == 0
                        ? new CreditLedger.Overage(0, 0)
                        : new CreditLedger.Overage(shortfall, CreditLedger.proRata(price, shortfall, cost));
                assertThat(ledger)
                        .as(what)
                        .contains(new CreditStore.BookingCredits(period.toString(), debited, expected, null));
                allowanceWritten.add(key);
                balance.put(key, available - debited);
                overage.merge(key, expected, CreditLedgerPropertyTest::plus);
                debits.put(
                        id,
                        new Debit(key, debited, expected, start.minus(Duration.ofMinutes(room.cancelWindowMinutes()))));
                return "booked";
            }
            case BookingStore.Outcome.Refused no -> {
                boolean forCredits = no.violations().stream().anyMatch(v -> v.rule() == Violation.Rule.CREDITS);
                if (forCredits) {
                    assertThat(mustRefuse).as(what + " was refused for credits").isTrue();
                    // Checked last: refused for credits means every other rule held.
                    assertThat(no.violations()).hasSize(1);
                    return "credits";
                }
                return "other";
            }
            case BookingStore.Outcome.Collides collides -> {
                return "other";
            }
        }
    }

    /** Cancels (or replays a cancel); answers in-time, late, replay or free. */
    private String cancel(BookingStore bookings, CreditStore credits, String tenantId, String id) {
        Instant now = CLOCK.instant();
        assertThat(bookings.cancel(tenantId, id)).isInstanceOf(StoreResult.Found.class);
        if (!cancelled.add(id)) {
            return "replay";
        }
        Debit debit = debits.get(id);
        if (debit == null) {
            assertThat(credits.forBooking(tenantId, id)).isEmpty();
            return "free";
        }
        CreditStore.RefundView refund =
                credits.forBooking(tenantId, id).orElseThrow().refund();
        assertThat(refund).as("the refund of %s", id).isNotNull();
        // The clock stands still inside a step: the store decided at the same instant as the model.
        if (!now.isAfter(debit.refundableUntil())) {
            assertThat(refund)
                    .isEqualTo(new CreditStore.RefundView(
                            true, debit.debited(), debit.overage().negated(), refund.reason()));
            balance.merge(debit.key(), debit.debited(), Long::sum);
            overage.merge(debit.key(), debit.overage().negated(), CreditLedgerPropertyTest::plus);
            return "in-time";
        }
        assertThat(refund.inTime()).isFalse();
        assertThat(refund.credits()).isZero();
        return "late";
    }

    private static CreditLedger.Overage plus(CreditLedger.Overage a, CreditLedger.Overage b) {
        return new CreditLedger.Overage(a.credits() + b.credits(), a.amount() + b.amount());
    }

    private void checkInvariants(CreditStore credits, String tenantId) {
        for (Map.Entry<Key, Long> expected : balance.entrySet()) {
            Key key = expected.getKey();
            CreditStore.Statement statement = ((StoreResult.Found<CreditStore.Statement>)
                            credits.statement(tenantId, key.member(), key.period()))
                    .value();
            assertThat(statement.balance()).as("balance of %s", key).isEqualTo(expected.getValue());
            assertThat(statement.entries().stream()
                            .mapToLong(CreditStore.EntryView::credits)
                            .sum())
                    .isEqualTo(statement.balance());
            long stored = hub.hub().database().read(c -> CreditLedger.balance(c, tenantId, key.member(), key.period()));
            assertThat(stored).as("the stored sum of %s", key).isEqualTo(expected.getValue());
            assertThat(statement.overage())
                    .as("overage of %s", key)
                    .isEqualTo(overage.getOrDefault(key, new CreditLedger.Overage(0, 0)));
        }
        hub.hub().database().run(c -> LedgerInvariants.nothingTwiceAndNoGaps(c, tenantId, "the ledger"));
    }
}
