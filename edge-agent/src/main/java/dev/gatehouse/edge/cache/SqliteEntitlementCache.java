package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.SigningKey;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.policy.Entitlements;
import dev.gatehouse.protocol.sign.KeySet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The edge's entitlement cache: one site's entities, its applied sync {@code seq}, the hub-time
 * high-water mark, single-use pass consumption and the event {@link Outbox}, all in one SQLite file
 * in WAL mode, so that an entity change and its seq, or an event and a pass use, commit together.
 *
 * <h2>Storage</h2>
 *
 * One {@code entity} table keyed by {@code (kind, key)} holds every entity as the protocol's entity
 * JSON ({@link MessageCodec#encodeEntity}); lookups decode it. Two lookup tables, kept by triggers
 * on {@code entity}, serve the hot lookups: {@code entity_card} (the 32 bytes of an NFC credential's
 * card hash, its primary key, so a card is enrolled once) and {@code entity_member}
 * ({@code (member, kind, key)}, a member's grants and bookings in id order). They are tables rather
 * than indexes so that a snapshot install can fill each in its own key order (see {@link #offer}).
 * Every lookup of
 * {@link Entitlements} is a point read or a short index range (see {@code CacheIndexTest}). Within
 * a {@link #reading} view, the few configuration entities (site, doors, door groups, schedules) come
 * from a decoded copy in memory whenever it is of the view's state (see {@code Config}). The
 * schema evolves through {@link #MIGRATIONS}, numbered by {@code PRAGMA user_version}, each step in
 * one transaction; a file from a newer agent is refused, never downgraded.
 *
 * <h2>Durability</h2>
 *
 * {@link Durability#NORMAL} ({@code PRAGMA synchronous = NORMAL}) is the default: in WAL mode a
 * commit then writes the WAL but does not wait for an fsync (the WAL is synced at checkpoints).
 * A crash of the agent's process (even SIGKILL) loses nothing, because committed pages are in the
 * operating system's cache. A power cut or kernel crash can lose the last transactions committed
 * before it (in practice the last fraction of a second to a few seconds: recent access events,
 * a pass use, the last sync batch), but the database stays consistent: each transaction is there
 * entirely or not at all, and the seq always matches the entities. Lost sync batches are fetched
 * again (the seq went back with them); a lost pass use could let a single-use visitor pass open a
 * door once more after the power returns. {@link Durability#FULL} fsyncs the WAL on every commit,
 * which puts a synchronous disk write on the decision path. {@code CacheDurabilityBenchmark} on the
 * development VM (ext4 on a virtio disk): one outbox append in its own transaction takes p50 23 us
 * (about 20,000 per second) with NORMAL and p50 150-165 us (about 5,500 per second) with FULL; a pass
 * use plus its event 30 us against 165-180 us; a card-hash lookup 7-8 us with either. SD cards
 * make an fsync cost 1-20 ms or more. Door decisions must not wait for that, so the agent uses NORMAL.
 *
 * <h2>Threading</h2>
 *
 * All methods are safe to call from any thread. Writes ({@link #apply}, {@link #seedKeys},
 * {@link #recordPassUse}, {@link #inTransaction}, {@link #bulkLoad}, each step of a snapshot install
 * by {@link #offer}, and the outbox's append and acknowledge) are serialised on one writer
 * connection under a fair lock, each in one {@code BEGIN IMMEDIATE} transaction. Lookups never take
 * that lock: a thread borrows a connection from a small pool of query-only reader connections (JDBC
 * connections are not thread-safe, so one is never shared between threads at the same time), and
 * in WAL mode a reader sees the last committed state while a write is in progress. A door's
 * decision therefore never waits for sync. Its event, committed before the relay moves, waits for
 * the write in progress, so writes are kept short:
 *
 * <ul>
 *   <li>A snapshot install is built beside the live tables in transactions of 1,000-2,000 rows and
 *       swapped in by one short transaction (see {@link #offer}); an event waiting between two of
 *       them goes first. {@code SnapshotInstallBenchmark} on the development VM (2 cores), an event
 *       appended every millisecond during the install of 250,000 credentials and members: p50
 *       1.6 ms, p99 5.8 ms, max 12 ms (1,000,000: 1.8, 5.2 and 24 ms); the install takes 7.6 s (31.5 s),
 *       about half of it deleting the old rows after the swap. As one transaction it took 4.1 s
 *       (18.4 s), and every event waited for all of it.
 *   <li>A sync batch stays one transaction, because its seq must match its entities: 500 card
 *       changes take 60-80 ms there (random pages of the primary key and the card lookup; its
 *       commit may also checkpoint the WAL), and an event may wait that long.
 * </ul>
 *
 * One instance per file per process; several processes (or instances) may share a file, SQLite's
 * locks keep them consistent (an install started by another instance takes over one in progress).
 */
public final class SqliteEntitlementCache implements Entitlements, AutoCloseable {

    /** How a commit reaches the disk; see the class comment. */
    public enum Durability {
        /** {@code PRAGMA synchronous = NORMAL}: no fsync per commit; the last commits can be lost on a power cut. */
        NORMAL,
        /** {@code PRAGMA synchronous = FULL}: an fsync of the WAL per commit; nothing committed is lost. */
        FULL
    }

    /** One step of the schema: applied in one transaction that also sets {@code PRAGMA user_version}. */
    record Migration(int version, String description, List<String> statements) {
        Migration {
            statements = List.copyOf(statements);
        }
    }

    /**
     * Since schema 3, the lookups by card hash and by member are tables of their own beside
     * {@code entity} ({@code entity_card}, {@code entity_member}), kept by these triggers, instead of
     * indexes on {@code entity}: a snapshot install fills each of them in its own key order in small
     * transactions, which an index cannot be (see {@link #offer}).
     */
    private static final List<String> LOOKUP_TRIGGERS = List.of(
            "CREATE TRIGGER entity_lookups_insert AFTER INSERT ON entity BEGIN"
                    + " INSERT INTO entity_card (card_hash, key) SELECT new.card_hash, new.key"
                    + " WHERE new.card_hash IS NOT NULL;"
                    + " INSERT INTO entity_member (member, kind, key) SELECT new.member, new.kind, new.key"
                    + " WHERE new.member IS NOT NULL; END",
            "CREATE TRIGGER entity_lookups_update AFTER UPDATE ON entity BEGIN"
                    + " DELETE FROM entity_card WHERE card_hash = old.card_hash;"
                    + " DELETE FROM entity_member WHERE member = old.member AND kind = old.kind AND key = old.key;"
                    + " INSERT INTO entity_card (card_hash, key) SELECT new.card_hash, new.key"
                    + " WHERE new.card_hash IS NOT NULL;"
                    + " INSERT INTO entity_member (member, kind, key) SELECT new.member, new.kind, new.key"
                    + " WHERE new.member IS NOT NULL; END",
            "CREATE TRIGGER entity_lookups_delete AFTER DELETE ON entity BEGIN"
                    + " DELETE FROM entity_card WHERE card_hash = old.card_hash;"
                    + " DELETE FROM entity_member WHERE member = old.member AND kind = old.kind AND key = old.key; END");

    /** Every schema step, oldest first; append new steps, never edit a released one. */
    static final List<Migration> MIGRATIONS = List.of(
            new Migration(
                    1,
                    "entities, meta, pass uses, outbox, snapshot staging",
                    List.of(
                            // name: tenant, site, seq, hub_time
                            "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
                            // member: the member of a grant or booking (NULL for other kinds);
                            // card_hash: the 32 bytes of an NFC credential's card hash (NULL otherwise)
                            "CREATE TABLE entity (kind TEXT NOT NULL, key TEXT NOT NULL, member TEXT, card_hash BLOB,"
                                    + " json TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID",
                            "CREATE UNIQUE INDEX entity_by_card_hash ON entity (card_hash)"
                                    + " WHERE card_hash IS NOT NULL",
                            "CREATE INDEX entity_by_member ON entity (member, kind, key) WHERE member IS NOT NULL",
                            "CREATE TABLE pass_use (pass TEXT PRIMARY KEY, event_id TEXT NOT NULL) WITHOUT ROWID",
                            "CREATE TABLE outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
                                    + " json TEXT NOT NULL)",
                            "CREATE TABLE snapshot_staging (singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
                                    + " snapshot_id TEXT NOT NULL, seq INTEGER NOT NULL, count INTEGER NOT NULL,"
                                    + " hub_time TEXT NOT NULL)",
                            "CREATE TABLE snapshot_chunk (chunk INTEGER PRIMARY KEY)",
                            "CREATE TABLE snapshot_entity (chunk INTEGER NOT NULL, position INTEGER NOT NULL,"
                                    + " kind TEXT NOT NULL, key TEXT NOT NULL, member TEXT, card_hash BLOB,"
                                    + " json TEXT NOT NULL, PRIMARY KEY (chunk, position)) WITHOUT ROWID")),
            new Migration(
                    2,
                    "executed command ids (replay store), door modes set by commands",
                    List.of(
                            // keep_until: ISO instant; the id is forgotten after it
                            "CREATE TABLE command_seen (id TEXT PRIMARY KEY, keep_until TEXT NOT NULL) WITHOUT ROWID",
                            // mode: 'lockdown' (roles: comma-separated) or 'emergency-release'; no row = normal
                            "CREATE TABLE door_mode (door TEXT PRIMARY KEY, mode TEXT NOT NULL, roles TEXT NOT NULL)"
                                    + " WITHOUT ROWID")),
            new Migration(
                    3,
                    "card-hash and member lookups as tables kept by triggers, instead of indexes on entity",
                    Stream.concat(
                                    Stream.of(
                                            // key: the credential holding the card (unique: a card is enrolled once)
                                            "CREATE TABLE entity_card (card_hash BLOB PRIMARY KEY, key TEXT NOT NULL)"
                                                    + " WITHOUT ROWID",
                                            // the grants and bookings of a member
                                            "CREATE TABLE entity_member (member TEXT NOT NULL, kind TEXT NOT NULL,"
                                                    + " key TEXT NOT NULL, PRIMARY KEY (member, kind, key))"
                                                    + " WITHOUT ROWID",
                                            "INSERT INTO entity_card (card_hash, key) SELECT card_hash, key FROM entity"
                                                    + " WHERE card_hash IS NOT NULL ORDER BY card_hash",
                                            "INSERT INTO entity_member (member, kind, key) SELECT member, kind, key"
                                                    + " FROM entity WHERE member IS NOT NULL ORDER BY member, kind, key",
                                            "DROP INDEX entity_by_card_hash",
                                            "DROP INDEX entity_by_member"),
                                    LOOKUP_TRIGGERS.stream())
                            .toList()));

    /** The schema version this agent writes. */
    static final int SCHEMA_VERSION = MIGRATIONS.getLast().version();

    // The lookups, package-private so that CacheIndexTest can check their query plans.
    static final String SQL_BY_KEY = "SELECT json FROM entity WHERE kind = ? AND key = ?";
    // CROSS JOIN keeps SQLite's join order: the lookup table first, then the entity by its primary key.
    static final String SQL_BY_CARD_HASH = "SELECT e.json FROM entity_card c CROSS JOIN entity e"
            + " ON e.kind = 'credential' AND e.key = c.key WHERE c.card_hash = ?";
    static final String SQL_BY_MEMBER = "SELECT e.json FROM entity_member m CROSS JOIN entity e"
            + " ON e.kind = m.kind AND e.key = m.key WHERE m.member = ? AND m.kind = ? ORDER BY m.key";
    static final String SQL_ALL_OF_KIND = "SELECT json FROM entity WHERE kind = ? ORDER BY key";
    static final String SQL_PASS_USED = "SELECT 1 FROM pass_use WHERE pass = ?";

    private static final String SQL_UPSERT = "INSERT INTO entity (kind, key, member, card_hash, json)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET member = excluded.member,"
            + " card_hash = excluded.card_hash, json = excluded.json";
    private static final String SQL_DELETE = "DELETE FROM entity WHERE kind = ? AND key = ?";
    private static final String SQL_DELETE_OTHER_SITES = "DELETE FROM entity WHERE kind = 'site' AND key <> ?";
    private static final String SQL_CARD_HOLDER = "SELECT key FROM entity_card WHERE card_hash = ?";
    private static final String SQL_META = "SELECT value FROM meta WHERE name = ?";
    private static final String SQL_SET_META =
            "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    private static final String SQL_USE_PASS =
            "INSERT INTO pass_use (pass, event_id) VALUES (?, ?) ON CONFLICT (pass) DO NOTHING";

    private static final Pattern CARD_HASH = Pattern.compile("[0-9a-f]{64}");
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_IDLE_READERS = 8;

    private final Path file;
    private final String tenant;
    private final String site;
    private final Session writer;
    // Fair: a door's event waiting between two steps of a snapshot install goes before the next step.
    private final ReentrantLock writeLock = new ReentrantLock(true);
    // Held through an offer, so that one install at a time runs in this instance.
    private final ReentrantLock installLock = new ReentrantLock();
    private final ConcurrentLinkedDeque<Session> idleReaders = new ConcurrentLinkedDeque<>();
    private final View pooled = new View(Optional.empty());
    private final Outbox outbox;
    private volatile boolean closed;
    private volatile CachedKeys cachedKeys = new CachedKeys(List.of(), KeySet.of(List.of()));
    private int transactionDepth; // guarded by writeLock

    private SqliteEntitlementCache(Path file, String tenant, String site, Session writer) {
        this.file = file;
        this.tenant = tenant;
        this.site = site;
        this.writer = writer;
        this.outbox = new Outbox(this);
    }

    /** Opens (creating if needed) the cache of {@code tenant}'s {@code site} with {@link Durability#NORMAL}. */
    public static SqliteEntitlementCache open(Path file, String tenant, String site) {
        return open(file, tenant, site, Durability.NORMAL);
    }

    /**
     * Opens (creating if needed) the cache file of {@code tenant}'s {@code site}: switches it to WAL,
     * applies the schema migrations it lacks, and binds a new file to this tenant and site.
     *
     * @throws CacheException {@code CANNOT_OPEN} (no such directory, no permission), {@code CORRUPT}
     *     (not a SQLite database, or damaged), {@code SCHEMA_TOO_NEW}, {@code WRONG_SITE} (the file
     *     belongs to another tenant or site), {@code INVALID_ARGUMENT}
     */
    public static SqliteEntitlementCache open(Path file, String tenant, String site, Durability durability) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(durability, "durability");
        requireId(tenant, "tenant");
        requireId(site, "site");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new CacheException(
                    CacheError.CANNOT_OPEN,
                    "cannot open the entitlement cache " + file + ": the directory " + parent
                            + " does not exist; create it or correct the data directory in the agent's config");
        }
        Session writer = null;
        try {
            writer = Session.connect(file);
            // Versions first: a file that is not ours, or is newer, is refused before anything changes.
            migrate(writer.connection, MIGRATIONS, file);
            String mode = writer.queryString("PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new CacheException(
                        CacheError.STORAGE,
                        "the entitlement cache " + file + " could not switch to WAL mode (it stays in '" + mode
                                + "'); keep the data directory on a local file system");
            }
            writer.execute("PRAGMA synchronous = " + durability.name());
            SqliteEntitlementCache cache = new SqliteEntitlementCache(file, tenant, site, writer);
            cache.bindSite();
            cache.loadCommitted();
            cache.deleteRetired(); // what an install retired before a crash or a close
            return cache;
        } catch (SQLException e) {
            closeQuietly(writer);
            throw translate(e, "open the entitlement cache", file);
        } catch (RuntimeException e) {
            closeQuietly(writer);
            throw e;
        }
    }

    /**
     * Applies the migrations the database lacks, each in one transaction with its {@code user_version}.
     * A database newer than the last step is refused. Package-private for the migration tests.
     */
    static void migrate(Connection connection, List<Migration> migrations, Path file) throws SQLException {
        int latest = migrations.isEmpty() ? 0 : migrations.getLast().version();
        try (Statement statement = connection.createStatement()) {
            int current = userVersion(statement);
            if (current > latest) {
                throw tooNew(file, current, latest);
            }
            if (current == 0 && hasTables(statement)) {
                throw new CacheException(
                        CacheError.CORRUPT,
                        file + " is a SQLite database of something else (it has tables but no Gatehouse schema"
                                + " version); point the data directory elsewhere or move the file aside");
            }
            for (Migration migration : migrations) {
                if (migration.version() <= current) {
                    continue;
                }
                statement.execute("BEGIN IMMEDIATE");
                boolean committed = false;
                try {
                    // Another process may have migrated between our read and our lock.
                    int now = userVersion(statement);
                    if (now > latest) {
                        throw tooNew(file, now, latest);
                    }
                    if (now < migration.version()) {
                        for (String sql : migration.statements()) {
                            statement.execute(sql);
                        }
                        statement.execute("PRAGMA user_version = " + migration.version());
                    }
                    statement.execute("COMMIT");
                    committed = true;
                } finally {
                    if (!committed) {
                        rollbackQuietly(statement);
                    }
                }
                current = migration.version();
            }
        }
    }

    private static boolean hasTables(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM sqlite_master")) {
            return rows.next() && rows.getLong(1) > 0;
        }
    }

    private static void rollbackQuietly(Statement statement) {
        try {
            statement.execute("ROLLBACK");
        } catch (SQLException e) {
            // SQLite already rolled back after the failure being reported.
        }
    }

    private static int userVersion(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }

    private static CacheException tooNew(Path file, int found, int known) {
        return new CacheException(
                CacheError.SCHEMA_TOO_NEW,
                "the entitlement cache " + file + " has schema version " + found + ", but this agent knows versions"
                        + " up to " + known + "; it was written by a newer agent. Install that agent version, or"
                        + " move the file aside to rebuild the cache from a snapshot");
    }

    /**
     * The seq and hub-time high-water mark as of the last commit, held in memory: every decision reads
     * them (clock trust, offline time, key freshness), and only this cache's writer changes them.
     * The file belongs to one agent process; another process writing it would not be seen here.
     */
    private record Meta(long seq, Optional<Instant> hubTime) {}

    private volatile Meta meta = new Meta(0, Optional.empty());

    /**
     * The site's configuration entities (the site, its doors, door groups and schedules): few, and
     * read by every decision, so they are held decoded in memory instead of read and JSON-decoded from
     * SQLite each time. Members, credentials, grants, bookings and passes stay in SQLite (a million
     * of them would not fit the agent's heap). {@code gen} is the {@code config_gen} meta row, which
     * every write transaction that changes a configuration entity raises, in that transaction: a
     * {@link #reading} view reads it in its own snapshot and uses this copy only when the numbers
     * match, so the copy can never be of another state than the view's other lookups.
     */
    private record Config(
            long gen,
            Optional<Site> site,
            Map<DoorId, Door> doors,
            Map<DoorGroupId, DoorGroup> doorGroups,
            Map<ScheduleId, Schedule> schedules) {}

    private final AtomicReference<Config> config =
            new AtomicReference<>(new Config(-1, Optional.empty(), Map.of(), Map.of(), Map.of()));

    // Guarded by writeLock: what the current write transaction changed.
    private boolean metaWritten;
    private boolean configChanged;

    /** The configuration as stored in {@code session}'s current state. */
    private Config loadConfig(Session session) throws SQLException {
        long gen = meta(session, "config_gen").map(Long::parseLong).orElse(0L);
        List<String> sites = jsonsOfKind(session, EntityKind.SITE);
        Optional<Site> site = sites.isEmpty() ? Optional.empty() : Optional.of(decode(sites.getFirst(), Site.class));
        Map<DoorId, Door> doors = new HashMap<>();
        for (String json : jsonsOfKind(session, EntityKind.DOOR)) {
            Door door = decode(json, Door.class);
            doors.put(door.id(), door);
        }
        Map<DoorGroupId, DoorGroup> groups = new HashMap<>();
        for (String json : jsonsOfKind(session, EntityKind.DOOR_GROUP)) {
            DoorGroup group = decode(json, DoorGroup.class);
            groups.put(group.id(), group);
        }
        Map<ScheduleId, Schedule> schedules = new HashMap<>();
        for (String json : jsonsOfKind(session, EntityKind.SCHEDULE)) {
            Schedule schedule = decode(json, Schedule.class);
            schedules.put(schedule.id(), schedule);
        }
        return new Config(gen, site, Map.copyOf(doors), Map.copyOf(groups), Map.copyOf(schedules));
    }

    /** Keeps {@code loaded} as the in-memory configuration unless a newer one is there already. */
    private void publish(Config loaded) {
        config.accumulateAndGet(loaded, (current, next) -> next.gen() > current.gen() ? next : current);
    }

    private static boolean isConfigKind(String kind) {
        return switch (kind) {
            case "site", "door", "door-group", "schedule" -> true;
            default -> false;
        };
    }

    /** Reads the committed seq, hub time and configuration into memory (at open). */
    private void loadCommitted() {
        read("read the cache's state", session -> {
            session.prepare("BEGIN").execute();
            try {
                meta = new Meta(seqOf(session), hubTimeOf(session));
                publish(loadConfig(session));
                return null;
            } finally {
                session.prepare("COMMIT").execute();
            }
        });
    }

    private void bindSite() {
        write("bind the cache to its tenant and site", session -> {
            Optional<String> boundTenant = meta(session, "tenant");
            Optional<String> boundSite = meta(session, "site");
            if (boundTenant.isEmpty() && boundSite.isEmpty()) {
                setMeta(session, "tenant", tenant);
                setMeta(session, "site", site);
                setMeta(session, "seq", "0");
                return null;
            }
            if (!boundTenant.equals(Optional.of(tenant)) || !boundSite.equals(Optional.of(site))) {
                throw new CacheException(
                        CacheError.WRONG_SITE,
                        "the entitlement cache " + file + " belongs to " + boundTenant.orElse("?") + "/"
                                + boundSite.orElse("?") + ", but this agent is configured for " + tenant + "/" + site
                                + "; point the data directory at this site's cache, or move the file aside");
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ sync

    /** The tenant this cache belongs to. */
    public String tenantId() {
        return tenant;
    }

    /** The site this cache belongs to (its {@link #site()} entity arrives by sync). */
    public String siteId() {
        return site;
    }

    /** The file holding the cache. */
    public Path file() {
        return file;
    }

    /** The last change-log seq applied (0 when new). */
    public long seq() {
        requireOpenCache();
        return meta.seq();
    }

    /** The highest hub time seen in a batch that advanced the seq, or in an installed snapshot; never moves backwards. */
    public Optional<Instant> hubTimeHighWater() {
        requireOpenCache();
        return meta.hubTime();
    }

    /**
     * Applies a sync batch whose signature the caller has verified ({@code SignedMessages} /
     * {@code Inbound}), by the protocol's rules, in one transaction with the new seq: a batch the
     * cache already has is a {@link ApplyResult.Repeat}, one that starts after {@code seq + 1} a
     * {@link ApplyResult.Gap}; both change nothing. Otherwise the changes after the cache's seq are
     * applied, the seq becomes {@code toSeq} and the hub-time high-water mark moves up to the
     * envelope's time: {@link ApplyResult.Applied}.
     *
     * @throws CacheException {@code WRONG_MESSAGE} if the envelope is not a sync batch for this
     *     cache's tenant and site; {@code DUPLICATE_CARD_HASH} if a change would enroll one card
     *     twice (the whole batch is rolled back: nothing changed)
     */
    public ApplyResult apply(Envelope verifiedBatch) {
        Objects.requireNonNull(verifiedBatch, "verifiedBatch");
        if (!(verifiedBatch.payload() instanceof SyncBatch batch)) {
            throw wrongMessage("a sync batch", verifiedBatch);
        }
        requireAudience("sync batch", batch.tenant(), batch.site());
        return write("apply sync batch " + batch.fromSeq() + ".." + batch.toSeq(), session -> {
            long have = seqOf(session);
            if (batch.toSeq() <= have) {
                return new ApplyResult.Repeat(have);
            }
            if (batch.fromSeq() > have + 1) {
                return new ApplyResult.Gap(have);
            }
            List<Change> changes = batch.changes();
            for (int i = 0; i < changes.size(); i++) {
                if (batch.fromSeq() + i <= have) {
                    continue;
                }
                switch (changes.get(i)) {
                    case Change.Upsert upsert -> upsert(session, Row.of(upsert.entity()));
                    case Change.Remove remove -> delete(session, remove.kind(), remove.key());
                }
            }
            setMeta(session, "seq", Long.toString(batch.toSeq()));
            raiseHubTime(session, verifiedBatch.time());
            return new ApplyResult.Applied(have + 1, batch.toSeq());
        });
    }

    /**
     * Collects a snapshot chunk whose signature the caller has verified. Chunks are staged in the
     * cache file (so a long snapshot survives a restart); when the last one of a snapshot arrives,
     * the whole cache is replaced by the snapshot's entities and the seq set to the snapshot's, at
     * once for every reader. Rules: a snapshot whose seq is below the cache's is ignored; a different
     * snapshot with a seq at least that of the one being collected replaces it (a lower one is
     * ignored); chunks of one snapshot id that disagree on {@code seq} or {@code count} discard the
     * snapshot; a chunk received twice is harmless.
     *
     * <p>The install is built beside the live tables, in transactions of a few thousand rows that
     * let any other write (a door's event) in between: the snapshot's entities are copied into
     * {@code entity_next} in the order they were staged (the hub sends each kind in id order, so the
     * primary key fills in order), then the card-hash and member lookups are sorted outside any
     * write (on a connection of their own, into temporary tables) and copied into
     * {@code entity_card_next} and {@code entity_member_next} in key order. One short transaction
     * then swaps the tables in (renames), sets the seq and hub time, and retires the old tables and
     * the staged rows, which are deleted afterwards a few thousand rows per transaction. Readers
     * see the old cache until the swap commits and the new one after it. A crash or a
     * {@link #close} before the swap leaves the old cache and the staged snapshot: the next chunk
     * of it offered (the broker redelivers the one not acknowledged) builds it again.
     *
     * @throws CacheException {@code WRONG_MESSAGE} if the envelope is not a snapshot chunk for this
     *     cache's tenant and site; {@code DUPLICATE_CARD_HASH} if the completed snapshot enrolls one
     *     card twice (the cache is unchanged and the collected chunks are discarded)
     */
    public SnapshotResult offer(Envelope verifiedSnapshotChunk) {
        Objects.requireNonNull(verifiedSnapshotChunk, "verifiedSnapshotChunk");
        if (!(verifiedSnapshotChunk.payload() instanceof SnapshotChunk chunk)) {
            throw wrongMessage("a snapshot chunk", verifiedSnapshotChunk);
        }
        requireAudience("snapshot chunk", chunk.tenant(), chunk.site());
        String what = "take chunk " + chunk.index() + " of snapshot " + chunk.snapshotId();
        installLock.lock();
        try {
            Staged staged = write(what, session -> stage(session, chunk, verifiedSnapshotChunk.time()));
            return switch (staged) {
                case Staged.Kept kept -> {
                    deleteRetired(); // what a discarded or replaced snapshot left
                    yield kept.result();
                }
                case Staged.Complete complete -> {
                    try (Builder builder = new Builder()) {
                        SnapshotResult result = install(builder, complete.snapshotId());
                        deleteRetired(builder);
                        yield result;
                    }
                }
            };
        } finally {
            installLock.unlock();
        }
    }

    /** What staging a chunk left to do. */
    private sealed interface Staged {
        /** Nothing more: the chunk was kept, ignored, or discarded the snapshot. */
        record Kept(SnapshotResult result) implements Staged {}

        /** Every chunk of snapshot {@code snapshotId} is staged: install it. */
        record Complete(String snapshotId) implements Staged {}
    }

    private Staged stage(Session session, SnapshotChunk chunk, Instant time) throws SQLException {
        long have = seqOf(session);
        if (chunk.seq() < have) {
            return new Staged.Kept(new SnapshotResult.Ignored("snapshot " + chunk.snapshotId() + " is at seq "
                    + chunk.seq() + ", behind this cache's seq " + have));
        }
        Optional<Staging> staging = staging(session);
        if (staging.isPresent()) {
            Staging current = staging.get();
            if (current.snapshotId().equals(chunk.snapshotId())) {
                if (current.seq() != chunk.seq() || current.count() != chunk.count()) {
                    clearStaging(session);
                    return new Staged.Kept(new SnapshotResult.Discarded("chunk " + chunk.index() + " of snapshot "
                            + chunk.snapshotId() + " says seq " + chunk.seq() + " of " + chunk.count()
                            + " chunks, but earlier chunks said seq " + current.seq() + " of " + current.count()
                            + "; request the snapshot again"));
                }
            } else if (chunk.seq() < current.seq()) {
                return new Staged.Kept(new SnapshotResult.Ignored("snapshot " + chunk.snapshotId() + " (seq "
                        + chunk.seq() + ") is older than snapshot " + current.snapshotId() + " (seq "
                        + current.seq() + ") being collected"));
            } else {
                clearStaging(session);
                staging = Optional.empty();
            }
        }
        Instant hubTime =
                staging.map(s -> s.hubTime().isAfter(time) ? s.hubTime() : time).orElse(time);
        PreparedStatement header = session.prepare("INSERT INTO snapshot_staging"
                + " (singleton, snapshot_id, seq, count, hub_time) VALUES (1, ?, ?, ?, ?)"
                + " ON CONFLICT (singleton) DO UPDATE SET hub_time = excluded.hub_time");
        header.setString(1, chunk.snapshotId());
        header.setLong(2, chunk.seq());
        header.setInt(3, chunk.count());
        header.setString(4, hubTime.toString());
        header.executeUpdate();
        PreparedStatement received = session.prepare("INSERT OR IGNORE INTO snapshot_chunk (chunk) VALUES (?)");
        received.setInt(1, chunk.index());
        if (received.executeUpdate() == 1) {
            // A chunk received again is the same (one snapshot id, signed by the hub): it is kept
            // once, so an install being built from the staged rows never sees them change.
            PreparedStatement stage = session.prepare("INSERT INTO snapshot_entity"
                    + " (chunk, position, kind, key, member, card_hash, json) VALUES (?, ?, ?, ?, ?, ?, ?)");
            List<Entity> entities = chunk.entities();
            for (int i = 0; i < entities.size(); i++) {
                Row row = Row.of(entities.get(i));
                stage.setInt(1, chunk.index());
                stage.setInt(2, i);
                stage.setString(3, row.kind());
                stage.setString(4, row.key());
                stage.setString(5, row.member());
                stage.setBytes(6, row.cardHash());
                stage.setString(7, row.json());
                stage.addBatch();
            }
            stage.executeBatch();
        }
        int count = (int) session.queryLong("SELECT count(*) FROM snapshot_chunk");
        if (count < chunk.count()) {
            return new Staged.Kept(new SnapshotResult.Incomplete(count, chunk.count()));
        }
        return new Staged.Complete(chunk.snapshotId());
    }

    private record Staging(String snapshotId, long seq, int count, Instant hubTime) {}

    private Optional<Staging> staging(Session session) throws SQLException {
        PreparedStatement query = session.prepare("SELECT snapshot_id, seq, count, hub_time FROM snapshot_staging");
        try (ResultSet rows = query.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(
                    new Staging(rows.getString(1), rows.getLong(2), rows.getInt(3), instant(rows.getString(4))));
        }
    }

    /**
     * Forgets the snapshot being collected, and any install of it being built, in the caller's
     * transaction: the staged rows and the tables being built are retired (renamed, so that this
     * stays short however large they are) for {@link #deleteRetired} to delete.
     */
    private static void clearStaging(Session session) throws SQLException {
        retire(session, "snapshot_entity", true);
        for (String table : INSTALLED_TABLES) {
            retire(session, table + "_next", false);
        }
        session.execute("DELETE FROM snapshot_chunk");
        session.execute("DELETE FROM snapshot_staging");
        session.execute("DELETE FROM meta WHERE name = 'install_owner'");
    }

    // ------------------------------------------------------------------ snapshot install

    /** Chunks (of at most 500 entities) copied into {@code entity_next} per transaction. */
    private static final int INSTALL_CHUNKS_PER_STEP = 2;
    /** Rows copied into a lookup table per transaction. */
    private static final int INSTALL_LOOKUP_ROWS_PER_STEP = 2_000;
    /** Install steps between two checkpoints that let the WAL start over (see {@link Builder#checkpoint}). */
    private static final int RESTART_EVERY_STEPS = 16;
    /** Rows deleted from a retired table per transaction. */
    private static final int RETIRED_ROWS_PER_STEP = 1_000;
    /** The live tables an install replaces; each is built as {@code <name>_next}. */
    private static final List<String> INSTALLED_TABLES = List.of("entity", "entity_card", "entity_member");

    /**
     * A lookup table built in key order: its rows are sorted from {@code entity_next} into a
     * temporary table, then copied in pages. {@code columns} are the temporary table's column
     * definitions, {@code key} its primary key (every column), {@code where} selects the entities it
     * holds; {@code unique}: no two rows may share the first column (a card hash).
     */
    private record Lookup(String table, String columns, String key, String where, boolean unique) {
        int width() {
            return key.split(",").length;
        }

        String sorted() {
            return "temp.sorted_" + table;
        }
    }

    private static final List<Lookup> LOOKUPS = List.of(
            new Lookup(
                    "entity_card_next",
                    "card_hash BLOB NOT NULL, key TEXT NOT NULL",
                    "card_hash, key",
                    "card_hash IS NOT NULL",
                    true),
            new Lookup(
                    "entity_member_next",
                    "member TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL",
                    "member, kind, key",
                    "member IS NOT NULL",
                    false));

    /** Observes the install's steps, each after its transaction committed; for tests. */
    private volatile Consumer<String> installSteps = step -> {};

    /**
     * Calls {@code listener} after each committed step of a snapshot install, outside the write
     * lock, on the installing thread: {@code "start"}, {@code "entities"} (per few chunks),
     * {@code "entity_card_next"} and {@code "entity_member_next"} (per page), {@code "swap"}, and
     * {@code "retired"} (per page of retired rows deleted). For tests that interleave with an install.
     */
    void onInstallStep(Consumer<String> listener) {
        installSteps = Objects.requireNonNull(listener, "listener");
    }

    /**
     * The connection of one install (or clean-up), beside the writer: it sorts the lookups into its
     * own temporary tables (a read of the file, so no writer waits) and copies them from there, and
     * it checkpoints the WAL between steps. Meanwhile the writer does not checkpoint by itself: a
     * commit that crosses {@code wal_autocheckpoint} would otherwise copy the install's pages into
     * the database file, fsyncs included, while a door's event waits behind it.
     */
    private final class Builder implements AutoCloseable {
        private final Session session;
        private final long autocheckpoint;

        Builder() {
            try {
                session = Session.connect(file);
            } catch (SQLException e) {
                throw translate(e, "open a connection for the snapshot install", file);
            }
            try {
                autocheckpoint = writeOne("stop checkpoints on commit", writer -> {
                    long pages = writer.queryLong("PRAGMA wal_autocheckpoint");
                    writer.queryLong("PRAGMA wal_autocheckpoint = 0");
                    return pages;
                });
                // The install's commits as the writer's: same durability (no fsync per commit with
                // NORMAL, while a door may wait for the lock), and no checkpoint inside a commit.
                long synchronous = writeOne("read the durability", writer -> writer.queryLong("PRAGMA synchronous"));
                session.execute("PRAGMA synchronous = " + synchronous);
                session.queryLong("PRAGMA wal_autocheckpoint = 0");
            } catch (SQLException e) {
                closeQuietly(session);
                throw translate(e, "set up the snapshot install's connection", file);
            } catch (RuntimeException e) {
                closeQuietly(session);
                throw e;
            }
        }

        private int steps;

        /**
         * Copies what the WAL holds into the database file, without waiting for (or blocking)
         * anyone. Every {@value #RESTART_EVERY_STEPS} steps it copies again under the write lock
         * (only what doors committed since, usually nothing), so that the next write finds the WAL
         * all copied and starts it over instead of letting it grow by everything the install writes.
         */
        void checkpoint() {
            passive();
            if (++steps % RESTART_EVERY_STEPS == 0) {
                writeLock.lock();
                try {
                    passive();
                } finally {
                    writeLock.unlock();
                }
            }
        }

        private void passive() {
            try {
                session.queryLong("PRAGMA wal_checkpoint(PASSIVE)");
            } catch (SQLException e) {
                // A checkpoint is an optimisation: the next one (or the writer's, after the install) catches up.
            }
        }

        @Override
        public void close() {
            try {
                if (!closed) {
                    writeOne(
                            "restore checkpoints on commit",
                            writer -> writer.queryLong("PRAGMA wal_autocheckpoint = " + autocheckpoint));
                }
            } catch (CacheException e) {
                // Closed meanwhile: a new writer connection starts with the default.
            } finally {
                closeQuietly(session);
            }
        }
    }

    /**
     * Installs the completely staged snapshot {@code snapshotId}, step by step (see {@link #offer}).
     * Another instance on the file that starts installing takes the install over: each step checks,
     * in its transaction, that this install still owns it ({@code install_owner} in {@code meta}).
     */
    private SnapshotResult install(Builder builder, String snapshotId) {
        byte[] token = new byte[8];
        RANDOM.nextBytes(token);
        String owner = HEX.formatHex(token);
        Start start = write("start installing snapshot " + snapshotId, session -> {
            Optional<Staging> staging = staging(session);
            if (staging.isEmpty() || !staging.get().snapshotId().equals(snapshotId)) {
                return new Start(Optional.of(replaced(snapshotId)), 0);
            }
            long have = seqOf(session);
            if (staging.get().seq() < have) {
                clearStaging(session);
                return new Start(Optional.of(overtaken(snapshotId, staging.get().seq(), have)), 0);
            }
            for (String table : INSTALLED_TABLES) {
                retire(session, table + "_next", false); // left by an install that did not finish
                session.execute(definitionAs(session, table, table + "_next"));
            }
            setMeta(session, "install_owner", owner);
            return new Start(Optional.empty(), staging.get().count());
        });
        if (start.refused().isPresent()) {
            return start.refused().get();
        }
        installSteps.accept("start");
        for (int from = 0; from < start.chunks(); from += INSTALL_CHUNKS_PER_STEP) {
            int first = from;
            int end = Math.min(start.chunks(), from + INSTALL_CHUNKS_PER_STEP);
            boolean mine = write("copy chunks " + first + ".." + (end - 1) + " of snapshot " + snapshotId, session -> {
                if (!owns(session, owner)) {
                    return false;
                }
                copyChunks(session, first, end);
                return true;
            });
            if (!mine) {
                return replaced(snapshotId);
            }
            builder.checkpoint();
            installSteps.accept("entities");
        }
        for (Lookup lookup : LOOKUPS) {
            if (!fill(builder, lookup, owner, snapshotId)) {
                return replaced(snapshotId);
            }
        }
        SnapshotResult result = write("swap in snapshot " + snapshotId, session -> swap(session, owner, snapshotId));
        builder.checkpoint();
        installSteps.accept("swap");
        return result;
    }

    /** How starting an install went: refused (with the result to answer), or started with {@code chunks} to copy. */
    private record Start(Optional<SnapshotResult> refused, int chunks) {}

    /** Copies staged chunks {@code [first, end)} into {@code entity_next}, later rows replacing earlier ones. */
    private static void copyChunks(Session session, int first, int end) throws SQLException {
        PreparedStatement copy = session.prepare("INSERT INTO entity_next (kind, key, member, card_hash, json)"
                + " SELECT kind, key, member, card_hash, json FROM snapshot_entity WHERE chunk >= ? AND chunk < ?"
                + " ORDER BY chunk, position ON CONFLICT (kind, key) DO UPDATE SET member = excluded.member,"
                + " card_hash = excluded.card_hash, json = excluded.json");
        copy.setInt(1, first);
        copy.setInt(2, end);
        copy.executeUpdate();
        // A cache holds one site entity: the last one staged replaces any other, as an upsert does.
        PreparedStatement site = session.prepare("SELECT key FROM snapshot_entity WHERE chunk >= ? AND chunk < ?"
                + " AND kind = 'site' ORDER BY chunk DESC, position DESC LIMIT 1");
        site.setInt(1, first);
        site.setInt(2, end);
        Optional<String> last;
        try (ResultSet rows = site.executeQuery()) {
            last = rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
        if (last.isPresent()) {
            PreparedStatement others = session.prepare("DELETE FROM entity_next WHERE kind = 'site' AND key <> ?");
            others.setString(1, last.get());
            others.executeUpdate();
        }
    }

    /**
     * Fills {@code lookup} from the complete {@code entity_next}: sorts its rows on the builder's
     * connection into a temporary table (reading the file, writing only that connection's temporary
     * storage), then copies them in key order, {@value #INSTALL_LOOKUP_ROWS_PER_STEP} per write
     * transaction. The card lookup refuses a card hash held by two credentials: the snapshot is
     * discarded and nothing else changes.
     *
     * @return false if the install was taken over or its snapshot replaced meanwhile
     */
    private boolean fill(Builder builder, Lookup lookup, String owner, String snapshotId) {
        Session sorter = builder.session;
        String key = lookup.key();
        String range = "(" + key + ") > (" + String.join(", ", Collections.nCopies(lookup.width(), "?")) + ")";
        String upTo = "(" + key + ") <= (" + String.join(", ", Collections.nCopies(lookup.width(), "?")) + ")";
        try {
            sorter.execute("DROP TABLE IF EXISTS " + lookup.sorted());
            sorter.execute("CREATE TABLE " + lookup.sorted() + " (" + lookup.columns() + ", PRIMARY KEY (" + key
                    + ")) WITHOUT ROWID");
            sorter.execute("INSERT INTO " + lookup.sorted() + " SELECT " + key + " FROM main.entity_next WHERE "
                    + lookup.where() + " ORDER BY " + key);
            if (lookup.unique()) {
                Optional<String[]> twice = Optional.empty();
                try (Statement statement = sorter.connection.createStatement();
                        ResultSet pair = statement.executeQuery("SELECT min(key), max(key) FROM " + lookup.sorted()
                                + " GROUP BY card_hash HAVING count(*) > 1 LIMIT 1")) {
                    if (pair.next()) {
                        twice = Optional.of(new String[] {pair.getString(1), pair.getString(2)});
                    }
                }
                if (twice.isPresent()) {
                    write("discard snapshot " + snapshotId, session -> {
                        if (owns(session, owner)) {
                            clearStaging(session);
                        }
                        return null;
                    });
                    deleteRetired(builder);
                    throw duplicateCard(twice.get()[1], twice.get()[0], null);
                }
            }
            Optional<Object[]> after = Optional.empty();
            while (true) {
                // The last row of this page, found in the sorted copy without the write lock.
                PreparedStatement last = sorter.prepare("SELECT " + key + " FROM " + lookup.sorted()
                        + (after.isPresent() ? " WHERE " + range : "") + " ORDER BY " + key + " LIMIT 1 OFFSET "
                        + (INSTALL_LOOKUP_ROWS_PER_STEP - 1));
                bind(last, 1, after);
                Optional<Object[]> end;
                try (ResultSet row = last.executeQuery()) {
                    end = row.next() ? Optional.of(columns(row, lookup.width())) : Optional.empty();
                }
                Optional<Object[]> from = after;
                List<String> where = new ArrayList<>();
                from.ifPresent(f -> where.add(range));
                end.ifPresent(e -> where.add(upTo));
                PreparedStatement copy = sorter.prepare("INSERT INTO main." + lookup.table() + " (" + key + ")"
                        + " SELECT " + key + " FROM " + lookup.sorted()
                        + (where.isEmpty() ? " WHERE true" : " WHERE " + String.join(" AND ", where))
                        + " ORDER BY " + key);
                boolean mine = writeOn(sorter, "fill " + lookup.table() + " of snapshot " + snapshotId, session -> {
                    if (!owns(session, owner)) {
                        return false;
                    }
                    bind(copy, bind(copy, 1, from), end);
                    copy.executeUpdate();
                    return true;
                });
                if (!mine) {
                    return false;
                }
                builder.checkpoint();
                installSteps.accept(lookup.table());
                if (end.isEmpty()) {
                    return true;
                }
                after = end;
            }
        } catch (SQLException e) {
            throw translate(e, "fill " + lookup.table() + " of snapshot " + snapshotId, file);
        }
    }

    /** Binds {@code values}, if present, from parameter {@code index}; returns the next index. */
    private static int bind(PreparedStatement statement, int index, Optional<Object[]> values) throws SQLException {
        if (values.isEmpty()) {
            return index;
        }
        for (Object value : values.get()) {
            statement.setObject(index++, value);
        }
        return index;
    }

    private static Object[] columns(ResultSet row, int width) throws SQLException {
        Object[] values = new Object[width];
        for (int i = 0; i < width; i++) {
            values[i] = row.getObject(i + 1);
        }
        return values;
    }

    /** The install's last step, in one transaction: the built tables replace the live ones. */
    private SnapshotResult swap(Session session, String owner, String snapshotId) throws SQLException {
        if (!owns(session, owner)) {
            return replaced(snapshotId);
        }
        Staging staging = staging(session).orElseThrow();
        long have = seqOf(session);
        if (staging.seq() < have) {
            clearStaging(session);
            return overtaken(snapshotId, staging.seq(), have);
        }
        List<String> triggers = dropLookupTriggers(session);
        for (String table : INSTALLED_TABLES) {
            retire(session, table, false);
            session.execute("ALTER TABLE " + table + "_next RENAME TO " + table);
        }
        for (String trigger : triggers) {
            session.execute(trigger);
        }
        clearStaging(session);
        configChanged = true;
        setMeta(session, "seq", Long.toString(staging.seq()));
        raiseHubTime(session, staging.hubTime());
        return new SnapshotResult.Installed(staging.seq());
    }

    private static boolean owns(Session session, String owner) throws SQLException {
        return meta(session, "install_owner").equals(Optional.of(owner));
    }

    private static SnapshotResult replaced(String snapshotId) {
        return new SnapshotResult.Ignored("the install of snapshot " + snapshotId + " was given up: another snapshot"
                + " replaced it, or another instance on the cache file took the install over");
    }

    private static SnapshotResult overtaken(String snapshotId, long seq, long have) {
        return new SnapshotResult.Ignored("snapshot " + snapshotId + " is at seq " + seq + ", but batches took this"
                + " cache to seq " + have + " meanwhile");
    }

    /**
     * The statement that creates live table {@code table} (as the migrations left it), creating
     * {@code as} instead.
     */
    private static String definitionAs(Session session, String table, String as) throws SQLException {
        PreparedStatement query = session.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
        query.setString(1, table);
        String sql;
        try (ResultSet rows = query.executeQuery()) {
            if (!rows.next()) {
                throw new SQLException("table " + table + " is missing");
            }
            sql = rows.getString(1);
        }
        // SQLite keeps the statement as written, with the name quoted once the table was renamed.
        Matcher name = Pattern.compile(
                        "^CREATE TABLE\\s+(\"?)" + Pattern.quote(table) + "\\1\\s*\\(", Pattern.CASE_INSENSITIVE)
                .matcher(sql);
        if (!name.find()) {
            throw new SQLException("cannot read the definition of table " + table + ": " + sql);
        }
        return "CREATE TABLE " + as + " (" + sql.substring(name.end());
    }

    /**
     * Renames {@code table}, if it exists, to a fresh {@code retired_*} name for {@link #deleteRetired}
     * to empty and drop; with {@code recreate}, creates {@code table} again, empty, as it was defined.
     */
    private static void retire(Session session, String table, boolean recreate) throws SQLException {
        PreparedStatement exists = session.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
        exists.setString(1, table);
        try (ResultSet rows = exists.executeQuery()) {
            if (!rows.next()) {
                return;
            }
        }
        String definition = recreate ? definitionAs(session, table, table) : "";
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        session.execute("ALTER TABLE " + table + " RENAME TO retired_" + table + "_" + HEX.formatHex(suffix));
        if (recreate) {
            session.execute(definition);
        }
    }

    /** Deletes the retired tables, if any, with a {@link Builder} of its own. */
    private void deleteRetired() {
        boolean any = read(
                "look for retired tables",
                session -> session.queryLong(
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name GLOB 'retired_*'")
                        > 0);
        if (any) {
            try (Builder builder = new Builder()) {
                deleteRetired(builder);
            }
        }
    }

    /**
     * Deletes the retired tables (the old cache after an install, staged rows, an install given
     * up), {@value #RETIRED_ROWS_PER_STEP} rows per transaction, and drops each once empty.
     */
    private void deleteRetired(Builder builder) {
        while (write("delete retired rows", session -> {
            Optional<String> table;
            try (Statement statement = session.connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                            + " AND name GLOB 'retired_*' ORDER BY name LIMIT 1")) {
                table = rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
            if (table.isEmpty()) {
                return false;
            }
            List<String> key = new ArrayList<>();
            try (Statement statement = session.connection.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "SELECT name FROM pragma_table_info('" + table.get() + "') WHERE pk > 0 ORDER BY pk")) {
                while (rows.next()) {
                    key.add(rows.getString(1));
                }
            }
            String columns = String.join(", ", key);
            int deleted;
            try (Statement statement = session.connection.createStatement()) {
                deleted = statement.executeUpdate("DELETE FROM " + table.get() + " WHERE (" + columns + ") IN (SELECT "
                        + columns + " FROM " + table.get() + " LIMIT " + RETIRED_ROWS_PER_STEP + ")");
            }
            if (deleted == 0) {
                session.execute("DROP TABLE " + table.get());
            }
            return true;
        })) {
            builder.checkpoint();
            installSteps.accept("retired");
        }
    }

    /**
     * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction on {@code session}, a connection
     * beside the writer, under the write lock (so it waits for no one in this process and no one
     * waits for it longer than its work).
     */
    private <T> T writeOn(Session session, String what, SqlWork<T> work) {
        writeLock.lock();
        try {
            requireOpenCache();
            session.prepare("BEGIN IMMEDIATE").execute();
            boolean committed = false;
            try {
                T result = work.run(session);
                session.prepare("COMMIT").execute();
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    try {
                        session.prepare("ROLLBACK").execute();
                    } catch (SQLException e) {
                        // Rolled back already by SQLite after the failure being reported.
                    }
                }
            }
        } catch (SQLException e) {
            throw translate(e, what, file);
        } finally {
            writeLock.unlock();
        }
    }

    // ------------------------------------------------------------------ keys

    /** The keys this edge trusts: its {@code signing-key} entities (empty before provisioning). */
    public KeySet trustedKeys() {
        List<String> jsons = read("read the signing keys", session -> jsonsOfKind(session, EntityKind.SIGNING_KEY));
        CachedKeys cached = cachedKeys;
        if (cached.jsons().equals(jsons)) {
            return cached.keys();
        }
        List<SigningKey> keys = new ArrayList<>();
        for (String json : jsons) {
            keys.add(decode(json, SigningKey.class));
        }
        KeySet keySet = KeySet.fromSigningKeys(keys);
        cachedKeys = new CachedKeys(jsons, keySet);
        return keySet;
    }

    private record CachedKeys(List<String> jsons, KeySet keys) {}

    /**
     * Stores the keys the edge was provisioned with as {@code signing-key} entities, only if the
     * cache holds none: once sync has delivered keys, they alone are trusted.
     *
     * @return whether the keys were stored
     */
    public boolean seedKeys(KeySet provisioned) {
        Objects.requireNonNull(provisioned, "provisioned");
        return write("store the provisioned signing keys", session -> {
            if (!jsonsOfKind(session, EntityKind.SIGNING_KEY).isEmpty()) {
                return false;
            }
            for (SigningKey key : provisioned.toSigningKeys()) {
                upsert(session, Row.of(key));
            }
            return true;
        });
    }

    // ------------------------------------------------------------------ pass use and transactions

    /**
     * Records that single-use pass {@code pass} opened a door for event {@code eventId}, with one
     * conditional insert: true for the first use only, false if any door of the site (any thread or
     * process) recorded it before. Use {@link Transaction#recordPassUse} to commit it with the event.
     */
    public boolean recordPassUse(PassId pass, String eventId) {
        return inTransaction(tx -> tx.recordPassUse(pass, eventId));
    }

    /**
     * Runs {@code work} in one write transaction: everything it does through the {@link Transaction}
     * commits together, or nothing does if it throws. The decision path records a single-use pass's
     * use and appends the access event this way:
     *
     * <pre>{@code
     * boolean granted = cache.inTransaction(tx -> {
     *     if (decision.consumesPass() && !tx.recordPassUse(pass, eventId)) {
     *         tx.append(deniedEvent);   // lost the race: VISITOR_PASS_USED
     *         return false;
     *     }
     *     tx.append(grantedEvent);
     *     return true;
     * });
     * }</pre>
     *
     * Keep the work short: it holds the single writer. The transaction must not be used after
     * {@code work} returns.
     */
    public <T> T inTransaction(Function<Transaction, T> work) {
        Objects.requireNonNull(work, "work");
        return write("write a transaction", session -> {
            Transaction transaction = new Transaction(session);
            try {
                return work.apply(transaction);
            } finally {
                transaction.open = false;
            }
        });
    }

    /** The writes that can share one transaction; see {@link #inTransaction}. */
    public final class Transaction {
        private final Session session;
        private boolean open = true;

        private Transaction(Session session) {
            this.session = session;
        }

        /** The conditional insert of {@link SqliteEntitlementCache#recordPassUse}, in this transaction. */
        public boolean recordPassUse(PassId pass, String eventId) {
            Objects.requireNonNull(pass, "pass");
            requireId(eventId, "event id");
            requireOpen();
            try {
                PreparedStatement insert = session.prepare(SQL_USE_PASS);
                insert.setString(1, pass.value());
                insert.setString(2, eventId);
                return insert.executeUpdate() == 1;
            } catch (SQLException e) {
                throw translate(e, "record the use of visitor pass " + pass, file);
            }
        }

        /** Appends an event to the outbox, in this transaction. */
        public void append(Envelope event) {
            requireOpen();
            try {
                Outbox.insert(session, event);
            } catch (SQLException e) {
                throw Outbox.translateInsert(e, event, file);
            }
        }

        private void requireOpen() {
            if (!open) {
                throw new CacheException(
                        CacheError.CLOSED, "a transaction was used after its inTransaction call returned");
            }
        }
    }

    // ------------------------------------------------------------------ commands

    /**
     * Remembers that command {@code id} is being executed, until {@code keepUntil}; forgets ids whose
     * time has passed by {@code now}. Returns false, and changes nothing, when the id is already
     * remembered: a replay.
     */
    public boolean rememberCommand(String id, Instant keepUntil, Instant now) {
        requireId(id, "command id");
        Objects.requireNonNull(keepUntil, "keepUntil");
        Objects.requireNonNull(now, "now");
        return write("remember command " + id, session -> {
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

    /**
     * Persists the mode a command put {@code door} in: a lockdown or an emergency release is kept until
     * a release ({@link DoorMode#NORMAL} removes the row), so a restarted agent starts the door in it.
     */
    public void setDoorMode(DoorId door, DoorMode mode) {
        Objects.requireNonNull(door, "door");
        Objects.requireNonNull(mode, "mode");
        write("persist the mode of door " + door, session -> {
            switch (mode) {
                case DoorMode.Normal normal -> {
                    PreparedStatement delete = session.prepare("DELETE FROM door_mode WHERE door = ?");
                    delete.setString(1, door.value());
                    delete.executeUpdate();
                }
                case DoorMode.Lockdown lockdown ->
                    putMode(
                            session,
                            door,
                            "lockdown",
                            String.join(",", new java.util.TreeSet<>(lockdown.allowedRoles())));
                case DoorMode.EmergencyRelease release -> putMode(session, door, "emergency-release", "");
            }
            return null;
        });
    }

    private static void putMode(Session session, DoorId door, String mode, String roles) throws SQLException {
        PreparedStatement upsert = session.prepare("INSERT INTO door_mode (door, mode, roles) VALUES (?, ?, ?)"
                + " ON CONFLICT (door) DO UPDATE SET mode = excluded.mode, roles = excluded.roles");
        upsert.setString(1, door.value());
        upsert.setString(2, mode);
        upsert.setString(3, roles);
        upsert.executeUpdate();
    }

    /** The persisted mode of {@code door}: {@link DoorMode#NORMAL} unless a command left it in another. */
    public DoorMode doorMode(DoorId door) {
        Objects.requireNonNull(door, "door");
        return read("read the mode of door " + door, session -> {
            PreparedStatement query = session.prepare("SELECT mode, roles FROM door_mode WHERE door = ?");
            query.setString(1, door.value());
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return DoorMode.NORMAL;
                }
                String mode = rows.getString(1);
                if ("emergency-release".equals(mode)) {
                    return DoorMode.EMERGENCY_RELEASE;
                }
                if ("lockdown".equals(mode)) {
                    String roles = rows.getString(2);
                    return new DoorMode.Lockdown(
                            roles.isEmpty() ? java.util.Set.of() : java.util.Set.of(roles.split(",")));
                }
                throw new CacheException(
                        CacheError.CORRUPT,
                        "door " + door + " has an unknown persisted mode '" + mode + "' in " + file);
            }
        });
    }

    /** The outbox of events waiting for the hub's acknowledgement, in this cache's file. */
    public Outbox outbox() {
        return outbox;
    }

    // ------------------------------------------------------------------ bulk load and statistics

    /**
     * Upserts many entities in one transaction, leaving the seq alone: for provisioning tests and
     * benchmarks (the hub's way in is a snapshot). {@code CacheLoadBenchmark} loads 1,000,000 NFC
     * credentials and their 1,000,000 members in about 10-13 s on the development VM, JSON encoding
     * included, into a 412 MB file.
     *
     * @return the number of entities written
     * @throws CacheException {@code DUPLICATE_CARD_HASH} (nothing written)
     */
    public long bulkLoad(Iterable<? extends Entity> entities) {
        Objects.requireNonNull(entities, "entities");
        return write("bulk-load entities", session -> {
            long[] count = {0};
            bulkUpsert(session, batch -> {
                for (Entity entity : entities) {
                    batch.add(Row.of(entity));
                    count[0]++;
                }
            });
            return count[0];
        });
    }

    /** The number of credentials in the cache (a count over the credential rows, not a point read). */
    public long credentialCount() {
        return read("count the credentials", session -> {
            PreparedStatement count = session.prepare("SELECT count(*) FROM entity WHERE kind = ?");
            count.setString(1, kindName(EntityKind.CREDENTIAL));
            try (ResultSet rows = count.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0L;
            }
        });
    }

    /** The bytes the cache occupies on disk: the database file and its write-ahead log. */
    public long sizeOnDiskBytes() {
        requireOpenCache();
        try {
            Path wal = file.resolveSibling(file.getFileName() + "-wal");
            return Files.size(file) + (Files.exists(wal) ? Files.size(wal) : 0);
        } catch (IOException e) {
            throw new CacheException(
                    CacheError.STORAGE, "cannot read the size of the entitlement cache " + file + ": " + e, e);
        }
    }

    /** {@code PRAGMA integrity_check}: {@code ["ok"]} for a sound file, else SQLite's list of problems. */
    public List<String> integrityCheck() {
        return read("check the cache's integrity", session -> {
            List<String> problems = new ArrayList<>();
            try (Statement statement = session.connection.createStatement();
                    ResultSet rows = statement.executeQuery("PRAGMA integrity_check")) {
                while (rows.next()) {
                    problems.add(rows.getString(1));
                }
            }
            return List.copyOf(problems);
        });
    }

    // ------------------------------------------------------------------ lookups

    /**
     * Runs {@code work} against one consistent state of the cache (one read transaction), so that a
     * decision's several lookups cannot straddle a sync batch. The site, doors, door groups and
     * schedules come from memory when the copy there is of the view's state (see {@code Config}),
     * everything else from SQLite. The view must not be used after {@code work} returns. Does not
     * wait for writers.
     */
    public <T> T reading(Function<Entitlements, T> work) {
        Objects.requireNonNull(work, "work");
        return read("read a consistent view", session -> {
            session.prepare("BEGIN").execute();
            View view = new View(Optional.of(session));
            try {
                return work.apply(view);
            } finally {
                view.active = false;
                session.prepare("COMMIT").execute();
            }
        });
    }

    @Override
    public Optional<Site> site() {
        return pooled.site();
    }

    @Override
    public Optional<Door> door(DoorId id) {
        return pooled.door(id);
    }

    @Override
    public Optional<Credential> credentialByCardHash(String cardHash) {
        return pooled.credentialByCardHash(cardHash);
    }

    @Override
    public Optional<Credential> credential(CredentialId id) {
        return pooled.credential(id);
    }

    @Override
    public Optional<Member> member(MemberId id) {
        return pooled.member(id);
    }

    @Override
    public List<Grant> grantsOf(MemberId member) {
        return pooled.grantsOf(member);
    }

    @Override
    public Optional<DoorGroup> doorGroup(DoorGroupId id) {
        return pooled.doorGroup(id);
    }

    @Override
    public Optional<Schedule> schedule(ScheduleId id) {
        return pooled.schedule(id);
    }

    @Override
    public List<Booking> bookingsOf(MemberId member) {
        return pooled.bookingsOf(member);
    }

    @Override
    public Optional<VisitorPass> visitorPass(PassId id) {
        return pooled.visitorPass(id);
    }

    @Override
    public boolean visitorPassUsed(PassId id) {
        return pooled.visitorPassUsed(id);
    }

    /**
     * The lookups, either on a borrowed pooled reader per call ({@code bound} empty) or on the one
     * reader of a {@link #reading} call.
     */
    private final class View implements Entitlements {
        private final Optional<Session> bound;
        private volatile boolean active = true;
        private Config viewConfig; // a bound view's configuration, once looked up

        View(Optional<Session> bound) {
            this.bound = bound;
        }

        /**
         * A bound view's configuration: the in-memory copy when its {@code config_gen} is the one in
         * this view's snapshot, else loaded from the snapshot (and kept, if newer: another instance
         * on the file, or a commit whose copy is not published yet). Empty for a pooled view.
         */
        private Optional<Config> config() {
            if (bound.isEmpty()) {
                return Optional.empty();
            }
            if (viewConfig == null) {
                viewConfig = call("read the site's configuration", session -> {
                    long gen = meta(session, "config_gen").map(Long::parseLong).orElse(0L);
                    Config held = config.get();
                    if (held.gen() == gen) {
                        return held;
                    }
                    Config loaded = loadConfig(session);
                    publish(loaded);
                    return loaded;
                });
            }
            return Optional.of(viewConfig);
        }

        private <T> T call(String what, SqlWork<T> work) {
            if (bound.isEmpty()) {
                return read(what, work);
            }
            if (!active) {
                throw new CacheException(CacheError.CLOSED, "a view was used after its reading call returned");
            }
            try {
                return work.run(bound.get());
            } catch (SQLException e) {
                throw translate(e, what, file);
            }
        }

        @Override
        public Optional<Site> site() {
            Optional<Config> held = config();
            if (held.isPresent()) {
                return held.get().site();
            }
            return call("look up the site", session -> {
                List<String> sites = jsonsOfKind(session, EntityKind.SITE);
                return sites.isEmpty() ? Optional.empty() : Optional.of(decode(sites.getFirst(), Site.class));
            });
        }

        @Override
        public Optional<Door> door(DoorId id) {
            Optional<Config> held = config();
            if (held.isPresent()) {
                return Optional.ofNullable(held.get().doors().get(id));
            }
            return byKey(EntityKind.DOOR, id.value(), Door.class);
        }

        @Override
        public Optional<Credential> credentialByCardHash(String cardHash) {
            if (cardHash == null || !CARD_HASH.matcher(cardHash).matches()) {
                return Optional.empty(); // no credential can hold it, as in the reference
            }
            return call("look up a card hash", session -> {
                PreparedStatement query = session.prepare(SQL_BY_CARD_HASH);
                query.setBytes(1, HEX.parseHex(cardHash));
                return single(query, Credential.class);
            });
        }

        @Override
        public Optional<Credential> credential(CredentialId id) {
            return byKey(EntityKind.CREDENTIAL, id.value(), Credential.class);
        }

        @Override
        public Optional<Member> member(MemberId id) {
            return byKey(EntityKind.MEMBER, id.value(), Member.class);
        }

        @Override
        public List<Grant> grantsOf(MemberId member) {
            return ofMember(EntityKind.GRANT, member, Grant.class);
        }

        @Override
        public Optional<DoorGroup> doorGroup(DoorGroupId id) {
            Optional<Config> held = config();
            if (held.isPresent()) {
                return Optional.ofNullable(held.get().doorGroups().get(id));
            }
            return byKey(EntityKind.DOOR_GROUP, id.value(), DoorGroup.class);
        }

        @Override
        public Optional<Schedule> schedule(ScheduleId id) {
            Optional<Config> held = config();
            if (held.isPresent()) {
                return Optional.ofNullable(held.get().schedules().get(id));
            }
            return byKey(EntityKind.SCHEDULE, id.value(), Schedule.class);
        }

        @Override
        public List<Booking> bookingsOf(MemberId member) {
            return ofMember(EntityKind.BOOKING, member, Booking.class);
        }

        @Override
        public Optional<VisitorPass> visitorPass(PassId id) {
            return byKey(EntityKind.VISITOR_PASS, id.value(), VisitorPass.class);
        }

        @Override
        public boolean visitorPassUsed(PassId id) {
            String pass = id.value();
            return call("look up a pass use", session -> {
                PreparedStatement query = session.prepare(SQL_PASS_USED);
                query.setString(1, pass);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next();
                }
            });
        }

        private <T extends Entity> Optional<T> byKey(EntityKind kind, String key, Class<T> type) {
            return call("look up " + kindName(kind) + " " + key, session -> {
                PreparedStatement query = session.prepare(SQL_BY_KEY);
                query.setString(1, kindName(kind));
                query.setString(2, key);
                return single(query, type);
            });
        }

        private <T extends Entity> List<T> ofMember(EntityKind kind, MemberId member, Class<T> type) {
            String id = member.value();
            return call("look up the " + kindName(kind) + "s of member " + id, session -> {
                PreparedStatement query = session.prepare(SQL_BY_MEMBER);
                query.setString(1, id);
                query.setString(2, kindName(kind));
                List<T> found = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        found.add(decode(rows.getString(1), type));
                    }
                }
                return List.copyOf(found);
            });
        }
    }

    private <T extends Entity> Optional<T> single(PreparedStatement query, Class<T> type) throws SQLException {
        try (ResultSet rows = query.executeQuery()) {
            return rows.next() ? Optional.of(decode(rows.getString(1), type)) : Optional.empty();
        }
    }

    private static List<String> jsonsOfKind(Session session, EntityKind kind) throws SQLException {
        PreparedStatement query = session.prepare(SQL_ALL_OF_KIND);
        query.setString(1, kindName(kind));
        List<String> jsons = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                jsons.add(rows.getString(1));
            }
        }
        return List.copyOf(jsons);
    }

    private <T extends Entity> T decode(String json, Class<T> type) {
        try {
            Entity entity = MessageCodec.decodeEntity(json);
            if (!type.isInstance(entity)) {
                throw new CacheException(
                        CacheError.CORRUPT,
                        "the entitlement cache " + file + " holds a " + entity.kind() + " where a "
                                + type.getSimpleName() + " belongs; move the file aside to rebuild it from a snapshot");
            }
            return type.cast(entity);
        } catch (ProtocolException e) {
            throw new CacheException(
                    CacheError.CORRUPT,
                    "the entitlement cache " + file + " holds an entry that cannot be read (" + e.getMessage()
                            + "); move the file aside to rebuild it from a snapshot",
                    e);
        }
    }

    // ------------------------------------------------------------------ entity rows

    /** An entity as stored: its lookup columns beside its JSON. {@code member} and {@code cardHash} may be null. */
    private record Row(String kind, String key, String member, byte[] cardHash, String json) {
        static Row of(Entity entity) {
            String member =
                    switch (entity) {
                        case Grant grant -> grant.member().value();
                        case Booking booking -> booking.member().value();
                        default -> null;
                    };
            byte[] cardHash = entity instanceof Credential credential
                    ? credential.cardHash().map(HEX::parseHex).orElse(null)
                    : null;
            return new Row(kindName(entity.kind()), entity.key(), member, cardHash, MessageCodec.encodeEntity(entity));
        }
    }

    /** The kind as stored: the protocol's wire name, so that the file reads well in {@code sqlite3}. */
    static String kindName(EntityKind kind) {
        return switch (kind) {
            case SITE -> "site";
            case MEMBER -> "member";
            case CREDENTIAL -> "credential";
            case DOOR -> "door";
            case DOOR_GROUP -> "door-group";
            case SCHEDULE -> "schedule";
            case GRANT -> "grant";
            case BOOKING -> "booking";
            case VISITOR_PASS -> "visitor-pass";
            case SIGNING_KEY -> "signing-key";
        };
    }

    private void upsert(Session session, Row row) throws SQLException {
        configChanged |= isConfigKind(row.kind());
        if (row.kind().equals("site")) {
            // A cache holds one site entity: an upsert replaces it whatever its id, as InMemoryEntitlements does.
            PreparedStatement others = session.prepare(SQL_DELETE_OTHER_SITES);
            others.setString(1, row.key());
            others.executeUpdate();
        }
        PreparedStatement upsert = session.prepare(SQL_UPSERT);
        upsert.setString(1, row.kind());
        upsert.setString(2, row.key());
        upsert.setString(3, row.member());
        upsert.setBytes(4, row.cardHash());
        upsert.setString(5, row.json());
        try {
            upsert.executeUpdate();
        } catch (SQLiteException e) {
            if (row.cardHash() != null && primary(e) == SQLiteErrorCode.SQLITE_CONSTRAINT.code) {
                throw duplicateCard(
                        row.key(), cardHolder(session, row.cardHash()).orElse("?"), e);
            }
            throw e;
        }
    }

    /** Rows fed to a bulk upsert. */
    @FunctionalInterface
    private interface BulkRows {
        void feed(BatchUpsert batch) throws SQLException;
    }

    /**
     * Upserts many rows (a bulk load, a snapshot install) inside the caller's transaction. Inserting
     * card hashes into their lookup in random order dominates the cost at a million cards (the lookup
     * outgrows SQLite's page cache), so the triggers that keep the lookups are dropped, the rows
     * written in JDBC batches, and the lookups filled again in key order: 1M cards and members load
     * in seconds instead of a minute. The final state must hold each card hash once; as for a
     * snapshot, only the result counts, not the order.
     */
    private void bulkUpsert(Session session, BulkRows rows) throws SQLException {
        List<String> triggers = dropLookupTriggers(session);
        BatchUpsert batch = new BatchUpsert(session);
        rows.feed(batch);
        batch.flush();
        session.execute("DELETE FROM entity_card");
        try {
            session.execute("INSERT INTO entity_card (card_hash, key) SELECT card_hash, key FROM entity"
                    + " WHERE card_hash IS NOT NULL ORDER BY card_hash");
        } catch (SQLiteException e) {
            if (primary(e) != SQLiteErrorCode.SQLITE_CONSTRAINT.code) {
                throw e;
            }
            try (Statement statement = session.connection.createStatement();
                    ResultSet pair = statement.executeQuery("SELECT min(key), max(key) FROM entity"
                            + " WHERE card_hash IS NOT NULL GROUP BY card_hash HAVING count(*) > 1 LIMIT 1")) {
                if (pair.next()) {
                    throw duplicateCard(pair.getString(2), pair.getString(1), e);
                }
            }
            throw e;
        }
        session.execute("DELETE FROM entity_member");
        session.execute("INSERT INTO entity_member (member, kind, key) SELECT member, kind, key FROM entity"
                + " WHERE member IS NOT NULL ORDER BY member, kind, key");
        for (String trigger : triggers) {
            session.execute(trigger);
        }
    }

    /** Drops the triggers on {@code entity} (the lookups' keepers) and returns their definitions. */
    private static List<String> dropLookupTriggers(Session session) throws SQLException {
        Map<String, String> triggers = new LinkedHashMap<>();
        try (Statement statement = session.connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT name, sql FROM sqlite_master"
                        + " WHERE type = 'trigger' AND tbl_name = 'entity' ORDER BY name")) {
            while (rows.next()) {
                triggers.put(rows.getString(1), rows.getString(2));
            }
        }
        for (String name : triggers.keySet()) {
            session.execute("DROP TRIGGER \"" + name + "\"");
        }
        return List.copyOf(triggers.values());
    }

    /**
     * Upserts through JDBC batches of {@value #BATCH_ROWS} rows: about three times faster per row
     * than one {@code executeUpdate} each with sqlite-jdbc.
     */
    private final class BatchUpsert {
        private static final int BATCH_ROWS = 1_000;
        private final Session session;
        private final List<Row> pending = new ArrayList<>(BATCH_ROWS);

        BatchUpsert(Session session) {
            this.session = session;
        }

        void add(Row row) throws SQLException {
            if (row.kind().equals("site")) {
                flush();
                upsert(session, row); // replaces any other site entity
                return;
            }
            configChanged |= isConfigKind(row.kind());
            PreparedStatement upsert = session.prepare(SQL_UPSERT);
            upsert.setString(1, row.kind());
            upsert.setString(2, row.key());
            upsert.setString(3, row.member());
            upsert.setBytes(4, row.cardHash());
            upsert.setString(5, row.json());
            upsert.addBatch();
            pending.add(row);
            if (pending.size() == BATCH_ROWS) {
                flush();
            }
        }

        void flush() throws SQLException {
            if (pending.isEmpty()) {
                return;
            }
            PreparedStatement upsert = session.prepare(SQL_UPSERT);
            try {
                upsert.executeBatch(); // no lookup is kept meanwhile: duplicates show when they are filled
            } catch (SQLException e) {
                upsert.clearBatch();
                throw e;
            } finally {
                pending.clear();
            }
        }
    }

    private static Optional<String> cardHolder(Session session, byte[] cardHash) throws SQLException {
        PreparedStatement holder = session.prepare(SQL_CARD_HOLDER);
        holder.setBytes(1, cardHash);
        try (ResultSet rows = holder.executeQuery()) {
            return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
    }

    private static CacheException duplicateCard(String credential, String holder, SQLException cause) {
        return new CacheException(
                CacheError.DUPLICATE_CARD_HASH,
                "credential " + credential + " has the card hash of credential " + holder
                        + "; a card is enrolled once per site, so nothing of this batch or snapshot was applied."
                        + " Correct the enrollment at the hub",
                cause);
    }

    private void delete(Session session, EntityKind kind, String key) throws SQLException {
        configChanged |= isConfigKind(kindName(kind));
        PreparedStatement delete = session.prepare(SQL_DELETE);
        delete.setString(1, kindName(kind));
        delete.setString(2, key);
        delete.executeUpdate();
    }

    // ------------------------------------------------------------------ meta

    private static Optional<String> meta(Session session, String name) throws SQLException {
        PreparedStatement query = session.prepare(SQL_META);
        query.setString(1, name);
        try (ResultSet rows = query.executeQuery()) {
            return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
    }

    private void setMeta(Session session, String name, String value) throws SQLException {
        metaWritten = true;
        PreparedStatement update = session.prepare(SQL_SET_META);
        update.setString(1, name);
        update.setString(2, value);
        update.executeUpdate();
    }

    private static long seqOf(Session session) throws SQLException {
        return meta(session, "seq").map(Long::parseLong).orElse(0L);
    }

    private Optional<Instant> hubTimeOf(Session session) throws SQLException {
        Optional<String> stored = meta(session, "hub_time");
        return stored.isEmpty() ? Optional.empty() : Optional.of(instant(stored.get()));
    }

    private void raiseHubTime(Session session, Instant time) throws SQLException {
        Optional<Instant> current = hubTimeOf(session);
        if (current.isEmpty() || time.isAfter(current.get())) {
            setMeta(session, "hub_time", time.toString());
        }
    }

    private Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new CacheException(
                    CacheError.CORRUPT,
                    "the entitlement cache " + file + " holds an unreadable time '" + text
                            + "'; move the file aside to rebuild it from a snapshot",
                    e);
        }
    }

    // ------------------------------------------------------------------ connections

    /** Work on one connection; may throw SQLException, which the caller translates. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Session session) throws SQLException;
    }

    /**
     * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction on the writer connection, under
     * the write lock; rolls back if it throws. A write started inside another on the same thread
     * joins it.
     */
    <T> T write(String what, SqlWork<T> work) {
        writeLock.lock();
        try {
            requireOpenCache();
            if (transactionDepth > 0) {
                return work.run(writer);
            }
            writer.prepare("BEGIN IMMEDIATE").execute();
            transactionDepth++;
            metaWritten = false;
            configChanged = false;
            boolean committed = false;
            try {
                T result = work.run(writer);
                Config newConfig = null;
                if (configChanged) {
                    long gen = meta(writer, "config_gen").map(Long::parseLong).orElse(0L);
                    setMeta(writer, "config_gen", Long.toString(gen + 1));
                    newConfig = loadConfig(writer); // read inside the transaction
                }
                Meta after = metaWritten ? new Meta(seqOf(writer), hubTimeOf(writer)) : null;
                writer.prepare("COMMIT").execute();
                committed = true;
                // Published only once the commit succeeded.
                if (after != null) {
                    meta = after;
                }
                if (newConfig != null) {
                    publish(newConfig);
                }
                return result;
            } finally {
                transactionDepth--;
                if (!committed) {
                    rollbackQuietly();
                }
            }
        } catch (SQLException e) {
            throw translate(e, what, file);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs {@code work}, which executes one writing statement, on the writer connection under the
     * write lock, without {@code BEGIN} and {@code COMMIT}: in SQLite's autocommit mode the statement
     * is a transaction of its own, committed when it returns (one statement on the hot path instead of
     * three). Inside a {@link #write} on the same thread it joins that transaction. {@code work}
     * translates its own failures; it must not write the configuration or the meta rows.
     */
    <T> T writeOne(String what, SqlWork<T> work) {
        writeLock.lock();
        try {
            requireOpenCache();
            return work.run(writer);
        } catch (SQLException e) {
            throw translate(e, what, file);
        } finally {
            writeLock.unlock();
        }
    }

    private void rollbackQuietly() {
        try {
            writer.prepare("ROLLBACK").execute();
        } catch (SQLException e) {
            // The transaction is gone already: SQLite rolls back by itself after some errors (a full disk).
        }
    }

    /** Runs {@code work} on a pooled reader connection, which no other thread uses meanwhile. */
    <T> T read(String what, SqlWork<T> work) {
        requireOpenCache();
        Session reader = idleReaders.pollFirst();
        try {
            if (reader == null) {
                reader = openReader();
            }
            return work.run(reader);
        } catch (SQLException e) {
            throw translate(e, what, file);
        } finally {
            if (reader != null) {
                release(reader);
            }
        }
    }

    private Session openReader() throws SQLException {
        Session reader = Session.connect(file);
        try {
            reader.execute("PRAGMA query_only = 1");
            return reader;
        } catch (SQLException e) {
            closeQuietly(reader);
            throw e;
        }
    }

    private void release(Session reader) {
        if (closed || idleReaders.size() >= MAX_IDLE_READERS) {
            closeQuietly(reader);
            return;
        }
        idleReaders.offerFirst(reader);
        if (closed) {
            closeIdleReaders();
        }
    }

    private void closeIdleReaders() {
        for (Session reader = idleReaders.pollFirst(); reader != null; reader = idleReaders.pollFirst()) {
            closeQuietly(reader);
        }
    }

    private void requireOpenCache() {
        if (closed) {
            throw new CacheException(CacheError.CLOSED, "the entitlement cache " + file + " is closed");
        }
    }

    /** Closes every connection; the last one checkpoints the WAL into the database file. Idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeIdleReaders();
            writer.close();
        } catch (SQLException e) {
            throw translate(e, "close the entitlement cache", file);
        } finally {
            writeLock.unlock();
        }
    }

    private static void closeQuietly(Session session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (SQLException e) {
            // Closing after a failure: the first failure is the one reported.
        }
    }

    /** One JDBC connection and its prepared statements; used by one thread at a time. */
    static final class Session implements AutoCloseable {
        final Connection connection;
        private final Map<String, PreparedStatement> statements = new HashMap<>();

        private Session(Connection connection) {
            this.connection = connection;
        }

        static Session connect(Path file) throws SQLException {
            SQLiteConfig config = new SQLiteConfig();
            config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            return new Session(config.createConnection("jdbc:sqlite:" + file.toAbsolutePath()));
        }

        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement statement = statements.get(sql);
            if (statement == null) {
                statement = connection.prepareStatement(sql);
                statements.put(sql, statement);
            }
            return statement;
        }

        void execute(String sql) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }

        String queryString(String sql) throws SQLException {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(sql)) {
                return rows.next() ? rows.getString(1) : "";
            }
        }

        long queryLong(String sql) throws SQLException {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(sql)) {
                return rows.next() ? rows.getLong(1) : 0L;
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                for (PreparedStatement statement : statements.values()) {
                    statement.close();
                }
                statements.clear();
            } finally {
                connection.close();
            }
        }
    }

    // ------------------------------------------------------------------ errors

    private void requireAudience(String what, String messageTenant, String messageSite) {
        if (!tenant.equals(messageTenant) || !site.equals(messageSite)) {
            throw new CacheException(
                    CacheError.WRONG_MESSAGE,
                    "a " + what + " for " + messageTenant + "/" + messageSite + " was handed to the cache of " + tenant
                            + "/" + site + "; verify messages for this site before applying them");
        }
    }

    private static CacheException wrongMessage(String expected, Envelope envelope) {
        return new CacheException(
                CacheError.WRONG_MESSAGE,
                "expected " + expected + " but got " + envelope.type().wireName() + " (" + envelope.id() + ")");
    }

    private static void requireId(String value, String what) {
        if (!Ids.isValid(value)) {
            throw new CacheException(
                    CacheError.INVALID_ARGUMENT,
                    what + " '" + (value == null ? "null" : Ids.printable(value))
                            + "' is not a valid id: use 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
    }

    static int primary(SQLiteException e) {
        return e.getResultCode().code & 0xff;
    }

    /** Translates a driver failure into a {@link CacheException} naming the file and what to do. */
    static CacheException translate(SQLException e, String what, Path file) {
        int code = e instanceof SQLiteException sqlite ? primary(sqlite) : -1;
        String cause = e.getMessage();
        if (code == SQLiteErrorCode.SQLITE_NOTADB.code || code == SQLiteErrorCode.SQLITE_CORRUPT.code) {
            return new CacheException(
                    CacheError.CORRUPT,
                    "cannot " + what + ": " + file + " is not a SQLite database or is damaged (" + cause
                            + "). Stop the agent, move the file aside and start again: the cache is rebuilt from"
                            + " a snapshot (events still in its outbox are lost)",
                    e);
        }
        if (code == SQLiteErrorCode.SQLITE_FULL.code) {
            return new CacheException(
                    CacheError.DISK_FULL,
                    "cannot " + what + ": the disk holding " + file + " is full (" + cause + ")",
                    e);
        }
        if (code == SQLiteErrorCode.SQLITE_BUSY.code || code == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return new CacheException(
                    CacheError.BUSY,
                    "cannot " + what + ": " + file + " stayed locked by another process for " + BUSY_TIMEOUT_MILLIS
                            + " ms (" + cause + "); is a second agent running on this data directory?",
                    e);
        }
        if (code == SQLiteErrorCode.SQLITE_CANTOPEN.code
                || code == SQLiteErrorCode.SQLITE_PERM.code
                || code == SQLiteErrorCode.SQLITE_READONLY.code) {
            return new CacheException(
                    CacheError.CANNOT_OPEN,
                    "cannot " + what + ": " + file + " cannot be opened for writing (" + cause
                            + "); check that the data directory exists and the agent's user may write it",
                    e);
        }
        return new CacheException(CacheError.STORAGE, "cannot " + what + " in " + file + ": " + cause, e);
    }
}
