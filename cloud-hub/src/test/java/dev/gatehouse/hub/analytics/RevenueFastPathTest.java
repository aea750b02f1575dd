package dev.gatehouse.hub.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.billing.Mrr;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Revenue} computes each member's MRR once per instant over compact per-subscription arrays; this
 * test holds it to the straightforward computation, written here from the definitions (each figure
 * from every revision, by subscription and member id through sorted maps), on generated ledgers that
 * have what a real one can: several subscriptions a member, a subscription moving between members,
 * revisions recorded out of their order (backdated), pauses, ends, ended and cancelling statuses,
 * one-offs, every interval, an as-of instant between milliseconds, and a zone whose months begin in a
 * DST gap. Every figure must be exactly equal.
 */
class RevenueFastPathTest {
    private static final Instant ORIGIN = Instant.parse("2025-01-01T00:00:00Z");
    private static final String[] INTERVALS = {"DAY", "WEEK", "MONTH", "MONTH", "MONTH", "YEAR", "ONE_OFF"};
    private static final String[] STATUSES = {"ACTIVE", "ACTIVE", "ACTIVE", "CANCELLING", "ENDED", "PAUSED"};
    private static final List<ZoneId> ZONES =
            List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"), ZoneId.of("Atlantic/Azores"));

    @Test
    void everyFigureEqualsTheStraightforwardComputationOnGeneratedLedgers() {
        for (int seed = 0; seed < 40; seed++) {
            Random random = new Random(seed);
            List<Revision> ledger = ledger(random, 20 + random.nextInt(60), 30 + random.nextInt(200));
            Instant asOf = ORIGIN.plus(Duration.ofDays(200 + random.nextInt(700)))
                    .plusMillis(random.nextInt(86_400_000))
                    .plusNanos(random.nextInt(1_000_000));
            ZoneId zone = ZONES.get(seed % ZONES.size());
            Reference reference = new Reference(ledger, asOf);
            Revenue fast = new Revenue(ledger, asOf);
            String where = "seed " + seed + ", as of " + asOf + " in " + zone;

            YearMonth last = YearMonth.from(asOf.atZone(zone)).plusMonths(1);
            YearMonth first = last.minusMonths(30);
            List<Instant> instants = new ArrayList<>();
            for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
                instants.add(m.atDay(1).atStartOfDay(zone).toInstant());
            }
            for (int i = 0; i < 20; i++) {
                instants.add(ORIGIN.plusMillis(
                        (long) (random.nextDouble() * Duration.ofDays(1000).toMillis())));
            }
            instants.add(asOf);
            for (int i = 0; i < ledger.size(); i += 7) {
                instants.add(ledger.get(i).recordedAt());
            }
            for (Instant t : instants) {
                assertThat(fast.lines(t)).as(where + ", lines at " + t).isEqualTo(reference.lines(t));
                assertThat(fast.mrr(t)).as(where + ", MRR at " + t).isEqualTo(reference.mrr(t));
                assertThat(fast.running(t)).as(where + ", running at " + t).isEqualTo(reference.running(t));
            }
            // A fresh one for each, and the one that has kept its instants: the same months.
            assertThat(new Revenue(ledger, asOf).waterfall(first, last, zone))
                    .as(where + ", waterfall")
                    .isEqualTo(reference.waterfall(first, last, zone));
            assertThat(fast.waterfall(first, last, zone)).isEqualTo(reference.waterfall(first, last, zone));
            YearMonth one = last.minusMonths(random.nextInt(30));
            assertThat(new Revenue(ledger, asOf).month(one, zone))
                    .as(where + ", month " + one)
                    .isEqualTo(reference.month(one, zone));
            assertThat(new Revenue(ledger, asOf).cohorts(first, last, zone))
                    .as(where + ", cohorts")
                    .isEqualTo(reference.cohorts(first, last, zone));
            assertThat(fast.cohorts(last.minusMonths(11), last, zone))
                    .isEqualTo(reference.cohorts(last.minusMonths(11), last, zone));
            Function<String, ZoneId> siteZone = site -> site.equals("site_a") ? zone : ZoneOffset.UTC;
            for (int days : new int[] {30, 60, 90, 400}) {
                assertThat(new Revenue(ledger, asOf).renewals(days, siteZone))
                        .as(where + ", renewals within " + days)
                        .isEqualTo(reference.renewals(days, siteZone));
            }
        }
    }

    @Test
    void theGeneratedLedgersHaveEveryKindOfMovement() {
        Map<Revenue.Kind, Integer> seen = new EnumMap<>(Revenue.Kind.class);
        for (int seed = 0; seed < 40; seed++) {
            Random random = new Random(seed);
            List<Revision> ledger = ledger(random, 20 + random.nextInt(60), 30 + random.nextInt(200));
            Instant asOf = ORIGIN.plus(Duration.ofDays(900));
            for (Revenue.Month m :
                    new Revenue(ledger, asOf).waterfall(YearMonth.of(2025, 1), YearMonth.of(2027, 6), ZoneOffset.UTC)) {
                m.members().forEach(movement -> seen.merge(movement.kind(), 1, Integer::sum));
            }
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder(Revenue.Kind.values());
    }

    /** Subscriptions of random members with one to five revisions each, shuffled. */
    private static List<Revision> ledger(Random random, int members, int subscriptions) {
        List<Revision> out = new ArrayList<>();
        long span = Duration.ofDays(900).toMillis();
        for (int s = 0; s < subscriptions; s++) {
            String id = "sub_" + Integer.toString(random.nextInt(1_000_000), 36) + "_" + s;
            String member = "mem_" + random.nextInt(members);
            Instant started = ORIGIN.plusMillis((long) (random.nextDouble() * span));
            if (random.nextInt(6) == 0) {
                // Started at a month's first midnight (UTC): first known exactly when a month begins.
                started = YearMonth.from(started.atZone(ZoneOffset.UTC))
                        .atDay(1)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
            }
            Instant recorded = random.nextInt(4) == 0
                    ? started.minus(Duration.ofDays(random.nextInt(20)))
                    : started.plus(Duration.ofDays(random.nextInt(20)));
            String interval = INTERVALS[random.nextInt(INTERVALS.length)];
            int revisions = 1 + random.nextInt(5);
            for (int n = 1; n <= revisions; n++) {
                String status = n == 1 ? "ACTIVE" : STATUSES[random.nextInt(STATUSES.length)];
                Optional<Instant> endsAt = random.nextInt(4) == 0
                        ? Optional.of(started.plus(Duration.ofHours(random.nextInt(24 * 400))))
                        : Optional.empty();
                Optional<Instant> pausedFrom = Optional.empty();
                Optional<Instant> pausedUntil = Optional.empty();
                if (random.nextInt(5) == 0) {
                    pausedFrom = Optional.of(recorded.plus(Duration.ofDays(random.nextInt(60))));
                    pausedUntil = random.nextInt(6) == 0
                            ? Optional.empty()
                            : Optional.of(pausedFrom.get().plus(Duration.ofDays(random.nextInt(90))));
                }
                Optional<LocalDate> committed = random.nextInt(3) == 0
                        ? Optional.of(
                                LocalDate.ofInstant(recorded, ZoneOffset.UTC).plusDays(random.nextInt(500)))
                        : Optional.empty();
                out.add(new Revision(
                        id,
                        n,
                        member,
                        random.nextBoolean() ? "site_a" : "site_b",
                        "pkg_" + random.nextInt(5),
                        random.nextInt(5) == 0 ? "TEAM" : "MEMBERSHIP",
                        1 + random.nextInt(4),
                        random.nextInt(10) == 0 ? 0 : 1_000 + random.nextInt(90_000),
                        "EUR",
                        interval,
                        status,
                        started,
                        endsAt,
                        committed,
                        pausedFrom,
                        pausedUntil,
                        recorded));
                // The next revision: usually later, sometimes backdated, now and then another member's
                // or another interval, and now and then a restart.
                recorded = random.nextInt(6) == 0
                        ? recorded.minus(Duration.ofDays(random.nextInt(30)))
                        : recorded.plus(Duration.ofDays(random.nextInt(200))).plusMillis(random.nextInt(1000));
                if (random.nextInt(8) == 0) {
                    member = "mem_" + random.nextInt(members);
                }
                if (random.nextInt(6) == 0) {
                    interval = INTERVALS[random.nextInt(INTERVALS.length)];
                }
                if (random.nextInt(5) == 0) {
                    started = recorded.plus(Duration.ofDays(random.nextInt(10)));
                }
            }
        }
        Collections.shuffle(out, random);
        return out;
    }

    /** The figures computed the plain way, straight from the definitions in {@link Revenue}. */
    private static final class Reference {
        private final Instant asOf;
        private final TreeMap<String, List<Revision>> bySubscription = new TreeMap<>();
        private final Map<String, Instant> firstKnown = new HashMap<>();

        Reference(List<Revision> ledger, Instant asOf) {
            this.asOf = asOf;
            for (Revision r : ledger) {
                if (r.recordedAt().isAfter(asOf)) {
                    continue;
                }
                bySubscription
                        .computeIfAbsent(r.subscriptionId(), k -> new ArrayList<>())
                        .add(r);
                if (!r.interval().equals("ONE_OFF")) {
                    Instant known = Collections.max(List.of(r.startedAt(), r.recordedAt()));
                    firstKnown.merge(r.memberId(), known, (a, b) -> a.isBefore(b) ? a : b);
                }
            }
            bySubscription.values().forEach(list -> list.sort(Comparator.comparingInt(Revision::revision)));
        }

        private Instant capped(Instant t) {
            return t.isAfter(asOf) ? asOf : t;
        }

        /** The revisions up to the first recorded after t: the last of them is what the ledger said. */
        private static Optional<Revision> at(List<Revision> revisions, Instant t) {
            return revisions.stream().takeWhile(r -> !r.recordedAt().isAfter(t)).reduce((a, b) -> b);
        }

        private static boolean runs(Revision r, Instant t) {
            boolean paused = r.pausedFrom().filter(from -> !from.isAfter(t)).isPresent()
                    && r.pausedUntil().filter(t::isBefore).isPresent();
            return !r.status().equals("ENDED")
                    && !r.startedAt().isAfter(t)
                    && r.endsAt().filter(end -> !t.isBefore(end)).isEmpty()
                    && !paused;
        }

        private static long mrr(Revision r, Instant t) {
            return !r.interval().equals("ONE_OFF") && runs(r, t) ? Mrr.perMonth(r.interval(), r.price()) : 0;
        }

        List<Revenue.Line> lines(Instant t) {
            Instant when = capped(t);
            List<Revenue.Line> lines = new ArrayList<>();
            for (List<Revision> revisions : bySubscription.values()) {
                at(revisions, when)
                        .filter(r -> mrr(r, when) > 0)
                        .ifPresent(r -> lines.add(new Revenue.Line(r, mrr(r, when))));
            }
            return lines;
        }

        long mrr(Instant t) {
            return lines(t).stream().mapToLong(Revenue.Line::mrr).sum();
        }

        List<Revision> running(Instant t) {
            Instant when = capped(t);
            return bySubscription.values().stream()
                    .flatMap(revisions -> at(revisions, when).stream())
                    .filter(r -> runs(r, when))
                    .toList();
        }

        TreeMap<String, Long> byMember(Instant t) {
            TreeMap<String, Long> members = new TreeMap<>();
            lines(t).forEach(line -> members.merge(line.revision().memberId(), line.mrr(), Long::sum));
            return members;
        }

        Revenue.Month month(YearMonth month, ZoneId zone) {
            Instant start = capped(month.atDay(1).atStartOfDay(zone).toInstant());
            Instant end = capped(month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant());
            TreeMap<String, Long> before = byMember(start);
            TreeMap<String, Long> after = byMember(end);
            Map<Revenue.Kind, Long> sums = new EnumMap<>(Revenue.Kind.class);
            for (Revenue.Kind kind : Revenue.Kind.values()) {
                sums.put(kind, 0L);
            }
            List<Revenue.Movement> moved = new ArrayList<>();
            TreeSet<String> all = new TreeSet<>(before.keySet());
            all.addAll(after.keySet());
            for (String member : all) {
                long from = before.getOrDefault(member, 0L);
                long to = after.getOrDefault(member, 0L);
                if (from == to) {
                    continue;
                }
                Revenue.Kind kind = from == 0
                        ? (firstKnown.get(member).isBefore(start) ? Revenue.Kind.REACTIVATION : Revenue.Kind.NEW)
                        : to == 0 ? Revenue.Kind.CHURN : to > from ? Revenue.Kind.EXPANSION : Revenue.Kind.CONTRACTION;
                moved.add(new Revenue.Movement(member, kind, from, to));
                sums.merge(kind, to - from, Long::sum);
            }
            long starting = before.values().stream().mapToLong(Long::longValue).sum();
            long ending = after.values().stream().mapToLong(Long::longValue).sum();
            int churned = (int)
                    moved.stream().filter(m -> m.kind() == Revenue.Kind.CHURN).count();
            return new Revenue.Month(month, start, end, starting, ending, sums, moved, before.size(), churned);
        }

        List<Revenue.Month> waterfall(YearMonth from, YearMonth to, ZoneId zone) {
            List<Revenue.Month> months = new ArrayList<>();
            for (YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
                months.add(month(m, zone));
            }
            return months;
        }

        List<Revenue.Cohort> cohorts(YearMonth from, YearMonth to, ZoneId zone) {
            TreeMap<YearMonth, TreeSet<String>> members = new TreeMap<>();
            firstKnown.forEach((member, known) -> {
                YearMonth month = YearMonth.from(known.atZone(zone));
                if (!month.isBefore(from) && !month.isAfter(to)) {
                    members.computeIfAbsent(month, k -> new TreeSet<>()).add(member);
                }
            });
            List<Revenue.Cohort> cohorts = new ArrayList<>();
            members.forEach((month, cohort) -> {
                List<Revenue.Retained> retained = new ArrayList<>();
                for (YearMonth m = month; !m.isAfter(to); m = m.plusMonths(1)) {
                    TreeMap<String, Long> paying =
                            byMember(m.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant());
                    List<Long> theirs = cohort.stream()
                            .map(member -> paying.getOrDefault(member, 0L))
                            .filter(v -> v > 0)
                            .toList();
                    retained.add(new Revenue.Retained(
                            m,
                            theirs.size(),
                            theirs.stream().mapToLong(Long::longValue).sum()));
                }
                cohorts.add(new Revenue.Cohort(month, List.copyOf(cohort), retained));
            });
            return cohorts;
        }

        List<Revenue.Renewal> renewals(int days, Function<String, ZoneId> siteZone) {
            Instant until = asOf.plus(Duration.ofDays(days));
            List<Revenue.Renewal> out = new ArrayList<>();
            for (Revision r : running(asOf)) {
                Optional<Instant> ends = r.endsAt().filter(end -> end.isAfter(asOf) && !end.isAfter(until));
                Optional<Instant> committed = r.committedUntil()
                        .map(day -> day.atStartOfDay(siteZone.apply(r.siteId())).toInstant())
                        .filter(c -> c.isAfter(asOf) && !c.isAfter(until));
                if (ends.isPresent()) {
                    out.add(new Revenue.Renewal(r, "ends", ends.get(), mrr(r, asOf)));
                } else if (committed.isPresent()) {
                    out.add(new Revenue.Renewal(r, "commitment-ends", committed.get(), mrr(r, asOf)));
                }
            }
            out.sort(Comparator.comparing(Revenue.Renewal::on)
                    .thenComparing(renewal -> renewal.revision().subscriptionId()));
            return out;
        }
    }
}
