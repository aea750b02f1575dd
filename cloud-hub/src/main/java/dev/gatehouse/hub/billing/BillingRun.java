package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The billing run: charges every subscription's periods that have begun (in its site's days) and
 * issues each member's uninvoiced charges as a document. Safe to run any number of times, on any
 * number of hub replicas at once: a period is charged once (its subscription's lock and its key),
 * a member's charges are issued once (the member's lock and the charges' link). The hub runs it every
 * {@link #INTERVAL}; finance may run it for its tenant at once ({@code POST /api/v1/billing/run}).
 */
public final class BillingRun implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BillingRun.class.getName());
    static final Duration INTERVAL = Duration.ofMinutes(5);
    /** Members per transaction. */
    static final int CHUNK = 50;

    private final Database database;
    private final SubscriptionStore subscriptions;
    private final Settlement settlement;

    /**
     * What else a member's part of the run settles in its transaction after its periods are charged:
     * package credits granted for the period and expired at its end ({@code credits.PackageAllowances},
     * wired by the hub: credits depends on billing, not the other way round).
     */
    @FunctionalInterface
    public interface Settlement {
        void settle(java.sql.Connection c, String tenantId, String memberId, java.time.Instant now)
                throws java.sql.SQLException;
    }

    private ScheduledExecutorService executor;

    /** What one run did. */
    public record Result(int charged, List<Invoice> issued) {
        public Result {
            issued = List.copyOf(issued);
        }
    }

    public BillingRun(Database database, SubscriptionStore subscriptions, Settlement settlement) {
        this.database = database;
        this.subscriptions = subscriptions;
        this.settlement = settlement;
    }

    /** Runs every {@link #INTERVAL}, the first a minute after start. */
    public synchronized BillingRun start() {
        executor = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().daemon().name("hub-billing-run").unstarted(task));
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        Result result = run(Optional.empty());
                        if (result.charged() > 0 || !result.issued().isEmpty()) {
                            LOG.info("billing run: " + result.charged() + " periods charged, "
                                    + result.issued().size() + " documents issued");
                        }
                        List<Dunning.Step> steps = Dunning.run(
                                database,
                                Optional.empty(),
                                subscriptions.clock().instant());
                        if (!steps.isEmpty()) {
                            LOG.info("dunning: " + steps.size() + " members moved");
                        }
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "the billing run failed; it runs again in " + INTERVAL, e);
                    }
                },
                60_000,
                INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * One run, for one tenant or all: per member one transaction that charges its subscriptions' due
     * periods and issues what it owes, so a member's charges and their document commit together.
     */
    public Result run(Optional<String> tenantId) {
        java.time.Instant now = subscriptions.clock().instant();
        // A period is due once its first day has come in its site's zone; no zone is more than a day
        // ahead of UTC, so this bound skips only subscriptions surely not due.
        String cutoff =
                now.atOffset(java.time.ZoneOffset.UTC).toLocalDate().plusDays(1).toString();
        List<String[]> members = database.read(c -> Sql.list(
                c,
                // Members in the order they joined, then by e-mail: the same books give the same numbers.
                "SELECT m.tenant_id, m.id FROM members m WHERE (m.tenant_id = ? OR ?) AND (EXISTS (SELECT 1 FROM"
                        + " subscriptions s WHERE s.tenant_id = m.tenant_id AND s.member_id = m.id AND s.status <> 'ENDED'"
                        + " AND s.charged_through <= ?) OR EXISTS (SELECT 1 FROM billing_charges bc WHERE"
                        + " bc.tenant_id = m.tenant_id AND bc.member_id = m.id AND bc.invoice_id IS NULL)"
                        // A package's credit grant whose period has ended and is not expired yet.
                        + " OR EXISTS (SELECT 1 FROM credit_ledger g WHERE g.tenant_id = m.tenant_id AND g.member_id"
                        + " = m.id AND g.kind = 'GRANT' AND g.expires_at <= ? AND NOT EXISTS (SELECT 1 FROM"
                        + " credit_ledger x WHERE x.subscription_id = g.subscription_id AND x.period = g.period AND"
                        + " x.resource_kind = g.resource_kind AND x.kind = 'EXPIRY')))"
                        + " ORDER BY m.tenant_id, m.created_at, m.email, m.id",
                row -> new String[] {row.getString(1), row.getString(2)},
                tenantId.orElse(""),
                tenantId.isEmpty(),
                cutoff,
                now));
        int charged = 0;
        List<Invoice> issued = new ArrayList<>();
        // Members in chunks of CHUNK per transaction (a commit each is what costs on SQLite), each
        // chunk short enough not to hold the writer from door events for long; a chunk that fails is
        // done again a member per transaction, so one member's problem stops only that member.
        for (int from = 0; from < members.size(); from += CHUNK) {
            List<String[]> chunk = members.subList(from, Math.min(members.size(), from + CHUNK));
            List<MemberRun> done;
            try {
                done = database.write(c -> {
                    List<MemberRun> runs = new ArrayList<>();
                    for (String[] member : chunk) {
                        runs.add(member(c, member[0], member[1], now, settlement));
                    }
                    return runs;
                });
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "billing run: a chunk of " + chunk.size() + " members failed; one by one", e);
                done = new ArrayList<>();
                for (String[] member : chunk) {
                    try {
                        done.add(database.write(c -> member(c, member[0], member[1], now, settlement)));
                    } catch (RuntimeException failed) {
                        LOG.log(
                                Level.WARNING,
                                "billing run: member " + member[1] + " of " + member[0] + " failed",
                                failed);
                    }
                }
            }
            for (MemberRun run : done) {
                charged += run.periods();
                run.document().ifPresent(issued::add);
            }
        }
        return new Result(charged, issued);
    }

    /** One member's part of a run, in the caller's transaction: its due periods, then its document. */
    private static MemberRun member(
            java.sql.Connection c, String tenantId, String memberId, java.time.Instant now, Settlement settlement)
            throws java.sql.SQLException {
        int periods = 0;
        for (String sub : Sql.list(
                c,
                "SELECT id FROM subscriptions WHERE tenant_id = ? AND member_id = ? AND status <> 'ENDED'"
                        + " ORDER BY created_at, id",
                Sql.STRING,
                tenantId,
                memberId)) {
            periods += SubscriptionStore.chargeDue(c, tenantId, sub, now).size();
        }
        // Package credits: this period granted, ended periods' leftovers expired, each once.
        settlement.settle(c, tenantId, memberId, now);
        // Conflict: nothing to issue (or another run issued it meanwhile).
        StoreResult<Invoice> document = InvoiceStore.issue(c, tenantId, memberId, now);
        return new MemberRun(
                periods,
                document instanceof StoreResult.Found<Invoice> found ? Optional.of(found.value()) : Optional.empty());
    }

    private record MemberRun(int periods, Optional<Invoice> document) {}

    @Override
    public synchronized void close() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
