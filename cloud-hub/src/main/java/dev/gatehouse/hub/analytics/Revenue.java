package dev.gatehouse.hub.analytics;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Revenue metrics as pure functions of the subscription revisions known at an instant {@code asOf}:
 * MRR at any instant, the monthly MRR waterfall, cohorts and renewals. Nothing here reads a clock or a
 * store; the same revisions and {@code asOf} always give the same numbers.
 *
 * <p>MRR at an instant t is what the ledger said at t: each subscription's latest revision recorded at
 * or before t, evaluated at t. A later write never changes an earlier instant's MRR (a backdated
 * package change counts in the month it was recorded).
 */
public final class Revenue {
    public static final String MRR_DEFINITION = "MRR: the recurring price of every subscription running at the"
            + " instant, normalised to a month (a year's price ÷ 12, a week's × 52 ÷ 12, a day's × 365 ÷ 12,"
            + " each rounded half-even to the cent), summed. One-off packages, charges other than the price,"
            + " and tax are not in it; paused and ended subscriptions are out. Each subscription is taken as"
            + " the ledger recorded it at that instant.";

    public static final String WATERFALL_DEFINITION = "MRR waterfall: per member, MRR at the month's first"
            + " midnight (starting) against MRR at the next month's first midnight (ending; or the as-of"
            + " instant in the current month). new: 0 → more, with no recurring subscription before the month;"
            + " reactivation: 0 → more, having had one before; expansion: up; contraction: down, not to 0;"
            + " churn: to 0. ending = starting + new + reactivation + expansion + contraction + churn, to the"
            + " cent (contraction and churn are negative).";

    public static final String CHURN_DEFINITION = "Logo churn: members who churned in the month ÷ members with"
            + " MRR at its start. GRR: (starting + contraction + churn) ÷ starting. NRR: (starting + expansion"
            + " + contraction + churn) ÷ starting. New and reactivated revenue count in neither.";

    public static final String COHORT_DEFINITION = "Cohort: the members whose first recurring subscription"
            + " became known in that month. Retention after k months: the cohort's members with MRR at the end"
            + " of month k ÷ the cohort's members; revenue: their MRR then.";

    public static final String RENEWALS_DEFINITION = "Renewals and contracts ending: subscriptions running at"
            + " the as-of instant that end (cancelled to a date) or whose commitment ends within 30, 60 or 90"
            + " days after it.";

    public enum Kind {
        NEW,
        REACTIVATION,
        EXPANSION,
        CONTRACTION,
        CHURN
    }

    /** A member's MRR moving in a month: after − before is the movement, counted under {@code kind}. */
    public record Movement(String memberId, Kind kind, long before, long after) {
        public long amount() {
            return after - before;
        }
    }

    /** One month of the waterfall; every amount in minor units, contraction and churn negative. */
    public record Month(
            YearMonth month,
            Instant start,
            Instant end,
            long starting,
            long ending,
            Map<Kind, Long> movements,
            List<Movement> members,
            int membersAtStart,
            int churnedMembers) {
        public Month {
            movements = Map.copyOf(movements);
            members = List.copyOf(members);
        }

        public long moved(Kind kind) {
            return movements.getOrDefault(kind, 0L);
        }

        /** Logo churn, or empty when nobody paid at the start. */
        public Optional<Double> logoChurn() {
            return membersAtStart == 0 ? Optional.empty() : Optional.of((double) churnedMembers / membersAtStart);
        }

        public Optional<Double> grossRetention() {
            return starting == 0
                    ? Optional.empty()
                    : Optional.of((double) (starting + moved(Kind.CONTRACTION) + moved(Kind.CHURN)) / starting);
        }

        public Optional<Double> netRetention() {
            return starting == 0
                    ? Optional.empty()
                    : Optional.of(
                            (double) (starting + moved(Kind.EXPANSION) + moved(Kind.CONTRACTION) + moved(Kind.CHURN))
                                    / starting);
        }
    }

    /** One subscription's share of MRR at an instant: the rows behind an MRR figure. */
    public record Line(Revision revision, long mrr) {}

    /** A cohort: its members and, per month from its own, how many of them pay and how much. */
    public record Cohort(YearMonth month, List<String> members, List<Retained> retained) {
        public Cohort {
            members = List.copyOf(members);
            retained = List.copyOf(retained);
        }
    }

    public record Retained(YearMonth month, int members, long mrr) {}

    /** A running subscription that ends, or whose commitment ends, within {@code days} of the as-of instant. */
    public record Renewal(Revision revision, String what, Instant on, long mrr) {}

    private final Instant asOf;
    private final Map<String, List<Revision>> bySubscription = new TreeMap<>();
    private final Map<String, Instant> firstKnown = new HashMap<>();
    private final Map<Instant, Map<String, Long>> byMember = new HashMap<>();

    /** Over {@code revisions} (any order); those recorded after {@code asOf} are not known and are left out. */
    public Revenue(List<Revision> revisions, Instant asOf) {
        this.asOf = asOf;
        for (Revision r : revisions) {
            if (r.recordedAt().isAfter(asOf)) {
                continue;
            }
            bySubscription
                    .computeIfAbsent(r.subscriptionId(), k -> new ArrayList<>())
                    .add(r);
            if (r.recurring()) {
                Instant known = r.startedAt().isAfter(r.recordedAt()) ? r.startedAt() : r.recordedAt();
                firstKnown.merge(r.memberId(), known, (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        bySubscription.values().forEach(list -> list.sort(Comparator.comparingInt(Revision::revision)));
    }

    public Instant asOf() {
        return asOf;
    }

    /** The subscription as the ledger said at {@code t} (its latest revision recorded then). */
    private static Optional<Revision> at(List<Revision> revisions, Instant t) {
        Revision found = null;
        for (Revision r : revisions) {
            if (r.recordedAt().isAfter(t)) {
                break;
            }
            found = r;
        }
        return Optional.ofNullable(found);
    }

    private Instant capped(Instant t) {
        return t.isAfter(asOf) ? asOf : t;
    }

    /** The subscriptions in MRR at {@code t} (capped at the as-of instant), with their share. */
    public List<Line> lines(Instant t) {
        Instant when = capped(t);
        List<Line> lines = new ArrayList<>();
        for (List<Revision> revisions : bySubscription.values()) {
            at(revisions, when).ifPresent(r -> {
                long mrr = r.mrrAt(when);
                if (mrr > 0) {
                    lines.add(new Line(r, mrr));
                }
            });
        }
        return lines;
    }

    /** The subscriptions running at {@code t} (capped at the as-of instant) as the ledger said then, one-offs too. */
    public List<Revision> running(Instant t) {
        Instant when = capped(t);
        List<Revision> out = new ArrayList<>();
        for (List<Revision> revisions : bySubscription.values()) {
            at(revisions, when).filter(r -> r.runsAt(when)).ifPresent(out::add);
        }
        return out;
    }

    public long mrr(Instant t) {
        return lines(t).stream().mapToLong(Line::mrr).sum();
    }

    /** Each member's MRR at {@code t}; kept per instant (a month's end is the next month's start). */
    private Map<String, Long> byMember(Instant t) {
        return byMember.computeIfAbsent(capped(t), at -> {
            Map<String, Long> members = new HashMap<>();
            for (Line line : lines(at)) {
                members.merge(line.revision().memberId(), line.mrr(), Long::sum);
            }
            return members;
        });
    }

    private static Instant midnight(YearMonth month, ZoneId zone) {
        return month.atDay(1).atStartOfDay(zone).toInstant();
    }

    /** The waterfall of {@code month} in {@code zone}; a month not begun at the as-of instant is empty. */
    public Month month(YearMonth month, ZoneId zone) {
        Instant start = capped(midnight(month, zone));
        Instant end = capped(midnight(month.plusMonths(1), zone));
        Map<String, Long> before = byMember(start);
        Map<String, Long> after = byMember(end);
        Map<Kind, Long> sums = new java.util.EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            sums.put(kind, 0L);
        }
        List<Movement> moved = new ArrayList<>();
        int churned = 0;
        for (String member : new TreeSet<>(union(before, after))) {
            long from = before.getOrDefault(member, 0L);
            long to = after.getOrDefault(member, 0L);
            if (from == to) {
                continue;
            }
            Kind kind;
            if (from == 0) {
                kind = firstKnown.get(member).isBefore(start) ? Kind.REACTIVATION : Kind.NEW;
            } else if (to == 0) {
                kind = Kind.CHURN;
                churned++;
            } else {
                kind = to > from ? Kind.EXPANSION : Kind.CONTRACTION;
            }
            Movement movement = new Movement(member, kind, from, to);
            moved.add(movement);
            sums.merge(kind, movement.amount(), Long::sum);
        }
        return new Month(
                month,
                start,
                end,
                sum(before),
                sum(after),
                sums,
                moved,
                (int) before.values().stream().filter(v -> v > 0).count(),
                churned);
    }

    /** The waterfall of every month from {@code from} to {@code to}, both included. */
    public List<Month> waterfall(YearMonth from, YearMonth to, ZoneId zone) {
        List<Month> months = new ArrayList<>();
        for (YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
            months.add(month(m, zone));
        }
        return months;
    }

    /** The cohorts whose month lies in {@code from}..{@code to}, each followed to {@code to}. */
    public List<Cohort> cohorts(YearMonth from, YearMonth to, ZoneId zone) {
        Map<YearMonth, List<String>> members = new TreeMap<>();
        firstKnown.forEach((member, known) -> {
            YearMonth month = YearMonth.from(known.atZone(zone));
            if (!month.isBefore(from) && !month.isAfter(to)) {
                members.computeIfAbsent(month, k -> new ArrayList<>()).add(member);
            }
        });
        Map<YearMonth, Map<String, Long>> ends = new HashMap<>();
        List<Cohort> cohorts = new ArrayList<>();
        members.forEach((month, list) -> {
            list.sort(null);
            List<Retained> retained = new ArrayList<>();
            for (YearMonth m = month; !m.isAfter(to); m = m.plusMonths(1)) {
                YearMonth k = m;
                Map<String, Long> paying =
                        ends.computeIfAbsent(k, x -> byMember(capped(midnight(x.plusMonths(1), zone))));
                int count = 0;
                long mrr = 0;
                for (String member : list) {
                    long v = paying.getOrDefault(member, 0L);
                    if (v > 0) {
                        count++;
                        mrr += v;
                    }
                }
                retained.add(new Retained(k, count, mrr));
            }
            cohorts.add(new Cohort(month, list, retained));
        });
        return cohorts;
    }

    /** Subscriptions running at the as-of instant that end, or whose commitment ends, within {@code days}. */
    public List<Renewal> renewals(int days, java.util.function.Function<String, ZoneId> siteZone) {
        Instant until = asOf.plus(java.time.Duration.ofDays(days));
        List<Renewal> out = new ArrayList<>();
        for (List<Revision> revisions : bySubscription.values()) {
            Optional<Revision> known = at(revisions, asOf);
            if (known.isEmpty() || !known.get().runsAt(asOf)) {
                continue;
            }
            Revision r = known.get();
            long mrr = r.mrrAt(asOf);
            if (r.endsAt()
                    .filter(end -> end.isAfter(asOf) && !end.isAfter(until))
                    .isPresent()) {
                out.add(new Renewal(r, "ends", r.endsAt().get(), mrr));
            } else if (r.committedUntil().isPresent()) {
                Instant committed = r.committedUntil()
                        .get()
                        .atStartOfDay(siteZone.apply(r.siteId()))
                        .toInstant();
                if (committed.isAfter(asOf) && !committed.isAfter(until)) {
                    out.add(new Renewal(r, "commitment-ends", committed, mrr));
                }
            }
        }
        out.sort(Comparator.comparing(Renewal::on)
                .thenComparing(renewal -> renewal.revision().subscriptionId()));
        return out;
    }

    private static java.util.Set<String> union(Map<String, Long> a, Map<String, Long> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a.keySet());
        all.addAll(b.keySet());
        return all;
    }

    private static long sum(Map<String, Long> values) {
        return values.values().stream().mapToLong(Long::longValue).sum();
    }
}
