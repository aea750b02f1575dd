package dev.gatehouse.hub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The hub's JDBC in a handful of calls: each prepares one statement, binds its parameters once, runs
 * it and closes it. Work inside {@link Database#read}, {@link Database#write} or {@link Database#run}
 * and pass their connection:
 *
 * <pre>{@code
 * Optional<MemberView> member = Sql.one(c, "SELECT " + COLUMNS + " FROM members WHERE email = ? AND tenant_id = ?",
 *         MemberStore::view, email, tenantId);
 * Optional<MemberView> same = Sql.byId(c, "members", COLUMNS, MemberStore::view, tenantId, memberId);
 * int changed = Sql.update(c, "UPDATE members SET status = ? WHERE id = ?", MemberStatus.CANCELLED, memberId);
 * }</pre>
 *
 * <p>Parameters bind by their type (see {@link #bind}); a query assembled from optional filters is a
 * {@link Query}. What the kit cannot express (a statement reused across many executions with
 * per-row checks, a multi-row INSERT of a computed width, EXPLAIN) stays plain JDBC, in the store.
 */
public final class Sql {
    /** The first column as text. */
    public static final RowMapper<String> STRING = row -> row.getString(1);
    /** The first column as a number (0 for SQL NULL). */
    public static final RowMapper<Long> LONG = row -> row.getLong(1);

    private Sql() {}

    /** Every row of the query, mapped, in the order the query gives. */
    public static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, params);
            try (ResultSet rows = statement.executeQuery()) {
                List<T> items = new ArrayList<>();
                while (rows.next()) {
                    items.add(mapper.map(rows));
                }
                return items;
            }
        }
    }

    public static <T> List<T> list(Connection c, Query query, RowMapper<T> mapper) throws SQLException {
        return list(c, query.sql(), mapper, query.params().toArray());
    }

    /** The first row of the query, mapped, or empty when there is none (use it for at-most-one-row queries). */
    public static <T> Optional<T> one(Connection c, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, params);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(mapper.map(rows)) : Optional.empty();
            }
        }
    }

    public static <T> Optional<T> one(Connection c, Query query, RowMapper<T> mapper) throws SQLException {
        return one(c, query.sql(), mapper, query.params().toArray());
    }

    /**
     * The tenant's row {@code id} of {@code table}, its {@code columns} read by {@code mapper}; empty when the
     * tenant has no such row (another tenant's row is the same as none). Table and columns are the store's own
     * constants, never input.
     */
    public static <T> Optional<T> byId(
            Connection c, String table, String columns, RowMapper<T> mapper, String tenantId, String id)
            throws SQLException {
        return one(c, "SELECT " + columns + " FROM " + table + " WHERE id = ? AND tenant_id = ?", mapper, id, tenantId);
    }

    /** True when the query answers at least one row ({@code SELECT 1 FROM … WHERE …}). */
    public static boolean exists(Connection c, String sql, Object... params) throws SQLException {
        return one(c, sql, row -> Boolean.TRUE, params).isPresent();
    }

    /** Runs an INSERT, UPDATE or DELETE; answers the number of rows it changed. */
    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, params);
            return statement.executeUpdate();
        }
    }

    /** Runs one statement once per parameter row, as one JDBC batch; answers nothing for no rows. */
    public static void batch(Connection c, String sql, List<? extends List<?>> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (List<?> row : rows) {
                bind(statement, row.toArray());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /**
     * Binds {@code params} to the statement's placeholders, in order: {@link String}, {@link Long},
     * {@link Integer}, {@link Boolean}, {@code byte[]} as themselves; an {@link Instant} as its epoch
     * milliseconds (the schema's time columns); an {@link Enum} by its Java name (the store keeps Java
     * names; the API shows {@link WireNames}); an {@link Optional} as its value or NULL; {@code null}
     * as NULL. Anything else is a programming error ({@link IllegalArgumentException}).
     */
    public static void bind(PreparedStatement statement, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            bindOne(statement, i + 1, params[i]);
        }
    }

    private static void bindOne(PreparedStatement statement, int index, Object value) throws SQLException {
        switch (value) {
            case null -> statement.setNull(index, Types.NULL);
            case Optional<?> optional -> bindOne(statement, index, optional.orElse(null));
            case String text -> statement.setString(index, text);
            case Long number -> statement.setLong(index, number);
            case Integer number -> statement.setInt(index, number);
            case Boolean flag -> statement.setBoolean(index, flag);
            case Instant instant -> statement.setLong(index, instant.toEpochMilli());
            case Enum<?> constant -> statement.setString(index, constant.name());
            case byte[] bytes -> statement.setBytes(index, bytes);
            default ->
                throw new IllegalArgumentException(
                        "cannot bind a " + value.getClass().getName() + " (parameter " + index + ")");
        }
    }

    /** A nullable epoch-milliseconds column as an instant. */
    public static Optional<Instant> instant(ResultSet row, int column) throws SQLException {
        long millis = row.getLong(column);
        return row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    /** {@code rows} groups of {@code columns} placeholders: {@code (?, ?), (?, ?)} for a multi-row VALUES. */
    public static String values(int columns, int rows) {
        String one = "(" + "?, ".repeat(columns - 1) + "?)";
        StringBuilder values = new StringBuilder(rows * (one.length() + 2));
        for (int i = 0; i < rows; i++) {
            if (i > 0) {
                values.append(", ");
            }
            values.append(one);
        }
        return values.toString();
    }
}
