package dev.gatehouse.hub.analytics;

import dev.gatehouse.hub.billing.Mrr;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
    /** The subscriptions known at the as-of instant, in the order first read; {@link #sorted} by id when needed. */
    private final List<Subscription> subscriptions = new ArrayList<>();

    private List<Subscription> sorted;
    /** The members, by index: their ids and when each first had a recurring subscription known (or null). */
    private final List<String> memberIds = new ArrayList<>();

    private final List<Instant> firstKnown = new ArrayList<>();
    /** Each member's MRR (by index) at an instant; kept per instant (a month's end is the next month's start). */
    private final Map<Instant, long[]> byMember = new HashMap<>();
    /** {@link Mrr#perMonth} of each interval and price met, computed once. */
    private final Map<PriceKey, Long> perMonth = new HashMap<>();

    private record PriceKey(String interval, long price) {}

    /**
     * One subscription's revisions recorded by the as-of instant, by revision number, with each one's
     * member (as an index) and its recurring price per month (computed when first needed).
     */
    private final class Subscription {
        final String id;
        Revision[] revisions = new Revision[1];
        int[] members = new int[1];
        long[] monthly;
        int size;

        Subscription(String id) {
            this.id = id;
        }

        void add(Revision r, int member) {
            if (size == revisions.length) {
                revisions = Arrays.copyOf(revisions, size * 2);
                members = Arrays.copyOf(members, size * 2);
            }
            revisions[size] = r;
            members[size++] = member;
        }

        /** Sorts by revision number (stable, as a list sort is); done once all are added. */
        void seal() {
            if (size > 1) {
                Integer[] order = new Integer[size];
                for (int i = 0; i < size; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, Comparator.comparingInt(i -> revisions[i].revision()));
                Revision[] rs = new Revision[size];
                int[] ms = new int[size];
                for (int i = 0; i < size; i++) {
                    rs[i] = revisions[order[i]];
                    ms[i] = members[order[i]];
                }
                revisions = rs;
                members = ms;
            }
            monthly = new long[size];
            Arrays.fill(monthly, UNKNOWN);
        }

        /** The index of the revision the ledger said at {@code t} (its latest recorded then), or -1. */
        int at(Instant t) {
            int found = -1;
            for (int i = 0; i < size; i++) {
                if (revisions[i].recordedAt().isAfter(t)) {
                    break;
                }
                found = i;
            }
            return found;
        }

        /** Revision {@code i}'s contribution to MRR at {@code t}, as {@link Revision#mrrAt}. */
        long mrrAt(int i, Instant t) {
            Revision r = revisions[i];
            if (!r.recurring() || !r.runsAt(t)) {
                return 0;
            }
            if (monthly[i] == UNKNOWN) {
                monthly[i] = perMonth.computeIfAbsent(
                        new PriceKey(r.interval(), r.price()), k -> Mrr.perMonth(k.interval(), k.price()));
            }
            return monthly[i];
        }
    }

    private static final long UNKNOWN = Long.MIN_VALUE;

    /** Over {@code revisions} (any order); those recorded after {@code asOf} are not known and are left out. */
    public Revenue(List<Revision> revisions, Instant asOf) {
        this.asOf = asOf;
        Map<String, Subscription> byId = new HashMap<>();
        Map<String, Integer> memberIndex = new HashMap<>();
        for (Revision r : revisions) {
            if (r.recordedAt().isAfter(asOf)) {
                continue;
            }
            Subscription subscription = byId.get(r.subscriptionId());
            if (subscription == null) {
                subscription = new Subscription(r.subscriptionId());
                byId.put(subscription.id, subscription);
                subscriptions.add(subscription);
            }
            Integer member = memberIndex.get(r.memberId());
            if (member == null) {
                member = memberIds.size();
                memberIndex.put(r.memberId(), member);
                memberIds.add(r.memberId());
                firstKnown.add(null);
            }
            subscription.add(r, member);
            if (r.recurring()) {
                Instant known = r.startedAt().isAfter(r.recordedAt()) ? r.startedAt() : r.recordedAt();
                Instant first = firstKnown.get(member);
                if (first == null || known.isBefore(first)) {
                    firstKnown.set(member, known);
                }
            }
        }
        subscriptions.forEach(Subscription::seal);
    }

    public Instant asOf() {
        return asOf;
    }

    private List<Subscription> sorted() {
        if (sorted == null) {
            sorted = new ArrayList<>(subscriptions);
            sorted.sort(Comparator.comparing(s -> s.id));
        }
        return sorted;
    }

    private Instant capped(Instant t) {
        return t.isAfter(asOf) ? asOf : t;
    }

    /** The subscriptions in MRR at {@code t} (capped at the as-of instant), with their share, by subscription id. */
    public List<Line> lines(Instant t) {
        Instant when = capped(t);
        List<Line> lines = new ArrayList<>();
        for (Subscription s : sorted()) {
            int i = s.at(when);
            if (i >= 0) {
                long mrr = s.mrrAt(i, when);
                if (mrr > 0) {
                    lines.add(new Line(s.revisions[i], mrr));
                }
            }
        }
        return lines;
    }

    /** The subscriptions running at {@code t} (capped at the as-of instant) as the ledger said then, one-offs too. */
    public List<Revision> running(Instant t) {
        Instant when = capped(t);
        List<Revision> out = new ArrayList<>();
        for (Subscription s : sorted()) {
            int i = s.at(when);
            if (i >= 0 && s.revisions[i].runsAt(when)) {
                out.add(s.revisions[i]);
            }
        }
        return out;
    }

    public long mrr(Instant t) {
        return sum(byMember(t));
    }

    /** Each member's MRR at {@code t} (capped), by member index; kept per instant. */
    private long[] byMember(Instant t) {
        return byMember.computeIfAbsent(capped(t), at -> {
            long[] members = new long[memberIds.size()];
            for (Subscription s : subscriptions) {
                int i = s.at(at);
                if (i >= 0) {
                    long mrr = s.mrrAt(i, at);
                    if (mrr > 0) {
                        members[s.members[i]] += mrr;
                    }
                }
            }
            return members;
        });
    }

    private static Instant midnight(YearMonth month, ZoneId zone) {
        return month.atDay(1).atStartOfDay(zone).toInstant();
    }

    /** Member indices in the order of their ids. */
    private void sortByMemberId(List<Integer> members) {
        members.sort(Comparator.comparing(memberIds::get));
    }

    /** The waterfall of {@code month} in {@code zone}; a month not begun at the as-of instant is empty. */
    public Month month(YearMonth month, ZoneId zone) {
        Instant start = capped(midnight(month, zone));
        Instant end = capped(midnight(month.plusMonths(1), zone));
        long[] before = byMember(start);
        long[] after = byMember(end);
        Map<Kind, Long> sums = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            sums.put(kind, 0L);
        }
        List<Integer> changed = new ArrayList<>();
        int atStart = 0;
        for (int member = 0; member < before.length; member++) {
            if (before[member] != after[member]) {
                changed.add(member);
            }
            if (before[member] > 0) {
                atStart++;
            }
        }
        sortByMemberId(changed);
        List<Movement> moved = new ArrayList<>(changed.size());
        int churned = 0;
        for (int member : changed) {
            long from = before[member];
            long to = after[member];
            Kind kind;
            if (from == 0) {
                kind = firstKnown.get(member).isBefore(start) ? Kind.REACTIVATION : Kind.NEW;
            } else if (to == 0) {
                kind = Kind.CHURN;
                churned++;
            } else {
                kind = to > from ? Kind.EXPANSION : Kind.CONTRACTION;
            }
            Movement movement = new Movement(memberIds.get(member), kind, from, to);
            moved.add(movement);
            sums.merge(kind, movement.amount(), Long::sum);
        }
        return new Month(month, start, end, sum(before), sum(after), sums, moved, atStart, churned);
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
        Map<YearMonth, List<Integer>> members = new TreeMap<>();
        for (int member = 0; member < firstKnown.size(); member++) {
            Instant known = firstKnown.get(member);
            if (known == null) {
                continue;
            }
            YearMonth month = YearMonth.from(known.atZone(zone));
            if (!month.isBefore(from) && !month.isAfter(to)) {
                members.computeIfAbsent(month, k -> new ArrayList<>()).add(member);
            }
        }
        List<Cohort> cohorts = new ArrayList<>();
        members.forEach((month, list) -> {
            sortByMemberId(list);
            List<Retained> retained = new ArrayList<>();
            for (YearMonth m = month; !m.isAfter(to); m = m.plusMonths(1)) {
                long[] paying = byMember(midnight(m.plusMonths(1), zone));
                int count = 0;
                long mrr = 0;
                for (int member : list) {
                    long v = paying[member];
                    if (v > 0) {
                        count++;
                        mrr += v;
                    }
                }
                retained.add(new Retained(m, count, mrr));
            }
            cohorts.add(new Cohort(month, list.stream().map(memberIds::get).toList(), retained));
        });
        return cohorts;
    }

    /** Subscriptions running at the as-of instant that end, or whose commitment ends, within {@code days}. */
    public List<Renewal> renewals(int days, java.util.function.Function<String, ZoneId> siteZone) {
        Instant until = asOf.plus(java.time.Duration.ofDays(days));
        List<Renewal> out = new ArrayList<>();
        for (Subscription s : subscriptions) {
            int i = s.at(asOf);
            if (i < 0 || !s.revisions[i].runsAt(asOf)) {
                continue;
            }
            Revision r = s.revisions[i];
            long mrr = s.mrrAt(i, asOf);
            Instant end = r.endsAt().orElse(null);
            if (end != null && end.isAfter(asOf) && !end.isAfter(until)) {
                out.add(new Renewal(r, "ends", end, mrr));
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

    private static long sum(long[] values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }
}
