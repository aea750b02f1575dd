package dev.gatehouse.hub.store;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Turns the current row of a {@link ResultSet} into a value; {@link Sql} moves the cursor, the mapper
 * only reads columns (by index, in the order of the query's SELECT list).
 */
@FunctionalInterface
public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
}
