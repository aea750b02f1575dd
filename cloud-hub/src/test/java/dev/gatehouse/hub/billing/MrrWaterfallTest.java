package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The MRR waterfall over 24 months of a Berlin tenant on both stores, with time travel: members
 * subscribe, upgrade, downgrade, pause, cancel now or at the period's end, come back, and buy one-off
 * extras. The test keeps its own model of what it did (each subscription's price from each change, its
 * end and its pauses, as the API answered them) and computes every month's movements from it; the
 * analytics API must give exactly those, reconcile to the cent (ending = starting + Σ movements, and a
 * month's ending is the next one's starting), drill down to rows that add up to each figure, and give
 * the same answer when asked later "as of" an earlier instant.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class MrrWaterfallTest extends TimeTravelHub {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final YearMonth FIRST = YearMonth.of(2027, 1);
    private static final int MONTHS = 24;

    private enum Kind {
        NEW,
        REACTIVATION,
        EXPANSION,
        CONTRACTION,
        CHURN
    }

    @Parameter
    StoreKind store;

    /** What the test did to one subscription, in the model's own terms. */
    private static final class Sub {
        final String id;
        final String member;
        final Instant start;
        final TreeMap<Instant, Long> monthly = new TreeMap<>();
        final List<Instant[]> pauses = new ArrayList<>();
        Optional<Instant> end = Optional.empty();
        String pkg;
        boolean yearly;

        Sub(String id, String member, Instant start, String pkg, long monthly, boolean yearly) {
            this.id = id;
            this.member = member;
            this.start = start;
            this.pkg = pkg;
            this.yearly = yearly;
            this.monthly.put(start, monthly);
        }

        long mrrAt(Instant t) {
            if (t.isBefore(start) || end.filter(e -> !t.isBefore(e)).isPresent()) {
                return 0;
            }
            for (Instant[] pause : pauses) {
                if (!t.isBefore(pause[0]) && t.isBefore(pause[1])) {
                    return 0;
                }
            }
            return monthly.floorEntry(t).getValue();
        }

        boolean runningAt(Instant t) {
            return !t.isBefore(start) && end.filter(e -> !t.isBefore(e)).isEmpty();
        }
    }

    private TestHub.Tenant tenant;
    private String site;
    private final Map<String, Long> prices = new LinkedHashMap<>();
    private final Map<String, String> packageIds = new HashMap<>();
    private final List<Sub> subs = new ArrayList<>();
    private final Map<String, Sub> current = new HashMap<>();

    private static Instant berlin(YearMonth month, int day, int hour, int minute) {
        return LocalDateTime.of(month.getYear(), month.getMonth(), day, hour, minute)
                .atZone(BERLIN)
                .toInstant();
    }

    private static Instant midnight(YearMonth month) {
        return month.atDay(1).atStartOfDay(BERLIN).toInstant();
    }

    /** Twelve months' price over 12, half-even: the definition, computed here with BigDecimal. */
    private static long perMonth(long price, boolean yearly) {
        return yearly
                ? BigDecimal.valueOf(price)
                        .divide(BigDecimal.valueOf(12), 0, RoundingMode.HALF_EVEN)
                        .longValueExact()
                : price;
    }

    private JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isBetween(200, 201);
        return response.json();
    }

    private void subscribe(String member, String name) {
        JsonNode sold = Billing.subscribe(hub, tenant, member, packageIds.get(name), site);
        boolean yearly = name.equals("Annual");
        Sub sub = new Sub(
                sold.get("subscription").get("id").asText(),
                member,
                clock.instant(),
                name,
                perMonth(prices.get(name), yearly),
                yearly);
        subs.add(sub);
        current.put(member, sub);
    }

    private void change(Sub sub, String name) {
        JsonNode changed = ok(hub.api()
                .post(
                        "/api/v1/subscriptions/" + sub.id + "/change",
                        tenant.token(),
                        "{\"packageId\":\"" + packageIds.get(name) + "\"}"));
        assertThat(changed.get("subscription").get("packageId").asText()).isEqualTo(packageIds.get(name));
        sub.pkg = name;
        sub.monthly.put(clock.instant(), perMonth(prices.get(name), false));
    }

    private void pause(Sub sub, int periods) {
        JsonNode paused = ok(hub.api()
                        .post(
                                "/api/v1/subscriptions/" + sub.id + "/pause",
                                tenant.token(),
                                "{\"periods\":" + periods + "}"))
                .get("subscription");
        sub.pauses.add(new Instant[] {
            Instant.parse(paused.get("pausedFrom").asText()),
            Instant.parse(paused.get("pausedUntil").asText())
        });
    }

    private void cancel(Sub sub, String when) {
        JsonNode cancelled = ok(hub.api()
                        .post(
                                "/api/v1/subscriptions/" + sub.id + "/cancel",
                                tenant.token(),
                                "{\"when\":\"" + when + "\"}"))
                .get("subscription");
        Instant end = Instant.parse(cancelled.get("endsAt").asText());
        sub.end = Optional.of(end);
        // A pause that had not begun by the end is lifted by the hub; one under way ends with it.
        sub.pauses.removeIf(p -> !p[0].isBefore(end));
    }

    /** A pause set, under way, or ended but not yet cleared by the billing run (on the 2nd) after its end. */
    private boolean pausedOrPauseSet(Sub sub, Instant now) {
        return sub.pauses.stream().anyMatch(p -> now.isBefore(p[1].plus(java.time.Duration.ofDays(32))));
    }

    /** One member's turn: what it does depends on the seeded random and on where its subscription stands. */
    private void act(String member, Random random, int month) {
        Instant now = clock.instant();
        Sub sub = current.get(member);
        int roll = random.nextInt(100);
        if (sub == null || sub.end.filter(e -> !now.isBefore(e)).isPresent()) {
            if (roll < 40) {
                List<String> names = List.copyOf(prices.keySet());
                subscribe(member, names.get(random.nextInt(names.size())));
            }
            return;
        }
        if (sub.end.isPresent() || pausedOrPauseSet(sub, now)) {
            return;
        }
        if (roll < 12 && !sub.yearly) {
            List<String> others = new ArrayList<>(List.of("Basic", "Plus", "Pro"));
            others.remove(sub.pkg);
            change(sub, others.get(random.nextInt(others.size())));
        } else if (roll < 18 && !sub.yearly) {
            pause(sub, 1 + random.nextInt(2));
        } else if (roll < 23) {
            cancel(sub, "now");
        } else if (roll < 28) {
            cancel(sub, "period-end");
        } else if (roll < 33) {
            // A one-off extra: a charge, never MRR.
            ok(hub.api()
                    .post(
                            "/api/v1/members/" + member + "/charges",
                            tenant.token(),
                            "{\"description\":\"Locker\",\"amount\":2500,\"currency\":\"EUR\",\"idempotencyKey\":\"x-"
                                    + member + "-" + month + "\"}"));
        }
    }

    /** The model's waterfall of one month: starting, ending and each movement, by the rules of the definition. */
    private Map<String, Long> expected(YearMonth month) {
        Instant start = midnight(month);
        Instant end = midnight(month.plusMonths(1));
        Map<String, Long> before = new HashMap<>();
        Map<String, Long> after = new HashMap<>();
        Map<String, Instant> firstStart = new HashMap<>();
        for (Sub sub : subs) {
            before.merge(sub.member, sub.mrrAt(start), Long::sum);
            after.merge(sub.member, sub.mrrAt(end), Long::sum);
            firstStart.merge(sub.member, sub.start, (a, b) -> a.isBefore(b) ? a : b);
        }
        Map<Kind, Long> moved = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            moved.put(kind, 0L);
        }
        for (String member : before.keySet()) {
            long from = before.get(member);
            long to = after.get(member);
            if (from == to) {
                continue;
            }
            Kind kind = from == 0
                    ? (firstStart.get(member).isBefore(start) ? Kind.REACTIVATION : Kind.NEW)
                    : to == 0 ? Kind.CHURN : to > from ? Kind.EXPANSION : Kind.CONTRACTION;
            moved.merge(kind, to - from, Long::sum);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("starting", before.values().stream().mapToLong(Long::longValue).sum());
        moved.forEach((kind, amount) -> out.put(kind.name().toLowerCase(java.util.Locale.ROOT), amount));
        out.put("ending", after.values().stream().mapToLong(Long::longValue).sum());
        return out;
    }

    private static List<String> toList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    private JsonNode waterfall(String query) {
        return ok(hub.api().get("/api/v1/analytics/mrr/waterfall?" + query, tenant.token()));
    }

    @Test
    void twentyFourMonthsReconcileToTheCentMatchTheModelDrillDownAndStayTheSameAsOfAnEarlierInstant() {
        clock.moveTo(berlin(FIRST.minusMonths(1), 20, 9, 0));
        tenant = hub.newTenant("waterfall");
        site = Billing.berlin(hub, tenant);
        prices.put("Basic", 10_000L);
        prices.put("Plus", 15_000L);
        prices.put("Pro", 24_999L);
        prices.put("Annual", 100_000L);
        for (String name : List.of("Basic", "Plus", "Pro")) {
            packageIds.put(name, Billing.monthly(hub, tenant, name, prices.get(name)));
        }
        packageIds.put(
                "Annual",
                hub.create(
                        "/api/v1/packages",
                        tenant.token(),
                        "{\"name\":\"Annual\",\"kind\":\"membership\",\"price\":100000,\"interval\":\"year\"}"));
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            members.add(Billing.member(hub, tenant, "m" + i));
        }

        Random random = new Random(20270101L);
        Instant captured = null;
        JsonNode capturedWaterfall = null;
        for (int m = 0; m < MONTHS; m++) {
            YearMonth month = FIRST.plusMonths(m);
            // The billing run on the 2nd gives plans back after pauses (and clears them).
            clock.moveTo(berlin(month, 2, 8, 0));
            ok(hub.api().post("/api/v1/billing/run", tenant.token(), ""));
            for (int i = 0; i < members.size(); i++) {
                clock.moveTo(berlin(month, 5 + (i % 4) * 6, 10, i));
                act(members.get(i), random, m);
            }
            if (m == 12) {
                captured = clock.instant();
                capturedWaterfall = waterfall("from=" + FIRST + "&to=" + month);
            }
        }
        clock.moveTo(berlin(FIRST.plusMonths(MONTHS), 3, 12, 0));

        JsonNode answer = waterfall("from=" + FIRST + "&to=" + FIRST.plusMonths(MONTHS - 1));
        assertThat(answer.get("zone").asText()).isEqualTo("Europe/Berlin");
        JsonNode months = answer.get("months");
        assertThat(months).hasSize(MONTHS);
        Map<String, Long> totals = new HashMap<>();
        Long previousEnding = null;
        for (JsonNode month : months) {
            YearMonth ym = YearMonth.parse(month.get("month").asText());
            Map<String, Long> expected = expected(ym);
            Map<String, Long> actual = new LinkedHashMap<>();
            expected.keySet().forEach(key -> actual.put(key, month.get(key).asLong()));
            assertThat(actual).as(ym.toString()).isEqualTo(expected);

            long sum = month.get("starting").asLong();
            for (Kind kind : Kind.values()) {
                String key = kind.name().toLowerCase(java.util.Locale.ROOT);
                sum += month.get(key).asLong();
                totals.merge(key, Math.abs(month.get(key).asLong()), Long::sum);
            }
            assertThat(month.get("ending").asLong()).as("ending of " + ym).isEqualTo(sum);
            if (previousEnding != null) {
                assertThat(month.get("starting").asLong())
                        .as("starting of " + ym)
                        .isEqualTo(previousEnding);
            }
            previousEnding = month.get("ending").asLong();

            // Drill-down: the rows behind each movement add up to it.
            JsonNode rows = ok(hub.api().get(month.get("movements").asText(), tenant.token()));
            long drilled = 0;
            for (JsonNode row : rows.get("items")) {
                assertThat(row.get("amount").asLong())
                        .isEqualTo(row.get("after").asLong() - row.get("before").asLong());
                drilled += row.get("amount").asLong();
            }
            assertThat(drilled)
                    .isEqualTo(
                            month.get("ending").asLong() - month.get("starting").asLong());
            JsonNode starting = ok(hub.api().get(month.get("startingRows").asText(), tenant.token()));
            assertThat(starting.get("mrr").asLong())
                    .isEqualTo(month.get("starting").asLong());
            long items = 0;
            for (JsonNode row : starting.get("items")) {
                items += row.get("mrr").asLong();
            }
            assertThat(items).isEqualTo(month.get("starting").asLong());
        }
        // The fixture moves money every way the waterfall knows.
        assertThat(totals)
                .allSatisfy((kind, amount) -> assertThat(amount).as(kind).isPositive());
        assertThat(subs.stream().anyMatch(s -> s.yearly)).isTrue();
        assertThat(subs.stream().anyMatch(s -> !s.pauses.isEmpty())).isTrue();

        // Cohorts: every member who ever subscribed is in the cohort of the month of their first
        // subscription, and a cohort's paying members at the end of a month are the model's.
        JsonNode cohorts = ok(hub.api()
                .get(
                        "/api/v1/analytics/cohorts?from=" + FIRST + "&to=" + FIRST.plusMonths(MONTHS - 1),
                        tenant.token()));
        Map<String, YearMonth> firstMonth = new HashMap<>();
        for (Sub sub : subs) {
            YearMonth month = YearMonth.from(sub.start.atZone(BERLIN));
            firstMonth.merge(sub.member, month, (a, b) -> a.isBefore(b) ? a : b);
        }
        int cohortMembers = 0;
        for (JsonNode cohort : cohorts.get("cohorts")) {
            YearMonth month = YearMonth.parse(cohort.get("cohort").asText());
            List<String> expectedMembers = firstMonth.entrySet().stream()
                    .filter(e -> e.getValue().equals(month))
                    .map(Map.Entry::getKey)
                    .sorted()
                    .toList();
            assertThat(toList(cohort.get("members"))).isEqualTo(expectedMembers);
            cohortMembers += cohort.get("size").asInt();
            for (JsonNode retained : cohort.get("retained")) {
                Instant end =
                        midnight(YearMonth.parse(retained.get("month").asText()).plusMonths(1));
                long paying = expectedMembers.stream()
                        .filter(m -> subs.stream()
                                        .filter(sub -> sub.member.equals(m))
                                        .mapToLong(sub -> sub.mrrAt(end))
                                        .sum()
                                > 0)
                        .count();
                assertThat(retained.get("members").asLong())
                        .as(month + " at " + end)
                        .isEqualTo(paying);
            }
        }
        assertThat(cohortMembers).isEqualTo(firstMonth.size());

        // Renewals: the subscriptions that end within 90 days of now, as the model has them.
        Instant now = clock.instant();
        JsonNode renewals = ok(hub.api().get("/api/v1/analytics/renewals?days=90", tenant.token()));
        List<String> ending = subs.stream()
                .filter(sub -> sub.runningAt(now)
                        && sub.end
                                .filter(e -> e.isAfter(now) && !e.isAfter(now.plus(java.time.Duration.ofDays(90))))
                                .isPresent())
                .map(sub -> sub.id)
                .sorted()
                .toList();
        assertThat(renewals.get("items").findValuesAsText("subscriptionId").stream()
                        .sorted()
                        .toList())
                .isEqualTo(ending);

        // As of the instant captured 12 months in, the answer is what it was then.
        JsonNode asOf = waterfall("from=" + FIRST + "&to=" + FIRST.plusMonths(12) + "&asOf=" + captured);
        assertThat(asOf.get("months")).isEqualTo(capturedWaterfall.get("months"));
    }

    @Test
    void revenueNeedsFinanceAndAnotherTenantSeesNoneOfIt() {
        clock.moveTo(Instant.parse("2027-03-10T09:00:00Z"));
        TestHub.Tenant mine = hub.newTenant("revenue-roles");
        String berlin = Billing.berlin(hub, mine);
        String member = Billing.member(hub, mine, "ada");
        Billing.subscribe(hub, mine, member, Billing.monthly(hub, mine, "Monthly", 19_900), berlin);
        String hamburg = hub.create(
                "/api/v1/sites",
                mine.token(),
                "{\"name\":\"Hamburg\",\"address\":\"Elbe 1\",\"timeZone\":\"Europe/Berlin\"}");
        String bo = Billing.member(hub, mine, "bo");
        Billing.subscribe(hub, mine, bo, Billing.monthly(hub, mine, "Hamburg Monthly", 5_000), hamburg);
        clock.moveTo(Instant.parse("2027-03-11T09:00:00Z"));

        Api.Response owner = hub.api().get("/api/v1/analytics/mrr", mine.token());
        assertThat(ok(owner).get("mrr").asLong()).isEqualTo(24_900);
        assertThat(owner.json().get("items")).hasSize(2);

        Api.Response frontDesk = hub.api().get("/api/v1/analytics/mrr", Billing.token(hub, mine, "front-desk"));
        assertThat(frontDesk.status()).isEqualTo(403);
        assertThat(frontDesk.text()).contains("finance");

        Api.Response scoped = hub.api()
                .post(
                        "/api/v1/tokens",
                        mine.token(),
                        "{\"name\":\"hh\",\"role\":\"finance\",\"sites\":[\"" + hamburg + "\"]}");
        String hamburgFinance = ok(scoped).get("token").asText();
        JsonNode hamburgOnly = ok(hub.api().get("/api/v1/analytics/mrr", hamburgFinance));
        assertThat(hamburgOnly.get("mrr").asLong()).isEqualTo(5_000);
        assertThat(hamburgOnly.get("items").get(0).get("memberId").asText()).isEqualTo(bo);

        TestHub.Tenant other = hub.newTenant("revenue-other");
        JsonNode foreign = ok(hub.api().get("/api/v1/analytics/mrr", other.token()));
        assertThat(foreign.get("mrr").asLong()).isZero();
        assertThat(foreign.get("items")).isEmpty();

        Api.Response bad = hub.api().get("/api/v1/analytics/mrr/waterfall?from=2027-13&asOf=tomorrow", mine.token());
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.text()).contains("from").contains("YYYY-MM").contains("asOf");
        Api.Response future = hub.api().get("/api/v1/analytics/mrr?asOf=2030-01-01T00:00:00Z", mine.token());
        assertThat(future.status()).isEqualTo(422);
        assertThat(future.text()).contains("after now");
    }

    @Test
    void theMrrDrillDownPagesEverySubscriptionExactlyOnceAndTheFigureIsOverAllPages() {
        clock.moveTo(Instant.parse("2027-03-10T09:00:00Z"));
        TestHub.Tenant mine = hub.newTenant("mrr-pages");
        String berlin = Billing.berlin(hub, mine);
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < 7; i++) {
            long price = 1_000L + 101L * i;
            JsonNode sale = Billing.subscribe(
                    hub,
                    mine,
                    Billing.member(hub, mine, "p" + i),
                    Billing.monthly(hub, mine, "Plan " + i, price),
                    berlin);
            expected.put(sale.get("subscription").get("id").asText(), price);
        }
        clock.moveTo(Instant.parse("2027-03-11T09:00:00Z"));
        Instant asOf = clock.instant();
        long figure = expected.values().stream().mapToLong(Long::longValue).sum();

        // Pages of 3 (3, 3, 1) followed by their next links: each subscription once, the figure and the count
        // on every page over all seven, so a page never has to be added up to know the total.
        JsonNode page = ok(hub.api().get("/api/v1/analytics/mrr?limit=3&asOf=" + asOf, mine.token()));
        // A sale after the first page is not in the pages that follow: they are as of the first page's instant.
        clock.moveTo(Instant.parse("2027-03-12T09:00:00Z"));
        Billing.subscribe(
                hub, mine, Billing.member(hub, mine, "late"), Billing.monthly(hub, mine, "Late", 777), berlin);
        List<String> seen = new ArrayList<>();
        long sum = 0;
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            assertThat(page.get("mrr").asLong()).isEqualTo(figure);
            assertThat(page.get("count").asInt()).isEqualTo(7);
            sizes.add(page.get("items").size());
            for (JsonNode row : page.get("items")) {
                seen.add(row.get("subscriptionId").asText());
                assertThat(row.get("mrr").asLong())
                        .isEqualTo(expected.get(row.get("subscriptionId").asText()));
                sum += row.get("mrr").asLong();
            }
            if (!page.has("next")) {
                assertThat(page.has("nextCursor")).isFalse();
                break;
            }
            page = ok(hub.api().get(page.get("next").asText(), mine.token()));
        }
        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(seen).isSorted();
        assertThat(sum).isEqualTo(figure);
        // The default page holds all seven (50 a page), now eight with the late sale.
        JsonNode now = ok(hub.api().get("/api/v1/analytics/mrr", mine.token()));
        assertThat(now.get("items")).hasSize(8);
        assertThat(now.get("limit").asInt()).isEqualTo(50);
        assertThat(now.has("nextCursor")).isFalse();

        // Bad paging is refused with the parameter named, and asking again afterwards answers the same.
        for (String bad : List.of(
                "limit=0",
                "limit=501",
                "limit=ten",
                "cursor=not-a-cursor",
                "cursor=" + new dev.gatehouse.hub.store.Cursor(1_700_000_000_000L, "x1").encode())) {
            Api.Response refused = hub.api().get("/api/v1/analytics/mrr?" + bad, mine.token());
            assertThat(refused.status()).as(bad).isEqualTo(422);
            assertThat(refused.text()).as(bad).contains(bad.substring(0, bad.indexOf('=')));
        }
        assertThat(ok(hub.api().get("/api/v1/analytics/mrr", mine.token()))).isEqualTo(now);
    }
}
