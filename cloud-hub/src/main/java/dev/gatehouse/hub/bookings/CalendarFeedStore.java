package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Tokens;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * iCalendar feeds behind secret URLs, one per resource and one per member. The secret is 32 random
 * bytes (base64url); only its SHA-256 is stored, as for API tokens, so the URL is shown once, when it
 * is made, and rotating it makes the old one stop working at once.
 *
 * <p>A resource's feed shows when it is booked, titled "Booked", with nothing about who booked it; a
 * member's feed shows the member's own bookings with their titles and where they are.
 */
public record CalendarFeedStore(Database database, Clock clock) {
    /** What a feed shows the bookings of. */
    public enum FeedKind {
        RESOURCE,
        MEMBER
    }

    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** How far back a feed reaches; forward it shows every booking. */
    static final Duration PAST = Duration.ofDays(31);

    /** The most events one feed carries. */
    static final int MAX_EVENTS = 2000;

    /** Makes the subject's feed a new secret URL, replacing any earlier one; answers the secret. */
    public StoreResult<String> rotate(String tenantId, FeedKind kind, String subjectId) {
        String secret = Tokens.secret();
        Instant now = clock.instant();
        return database.write(c -> {
            if (!exists(c, tenantId, kind, subjectId)) {
                return new StoreResult.NotFound<>(what(kind), subjectId);
            }
            Sql.update(
                    c,
                    "DELETE FROM calendar_feeds WHERE tenant_id = ? AND kind = ? AND subject_id = ?",
                    tenantId,
                    kind,
                    subjectId);
            Sql.update(
                    c,
                    "INSERT INTO calendar_feeds (id, tenant_id, kind, subject_id, secret_hash, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)",
                    HubIds.next("cal"),
                    tenantId,
                    kind,
                    subjectId,
                    Tokens.hash(secret),
                    now);
            return StoreResult.found(secret);
        });
    }

    /** Turns the subject's feed off; answers whether there was one. */
    public StoreResult<Boolean> remove(String tenantId, FeedKind kind, String subjectId) {
        return database.write(c -> {
            if (!exists(c, tenantId, kind, subjectId)) {
                return new StoreResult.NotFound<>(what(kind), subjectId);
            }
            return StoreResult.found(Sql.update(
                            c,
                            "DELETE FROM calendar_feeds WHERE tenant_id = ? AND kind = ? AND subject_id = ?",
                            tenantId,
                            kind,
                            subjectId)
                    > 0);
        });
    }

    /** When the subject's live feed address was made; empty when it has none. */
    public Optional<Instant> madeAt(String tenantId, FeedKind kind, String subjectId) {
        return database.read(c -> Sql.one(
                        c,
                        "SELECT created_at FROM calendar_feeds WHERE tenant_id = ? AND kind = ? AND subject_id = ?",
                        Sql.LONG,
                        tenantId,
                        kind,
                        subjectId)
                .map(Instant::ofEpochMilli));
    }

    /** The calendar behind {@code secret}, or empty for a secret that is malformed, unknown or rotated. */
    Optional<ICalendar.Calendar> calendar(String secret) {
        if (!SECRET.matcher(secret).matches()) {
            return Optional.empty();
        }
        Instant since = clock.instant().minus(PAST);
        return database.read(c -> {
            Optional<Subject> subject = Sql.one(
                    c,
                    "SELECT tenant_id, kind, subject_id FROM calendar_feeds WHERE secret_hash = ?",
                    row -> new Subject(row.getString(1), FeedKind.valueOf(row.getString(2)), row.getString(3)),
                    Tokens.hash(secret));
            if (subject.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(
                    switch (subject.get().kind()) {
                        case RESOURCE -> resourceCalendar(c, subject.get(), since);
                        case MEMBER -> memberCalendar(c, subject.get(), since);
                    });
        });
    }

    private record Subject(String tenantId, FeedKind kind, String id) {}

    /**
     * The resource's bookings as "Booked": no member, no title, no booking id (the UID is a hash of it);
     * requests waiting for approval, which hold their time, as tentative.
     */
    private static ICalendar.Calendar resourceCalendar(Connection c, Subject subject, Instant since)
            throws SQLException {
        String name = Sql.one(
                        c,
                        "SELECT r.name || ' (' || s.name || ')' FROM resources r JOIN sites s ON s.id = r.site_id"
                                + " WHERE r.id = ? AND r.tenant_id = ?",
                        Sql.STRING,
                        subject.id(),
                        subject.tenantId())
                .orElseThrow();
        List<ICalendar.Event> events = Sql.list(
                c,
                "SELECT b.id, b.start_at, b.end_at, b.updated_at, s.time_zone, b.status FROM bookings b"
                        + " JOIN sites s ON s.id = b.site_id"
                        + " WHERE b.tenant_id = ? AND b.resource_id = ? AND b.status IN " + BookingStore.HOLDS_TIME
                        + " AND b.end_at > ?"
                        + " ORDER BY b.start_at, b.id LIMIT " + MAX_EVENTS,
                row -> new ICalendar.Event(
                        anonymous(row.getString(1)),
                        "Booked",
                        Optional.empty(),
                        Instant.ofEpochMilli(row.getLong(2)),
                        Instant.ofEpochMilli(row.getLong(3)),
                        ZoneId.of(row.getString(5)),
                        Instant.ofEpochMilli(row.getLong(4)),
                        "PENDING".equals(row.getString(6))),
                subject.tenantId(),
                subject.id(),
                since);
        return new ICalendar.Calendar(name, events);
    }

    /** The member's own bookings, with their titles and where they are. */
    private static ICalendar.Calendar memberCalendar(Connection c, Subject subject, Instant since) throws SQLException {
        String name = Sql.one(
                        c,
                        "SELECT full_name FROM members WHERE id = ? AND tenant_id = ?",
                        Sql.STRING,
                        subject.id(),
                        subject.tenantId())
                .orElseThrow();
        List<ICalendar.Event> events = Sql.list(
                c,
                "SELECT b.id, b.title, r.name, s.name, b.start_at, b.end_at, b.updated_at, s.time_zone, b.status"
                        + " FROM bookings b JOIN resources r ON r.id = b.resource_id JOIN sites s ON s.id = b.site_id"
                        + " WHERE b.tenant_id = ? AND b.member_id = ? AND b.status IN " + BookingStore.HOLDS_TIME
                        + " AND b.end_at > ?"
                        + " ORDER BY b.start_at, b.id LIMIT " + MAX_EVENTS,
                row -> new ICalendar.Event(
                        row.getString(1) + "@gatehouse",
                        row.getString(2).isEmpty() ? row.getString(3) : row.getString(2),
                        Optional.of(row.getString(3) + ", " + row.getString(4)),
                        Instant.ofEpochMilli(row.getLong(5)),
                        Instant.ofEpochMilli(row.getLong(6)),
                        ZoneId.of(row.getString(8)),
                        Instant.ofEpochMilli(row.getLong(7)),
                        "PENDING".equals(row.getString(9))),
                subject.tenantId(),
                subject.id(),
                since);
        return new ICalendar.Calendar("Bookings of " + name, events);
    }

    /** A stable UID that does not reveal the booking's id. */
    private static String anonymous(String bookingId) {
        return Tokens.hash("resource-feed:" + bookingId).substring(0, 32) + "@gatehouse";
    }

    private static boolean exists(Connection c, String tenantId, FeedKind kind, String subjectId) throws SQLException {
        String table =
                switch (kind) {
                    case RESOURCE -> "resources";
                    case MEMBER -> "members";
                };
        return Sql.exists(c, "SELECT 1 FROM " + table + " WHERE id = ? AND tenant_id = ?", subjectId, tenantId);
    }

    private static String what(FeedKind kind) {
        return switch (kind) {
            case RESOURCE -> "resource";
            case MEMBER -> "member";
        };
    }
}
