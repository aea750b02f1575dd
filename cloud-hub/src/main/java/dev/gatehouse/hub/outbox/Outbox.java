package dev.gatehouse.hub.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.web.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The hub's transactional outbox of domain events. A store calls {@link #emit} inside the write
 * transaction of the change the event describes, so the event exists exactly when the change does
 * (rolled back together, committed together). Each tenant's events are numbered without gaps:
 * {@code outbox_heads} is bumped in the same transaction, which holds that tenant's head row until it
 * commits (PostgreSQL row lock; SQLite's single writer), so seq order is commit order and a consumer
 * reading behind its cursor never skips an event that commits late.
 *
 * <p>The payload follows the Standard Webhooks convention: {@code {"type", "timestamp", "data"}}, and
 * {@code data} carries {@code entityVersion} where the entity has one.
 */
public final class Outbox {
    /** The API's JSON: payloads show records exactly as the API does (ISO times, no nulls). */
    private static final ObjectMapper MAPPER = Json.MAPPER;

    private final Database database;

    public Outbox(Database database) {
        this.database = database;
    }

    /**
     * Writes one event in the caller's transaction and answers its id. {@code data} is anything
     * Jackson writes as a JSON object (a record, a map); {@code entityVersion} is the entity's
     * version after the change (its history seq, its update counter), empty when it has none.
     */
    public static String emit(
            Connection c,
            String tenantId,
            EventType type,
            Optional<String> entityId,
            OptionalLong entityVersion,
            Object data,
            Instant now)
            throws SQLException {
        Sql.update(
                c,
                "INSERT INTO outbox_heads (tenant_id, seq) VALUES (?, 1)"
                        + " ON CONFLICT (tenant_id) DO UPDATE SET seq = outbox_heads.seq + 1",
                tenantId);
        long seq = Sql.one(c, "SELECT seq FROM outbox_heads WHERE tenant_id = ?", Sql.LONG, tenantId)
                .orElseThrow();
        String id = HubIds.next("msg");
        ObjectNode body = MAPPER.createObjectNode();
        body.put("type", type.wire());
        body.put("timestamp", now.toString());
        ObjectNode payloadData = MAPPER.valueToTree(data);
        if (entityVersion.isPresent()) {
            payloadData.put("entityVersion", entityVersion.getAsLong());
        }
        body.set("data", payloadData);
        String payload;
        try {
            payload = MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the " + type.wire() + " event as JSON", e);
        }
        Sql.update(
                c,
                "INSERT INTO outbox_events (tenant_id, seq, id, type, entity_id, entity_version, payload, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                tenantId,
                seq,
                id,
                type.wire(),
                entityId,
                entityVersion.isPresent() ? entityVersion.getAsLong() : null,
                payload,
                now);
        Database.noteOutbox(c);
        return id;
    }

    /**
     * {@link #emit} for an entity that keeps no version of its own: its version is one more than its
     * last event's, counted in the outbox inside the change's transaction (which holds the entity's
     * row), so each event of the entity carries a higher version than the one before.
     */
    public static String emitNext(
            Connection c, String tenantId, EventType type, String entityId, Object data, Instant now)
            throws SQLException {
        long version = Sql.one(
                        c,
                        "SELECT COALESCE(MAX(entity_version), 0) FROM outbox_events WHERE tenant_id = ? AND entity_id = ?",
                        Sql.LONG,
                        tenantId,
                        entityId)
                .orElse(0L);
        return emit(c, tenantId, type, Optional.of(entityId), OptionalLong.of(version + 1), data, now);
    }

    /** {@link #emit} for an event about an entity without a version. */
    public static String emit(Connection c, String tenantId, EventType type, String entityId, Object data, Instant now)
            throws SQLException {
        return emit(c, tenantId, type, Optional.of(entityId), OptionalLong.empty(), data, now);
    }

    private record Behind(String tenantId, long cursor) {}

    /**
     * Hands {@code consumer} the events behind its cursor, at most {@code limit} per tenant, one
     * transaction per tenant; answers how many it took. When two hub replicas drain at once, the
     * cursor's compare-and-set lets one of them win and rolls the other back.
     */
    public int drain(OutboxConsumer consumer, int limit) {
        List<Behind> behind = database.read(c -> Sql.list(
                c,
                "SELECT h.tenant_id, COALESCE(k.seq, 0) FROM outbox_heads h LEFT JOIN outbox_cursors k"
                        + " ON k.tenant_id = h.tenant_id AND k.consumer = ? WHERE h.seq > COALESCE(k.seq, 0)",
                row -> new Behind(row.getString(1), row.getLong(2)),
                consumer.name()));
        int taken = 0;
        for (Behind tenant : behind) {
            taken += database.write(c -> {
                List<OutboxEvent> events = after(c, tenant.tenantId(), tenant.cursor(), limit);
                if (events.isEmpty()) {
                    return 0;
                }
                long last = events.getLast().seq();
                int moved = tenant.cursor() == 0
                        ? Sql.update(
                                c,
                                "INSERT INTO outbox_cursors (consumer, tenant_id, seq) VALUES (?, ?, ?)"
                                        + " ON CONFLICT (consumer, tenant_id) DO NOTHING",
                                consumer.name(),
                                tenant.tenantId(),
                                last)
                        : Sql.update(
                                c,
                                "UPDATE outbox_cursors SET seq = ? WHERE consumer = ? AND tenant_id = ? AND seq = ?",
                                last,
                                consumer.name(),
                                tenant.tenantId(),
                                tenant.cursor());
                if (moved != 1) {
                    return 0; // another replica took these events first
                }
                consumer.accept(c, events);
                return events.size();
            });
        }
        return taken;
    }

    /** The tenant's events after {@code afterSeq}, oldest first, at most {@code limit}: for tests and tools. */
    public List<OutboxEvent> events(String tenantId, long afterSeq, int limit) {
        return database.read(c -> after(c, tenantId, afterSeq, limit));
    }

    private static List<OutboxEvent> after(Connection c, String tenantId, long afterSeq, int limit)
            throws SQLException {
        return Sql.list(
                c,
                "SELECT tenant_id, seq, id, type, entity_id, entity_version, payload, created_at"
                        + " FROM outbox_events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                Outbox::event,
                tenantId,
                afterSeq,
                limit);
    }

    private static OutboxEvent event(ResultSet row) throws SQLException {
        long version = row.getLong(6);
        OptionalLong entityVersion = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(version);
        return new OutboxEvent(
                row.getString(1),
                row.getLong(2),
                row.getString(3),
                row.getString(4),
                Optional.ofNullable(row.getString(5)),
                entityVersion,
                row.getString(7),
                Instant.ofEpochMilli(row.getLong(8)));
    }
}
