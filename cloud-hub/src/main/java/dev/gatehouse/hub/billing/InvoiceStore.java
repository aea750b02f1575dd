package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Issues invoices and credit notes from a member's uninvoiced charges, in one transaction each: the
 * series' next number, the document, its lines and the charges' link to it commit together, so a
 * number is never skipped or used twice, and a charge is on exactly one line.
 */
public record InvoiceStore(Database database, Clock clock) {
    private static final String COLUMNS = "id, member_id, kind, series, number, currency, subtotal, tax_name,"
            + " tax_rate_bp, tax, total, issued_at, due_at";

    /** The payment terms until a tenant sets its own. */
    public static final int DEFAULT_TERMS_DAYS = 14;

    /** The tenant's tax: its name on documents and its rate in basis points (1900 is 19 %). */
    public record Tax(String name, int rateBasisPoints) {}

    /** Issues the member's uninvoiced charges: an invoice when they net at or above zero, else a credit note. */
    public StoreResult<Invoice> issue(String tenantId, String memberId) {
        Instant now = clock.instant();
        return database.write(c -> issue(c, tenantId, memberId, now));
    }

    /** {@link #issue(String, String)} in the caller's transaction. */
    static StoreResult<Invoice> issue(Connection c, String tenantId, String memberId, Instant now) throws SQLException {
        if (!MemberStore.lock(c, tenantId, memberId)) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        List<Charge> open = Sql.list(
                c,
                "SELECT id, description, amount, currency FROM billing_charges"
                        + " WHERE tenant_id = ? AND member_id = ? AND invoice_id IS NULL ORDER BY ordinal",
                row -> new Charge(
                        row.getString(1),
                        memberId,
                        Optional.empty(),
                        Charge.Kind.PERIOD,
                        row.getString(2),
                        row.getLong(3),
                        row.getString(4),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        ""),
                tenantId,
                memberId);
        if (open.isEmpty()) {
            return new StoreResult.Conflict<>("member " + memberId + " has no uninvoiced charges");
        }
        List<String> currencies = open.stream().map(Charge::currency).distinct().toList();
        if (currencies.size() > 1) {
            return new StoreResult.Conflict<>(
                    "the charges are in several currencies " + currencies + "; a document is in one");
        }
        long subtotal = open.stream().mapToLong(Charge::amount).sum();
        Invoice.Kind kind = subtotal >= 0 ? Invoice.Kind.INVOICE : Invoice.Kind.CREDIT_NOTE;
        String series = kind == Invoice.Kind.INVOICE ? "INV" : "CN";
        long number = next(c, tenantId, series);
        record Settings(Tax tax, int terms) {}
        Settings settings = Sql.one(
                        c,
                        "SELECT tax_name, tax_rate_bp, payment_terms_days FROM billing_settings WHERE tenant_id = ?",
                        row -> new Settings(new Tax(row.getString(1), row.getInt(2)), row.getInt(3)),
                        tenantId)
                .orElse(new Settings(new Tax("VAT", 0), DEFAULT_TERMS_DAYS));
        Tax tax = settings.tax();
        Instant due = now.plus(java.time.Duration.ofDays(settings.terms()));
        long taxAmount = Proration.share(Math.abs(subtotal), tax.rateBasisPoints(), 10_000) * Long.signum(subtotal);
        String id = HubIds.next("inv");
        Sql.update(
                c,
                "INSERT INTO invoices (" + COLUMNS + ", tenant_id) VALUES (" + "?, ".repeat(13) + "?)",
                id,
                memberId,
                kind,
                series,
                number,
                currencies.getFirst(),
                subtotal,
                tax.name(),
                tax.rateBasisPoints(),
                taxAmount,
                subtotal + taxAmount,
                now,
                due,
                tenantId);
        List<List<?>> lines = new ArrayList<>();
        for (int i = 0; i < open.size(); i++) {
            Charge charge = open.get(i);
            lines.add(List.of(id, i + 1, charge.id(), charge.description(), charge.amount()));
        }
        Sql.batch(
                c,
                "INSERT INTO invoice_lines (invoice_id, line_no, charge_id, description, amount)"
                        + " VALUES (?, ?, ?, ?, ?)",
                lines);
        // The charges read above are this member's uninvoiced ones under its lock: all of them get the link.
        int linked = Sql.update(
                c,
                "UPDATE billing_charges SET invoice_id = ? WHERE tenant_id = ? AND member_id = ? AND invoice_id IS NULL",
                id,
                tenantId,
                memberId);
        if (linked != open.size()) {
            throw new IllegalStateException("member " + memberId + " had " + linked + " uninvoiced charges, not "
                    + open.size() + ": written beside the member's lock");
        }
        List<Invoice.Line> written = new ArrayList<>();
        for (int i = 0; i < open.size(); i++) {
            written.add(new Invoice.Line(
                    i + 1,
                    open.get(i).id(),
                    open.get(i).description(),
                    open.get(i).amount()));
        }
        Invoice invoice = new Invoice(
                id,
                memberId,
                kind,
                series,
                number,
                currencies.getFirst(),
                subtotal,
                tax.name(),
                tax.rateBasisPoints(),
                taxAmount,
                subtotal + taxAmount,
                Instant.ofEpochMilli(now.toEpochMilli()),
                Instant.ofEpochMilli(due.toEpochMilli()),
                written);
        // Issued invoices never change: the event needs no version.
        Outbox.emit(c, tenantId, EventType.INVOICE_ISSUED, id, InvoiceService.json(invoice), now);
        return StoreResult.found(invoice);
    }

    public Optional<Invoice> find(String tenantId, String invoiceId) {
        return database.read(c -> find(c, tenantId, invoiceId));
    }

    /** The tenant's documents, newest first; at most {@code limit}. */
    public List<Invoice> recent(String tenantId, int limit) {
        return database.read(c -> documents(
                c,
                tenantId,
                "SELECT id FROM invoices WHERE tenant_id = ? ORDER BY issued_at DESC, id DESC LIMIT ?",
                tenantId,
                limit));
    }

    /** The member's documents, newest first; NotFound for no such member. */
    public StoreResult<List<Invoice>> ofMember(String tenantId, String memberId) {
        return database.read(c -> {
            if (!Sql.exists(c, "SELECT 1 FROM members WHERE id = ? AND tenant_id = ?", memberId, tenantId)) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            return StoreResult.found(documents(
                    c,
                    tenantId,
                    "SELECT id FROM invoices WHERE tenant_id = ? AND member_id = ? ORDER BY issued_at DESC, id DESC",
                    tenantId,
                    memberId));
        });
    }

    /** The documents whose ids {@code sql} selects, in its order, with their lines. */
    private static List<Invoice> documents(Connection c, String tenantId, String sql, Object... args)
            throws SQLException {
        List<Invoice> documents = new ArrayList<>();
        for (String id : Sql.list(c, sql, Sql.STRING, args)) {
            find(c, tenantId, id).ifPresent(documents::add);
        }
        return List.copyOf(documents);
    }

    /** Who sells (the tenant's name) and who is billed (the member's name and e-mail), for the PDF. */
    public InvoicePdf.Parties parties(String tenantId, String memberId) {
        return database.read(c -> new InvoicePdf.Parties(
                Sql.one(c, "SELECT name FROM tenants WHERE id = ?", Sql.STRING, tenantId)
                        .orElseThrow(),
                Sql.one(
                                c,
                                "SELECT full_name FROM members WHERE id = ? AND tenant_id = ?",
                                Sql.STRING,
                                memberId,
                                tenantId)
                        .orElse(""),
                Sql.one(c, "SELECT email FROM members WHERE id = ? AND tenant_id = ?", Sql.STRING, memberId, tenantId)
                        .orElse("")));
    }

    /** The tenant's tax (VAT at 0 % until set). */
    public Tax tax(String tenantId) {
        return database.read(c -> tax(c, tenantId));
    }

    /** Sets the tenant's tax for documents issued from now; issued ones keep theirs. */
    public Tax setTax(String tenantId, Tax tax) {
        Instant now = clock.instant();
        return database.write(c -> {
            ensureSettings(c, tenantId, now);
            Sql.update(
                    c,
                    "UPDATE billing_settings SET tax_name = ?, tax_rate_bp = ?, updated_at = ? WHERE tenant_id = ?",
                    tax.name(),
                    tax.rateBasisPoints(),
                    now,
                    tenantId);
            return tax(c, tenantId);
        });
    }

    static Tax tax(Connection c, String tenantId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT tax_name, tax_rate_bp FROM billing_settings WHERE tenant_id = ?",
                        row -> new Tax(row.getString(1), row.getInt(2)),
                        tenantId)
                .orElse(new Tax("VAT", 0));
    }

    /** Makes the tenant's billing settings row (with the defaults) if it has none yet. */
    static void ensureSettings(Connection c, String tenantId, Instant now) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO billing_settings (tenant_id, currency, updated_at) VALUES (?, ?, ?)"
                        + " ON CONFLICT (tenant_id) DO NOTHING",
                tenantId,
                PackageStore.DEFAULT_CURRENCY,
                now);
    }

    /** The tenant's payment terms: an invoice is due this many days after it is issued (14 until set). */
    static int paymentTermsDays(Connection c, String tenantId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT payment_terms_days FROM billing_settings WHERE tenant_id = ?",
                        row -> row.getInt(1),
                        tenantId)
                .orElse(DEFAULT_TERMS_DAYS);
    }

    /** The series' next number, taken in the caller's transaction (on PostgreSQL the row stays locked). */
    private static long next(Connection c, String tenantId, String series) throws SQLException {
        // One statement makes the series or moves it on (and on PostgreSQL locks its row to the end).
        Sql.update(
                c,
                "INSERT INTO invoice_series (tenant_id, series, last_number) VALUES (?, ?, 1)"
                        + " ON CONFLICT (tenant_id, series) DO UPDATE SET last_number = invoice_series.last_number + 1",
                tenantId,
                series);
        return Sql.one(
                        c,
                        "SELECT last_number FROM invoice_series WHERE tenant_id = ? AND series = ?",
                        Sql.LONG,
                        tenantId,
                        series)
                .orElseThrow();
    }

    static Optional<Invoice> find(Connection c, String tenantId, String id) throws SQLException {
        Optional<Invoice> bare = Sql.byId(
                c,
                "invoices",
                COLUMNS,
                row -> new Invoice(
                        row.getString(1),
                        row.getString(2),
                        WireNames.of(Invoice.Kind.class, row.getString(3)),
                        row.getString(4),
                        row.getLong(5),
                        row.getString(6),
                        row.getLong(7),
                        row.getString(8),
                        row.getInt(9),
                        row.getLong(10),
                        row.getLong(11),
                        Instant.ofEpochMilli(row.getLong(12)),
                        Instant.ofEpochMilli(row.getLong(13)),
                        List.of()),
                tenantId,
                id);
        if (bare.isEmpty()) {
            return bare;
        }
        List<Invoice.Line> lines = Sql.list(
                c,
                "SELECT line_no, charge_id, description, amount FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no",
                row -> new Invoice.Line(row.getInt(1), row.getString(2), row.getString(3), row.getLong(4)),
                id);
        Invoice i = bare.get();
        return Optional.of(new Invoice(
                i.id(),
                i.memberId(),
                i.kind(),
                i.series(),
                i.number(),
                i.currency(),
                i.subtotal(),
                i.taxName(),
                i.taxRateBasisPoints(),
                i.tax(),
                i.total(),
                i.issuedAt(),
                i.dueAt(),
                lines));
    }
}
