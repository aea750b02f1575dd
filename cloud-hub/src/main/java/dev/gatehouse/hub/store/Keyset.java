package dev.gatehouse.hub.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The order of a keyset-paged list and its SQL: rows sorted by (key, id), ascending (creation order:
 * {@code ascending("created_at", "id")}) or descending (the access log: {@code descending("at",
 * "id")}), or by id alone ({@link #BY_ID}). A page asks for {@code limit + 1} rows after the {@link
 * Cursor}; {@link #page} cuts them and names the next cursor when there is one row more.
 *
 * <p>The bound is written {@code key >= ? AND (key > ? OR id > ?)} (descending: {@code <=}, {@code
 * <}): the first conjunct is an index range on SQLite and PostgreSQL, the second drops the rows of the
 * cursor's own key that were already served.
 */
public record Keyset(Optional<String> keyColumn, String idColumn, boolean descending) {
    /** Ascending by id alone (ids are random, so this is a stable order, not creation order). */
    public static final Keyset BY_ID = new Keyset(Optional.empty(), "id", false);

    public static Keyset ascending(String keyColumn, String idColumn) {
        return new Keyset(Optional.of(keyColumn), idColumn, false);
    }

    public static Keyset descending(String keyColumn, String idColumn) {
        return new Keyset(Optional.of(keyColumn), idColumn, true);
    }

    /**
     * Appends the bound after {@code after} (when present), the ORDER BY and {@code LIMIT limit + 1}
     * to {@code query}, which must end in a WHERE clause.
     */
    public Query page(Query query, Optional<Cursor> after, int limit) {
        String beyond = descending ? "<" : ">";
        String key = keyColumn.orElse("");
        after.ifPresent(cursor -> {
            if (keyColumn.isEmpty()) {
                query.and(idColumn + " " + beyond + " ?", cursor.id());
            } else {
                query.and(
                        key + " " + beyond + "= ? AND (" + key + " " + beyond + " ? OR " + idColumn + " " + beyond
                                + " ?)",
                        cursor.key(),
                        cursor.key(),
                        cursor.id());
            }
        });
        String direction = descending ? " DESC" : "";
        return query.append(
                " ORDER BY " + (keyColumn.isEmpty() ? "" : key + direction + ", ") + idColumn + direction + " LIMIT ?",
                limit + 1);
    }

    /**
     * Cuts {@code rows} (fetched with {@code limit + 1}) into a page: when there is a row more than
     * the limit, the page ends at the limit and its last row's {@code position} is the next cursor.
     */
    public static <T> Page<T> page(List<T> rows, int limit, Function<T, Cursor> position) {
        if (rows.size() <= limit) {
            return new Page<>(rows, Optional.empty());
        }
        List<T> items = rows.subList(0, limit);
        return new Page<>(items, Optional.of(position.apply(items.getLast()).encode()));
    }
}
