package dev.gatehouse.hub.credits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.billing.BillingInterval;
import dev.gatehouse.hub.billing.BillingPeriod;
import dev.gatehouse.hub.billing.BillingRun;
import dev.gatehouse.hub.billing.SubscriptionStore;
import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
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
 * The ledger invariant with package periods, on both stores: a seeded random run of bookings,
 * cancellations (replayed), billing runs (repeated) and a clock moving through months, against a
 * model written from the rules alone. After every step each pool's stored balance (the sum of its
 * entries) is the model's, no period is granted or expired twice, no booking is debited, refunded or
 * charged twice, the ledger's overage money is the overage charges' sum, and each member's entries are
 * numbered without a gap. A failure names its seed; {@code -Dgatehouse.ledger.seed=N} replays it.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PackageAllowanceLedgerTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZonedDateTime START = ZonedDateTime.of(2027, 1, 20, 9, 0, 0, 0, BERLIN);
    /** The package: credits per period for meeting rooms and hot desks (the stored, Java names). */
    private static final Map<String, Long> PACKAGE = Map.of("MEETING_ROOM", 8L, "HOT_DESK", 4L);

    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    private record Room(String id, String kind, long creditsPerHour, long pricePerHour, long windowMinutes) {}

    /** A member's subscription in the model: its id and the day its monthly periods count from. */
    private record Sub(String id, LocalDate anchor) {}

    /** A balance: a month of the plans' pool (kind null) or a package period for one kind. */
    private record Pool(String member, String period, String kind) {}

    private record Grant(String subscription, String period, String kind) {}

    private record Debit(Pool pool, long debited, long overageAmount, Instant refundableUntil) {}

    private final Map<Pool, Long> balances = new HashMap<>();
    private final Set<Grant> granted = new HashSet<>();
    private final Set<Grant> expired = new HashSet<>();
    private final Set<Pool> monthsGranted = new HashSet<>();
    private final Map<String, Debit> debits = new HashMap<>();
    private final Set<String> cancelled = new HashSet<>();
    private final List<String> bookingIds = new ArrayList<>();

    @Test
    void everyPoolIsTheSumOfItsEntriesAndNothingIsGrantedTwice() {
        long seed = Long.getLong("gatehouse.ledger.seed", System.nanoTime());
        try {
            run(seed);
        } catch (AssertionError e) {
            throw new AssertionError(
                    "seed " + seed + " (replay with -Dgatehouse.ledger.seed=" + seed + "): " + e.getMessage(), e);
        }
    }

    private void run(long seed) {
        clock.moveTo(START.toInstant());
        TestHub.Tenant tenant = hub.newTenant("allowances");
        String token = tenant.token();
        String site =
                hub.create("/api/v1/sites", token, "{\"name\":\"B\",\"address\":\"b\",\"timeZone\":\"Europe/Berlin\"}");
        String ada = member(token, "ada");
        String bob = member(token, "bob");
        String cy = member(token, "cy");
        List<String> members = List.of(ada, bob, cy);
        // Bob and Cy hold a plan of 5 credits a month: Bob's only pool, Cy's for the kinds her package lacks.
        String plan = hub.create(
                "/api/v1/plans",
                token,
                "{\"name\":\"Flex\",\"doorGroupIds\":[],\"creditsPerMonth\":5,\"creditsOnly\":false}");
        Map<String, Long> planCredits = Map.of(bob, 5L, cy, 5L);
        for (String holder : List.of(bob, cy)) {
            Api.Response assigned = hub.api().put("/api/v1/members/" + holder + "/plans/" + plan, token, "{}");
            assertThat(assigned.status()).as(assigned.toString()).isEqualTo(201);
        }
        String pkg = hub.create(
                "/api/v1/packages",
                token,
                "{\"name\":\"Flexi\",\"kind\":\"membership\",\"price\":9900,\"interval\":\"month\","
                        + "\"credits\":{\"meeting-room\":8,\"hot-desk\":4}}");
        Map<String, Sub> subs = new HashMap<>();
        // Ada from today (periods from the 20th), Cy anchored on the 5th: neither lines up with months.
        subs.put(ada, subscribe(token, ada, pkg, site, Optional.empty()));
        subs.put(cy, subscribe(token, cy, pkg, site, Optional.of(LocalDate.of(2027, 1, 5))));
        List<Room> rooms = List.of(
                room(token, site, "Room", "meeting-room", "MEETING_ROOM", 2, 3000, 1440),
                room(token, site, "Desk", "hot-desk", "HOT_DESK", 1, 1000, 60),
                room(token, site, "Booth", "phone-booth", "PHONE_BOOTH", 1, 500, 0));

        BookingStore bookings = new BookingStore(hub.hub().database(), clock);
        CreditStore credits = new CreditStore(hub.hub().database(), clock);
        BillingRun billing = new BillingRun(
                hub.hub().database(), new SubscriptionStore(hub.hub().database(), clock), PackageAllowances::settle);
        Random random = new Random(seed);
        int booked = 0;
        int overages = 0;
        int replays = 0;
        int runs = 0;
        for (int step = 0; step < 400; step++) {
            int dice = random.nextInt(100);
            String what = "step " + step;
            if (dice < 45) {
                String who = members.get(random.nextInt(members.size()));
                Room room = rooms.get(random.nextInt(rooms.size()));
                Instant start = clock.instant()
                        .truncatedTo(ChronoUnit.HOURS)
                        .plus(2, ChronoUnit.HOURS)
                        .plus(random.nextInt(45 * 24 * 4) * 15L, ChronoUnit.MINUTES);
                Instant end = start.plus((1 + random.nextInt(12)) * 15L, ChronoUnit.MINUTES);
                Optional<Debit> made = book(bookings, credits, tenant.id(), subs, planCredits, room, who, start, end);
                booked += made.isPresent() ? 1 : 0;
                overages += made.filter(d -> d.overageAmount() > 0).isPresent() ? 1 : 0;
            } else if (dice < 65 && !bookingIds.isEmpty()) {
                String id = bookingIds.get(random.nextInt(bookingIds.size()));
                replays += cancelled.contains(id) ? 1 : 0;
                cancel(bookings, tenant.id(), id);
            } else if (dice < 80) {
                int times = 1 + random.nextInt(2); // a retried run changes nothing more
                for (int i = 0; i < times; i++) {
                    billing.run(Optional.of(tenant.id()));
                }
                runs++;
                settle(subs);
            } else {
                clock.advance(Duration.ofHours(random.nextInt(5 * 24)));
            }
            checkInvariants(tenant.id(), what);
        }
        billing.run(Optional.of(tenant.id()));
        settle(subs);
        checkInvariants(tenant.id(), "the last run");
        everyChargeOnOneLine(tenant.id());
        // The run meant something: periods rolled, grants expired with credits left, overage was charged.
        assertThat(booked).isGreaterThan(100);
        assertThat(overages).isGreaterThan(5);
        assertThat(replays).isGreaterThan(5);
        assertThat(runs).isGreaterThan(20);
        assertThat(expired).hasSizeGreaterThan(4);
        assertThat(clock.instant()).isAfter(START.plusMonths(2).toInstant());
    }

    private static String member(String token, String name) {
        return hub.create(
                "/api/v1/members", token, "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}");
    }

    private static Sub subscribe(String token, String member, String pkg, String site, Optional<LocalDate> anchor) {
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        token,
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site + "\""
                                + anchor.map(a -> ",\"anchor\":\"" + a + "\"").orElse("") + "}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        return new Sub(
                sold.json().at("/subscription/id").asText(),
                LocalDate.parse(sold.json().at("/subscription/anchor").asText()));
    }

    private static Room room(
            String token, String site, String name, String wire, String kind, long credits, long price, long window) {
        String id = hub.create(
                "/api/v1/sites/" + site + "/resources",
                token,
                "{\"name\":\"" + name + "\",\"kind\":\"" + wire + "\",\"pricePerHour\":" + price
                        + ",\"creditsPerHour\":" + credits + ",\"rules\":{\"cancelWindowMinutes\":" + window + "}}");
        return new Room(id, kind, credits, price, window);
    }

    private static BillingPeriod periodOf(Sub sub, Instant at) {
        return BillingPeriod.containing(
                sub.anchor(), BillingInterval.MONTH, at.atZone(BERLIN).toLocalDate());
    }

    /** Grants a subscription period in the model unless granted. */
    private void grant(Sub sub, String member, BillingPeriod period) {
        for (Map.Entry<String, Long> credits : PACKAGE.entrySet()) {
            if (granted.add(new Grant(sub.id(), period.toString(), credits.getKey()))) {
                balances.merge(new Pool(member, period.toString(), credits.getKey()), credits.getValue(), Long::sum);
            }
        }
    }

    /** The billing run in the model: this period granted, ended periods' leftovers expired. */
    private void settle(Map<String, Sub> subs) {
        Instant now = clock.instant();
        subs.forEach((member, sub) -> grant(sub, member, periodOf(sub, now)));
        for (Grant grant : granted) {
            LocalDate end =
                    LocalDate.parse(grant.period().substring(grant.period().indexOf('/') + 1));
            if (!end.atStartOfDay(BERLIN).toInstant().isAfter(now) && expired.add(grant)) {
                String member = subs.entrySet().stream()
                        .filter(e -> e.getValue().id().equals(grant.subscription()))
                        .findFirst()
                        .orElseThrow()
                        .getKey();
                Pool pool = new Pool(member, grant.period(), grant.kind());
                balances.merge(pool, -Math.max(0, balances.getOrDefault(pool, 0L)), Long::sum);
            }
        }
    }

    private Optional<Debit> book(
            BookingStore bookings,
            CreditStore credits,
            String tenantId,
            Map<String, Sub> subs,
            Map<String, Long> planCredits,
            Room room,
            String who,
            Instant start,
            Instant end) {
        long minutes = Duration.between(start, end).toMinutes();
        long cost = room.creditsPerHour() * minutes / 60;
        long price = room.pricePerHour() * minutes / 60;
        Sub sub = subs.get(who);
        boolean fromPackage = sub != null && PACKAGE.containsKey(room.kind());
        Pool pool = fromPackage
                ? new Pool(who, periodOf(sub, start).toString(), room.kind())
                : new Pool(who, YearMonth.from(start.atZone(BERLIN)).toString(), null);
        long pending = 0;
        if (fromPackage) {
            pending = granted.contains(new Grant(sub.id(), pool.period(), room.kind())) ? 0 : PACKAGE.get(room.kind());
        } else if (!monthsGranted.contains(pool)) {
            pending = planCredits.getOrDefault(who, 0L);
        }
        long available = balances.getOrDefault(pool, 0L) + pending;
        long debited = Math.min(cost, Math.max(available, 0));
        long shortfall = cost - debited;
        long overageAmount = shortfall == 0 ? 0 : CreditLedger.proRata(price, shortfall, cost);

        BookingStore.Outcome outcome = ((StoreResult.Found<BookingStore.Outcome>) bookings.create(
                        tenantId,
                        new BookingStore.NewBooking(
                                room.id(), who, "t", start, end, Optional.of("ledger test"), "tester")))
                .value();
        if (!(outcome instanceof BookingStore.Outcome.Booked made)) {
            return Optional.empty(); // a collision: nothing written
        }
        String id = made.booking().id();
        bookingIds.add(id);
        if (cost == 0) {
            assertThat(credits.forBooking(tenantId, id))
                    .as("a booking of no credits touches no ledger")
                    .isEmpty();
            debits.put(id, new Debit(pool, 0, 0, start));
            return Optional.empty();
        }
        if (fromPackage) {
            grant(sub, who, periodOf(sub, start));
        } else if (monthsGranted.add(pool)) {
            balances.merge(pool, planCredits.getOrDefault(who, 0L), Long::sum);
        }
        balances.merge(pool, -debited, Long::sum);
        CreditStore.BookingCredits ledger = credits.forBooking(tenantId, id).orElseThrow();
        assertThat(ledger.period()).as("the pool of %s", id).isEqualTo(pool.period());
        assertThat(ledger.debited()).as("the debit of %s from %s", id, pool).isEqualTo(debited);
        assertThat(ledger.overage()).isEqualTo(new CreditLedger.Overage(shortfall, overageAmount));
        Debit debit = new Debit(pool, debited, overageAmount, start.minus(Duration.ofMinutes(room.windowMinutes())));
        debits.put(id, debit);
        return Optional.of(debit);
    }

    private void cancel(BookingStore bookings, String tenantId, String id) {
        Instant now = clock.instant();
        assertThat(bookings.cancel(tenantId, id)).isInstanceOf(StoreResult.Found.class);
        if (!cancelled.add(id)) {
            return; // a replay: the model changes nothing
        }
        Debit debit = debits.get(id);
        if (debit.debited() > 0 && !now.isAfter(debit.refundableUntil())) {
            balances.merge(debit.pool(), debit.debited(), Long::sum);
        }
    }

    private void checkInvariants(String tenantId, String what) {
        hub.hub().database().run(c -> {
            Map<Pool, Long> stored = new HashMap<>();
            Sql.list(
                            c,
                            "SELECT member_id, period, resource_kind, SUM(credits) FROM credit_ledger"
                                    + " WHERE tenant_id = ? GROUP BY member_id, period, resource_kind",
                            row -> Map.entry(
                                    new Pool(row.getString(1), row.getString(2), row.getString(3)), row.getLong(4)),
                            tenantId)
                    .forEach(e -> stored.put(e.getKey(), e.getValue()));
            Map<Pool, Long> expected = new HashMap<>(balances);
            expected.keySet().removeIf(pool -> !stored.containsKey(pool) && balances.get(pool) == 0);
            assertThat(stored).as("%s: every pool's balance", what).isEqualTo(expected);
            LedgerInvariants.nothingTwiceAndNoGaps(c, tenantId, what);
            assertThat(Sql.one(
                            c,
                            "SELECT COUNT(*) FROM credit_ledger WHERE tenant_id = ? AND kind = 'GRANT'",
                            Sql.LONG,
                            tenantId))
                    .as("%s: grants", what)
                    .contains((long) granted.size());
            assertThat(Sql.one(
                            c,
                            "SELECT COUNT(*) FROM credit_ledger WHERE tenant_id = ? AND kind = 'EXPIRY'",
                            Sql.LONG,
                            tenantId))
                    .as("%s: expiries", what)
                    .contains((long) expired.size());
            // The ledger's overage money and the charges billing invoices reconcile, member by member.
            assertThat(Sql.list(
                            c,
                            "SELECT m.id FROM members m WHERE m.tenant_id = ? AND (SELECT COALESCE(SUM(overage_amount),"
                                    + " 0) FROM credit_ledger l WHERE l.member_id = m.id) <> (SELECT"
                                    + " COALESCE(SUM(amount), 0) FROM billing_charges bc WHERE bc.member_id = m.id AND"
                                    + " bc.kind IN ('BOOKING_OVERAGE', 'BOOKING_OVERAGE_CREDIT'))",
                            Sql.STRING,
                            tenantId))
                    .as("%s: members whose overage and overage charges differ", what)
                    .isEmpty();
        });
    }

    private static void everyChargeOnOneLine(String tenantId) {
        hub.hub().database().run(c -> assertThat(Sql.list(
                        c,
                        "SELECT bc.id FROM billing_charges bc WHERE bc.tenant_id = ? AND (SELECT COUNT(*) FROM"
                                + " invoice_lines l WHERE l.charge_id = bc.id) <> 1",
                        Sql.STRING,
                        tenantId))
                .as("charges not on exactly one invoice line")
                .isEmpty());
    }
}
