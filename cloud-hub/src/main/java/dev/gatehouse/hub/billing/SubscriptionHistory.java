package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Appends the subscription's row as it now is to {@code subscription_history} (V36), in the writer's
 * transaction, after every write that changes what it bills: sale, package change, cancellation, pause
 * and its end. Analytics reads MRR at any instant from these revisions.
 */
final class SubscriptionHistory {
    private SubscriptionHistory() {}

    static void record(Connection c, String tenantId, String subscriptionId, Instant now) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO subscription_history (tenant_id, subscription_id, revision, member_id, site_id,"
                        + " package_id, package_kind, seats, price, currency, billing_interval, status, started_at,"
                        + " ends_at, committed_until, paused_from, paused_until, recorded_at)"
                        + " SELECT s.tenant_id, s.id, (SELECT COALESCE(MAX(h.revision), 0) + 1 FROM"
                        + " subscription_history h WHERE h.subscription_id = s.id), s.member_id, s.site_id,"
                        + " s.package_id, p.kind, p.seats, s.price, s.currency, s.billing_interval, s.status,"
                        + " s.started_at, s.ends_at, s.committed_until, s.paused_from, s.paused_until, ?"
                        + " FROM subscriptions s JOIN packages p ON p.id = s.package_id"
                        + " WHERE s.id = ? AND s.tenant_id = ?",
                now,
                subscriptionId,
                tenantId);
    }
}
