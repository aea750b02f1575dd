package dev.gatehouse.edge.cache;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Objects;

/**
 * The ids of commands executed ({@code command_seen}), each kept until its time has passed, so
 * that a replayed command is recognised. Thread-safe, like the cache.
 */
final class CommandIds {
    private final SqliteConnections connections;

    CommandIds(SqliteConnections connections) {
        this.connections = connections;
    }

    /**
     * Remembers that command {@code id} is being executed, until {@code keepUntil}; forgets ids whose
     * time has passed by {@code now}. Returns false, and changes nothing, when the id is already
     * remembered: a replay.
     */
    boolean remember(String id, Instant keepUntil, Instant now) {
        CacheArguments.requireId(id, "command id");
        Objects.requireNonNull(keepUntil, "keepUntil");
        Objects.requireNonNull(now, "now");
        return connections.write("remember command " + id, session -> {
            PreparedStatement prune = session.prepare("DELETE FROM command_seen WHERE keep_until < ?");
            prune.setString(1, now.toString());
            prune.executeUpdate();
            PreparedStatement insert = session.prepare(
                    "INSERT INTO command_seen (id, keep_until) VALUES (?, ?) ON CONFLICT (id) DO NOTHING");
            insert.setString(1, id);
            insert.setString(2, keepUntil.toString());
            return insert.executeUpdate() == 1;
        });
    }
}
