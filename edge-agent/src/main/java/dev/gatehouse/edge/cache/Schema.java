package dev.gatehouse.edge.cache;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cache file's schema: its steps, numbered by {@code PRAGMA user_version}, each applied in one
 * transaction. A file from a newer agent is refused, never downgraded.
 *
 * <p>One {@code entity} table keyed by {@code (kind, key)} holds every entity as the protocol's
 * entity JSON (see {@link SqliteEntityRows}). Two lookup tables, kept by triggers on {@code entity},
 * serve the hot lookups: {@code entity_card} (the 32 bytes of an NFC credential's card hash, its
 * primary key, so a card is enrolled once) and {@code entity_member} ({@code (member, kind, key)},
 * a member's grants and bookings in id order, bookings also under each invitee); a third,
 * {@code entity_check_in}, lists the bookings that need a check-in by start. They are tables rather
 * than indexes so that a snapshot install can fill each in its own key order (see
 * {@link SnapshotInstaller}).
 */
final class Schema {
    private Schema() {}

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
     * transactions, which an index cannot be (see {@link SnapshotInstaller}).
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

    /** A booking's start in whole seconds since the epoch, from its entity JSON {@code json}; 0 if unreadable. */
    private static String startOf(String json) {
        return "COALESCE(unixepoch(json_extract(" + json + ", '$.start')), 0)";
    }

    /**
     * The rows of {@code entity_member} for the entities of table {@code entity}: each grant and booking
     * under its member, and each booking also under each of its invitees (read from its JSON).
     */
    static String memberRows(String entity) {
        return "SELECT member, kind, key FROM " + entity + " WHERE member IS NOT NULL"
                + " UNION ALL SELECT j.value, e.kind, e.key FROM " + entity + " e, json_each(e.json, '$.invitees') j"
                + " WHERE e.kind = 'booking'";
    }

    /** The rows of {@code entity_check_in} for the entities of table {@code entity}: bookings that need a check-in. */
    static String checkInRows(String entity) {
        return "SELECT " + startOf("json") + " AS start, key FROM " + entity
                + " WHERE kind = 'booking' AND json_type(json, '$.checkIn') = 'object'";
    }

    /** The rows of {@code entity_card} for the entities of table {@code entity}. */
    static String cardRows(String entity) {
        return "SELECT card_hash, key FROM " + entity + " WHERE card_hash IS NOT NULL";
    }

    private static final String INSERT_LOOKUPS_OF_NEW = " INSERT INTO entity_card (card_hash, key)"
            + " SELECT new.card_hash, new.key WHERE new.card_hash IS NOT NULL;"
            + " INSERT INTO entity_member (member, kind, key) SELECT new.member, new.kind, new.key"
            + " WHERE new.member IS NOT NULL;"
            + " INSERT INTO entity_member (member, kind, key) SELECT j.value, new.kind, new.key"
            + " FROM json_each(new.json, '$.invitees') j WHERE new.kind = 'booking';"
            + " INSERT INTO entity_check_in (start, key) SELECT " + startOf("new.json") + ", new.key"
            + " WHERE new.kind = 'booking' AND json_type(new.json, '$.checkIn') = 'object';";

    private static final String DELETE_LOOKUPS_OF_OLD = " DELETE FROM entity_card WHERE card_hash = old.card_hash;"
            + " DELETE FROM entity_member WHERE member = old.member AND kind = old.kind AND key = old.key;"
            + " DELETE FROM entity_member WHERE old.kind = 'booking' AND kind = old.kind AND key = old.key"
            + " AND member IN (SELECT value FROM json_each(old.json, '$.invitees'));"
            + " DELETE FROM entity_check_in WHERE old.kind = 'booking' AND start = " + startOf("old.json")
            + " AND key = old.key;";

    /**
     * Since schema 4, the triggers also index each booking under its invitees ({@code entity_member})
     * and keep {@code entity_check_in}, the bookings that need a check-in by start, which the release
     * sweep reads (see {@link BookingStates}).
     */
    private static final List<String> LOOKUP_TRIGGERS_4 = List.of(
            "DROP TRIGGER entity_lookups_insert",
            "DROP TRIGGER entity_lookups_update",
            "DROP TRIGGER entity_lookups_delete",
            "CREATE TRIGGER entity_lookups_insert AFTER INSERT ON entity BEGIN" + INSERT_LOOKUPS_OF_NEW + " END",
            "CREATE TRIGGER entity_lookups_update AFTER UPDATE ON entity BEGIN" + DELETE_LOOKUPS_OF_OLD
                    + INSERT_LOOKUPS_OF_NEW + " END",
            "CREATE TRIGGER entity_lookups_delete AFTER DELETE ON entity BEGIN" + DELETE_LOOKUPS_OF_OLD + " END");

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
                            .toList()),
            new Migration(
                    4,
                    "bookings found by invitee; bookings that need a check-in; check-ins and releases recorded here",
                    Stream.concat(
                                    Stream.of(
                                            // start: seconds since the epoch; kept by the triggers like the others
                                            "CREATE TABLE entity_check_in (start INTEGER NOT NULL, key TEXT NOT NULL,"
                                                    + " PRIMARY KEY (start, key)) WITHOUT ROWID",
                                            // what this edge did about a booking: checked in at a door, or
                                            // released it (both, if a tap in time lost the race to a release);
                                            // ISO instants. Not replaced by a snapshot, like pass_use.
                                            "CREATE TABLE booking_state (booking TEXT PRIMARY KEY, checked_in_at TEXT,"
                                                    + " released_at TEXT, event_id TEXT NOT NULL) WITHOUT ROWID",
                                            "INSERT INTO entity_member (member, kind, key) SELECT j.value, e.kind, e.key"
                                                    + " FROM entity e, json_each(e.json, '$.invitees') j"
                                                    + " WHERE e.kind = 'booking'",
                                            "INSERT INTO entity_check_in (start, key) " + checkInRows("entity")),
                                    LOOKUP_TRIGGERS_4.stream())
                            .toList()),
            new Migration(
                    5,
                    "days spent on entry-limited grants (passes), recorded here",
                    List.of(
                            // day: the site-local date (YYYY-MM-DD) the tap of event_id spent. Not
                            // replaced by a snapshot, like pass_use: the hub's count comes in the grant.
                            "CREATE TABLE pass_day (grant_id TEXT NOT NULL, day TEXT NOT NULL, event_id TEXT NOT NULL,"
                                    + " PRIMARY KEY (grant_id, day)) WITHOUT ROWID")),
            new Migration(
                    6,
                    "Wi-Fi vouchers handed out at the kiosk, recorded here",
                    List.of(
                            // event_id: the sign-in the voucher went to; json: the voucher entity as
                            // handed out (its code), so the same sign-in gets the same code after the hub
                            // removed it. Not replaced by a snapshot, like pass_use.
                            "CREATE TABLE voucher_taken (event_id TEXT PRIMARY KEY, voucher TEXT NOT NULL UNIQUE,"
                                    + " json TEXT NOT NULL) WITHOUT ROWID")),
            new Migration(
                    7,
                    "kiosk tablets paired by the technician; the outbox knows each event's type",
                    List.of(
                            // token_hash: SHA-256 (hex) of the kiosk's bearer token; the token itself
                            // lives only in the tablet's cookie. door: the door a pass sign-in opens.
                            "CREATE TABLE kiosk (id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL"
                                    + " UNIQUE, door TEXT, paired_at TEXT NOT NULL) WITHOUT ROWID",
                            // type: the envelope's type (NULL for events written before schema 7, none
                            // of which is an event.kiosk), so kiosk events can wait for a hub that reads them
                            "ALTER TABLE outbox ADD COLUMN type TEXT")),
            new Migration(
                    8,
                    "visitor agreements signed at the kiosk with a pass, recorded here",
                    List.of(
                            // A pass's visitor signed version `version` of agreement `agreement` at
                            // sign-in event_id: the kiosk asks them again only for a newer version.
                            // Not replaced by a snapshot, like pass_use. A walk-in signs every time.
                            "CREATE TABLE agreement_signed (pass TEXT NOT NULL, agreement TEXT NOT NULL,"
                                    + " version INTEGER NOT NULL, event_id TEXT NOT NULL,"
                                    + " PRIMARY KEY (pass, agreement, version)) WITHOUT ROWID")));

    /** The schema version this agent writes. */
    static final int SCHEMA_VERSION = MIGRATIONS.getLast().version();

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
}
