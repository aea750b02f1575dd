package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.Entitlements;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The cache read as the protocol's {@link Entitlements}: either on a borrowed pooled reader per
 * call ({@code bound} empty), or on the one reader of a {@link #reading} call. Every lookup is a
 * point read or a short index range (see {@code CacheIndexTest}). Within a bound view, the few
 * configuration entities (site, doors, door groups, schedules) come from the decoded copy in memory
 * whenever it is of the view's state (see {@link CommittedState.Config}).
 */
final class CacheView implements Entitlements {
    // The lookups, package-private so that CacheIndexTest can check their query plans.
    static final String SQL_ROOMS = "SELECT json FROM entity WHERE kind = 'room' ORDER BY key";
    static final String SQL_BY_KEY = "SELECT json FROM entity WHERE kind = ? AND key = ?";
    // CROSS JOIN keeps SQLite's join order: the lookup table first, then the entity by its primary key.
    static final String SQL_BY_CARD_HASH = "SELECT e.json FROM entity_card c CROSS JOIN entity e"
            + " ON e.kind = 'credential' AND e.key = c.key WHERE c.card_hash = ?";
    static final String SQL_BY_PIN_HASH = "SELECT e.json FROM entity_card c CROSS JOIN entity e"
            + " ON e.kind = 'visitor-pass' AND e.key = c.key WHERE c.card_hash = ?";
    static final String SQL_BY_MEMBER = "SELECT e.json FROM entity_member m CROSS JOIN entity e"
            + " ON e.kind = m.kind AND e.key = m.key WHERE m.member = ? AND m.kind = ? ORDER BY m.key";

    // The start and end are ISO-8601 instants as the codec writes them; compared as text they order by
    // time to the second, enough to pick the bookings of a window (the caller checks the instants).
    static final String SQL_BOOKINGS_BETWEEN = "SELECT json FROM entity WHERE kind = 'booking'"
            + " AND json_extract(json, '$.end') > ? AND json_extract(json, '$.start') < ? ORDER BY key";

    private static final Pattern CARD_HASH = Pattern.compile("[0-9a-f]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private final SqliteConnections connections;
    private final CommittedState state;
    private final SqliteEntityRows entities;
    private final Optional<SqliteSession> bound;
    private volatile boolean active = true;
    private CommittedState.Config viewConfig; // a bound view's configuration, once looked up

    /** A view that borrows a pooled reader for each lookup. */
    CacheView(SqliteConnections connections, CommittedState state, SqliteEntityRows entities) {
        this(connections, state, entities, Optional.empty());
    }

    private CacheView(
            SqliteConnections connections,
            CommittedState state,
            SqliteEntityRows entities,
            Optional<SqliteSession> bound) {
        this.connections = connections;
        this.state = state;
        this.entities = entities;
        this.bound = bound;
    }

    /**
     * Runs {@code work} against one consistent state of the cache (one read transaction), so that a
     * decision's several lookups cannot straddle a sync batch. The site, doors, door groups and
     * schedules come from memory when the copy there is of the view's state (see {@link CommittedState.Config}),
     * everything else from SQLite. The view must not be used after {@code work} returns. Does not
     * wait for writers.
     */
    <T> T reading(Function<Entitlements, T> work) {
        return connections.read("read a consistent view", session -> {
            session.prepare("BEGIN").execute();
            CacheView view = new CacheView(connections, state, entities, Optional.of(session));
            try {
                return work.apply(view);
            } finally {
                view.active = false;
                session.prepare("COMMIT").execute();
            }
        });
    }

    /**
     * A bound view's configuration: the in-memory copy when its {@code config_gen} is the one in
     * this view's snapshot, else loaded from the snapshot (and kept, if newer: another instance
     * on the file, or a commit whose copy is not published yet). Empty for a pooled view.
     */
    private Optional<CommittedState.Config> config() {
        if (bound.isEmpty()) {
            return Optional.empty();
        }
        if (viewConfig == null) {
            viewConfig = call("read the site's configuration", session -> {
                long gen = MetaStore.meta(session, "config_gen")
                        .map(Long::parseLong)
                        .orElse(0L);
                CommittedState.Config held = state.config();
                if (held.gen() == gen) {
                    return held;
                }
                CommittedState.Config loaded = state.loadConfig(session);
                state.publish(loaded);
                return loaded;
            });
        }
        return Optional.of(viewConfig);
    }

    private <T> T call(String what, SqliteConnections.SqlWork<T> work) {
        if (bound.isEmpty()) {
            return connections.read(what, work);
        }
        if (!active) {
            throw new CacheException(CacheError.CLOSED, "a view was used after its reading call returned");
        }
        try {
            return work.run(bound.get());
        } catch (SQLException e) {
            throw SqliteConnections.translate(e, what, connections.file());
        }
    }

    @Override
    public Optional<Site> site() {
        Optional<CommittedState.Config> held = config();
        if (held.isPresent()) {
            return held.get().site();
        }
        return call("look up the site", session -> {
            List<String> sites = SqliteEntityRows.jsonsOfKind(session, EntityKind.SITE);
            return sites.isEmpty() ? Optional.empty() : Optional.of(entities.decode(sites.getFirst(), Site.class));
        });
    }

    @Override
    public Optional<Door> door(DoorId id) {
        Optional<CommittedState.Config> held = config();
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
            return entities.single(query, Credential.class);
        });
    }

    @Override
    public Optional<VisitorPass> visitorPassByPinHash(String pinHash) {
        if (pinHash == null || !CARD_HASH.matcher(pinHash).matches()) {
            return Optional.empty();
        }
        return call("look up a PIN hash", session -> {
            PreparedStatement query = session.prepare(SQL_BY_PIN_HASH);
            query.setBytes(1, HEX.parseHex(pinHash));
            return entities.single(query, VisitorPass.class);
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
        Optional<CommittedState.Config> held = config();
        if (held.isPresent()) {
            return Optional.ofNullable(held.get().doorGroups().get(id));
        }
        return byKey(EntityKind.DOOR_GROUP, id.value(), DoorGroup.class);
    }

    @Override
    public Optional<Schedule> schedule(ScheduleId id) {
        Optional<CommittedState.Config> held = config();
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
    public Optional<Instant> checkedIn(BookingId booking) {
        String id = booking.value();
        return call("look up the check-in of booking " + id, session -> BookingStates.checkedIn(session, id));
    }

    @Override
    public Optional<VisitorPass> visitorPass(PassId id) {
        return byKey(EntityKind.VISITOR_PASS, id.value(), VisitorPass.class);
    }

    @Override
    public boolean visitorPassUsed(PassId id) {
        String pass = id.value();
        return call("look up a pass use", session -> PassUses.used(session, pass));
    }

    @Override
    public Set<LocalDate> passDaysSpent(GrantId grant) {
        String id = grant.value();
        return call("look up the days spent on grant " + id, session -> PassDays.spent(session, id));
    }

    /** The bookings that meet [from, until), whoever made them: what the rooms' A/V runs on. */
    public List<Booking> bookingsBetween(Instant from, Instant until) {
        return call("list the bookings between " + from + " and " + until, session -> {
            PreparedStatement query = session.prepare(SQL_BOOKINGS_BETWEEN);
            query.setString(1, from.minusSeconds(1).toString());
            query.setString(2, until.plusSeconds(1).toString());
            List<Booking> found = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Booking booking = entities.decode(rows.getString(1), Booking.class);
                    if (booking.end().isAfter(from) && booking.start().isBefore(until)) {
                        found.add(booking);
                    }
                }
            }
            return List.copyOf(found);
        });
    }

    /** The rooms the hub pushed, in id order. */
    public List<dev.gatehouse.protocol.model.Room> rooms() {
        return call("list the rooms", session -> {
            PreparedStatement query = session.prepare(SQL_ROOMS);
            List<dev.gatehouse.protocol.model.Room> found = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    found.add(entities.decode(rows.getString(1), dev.gatehouse.protocol.model.Room.class));
                }
            }
            return List.copyOf(found);
        });
    }

    private <T extends Entity> Optional<T> byKey(EntityKind kind, String key, Class<T> type) {
        return call("look up " + SqliteEntityRows.kindName(kind) + " " + key, session -> {
            PreparedStatement query = session.prepare(SQL_BY_KEY);
            query.setString(1, SqliteEntityRows.kindName(kind));
            query.setString(2, key);
            return entities.single(query, type);
        });
    }

    private <T extends Entity> List<T> ofMember(EntityKind kind, MemberId member, Class<T> type) {
        String id = member.value();
        return call("look up the " + SqliteEntityRows.kindName(kind) + "s of member " + id, session -> {
            PreparedStatement query = session.prepare(SQL_BY_MEMBER);
            query.setString(1, id);
            query.setString(2, SqliteEntityRows.kindName(kind));
            List<T> found = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    found.add(entities.decode(rows.getString(1), type));
                }
            }
            return List.copyOf(found);
        });
    }
}
