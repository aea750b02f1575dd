package dev.gatehouse.hub.analytics;

import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tenants' subscription revisions as last read, so that a revenue page need not read and map every
 * row of the ledger on each request. Each use first asks the store how many revisions the tenant has and
 * when the latest was recorded (one indexed aggregate, V36's {@code (tenant_id, recorded_at)}); the kept
 * rows are used only when both are what they were when the rows were read, else the rows are read again.
 * {@code subscription_history} is append-only (V36: a revision is never changed or deleted), so an equal
 * count means no row was added: the kept rows are exactly what a read would give now. Nothing depends on
 * it being in memory: a hub that has none (another replica, a restart) reads the rows, as before.
 *
 * <p>At most {@link #MAX_ROWS} revisions (by default) are kept over all tenants, the least recently used given up
 * first; a larger tenant is read on every request.
 */
public final class LedgerCache {
    /** How many revisions are kept at most, over all tenants (about 600 bytes each). */
    public static final int MAX_ROWS = 100_000;

    static final String LEDGER_SQL = "SELECT subscription_id, revision, member_id, site_id, package_id,"
            + " package_kind, seats, price, currency, billing_interval, status, started_at, ends_at,"
            + " committed_until, paused_from, paused_until, recorded_at FROM subscription_history"
            + " WHERE tenant_id = ?";

    static final String STATE_SQL = "SELECT COUNT(*), MAX(recorded_at) FROM subscription_history WHERE tenant_id = ?";

    /** What identifies a tenant's ledger: how many revisions it has and the latest recorded_at (0 when none). */
    private record State(long count, long latest) {
        static State of(List<Revision> revisions) {
            long latest = 0;
            boolean any = false;
            for (Revision r : revisions) {
                long recorded = r.recordedAt().toEpochMilli();
                latest = any ? Math.max(latest, recorded) : recorded;
                any = true;
            }
            return new State(revisions.size(), latest);
        }
    }

    private record Kept(State state, List<Revision> revisions) {}

    private final Map<String, Kept> byTenant = new LinkedHashMap<>(16, 0.75f, true);
    private final int maxRows;
    private int rows;

    public LedgerCache() {
        this(MAX_ROWS);
    }

    /** Keeping at most {@code maxRows} revisions over all tenants. */
    LedgerCache(int maxRows) {
        this.maxRows = maxRows;
    }

    /** Every revision of the tenant's, as the store has them now (kept, or read). */
    List<Revision> revisions(Connection c, String tenantId) throws SQLException {
        State now = Sql.one(c, STATE_SQL, r -> new State(r.getLong(1), r.getLong(2)), tenantId)
                .orElseThrow();
        Kept kept;
        synchronized (this) {
            kept = byTenant.get(tenantId);
        }
        if (kept != null && kept.state().equals(now)) {
            return kept.revisions();
        }
        List<Revision> read = List.copyOf(Sql.list(c, LEDGER_SQL, AnalyticsStore::revision, tenantId));
        keep(tenantId, new Kept(State.of(read), read));
        return read;
    }

    private synchronized void keep(String tenantId, Kept kept) {
        Kept old = byTenant.remove(tenantId);
        if (old != null) {
            rows -= old.revisions().size();
        }
        if (kept.revisions().size() > maxRows) {
            return;
        }
        byTenant.put(tenantId, kept);
        rows += kept.revisions().size();
        for (Iterator<Kept> it = byTenant.values().iterator(); rows > maxRows && it.hasNext(); ) {
            Kept eldest = it.next();
            rows -= eldest.revisions().size();
            it.remove();
        }
    }
}
