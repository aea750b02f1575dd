package dev.gatehouse.hub.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * SQL assembled from optional parts, each part with its own parameters, so that text and values
 * never drift apart:
 *
 * <pre>{@code
 * Query query = new Query("SELECT " + COLUMNS + " FROM credentials WHERE tenant_id = ?", tenantId)
 *         .and("member_id = ?", memberId)
 *         .andIf(status, "status = ?");
 * Keyset.BY_ID.page(query, paging.after(), paging.limit());
 * List<CredentialView> rows = Sql.list(c, query, CredentialStore::view);
 * }</pre>
 */
public final class Query {
    private final StringBuilder sql;
    private final List<Object> params = new ArrayList<>();

    public Query(String sql, Object... params) {
        this.sql = new StringBuilder(sql);
        Collections.addAll(this.params, params);
    }

    /** Appends {@code text} as it is (mind the leading space) and its parameters. */
    public Query append(String text, Object... values) {
        sql.append(text);
        Collections.addAll(params, values);
        return this;
    }

    /** Appends {@code " AND " + condition} and its parameters. */
    public Query and(String condition, Object... values) {
        return append(" AND " + condition, values);
    }

    /** Appends {@code " AND " + condition} with {@code value} as its one parameter, when there is a value. */
    public Query andIf(Optional<?> value, String condition) {
        return value.isPresent() ? and(condition, value.get()) : this;
    }

    public String sql() {
        return sql.toString();
    }

    public List<Object> params() {
        return Collections.unmodifiableList(new ArrayList<>(params)); // NULL parameters allowed
    }
}
