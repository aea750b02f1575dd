package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * Revoking for good, as credentials and visitor passes share it: NotFound when the tenant has no such
 * row, the row unchanged when it is revoked already (revoking twice changes nothing), else its status
 * set to {@code revoked} and the change told to the edges by {@link Saved}.
 *
 * @param table the table, a constant of the store
 * @param what the thing's name in a NotFound ("credential", "visitor pass")
 * @param revoked the status that means revoked
 * @param view the tenant's row as its view, by id
 * @param status the view's status as the wire writes it
 */
record Revoking<V>(String table, String what, Enum<?> revoked, View<V> view, Function<V, String> status) {
    /** The tenant's row {@code id} as its view; empty when the tenant has none. */
    interface View<V> {
        Optional<V> find(Connection c, String tenantId, String id) throws SQLException;
    }

    /** After the status is written: append the change for the edges and answer the view as saved. */
    interface Saved<V> {
        StoreResult<V> after(Connection c, V before) throws SQLException;
    }

    StoreResult<V> revoke(Connection c, String tenantId, String id, Instant now, Saved<V> saved) throws SQLException {
        Optional<V> current = view.find(c, tenantId, id);
        if (current.isEmpty()) {
            return new StoreResult.NotFound<>(what, id);
        }
        if (status.apply(current.get()).equals(WireNames.wire(revoked))) {
            return StoreResult.found(current.get());
        }
        Sql.update(
                c,
                "UPDATE " + table + " SET status = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                revoked,
                now,
                id,
                tenantId);
        return saved.after(c, current.get());
    }
}
