package dev.gatehouse.hub.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on one connection, inside a transaction or a read. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
