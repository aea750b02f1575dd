package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the cache holds in memory of its last commit: the seq and hub time, and the site's
 * configuration decoded. Each write transaction that changed them reads them again before its
 * commit ({@link #beforeCommit}) and publishes them once the commit succeeded.
 */
final class CommittedState implements SqliteConnections.CommitHook {
    private static final Runnable NOTHING = () -> {};

    /**
     * The seq and hub-time high-water mark as of the last commit, held in memory: every decision reads
     * them (clock trust, offline time, key freshness), and only this cache's writer changes them.
     * The file belongs to one agent process; another process writing it would not be seen here.
     */
    record Meta(long seq, Optional<Instant> hubTime) {}

    /**
     * The site's configuration entities (the site, its doors, door groups and schedules): few, and
     * read by every decision, so they are held decoded in memory instead of read and JSON-decoded from
     * SQLite each time. Members, credentials, grants, bookings and passes stay in SQLite (a million
     * of them would not fit the agent's heap). {@code gen} is the {@code config_gen} meta row, which
     * every write transaction that changes a configuration entity raises, in that transaction: a
     * {@link CacheView} bound to one read transaction reads it in its own snapshot and uses this copy
     * only when the numbers match, so the copy can never be of another state than the view's other
     * lookups.
     */
    record Config(
            long gen,
            Optional<Site> site,
            Map<DoorId, Door> doors,
            Map<DoorGroupId, DoorGroup> doorGroups,
            Map<ScheduleId, Schedule> schedules) {}

    private final MetaStore metaStore;
    private final SqliteEntityRows rows;
    private volatile Meta meta = new Meta(0, Optional.empty());
    private final AtomicReference<Config> config =
            new AtomicReference<>(new Config(-1, Optional.empty(), Map.of(), Map.of(), Map.of()));

    CommittedState(MetaStore metaStore, SqliteEntityRows rows) {
        this.metaStore = metaStore;
        this.rows = rows;
    }

    Meta meta() {
        return meta;
    }

    Config config() {
        return config.get();
    }

    /** Reads the committed seq, hub time and configuration into memory (at open). */
    void loadCommitted(SqliteConnections connections) {
        connections.read("read the cache's state", session -> {
            session.prepare("BEGIN").execute();
            try {
                meta = new Meta(MetaStore.seqOf(session), metaStore.hubTimeOf(session));
                publish(loadConfig(session));
                return null;
            } finally {
                session.prepare("COMMIT").execute();
            }
        });
    }

    /** The configuration as stored in {@code session}'s current state. */
    Config loadConfig(SqliteSession session) throws SQLException {
        long gen = MetaStore.meta(session, "config_gen").map(Long::parseLong).orElse(0L);
        List<String> sites = SqliteEntityRows.jsonsOfKind(session, EntityKind.SITE);
        Optional<Site> site =
                sites.isEmpty() ? Optional.empty() : Optional.of(rows.decode(sites.getFirst(), Site.class));
        Map<DoorId, Door> doors = new HashMap<>();
        for (String json : SqliteEntityRows.jsonsOfKind(session, EntityKind.DOOR)) {
            Door door = rows.decode(json, Door.class);
            doors.put(door.id(), door);
        }
        Map<DoorGroupId, DoorGroup> groups = new HashMap<>();
        for (String json : SqliteEntityRows.jsonsOfKind(session, EntityKind.DOOR_GROUP)) {
            DoorGroup group = rows.decode(json, DoorGroup.class);
            groups.put(group.id(), group);
        }
        Map<ScheduleId, Schedule> schedules = new HashMap<>();
        for (String json : SqliteEntityRows.jsonsOfKind(session, EntityKind.SCHEDULE)) {
            Schedule schedule = rows.decode(json, Schedule.class);
            schedules.put(schedule.id(), schedule);
        }
        return new Config(gen, site, Map.copyOf(doors), Map.copyOf(groups), Map.copyOf(schedules));
    }

    /** Keeps {@code loaded} as the in-memory configuration unless a newer one is there already. */
    void publish(Config loaded) {
        config.accumulateAndGet(loaded, (current, next) -> next.gen() > current.gen() ? next : current);
    }

    static boolean isConfigKind(String kind) {
        return switch (kind) {
            case "site", "door", "door-group", "schedule" -> true;
            default -> false;
        };
    }

    /**
     * Raises {@code config_gen} and reads the configuration if the transaction changed it, and reads
     * the seq and hub time if it wrote a meta row, all inside the transaction; returns what publishes
     * them.
     */
    @Override
    public Runnable beforeCommit(SqliteSession writer) throws SQLException {
        Config newConfig = null;
        if (writer.changedConfig()) {
            long gen = MetaStore.meta(writer, "config_gen").map(Long::parseLong).orElse(0L);
            MetaStore.setMeta(writer, "config_gen", Long.toString(gen + 1));
            newConfig = loadConfig(writer); // read inside the transaction
        }
        Meta after = writer.wroteMeta() ? new Meta(MetaStore.seqOf(writer), metaStore.hubTimeOf(writer)) : null;
        if (after == null && newConfig == null) {
            return NOTHING;
        }
        Config published = newConfig;
        return () -> {
            if (after != null) {
                meta = after;
            }
            if (published != null) {
                publish(published);
            }
        };
    }
}
