package dev.gatehouse.hub.members;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Members of a tenant, their history and their protocol projection. Every write records what
 * changed in {@code member_history} and, when the member's status or roles change, appends the
 * {@link Member} entity to every site's change log — all in the write's own transaction.
 */
public final class MemberStore {
    private static final String COLUMNS = "id, email, full_name, phone, company, status, roles, created_at, updated_at";

    private final Database database;
    private final Clock clock;

    public MemberStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** A member's editable fields, validated by the web layer. */
    public record MemberInput(
            String email,
            String fullName,
            Optional<String> phone,
            Optional<String> company,
            Set<String> roles,
            MemberStatus status) {
        public MemberInput {
            roles = Set.copyOf(roles);
        }
    }

    /** A member as the API shows it; {@code phone} and {@code company} are null when not set. */
    public record MemberView(
            String id,
            String email,
            String fullName,
            String phone,
            String company,
            String status,
            List<String> roles,
            String createdAt,
            String updatedAt) {
        MemberInput input() {
            return new MemberInput(
                    email,
                    fullName,
                    Optional.ofNullable(phone),
                    Optional.ofNullable(company),
                    Set.copyOf(roles),
                    MemberStatus.valueOf(status.toUpperCase(Locale.ROOT)));
        }
    }

    /** One history entry: {@code changes} maps each field to {@code {"from": …, "to": …}}. */
    public record HistoryEntry(String id, String at, String actor, String action, JsonNode changes) {}

    // ---- writes

    public MemberView create(String tenantId, String actor, MemberInput input) {
        String id = HubIds.next("mem");
        Instant now = clock.instant();
        database.write(c -> {
            refuseTakenEmail(c, tenantId, input.email(), Optional.empty());
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO members (" + COLUMNS + ", tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, input.email());
                insert.setString(3, input.fullName());
                insert.setString(4, input.phone().orElse(null));
                insert.setString(5, input.company().orElse(null));
                insert.setString(6, input.status().name());
                insert.setString(7, rolesJson(input.roles()));
                insert.setLong(8, now.toEpochMilli());
                insert.setLong(9, now.toEpochMilli());
                insert.setString(10, tenantId);
                insertOrConflict(insert, input.email());
            }
            recordHistory(c, tenantId, id, actor, "created", diff(Optional.empty(), input), now);
            ChangeLog.appendToAllSites(c, tenantId, List.of(new Change.Upsert(entity(id, input))), now);
            return null;
        });
        return find(tenantId, id).orElseThrow();
    }

    /**
     * Applies {@code change} to the member's current fields, inside the transaction that holds the
     * member's row, so concurrent edits of other fields are never lost. A cancelled member stays
     * cancelled (409). Answers empty when the tenant has no such member.
     */
    public Optional<MemberView> update(
            String tenantId, String actor, String memberId, UnaryOperator<MemberInput> change) {
        Instant now = clock.instant();
        boolean found = database.write(c -> {
            if (!lock(c, tenantId, memberId)) {
                return false;
            }
            MemberInput before = view(c, tenantId, memberId).orElseThrow().input();
            MemberInput after = change.apply(before);
            if (before.status() == MemberStatus.CANCELLED && after.status() != MemberStatus.CANCELLED) {
                throw ApiException.conflict("member " + memberId + " is cancelled, and a cancellation is final;"
                        + " create a new member to sign them up again");
            }
            ObjectNode changes = diff(Optional.of(before), after);
            if (changes.isEmpty()) {
                return true;
            }
            if (!after.email().equals(before.email())) {
                refuseTakenEmail(c, tenantId, after.email(), Optional.of(memberId));
            }
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE members SET email = ?, full_name = ?,"
                            + " phone = ?, company = ?, status = ?, roles = ?, updated_at = ? WHERE id = ? AND tenant_id = ?")) {
                update.setString(1, after.email());
                update.setString(2, after.fullName());
                update.setString(3, after.phone().orElse(null));
                update.setString(4, after.company().orElse(null));
                update.setString(5, after.status().name());
                update.setString(6, rolesJson(after.roles()));
                update.setLong(7, now.toEpochMilli());
                update.setString(8, memberId);
                update.setString(9, tenantId);
                insertOrConflict(update, after.email());
            }
            String action = after.status() != before.status() ? "status-changed" : "updated";
            recordHistory(c, tenantId, memberId, actor, action, changes, now);
            // Names and contact details stay at the hub: only status and roles reach the doors.
            if (after.status() != before.status() || !after.roles().equals(before.roles())) {
                ChangeLog.appendToAllSites(c, tenantId, List.of(new Change.Upsert(entity(memberId, after))), now);
            }
            return true;
        });
        return found ? find(tenantId, memberId) : Optional.empty();
    }

    private static void refuseTakenEmail(Connection c, String tenantId, String email, Optional<String> self)
            throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT id FROM members WHERE tenant_id = ? AND email = ?")) {
            statement.setString(1, tenantId);
            statement.setString(2, email);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next() && !rows.getString(1).equals(self.orElse(""))) {
                    throw emailTaken(email);
                }
            }
        }
    }

    private static ApiException emailTaken(String email) {
        return ApiException.conflict("a member with e-mail " + email + " already exists");
    }

    /** Runs an insert or update whose only unique key is the e-mail; a race that loses becomes the same 409. */
    private static void insertOrConflict(PreparedStatement statement, String email) throws SQLException {
        try {
            statement.executeUpdate();
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (state.equals("23505") || message.contains("UNIQUE constraint failed")) {
                throw emailTaken(email);
            }
            throw e;
        }
    }

    /**
     * Takes the member's row for the rest of the transaction (PostgreSQL row lock; SQLite has one
     * writer), so that history entries are numbered without gaps or races. False when the tenant has
     * no such member.
     */
    public static boolean lock(Connection c, String tenantId, String memberId) throws SQLException {
        try (PreparedStatement touch =
                c.prepareStatement("UPDATE members SET updated_at = updated_at WHERE id = ? AND tenant_id = ?")) {
            touch.setString(1, memberId);
            touch.setString(2, tenantId);
            return touch.executeUpdate() == 1;
        }
    }

    /**
     * Appends one history entry in the caller's transaction; the caller holds the member's row
     * ({@link #lock}). {@code changes} maps each field to {@code {"from": …, "to": …}}.
     */
    public static void recordHistory(
            Connection c, String tenantId, String memberId, String actor, String action, ObjectNode changes, Instant at)
            throws SQLException {
        long seq;
        try (PreparedStatement last = c.prepareStatement(
                "SELECT COALESCE(MAX(seq), 0) FROM member_history WHERE tenant_id = ? AND member_id = ?")) {
            last.setString(1, tenantId);
            last.setString(2, memberId);
            try (ResultSet rows = last.executeQuery()) {
                rows.next();
                seq = rows.getLong(1) + 1;
            }
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO member_history (id, tenant_id, member_id,"
                + " at, actor, action, changes, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, HubIds.next("mh"));
            insert.setString(2, tenantId);
            insert.setString(3, memberId);
            insert.setLong(4, at.toEpochMilli());
            insert.setString(5, actor);
            insert.setString(6, action);
            insert.setString(7, changes.toString());
            insert.setLong(8, seq);
            insert.executeUpdate();
        }
    }

    /** Field by field, what differs between {@code before} (absent for a new member) and {@code after}. */
    private static ObjectNode diff(Optional<MemberInput> before, MemberInput after) {
        ObjectNode changes = Json.MAPPER.createObjectNode();
        field(changes, "email", before.map(MemberInput::email), Optional.of(after.email()));
        field(changes, "fullName", before.map(MemberInput::fullName), Optional.of(after.fullName()));
        field(changes, "phone", before.flatMap(MemberInput::phone), after.phone());
        field(changes, "company", before.flatMap(MemberInput::company), after.company());
        field(
                changes,
                "status",
                before.map(b -> SiteStore.wire(b.status().name())),
                Optional.of(SiteStore.wire(after.status().name())));
        Optional<Set<String>> rolesBefore = before.map(MemberInput::roles);
        if (rolesBefore.isEmpty() || !rolesBefore.get().equals(after.roles())) {
            ObjectNode change = changes.putObject("roles");
            if (rolesBefore.isPresent()) {
                change.set("from", rolesArray(rolesBefore.get()));
            } else {
                change.putNull("from");
            }
            change.set("to", rolesArray(after.roles()));
        }
        return changes;
    }

    private static void field(ObjectNode changes, String name, Optional<String> from, Optional<String> to) {
        if (from.equals(to)) {
            return;
        }
        ObjectNode change = changes.putObject(name);
        change.put("from", from.orElse(null));
        change.put("to", to.orElse(null));
    }

    private static ArrayNode rolesArray(Set<String> roles) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        new TreeSet<>(roles).forEach(array::add);
        return array;
    }

    private static String rolesJson(Set<String> roles) {
        return rolesArray(roles).toString();
    }

    private static List<String> roles(String json) throws SQLException {
        try {
            List<String> roles = new ArrayList<>();
            Json.MAPPER.readTree(json).forEach(node -> roles.add(node.asText()));
            return roles;
        } catch (JsonProcessingException e) {
            throw new SQLException("stored member roles are not a JSON array: " + json, e);
        }
    }

    // ---- reads

    public Optional<MemberView> find(String tenantId, String memberId) {
        return database.read(c -> view(c, tenantId, memberId));
    }

    private static Optional<MemberView> view(Connection c, String tenantId, String memberId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT " + COLUMNS + " FROM members WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, memberId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(view(rows)) : Optional.empty();
            }
        }
    }

    private static MemberView view(ResultSet rows) throws SQLException {
        return new MemberView(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                rows.getString(5),
                SiteStore.wire(rows.getString(6)),
                roles(rows.getString(7)),
                Times.iso(rows.getLong(8)),
                Times.iso(rows.getLong(9)));
    }

    /**
     * A page of members in creation order. {@code query} matches, case-insensitively, the start of the
     * e-mail, of the full name, or of any word of the full name.
     */
    public Keyset.Page<MemberView> list(
            String tenantId,
            Optional<MemberStatus> status,
            Optional<String> query,
            int limit,
            Optional<Keyset.After> after) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM members WHERE tenant_id = ?");
        List<Object> parameters = new ArrayList<>();
        parameters.add(tenantId);
        if (status.isPresent()) {
            sql.append(" AND status = ?");
            parameters.add(status.get().name());
        }
        if (query.isPresent()) {
            String prefix = likeEscape(query.get().toLowerCase(Locale.ROOT));
            sql.append(" AND (LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(full_name) LIKE ? ESCAPE '\\'"
                    + " OR LOWER(full_name) LIKE ? ESCAPE '\\')");
            parameters.add(prefix + "%");
            parameters.add(prefix + "%");
            parameters.add("% " + prefix + "%");
        }
        if (after.isPresent()) {
            sql.append(" AND (created_at > ? OR (created_at = ? AND id > ?))");
            parameters.add(after.get().createdAt());
            parameters.add(after.get().createdAt());
            parameters.add(after.get().id());
        }
        sql.append(" ORDER BY created_at, id LIMIT ?");
        parameters.add(limit + 1);
        List<MemberView> rows = database.read(c -> {
            List<MemberView> found = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement(sql.toString())) {
                bind(statement, parameters);
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        found.add(view(result));
                    }
                }
            }
            return found;
        });
        return Keyset.page(
                rows, limit, m -> new Keyset.After(Instant.parse(m.createdAt()).toEpochMilli(), m.id()));
    }

    static void bind(PreparedStatement statement, List<Object> parameters) throws SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            switch (parameters.get(i)) {
                case String text -> statement.setString(i + 1, text);
                case Long number -> statement.setLong(i + 1, number);
                case Integer number -> statement.setInt(i + 1, number);
                default -> throw new IllegalArgumentException("unsupported parameter " + parameters.get(i));
            }
        }
    }

    private static String likeEscape(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /**
     * The member's history, oldest first, paged. Entries are ordered by time, then by their number
     * within the member ({@link #recordHistory}), then by id; the cursor carries all three.
     */
    public Optional<Keyset.Page<HistoryEntry>> history(
            String tenantId, String memberId, int limit, Optional<Keyset.After> after) {
        Optional<long[]> position = after.map(MemberStore::historyPosition);
        return database.read(c -> {
            if (view(c, tenantId, memberId).isEmpty()) {
                return Optional.empty();
            }
            String sql = "SELECT id, at, actor, action, changes, seq FROM member_history"
                    + " WHERE tenant_id = ? AND member_id = ?"
                    + (after.isPresent()
                            ? " AND (at > ? OR (at = ? AND seq > ?) OR (at = ? AND seq = ? AND id > ?))"
                            : "")
                    + " ORDER BY at, seq, id LIMIT ?";
            List<Object> parameters = new ArrayList<>(List.of(tenantId, memberId));
            if (after.isPresent()) {
                long at = position.get()[0];
                long seq = position.get()[1];
                String id = after.get().id().substring(after.get().id().indexOf('-') + 1);
                parameters.addAll(List.of(at, at, seq, at, seq, id));
            }
            parameters.add(limit + 1);
            List<HistoryRow> rows = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement(sql)) {
                bind(statement, parameters);
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        JsonNode changes;
                        try {
                            changes = Json.MAPPER.readTree(result.getString(5));
                        } catch (JsonProcessingException e) {
                            throw new SQLException("stored member history is not JSON", e);
                        }
                        rows.add(new HistoryRow(
                                new HistoryEntry(
                                        result.getString(1),
                                        Times.iso(result.getLong(2)),
                                        result.getString(3),
                                        result.getString(4),
                                        changes),
                                result.getLong(2),
                                result.getLong(6)));
                    }
                }
            }
            Keyset.Page<HistoryRow> page = Keyset.page(
                    rows,
                    limit,
                    row -> new Keyset.After(
                            row.at(), row.seq() + "-" + row.entry().id()));
            return Optional.of(new Keyset.Page<>(
                    page.items().stream().map(HistoryRow::entry).toList(), page.nextCursor()));
        });
    }

    private record HistoryRow(HistoryEntry entry, long at, long seq) {}

    /** The (at, seq) of a history cursor, whose id part is "seq-entryId". */
    private static long[] historyPosition(Keyset.After after) {
        int dash = after.id().indexOf('-');
        try {
            if (dash > 0) {
                return new long[] {after.createdAt(), Long.parseLong(after.id().substring(0, dash))};
            }
        } catch (NumberFormatException e) {
            // falls through to the 422 below
        }
        throw ApiException.invalid("cursor", "is not a cursor this list returned; pass nextCursor unchanged");
    }

    // ---- protocol projection

    private static Member entity(String memberId, MemberInput input) {
        return new Member(MemberId.of(memberId), input.status(), input.roles());
    }

    /** The member as the doors see it (status and roles), or empty when the tenant has no such member. */
    public static Optional<Member> entity(Connection c, String tenantId, String memberId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT id, status, roles FROM members WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, memberId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(entity(rows)) : Optional.empty();
            }
        }
    }

    /** Every member of the tenant as the doors see them, by id. */
    public static List<Member> entities(Connection c, String tenantId) throws SQLException {
        List<Member> members = new ArrayList<>();
        try (PreparedStatement statement =
                c.prepareStatement("SELECT id, status, roles FROM members WHERE tenant_id = ? ORDER BY id")) {
            statement.setString(1, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    members.add(entity(rows));
                }
            }
        }
        return members;
    }

    private static Member entity(ResultSet rows) throws SQLException {
        return new Member(
                MemberId.of(rows.getString(1)),
                MemberStatus.valueOf(rows.getString(2)),
                Set.copyOf(roles(rows.getString(3))));
    }

    /** The member's status, or empty when the tenant has no such member. */
    public static Optional<MemberStatus> status(Connection c, String tenantId, String memberId) throws SQLException {
        return entity(c, tenantId, memberId).map(Member::status);
    }
}
