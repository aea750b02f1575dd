package dev.gatehouse.hub.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A reader of the outbox with its own cursor per tenant: the webhook fan-out is one, a connector
 * (accounting, CRM, chat) can be another. {@link Outbox#drain} hands it each tenant's next events in
 * order inside the transaction that moves its cursor past them, so what it writes in {@link #accept}
 * (delivery rows, sync jobs) commits exactly when the cursor does: each event is taken once.
 */
public interface OutboxConsumer {
    /** The cursor's name, unique among consumers ({@code webhooks}, {@code quickbooks}). */
    String name();

    /** Takes the events (one tenant's, in seq order) in the caller's transaction. */
    void accept(Connection c, List<OutboxEvent> events) throws SQLException;
}
