package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Payments against invoices: each its own row, written once under a key unique in the tenant, so
 * that an invoice's open balance is always its total less the sum of its payments and no retry
 * counts twice. Writes hold the invoice's member's row lock, so two payments of one member never
 * read the same balance.
 */
public record PaymentStore(Database database, Clock clock) {
    private static final String COLUMNS = "id, invoice_id, member_id, provider, method, amount, currency, reference,"
            + " idempotency_key, recorded_at, recorded_by";
    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    /** An invoice with what has been paid on it: {@code open = invoice.total - paid}. */
    public record Balance(Invoice invoice, List<Payment> payments, long paid, long open) {
        public Balance {
            payments = List.copyOf(payments);
        }
    }

    /** An invoice with an open balance, and how many whole days past its due date it is at {@code asOf}. */
    public record Unpaid(
            String invoiceId,
            String memberId,
            String number,
            String currency,
            long total,
            long open,
            Instant dueAt,
            long daysOverdue) {}

    /**
     * Records money an operator saw arrive. The key makes it once: the same key again answers the
     * payment already recorded ({@code replayed}), or a Conflict when it was for something else.
     * Refused, changing nothing: an unknown invoice (NotFound), a credit note or more than the open
     * balance (Conflict), another currency than the invoice's (Invalid).
     */
    public StoreResult<PaymentProvider.Collected> recordManual(
            String tenantId, String invoiceId, PaymentProvider.Request request) {
        Instant now = clock.instant();
        long amount = request.amount().orElseThrow();
        String key = "manual:" + request.idempotencyKey().orElseThrow();
        return database.write(c -> {
            Optional<Invoice> invoice = InvoiceStore.find(c, tenantId, invoiceId);
            if (invoice.isEmpty()) {
                return new StoreResult.NotFound<>("invoice", invoiceId);
            }
            MemberStore.lock(c, tenantId, invoice.get().memberId());
            Optional<Payment> earlier = byKey(c, tenantId, key);
            if (earlier.isPresent()) {
                Payment p = earlier.get();
                if (p.invoiceId().equals(invoiceId) && p.amount() == amount) {
                    return StoreResult.found(new PaymentProvider.Collected.Recorded(p, true));
                }
                return new StoreResult.Conflict<>(
                        "the idempotency key '" + request.idempotencyKey().get()
                                + "' was used for a payment of " + p.amount() + " on invoice " + p.invoiceId()
                                + "; send a new key for a new payment");
            }
            if (invoice.get().kind() == Invoice.Kind.CREDIT_NOTE) {
                return new StoreResult.Conflict<>(invoice.get().documentNumber()
                        + " is a credit note: it is money owed to the member, not a bill to pay");
            }
            String currency = request.currency().orElse(invoice.get().currency());
            if (!currency.equals(invoice.get().currency())) {
                return new StoreResult.Invalid<>(List.of(new FieldError(
                        "currency",
                        "is " + currency + " but " + invoice.get().documentNumber() + " is in "
                                + invoice.get().currency() + "; record the payment in the invoice's currency")));
            }
            long open = invoice.get().total() - paid(c, tenantId, invoiceId);
            if (amount > open) {
                return new StoreResult.Conflict<>("the payment of " + amount + " is more than the open balance of "
                        + open + " on " + invoice.get().documentNumber() + "; record at most " + open);
            }
            Payment payment = new Payment(
                    HubIds.next("pay"),
                    invoiceId,
                    invoice.get().memberId(),
                    Payment.Provider.MANUAL,
                    request.method(),
                    amount,
                    currency,
                    request.reference(),
                    key,
                    Instant.ofEpochMilli(now.toEpochMilli()),
                    request.requestedBy());
            insert(c, tenantId, payment);
            return StoreResult.found(new PaymentProvider.Collected.Recorded(payment, false));
        });
    }

    /**
     * Writes a payment a provider reports (money that moved: never refused for the balance), in the
     * caller's transaction, unless its key is recorded already; true when it was written. The member's
     * dunning follows at once ({@link Dunning#evaluate}).
     */
    static boolean recordReported(Connection c, String tenantId, Payment payment) throws SQLException {
        boolean written = Sql.update(
                        c,
                        "INSERT INTO payments (" + COLUMNS + ", tenant_id) VALUES (" + "?, ".repeat(11) + "?)"
                                + " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
                        payment.id(),
                        payment.invoiceId(),
                        payment.memberId(),
                        payment.provider(),
                        payment.method(),
                        payment.amount(),
                        payment.currency(),
                        payment.reference(),
                        payment.idempotencyKey(),
                        payment.recordedAt(),
                        payment.recordedBy(),
                        tenantId)
                == 1;
        if (written) {
            // Paying moves the member back (a refund may move them on) in the payment's transaction:
            // the doors hear of it with the next sync, not at the next run.
            Dunning.evaluate(c, tenantId, payment.memberId(), payment.recordedAt());
            Outbox.emit(
                    c,
                    tenantId,
                    EventType.PAYMENT_RECORDED,
                    payment.id(),
                    PaymentService.json(payment),
                    payment.recordedAt());
        }
        return written;
    }

    private static void insert(Connection c, String tenantId, Payment payment) throws SQLException {
        if (!recordReported(c, tenantId, payment)) {
            throw new IllegalStateException("payment key " + payment.idempotencyKey() + " written beside the lock");
        }
    }

    /** The invoice, its payments in the order recorded, and its open balance. */
    public StoreResult<Balance> balance(String tenantId, String invoiceId) {
        return database.read(c -> balance(c, tenantId, invoiceId));
    }

    static StoreResult<Balance> balance(Connection c, String tenantId, String invoiceId) throws SQLException {
        Optional<Invoice> invoice = InvoiceStore.find(c, tenantId, invoiceId);
        if (invoice.isEmpty()) {
            return new StoreResult.NotFound<>("invoice", invoiceId);
        }
        List<Payment> payments = Sql.list(
                c,
                "SELECT " + COLUMNS + " FROM payments WHERE tenant_id = ? AND invoice_id = ? ORDER BY recorded_at, id",
                PaymentStore::payment,
                tenantId,
                invoiceId);
        long paid = payments.stream().mapToLong(Payment::amount).sum();
        return StoreResult.found(
                new Balance(invoice.get(), payments, paid, invoice.get().total() - paid));
    }

    /**
     * The tenant's invoices with an open balance at {@code asOf}, the longest overdue first: what
     * dunning reads. {@code daysOverdue} is the whole days from the due moment to {@code asOf}, 0
     * before it is due. Credit notes are never unpaid.
     */
    public List<Unpaid> unpaid(String tenantId, Instant asOf) {
        return database.read(c -> Sql.list(
                c,
                "SELECT i.id, i.member_id, i.series, i.number, i.currency, i.total,"
                        + " i.total - COALESCE((SELECT SUM(p.amount) FROM payments p"
                        + " WHERE p.tenant_id = i.tenant_id AND p.invoice_id = i.id), 0) AS open, i.due_at"
                        + " FROM invoices i WHERE i.tenant_id = ? AND i.kind = 'INVOICE' AND i.issued_at <= ?"
                        + " AND i.total > COALESCE((SELECT SUM(p.amount) FROM payments p"
                        + " WHERE p.tenant_id = i.tenant_id AND p.invoice_id = i.id), 0)"
                        + " ORDER BY i.due_at, i.series, i.number",
                row -> {
                    Instant due = Instant.ofEpochMilli(row.getLong(8));
                    long late = asOf.toEpochMilli() - due.toEpochMilli();
                    return new Unpaid(
                            row.getString(1),
                            row.getString(2),
                            row.getString(3) + "-" + String.format(java.util.Locale.ROOT, "%06d", row.getLong(4)),
                            row.getString(5),
                            row.getLong(6),
                            row.getLong(7),
                            due,
                            late <= 0 ? 0 : late / DAY_MS);
                },
                tenantId,
                asOf));
    }

    /** The tenant's payment terms in days. */
    public int terms(String tenantId) {
        return database.read(c -> InvoiceStore.paymentTermsDays(c, tenantId));
    }

    /** Sets the payment terms for invoices issued from now; issued ones keep their due date. */
    public int setTerms(String tenantId, int days) {
        Instant now = clock.instant();
        return database.write(c -> {
            InvoiceStore.ensureSettings(c, tenantId, now);
            Sql.update(
                    c,
                    "UPDATE billing_settings SET payment_terms_days = ?, updated_at = ? WHERE tenant_id = ?",
                    days,
                    now,
                    tenantId);
            return InvoiceStore.paymentTermsDays(c, tenantId);
        });
    }

    static long paid(Connection c, String tenantId, String invoiceId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE tenant_id = ? AND invoice_id = ?",
                        Sql.LONG,
                        tenantId,
                        invoiceId)
                .orElse(0L);
    }

    private static Optional<Payment> byKey(Connection c, String tenantId, String key) throws SQLException {
        return Sql.one(
                c,
                "SELECT " + COLUMNS + " FROM payments WHERE tenant_id = ? AND idempotency_key = ?",
                PaymentStore::payment,
                tenantId,
                key);
    }

    private static Payment payment(java.sql.ResultSet row) throws SQLException {
        return new Payment(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                Payment.Provider.valueOf(row.getString(4)),
                row.getString(5),
                row.getLong(6),
                row.getString(7),
                row.getString(8),
                row.getString(9),
                Instant.ofEpochMilli(row.getLong(10)),
                row.getString(11));
    }
}
