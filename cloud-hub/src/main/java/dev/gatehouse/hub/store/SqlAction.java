package dev.gatehouse.hub.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on one connection that answers nothing: {@link Database#run} runs it in a write transaction. */
@FunctionalInterface
public interface SqlAction {
    void run(Connection connection) throws SQLException;
}
