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
        return emitAll(c, tenantId, List.of(new Pending(type, entityId, entityVersion, data)), now)
                .getFirst();
    }

    /** An event for {@link #emitAll}: what {@link #emit} takes, without the connection and tenant. */
    public record Pending(EventType type, Optional<String> entityId, OptionalLong entityVersion, Object data) {}

    /**
     * Writes the tenant's events in the caller's transaction, in the order given, and answers their
     * ids: one bump of the tenant's head for all of them and one batched insert, so a batch of edge
     * events costs two statements here rather than three per event.
     */
    public static List<String> emitAll(Connection c, String tenantId, List<Pending> events, Instant now)
            throws SQLException {
        if (events.isEmpty()) {
            return List.of();
        }
        Sql.update(
                c,
                "INSERT INTO outbox_heads (tenant_id, seq) VALUES (?, ?)"
                        + " ON CONFLICT (tenant_id) DO UPDATE SET seq = outbox_heads.seq + excluded.seq",
                tenantId,
                (long) events.size());
        long last = Sql.one(c, "SELECT seq FROM outbox_heads WHERE tenant_id = ?", Sql.LONG, tenantId)
                .orElseThrow();
        long seq = last - events.size();
        List<String> ids = new java.util.ArrayList<>(events.size());
        List<List<Object>> rows = new java.util.ArrayList<>(events.size());
        for (Pending event : events) {
            String id = HubIds.next("msg");
            ids.add(id);
            rows.add(java.util.Arrays.asList(
                    tenantId,
                    ++seq,
                    id,
                    event.type().wire(),
                    event.entityId(),
                    event.entityVersion().isPresent() ? event.entityVersion().getAsLong() : null,
                    payload(event, now),
                    now));
        }
        Sql.batch(
                c,
                "INSERT INTO outbox_events (tenant_id, seq, id, type, entity_id, entity_version, payload, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows);
        Database.noteOutbox(c);
        return ids;
    }

    /** The Standard Webhooks body: {@code {"type", "timestamp", "data"}} with the version in {@code data}. */
    private static String payload(Pending event, Instant now) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("type", event.type().wire());
        body.put("timestamp", now.toString());
        ObjectNode payloadData = MAPPER.valueToTree(event.data());
        if (event.entityVersion().isPresent()) {
            payloadData.put("entityVersion", event.entityVersion().getAsLong());
        }
        body.set("data", payloadData);
        try {
            return MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot write the " + event.type().wire() + " event as JSON", e);
        }
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
