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

    private final Database database;
    private final SubscriptionStore subscriptions;
    private final InvoiceStore invoices;
    private ScheduledExecutorService executor;

    /** What one run did. */
    public record Result(int charged, List<Invoice> issued) {
        public Result {
            issued = List.copyOf(issued);
        }
    }

    public BillingRun(Database database, SubscriptionStore subscriptions, InvoiceStore invoices) {
        this.database = database;
        this.subscriptions = subscriptions;
        this.invoices = invoices;
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
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "the billing run failed; it runs again in " + INTERVAL, e);
                    }
                },
                60_000,
                INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** One run, for one tenant or all. */
    public Result run(Optional<String> tenantId) {
        int charged = 0;
        for (SubscriptionStore.Due due : subscriptions.running(tenantId)) {
            charged += subscriptions
                    .chargeDue(due.tenantId(), due.subscriptionId())
                    .size();
        }
        List<Invoice> issued = new ArrayList<>();
        List<String[]> owing = database.read(c -> Sql.list(
                c,
                // Members in the order they joined, then by e-mail: the same books give the same numbers.
                "SELECT m.tenant_id, m.id FROM members m WHERE (m.tenant_id = ? OR ?) AND EXISTS (SELECT 1 FROM"
                        + " billing_charges bc WHERE bc.tenant_id = m.tenant_id AND bc.member_id = m.id"
                        + " AND bc.invoice_id IS NULL) ORDER BY m.tenant_id, m.created_at, m.email, m.id",
                row -> new String[] {row.getString(1), row.getString(2)},
                tenantId.orElse(""),
                tenantId.isEmpty()));
        for (String[] member : owing) {
            // Conflict: another run issued them meanwhile.
            if (invoices.issue(member[0], member[1]) instanceof StoreResult.Found<Invoice> found) {
                issued.add(found.value());
            }
        }
        return new Result(charged, issued);
    }

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
