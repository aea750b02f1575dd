package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.MessageType;
import dev.gatehouse.protocol.topic.Channel;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The events waiting for the hub's acknowledgement, oldest first, in the entitlement cache's file:
 * an event is written in the same transaction as whatever it records (see
 * {@link EdgeCache#inTransaction}), published in order, and deleted only when the hub
 * has acknowledged it, so an event is lost only if the storage is. Thread-safe, like the cache.
 */
public final class Outbox {
    private static final String SQL_INSERT = "INSERT INTO outbox (id, json, type) VALUES (?, ?, ?)";
    private static final String SQL_PEEK = "SELECT json FROM outbox ORDER BY position LIMIT ?";
    private static final String SQL_PEEK_WITHOUT =
            "SELECT json FROM outbox WHERE type IS NULL OR type NOT IN (%s)" + " ORDER BY position LIMIT ?";

    /**
     * The outbox's type of a kiosk sign-in that carries an agreement's signature or a Wi-Fi voucher
     * ({@link KioskEvent#carriesSupplies}): held from a hub that reads kiosk events but not those fields.
     */
    public static final String SIGNED_KIOSK_EVENT = MessageType.KIOSK_EVENT.wireName() + "+signed";

    private static final String SQL_DELETE = "DELETE FROM outbox WHERE id = ?";
    private static final String SQL_DEPTH = "SELECT count(*) FROM outbox";

    private final SqliteConnections connections;

    Outbox(SqliteConnections connections) {
        this.connections = connections;
    }

    /**
     * Appends an event ({@code event.access} or {@code event.door}) in its own transaction: one
     * {@code INSERT} in autocommit mode, encoded before the writer is taken. To commit it with a pass
     * use, use {@link EdgeCache.Transaction#append}.
     *
     * @throws CacheException {@code WRONG_MESSAGE} for a message that is not an event,
     *     {@code DUPLICATE_EVENT_ID} if an event with this id is already waiting
     */
    public void append(Envelope event) {
        Objects.requireNonNull(event, "event");
        requireEvent(event);
        String json = MessageCodec.encodeToString(event);
        connections.writeOne("append event " + event.id() + " to the outbox", session -> {
            try {
                insert(session, event.id(), json, type(event));
            } catch (SQLException e) {
                throw translateInsert(e, event, connections.file());
            }
            return null;
        });
    }

    /** Up to {@code max} waiting events, oldest first (nothing is removed). */
    public List<Envelope> peek(int max) {
        return peek(max, List.of());
    }

    /**
     * The type an event is kept under: its envelope's type, or {@link #SIGNED_KIOSK_EVENT} for a kiosk
     * sign-in carrying a signature or a voucher.
     */
    public static String type(Envelope event) {
        return event.payload() instanceof KioskEvent kiosk && kiosk.carriesSupplies()
                ? SIGNED_KIOSK_EVENT
                : event.type().wireName();
    }

    /**
     * Up to {@code max} waiting events, oldest first, leaving out those whose outbox type ({@link #type})
     * is one of {@code held} (kiosk events while the hub has not said it reads them): they stay, and the
     * others pass them.
     */
    public List<Envelope> peek(int max, Collection<String> held) {
        if (max < 0) {
            throw new CacheException(CacheError.INVALID_ARGUMENT, "peek needs a maximum of 0 or more, not " + max);
        }
        List<String> jsons = connections.read("read the outbox", session -> {
            PreparedStatement query;
            if (!held.isEmpty()) {
                List<String> types = List.copyOf(held);
                query = session.prepare(
                        SQL_PEEK_WITHOUT.formatted(String.join(", ", Collections.nCopies(types.size(), "?"))));
                for (int i = 0; i < types.size(); i++) {
                    query.setString(i + 1, types.get(i));
                }
                query.setInt(types.size() + 1, max);
            } else {
                query = session.prepare(SQL_PEEK);
                query.setInt(1, max);
            }
            List<String> found = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
            return found;
        });
        List<Envelope> events = new ArrayList<>(jsons.size());
        for (String json : jsons) {
            try {
                events.add(MessageCodec.decode(json));
            } catch (ProtocolException e) {
                throw new CacheException(
                        CacheError.CORRUPT,
                        "the outbox in " + connections.file() + " holds an event that cannot be read (" + e.getMessage()
                                + "); move the file aside to rebuild the cache",
                        e);
            }
        }
        return List.copyOf(events);
    }

    /**
     * Removes the acknowledged events, in one transaction; ids not in the outbox (already removed,
     * or never ours) are ignored.
     *
     * @return how many events were removed
     */
    public int acknowledge(Collection<String> ids) {
        Objects.requireNonNull(ids, "ids");
        List<String> copy = List.copyOf(ids);
        return connections.write("remove acknowledged events from the outbox", session -> {
            PreparedStatement delete = session.prepare(SQL_DELETE);
            int removed = 0;
            for (String id : copy) {
                delete.setString(1, id);
                removed += delete.executeUpdate();
            }
            return removed;
        });
    }

    /** How many events are waiting. */
    public long depth() {
        return connections.read("count the outbox", session -> {
            try (ResultSet rows = session.prepare(SQL_DEPTH).executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0L;
            }
        });
    }

    static void insert(SqliteSession session, Envelope event) throws SQLException {
        Objects.requireNonNull(event, "event");
        requireEvent(event);
        insert(session, event.id(), MessageCodec.encodeToString(event), type(event));
    }

    private static void insert(SqliteSession session, String id, String json, String type) throws SQLException {
        PreparedStatement insert = session.prepare(SQL_INSERT);
        insert.setString(1, id);
        insert.setString(2, json);
        insert.setString(3, type);
        insert.executeUpdate();
    }

    static CacheException translateInsert(SQLException e, Envelope event, Path file) {
        if (SqliteConnections.isConstraintViolation(e)) {
            return new CacheException(
                    CacheError.DUPLICATE_EVENT_ID,
                    "event " + event.id() + " is already in the outbox; every event needs a fresh unique id",
                    e);
        }
        return SqliteConnections.translate(e, "append event " + event.id() + " to the outbox", file);
    }

    private static void requireEvent(Envelope event) {
        if (event.type().channel() != Channel.EVENTS) {
            throw new CacheException(
                    CacheError.WRONG_MESSAGE,
                    "the outbox holds events (event.access, event.door, event.booking, event.kiosk), not "
                            + event.type().wireName() + " (" + event.id() + ")");
        }
    }
}
