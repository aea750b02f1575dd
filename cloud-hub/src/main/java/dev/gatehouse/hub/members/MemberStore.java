package dev.gatehouse.hub.members;

import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.SqlWork;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Members of a tenant, their history and their protocol projection. Every write records what
 * changed in {@code member_history} and, when the member's status, roles or name change, appends the
 * {@link Member} entity to every site's change log (its name only where it has access, {@link
 * SiteNames}) — all in the write's own transaction.
 */
public record MemberStore(Database database, Clock clock) {
    private static final Keyset CREATION_ORDER = Keyset.ascending("created_at", "id");
    private static final String COLUMNS = "id, email, full_name, phone, company, status, roles, created_at, updated_at";

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
                    WireNames.of(MemberStatus.class, status));
        }
    }

    /**
     * One history entry; {@code changes} is the stored JSON that maps each field to {@code {"from": …,
     * "to": …}} ({@link MemberJson#changes(String)} reads it).
     */
    public record HistoryEntry(String id, String at, String actor, String action, String changes) {}

    // ---- writes

    /** Creates the member; Conflict when the tenant already has a member with that e-mail. */
    public StoreResult<MemberView> create(String tenantId, String actor, MemberInput input) {
        String id = HubIds.next("mem");
        Instant now = clock.instant();
        return writeMember(new AtomicReference<>(input.email()), c -> {
            if (emailTaken(c, tenantId, input.email(), Optional.empty())) {
                return emailTaken(input.email());
            }
            insert(c, tenantId, id, actor, input, now);
            return StoreResult.found(view(c, tenantId, id).orElseThrow());
        });
    }

    /** The tenant's member with this e-mail, in any letter case (the oldest, should there be two). */
    public static Optional<String> byEmail(Connection c, String tenantId, String email) throws SQLException {
        return Sql.one(
                c,
                "SELECT id FROM members WHERE tenant_id = ? AND LOWER(email) = LOWER(?) ORDER BY created_at, id",
                Sql.STRING,
                tenantId,
                email);
    }

    /** Makes an active member with this e-mail and name, in the caller's transaction; answers its id. */
    public static String create(Connection c, String tenantId, String actor, String email, String fullName, Instant now)
            throws SQLException {
        String id = HubIds.next("mem");
        insert(
                c,
                tenantId,
                id,
                actor,
                new MemberInput(email, fullName, Optional.empty(), Optional.empty(), Set.of(), MemberStatus.ACTIVE),
                now);
        return id;
    }

    private static void insert(Connection c, String tenantId, String id, String actor, MemberInput input, Instant now)
            throws SQLException {
        Sql.update(
                c,
                "INSERT INTO members (" + COLUMNS + ", tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                input.email(),
                input.fullName(),
                input.phone(),
                input.company(),
                input.status(),
                rolesJson(input.roles()),
                now,
                now,
                tenantId);
        MemberTerms.insert(c, List.of(new MemberTerms.Row(tenantId, id, input.email(), input.fullName())));
        long version = recordHistory(c, tenantId, id, actor, "created", diff(Optional.empty(), input), now);
        emit(c, tenantId, EventType.MEMBER_CREATED, id, version, now);
        SiteNames.memberChanged(c, tenantId, id, now);
    }

    /**
     * Applies {@code change} to the member's current fields, inside the transaction that holds the
     * member's row, so concurrent edits of other fields are never lost. NotFound when the tenant has
     * no such member; Conflict to un-cancel a member (cancelled is final) or to take another's e-mail.
     */
    public StoreResult<MemberView> update(
            String tenantId, String actor, String memberId, UnaryOperator<MemberInput> change) {
        Instant now = clock.instant();
        AtomicReference<String> email = new AtomicReference<>("");
        return writeMember(
                email,
                c -> update(
                        c,
                        tenantId,
                        actor,
                        memberId,
                        change.andThen(after -> {
                            email.set(after.email());
                            return after;
                        })::apply,
                        now));
    }

    /**
     * {@link #update(String, String, String, UnaryOperator)} in the caller's transaction. A concurrent
     * write that takes the new e-mail first makes the commit fail on the unique constraint.
     */
    public static StoreResult<MemberView> update(
            Connection c,
            String tenantId,
            String actor,
            String memberId,
            UnaryOperator<MemberInput> change,
            Instant now)
            throws SQLException {
        if (!lock(c, tenantId, memberId)) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        MemberInput before = view(c, tenantId, memberId).orElseThrow().input();
        MemberInput after = change.apply(before);
        if (before.status() == MemberStatus.CANCELLED && after.status() != MemberStatus.CANCELLED) {
            return new StoreResult.Conflict<>("member " + memberId + " is cancelled, and a cancellation is final;"
                    + " create a new member to sign them up again");
        }
        List<FieldChange> changes = diff(Optional.of(before), after);
        if (changes.isEmpty()) {
            return StoreResult.found(view(c, tenantId, memberId).orElseThrow());
        }
        if (!after.email().equals(before.email()) && emailTaken(c, tenantId, after.email(), Optional.of(memberId))) {
            return emailTaken(after.email());
        }
        Sql.update(
                c,
                "UPDATE members SET email = ?, full_name = ?, phone = ?, company = ?, status = ?, roles = ?,"
                        + " updated_at = ? WHERE id = ? AND tenant_id = ?",
                after.email(),
                after.fullName(),
                after.phone(),
                after.company(),
                after.status(),
                rolesJson(after.roles()),
                now,
                memberId,
                tenantId);
        if (!after.email().equals(before.email()) || !after.fullName().equals(before.fullName())) {
            MemberTerms.replace(c, tenantId, memberId, after.email(), after.fullName());
        }
        String action = after.status() != before.status() ? "status-changed" : "updated";
        long version = recordHistory(c, tenantId, memberId, actor, action, changes, now);
        emit(c, tenantId, eventType(before.status(), after.status()), memberId, version, now);
        // Contact details stay at the hub: status and roles reach every site's edges, an active member's
        // name (for the kiosk) only the sites where the member has access (SiteNames), and there only
        // the edges that read it (VisitorPassForms).
        if (after.status() != before.status()
                || !after.roles().equals(before.roles())
                || !after.fullName().equals(before.fullName())) {
            SiteNames.memberChanged(c, tenantId, memberId, now);
        }
        return StoreResult.found(view(c, tenantId, memberId).orElseThrow());
    }

    /** What a change of status (or none) is called in the event outbox. */
    private static EventType eventType(MemberStatus before, MemberStatus after) {
        if (before == after) {
            return EventType.MEMBER_UPDATED;
        }
        return switch (after) {
            case ACTIVE -> EventType.MEMBER_REACTIVATED;
            case SUSPENDED -> EventType.MEMBER_SUSPENDED;
            case CANCELLED -> EventType.MEMBER_CANCELLED;
        };
    }

    /** The member event, in the write's transaction; its version is the member's history seq. */
    private static void emit(Connection c, String tenantId, EventType type, String memberId, long version, Instant now)
            throws SQLException {
        Outbox.emit(
                c,
                tenantId,
                type,
                Optional.of(memberId),
                OptionalLong.of(version),
                view(c, tenantId, memberId).orElseThrow(),
                now);
    }

    /**
     * Runs a member write. The e-mail is the members' only unique key besides the id: a concurrent
     * write that takes {@code email} first makes this one fail on the constraint, which answers the
     * same Conflict as the check inside the transaction.
     */
    private StoreResult<MemberView> writeMember(AtomicReference<String> email, SqlWork<StoreResult<MemberView>> work) {
        try {
            return database.write(work);
        } catch (StoreException e) {
            if (e.error() == StoreError.CONFLICT) {
                return emailTaken(email.get());
            }
            throw e;
        }
    }

    private static boolean emailTaken(Connection c, String tenantId, String email, Optional<String> self)
            throws SQLException {
        return Sql.one(c, "SELECT id FROM members WHERE tenant_id = ? AND email = ?", Sql.STRING, tenantId, email)
                .filter(id -> !id.equals(self.orElse("")))
                .isPresent();
    }

    private static <T> StoreResult<T> emailTaken(String email) {
        return new StoreResult.Conflict<>("a member with e-mail " + email + " already exists");
    }

    /**
     * Takes the member's row for the rest of the transaction (PostgreSQL row lock; SQLite has one
     * writer), so that history entries are numbered without gaps or races. False when the tenant has
     * no such member.
     */
    public static boolean lock(Connection c, String tenantId, String memberId) throws SQLException {
        return Sql.update(
                        c,
                        "UPDATE members SET updated_at = updated_at WHERE id = ? AND tenant_id = ?",
                        memberId,
                        tenantId)
                == 1;
    }

    /**
     * Appends one history entry in the caller's transaction; the caller holds the member's row
     * ({@link #lock}), with each field's value before and after. Answers the entry's seq: the member's
     * version, which its outbox events carry.
     */
    public static long recordHistory(
            Connection c,
            String tenantId,
            String memberId,
            String actor,
            String action,
            List<FieldChange> changes,
            Instant at)
            throws SQLException {
        long seq = Sql.one(
                                c,
                                "SELECT COALESCE(MAX(seq), 0) FROM member_history WHERE tenant_id = ? AND member_id = ?",
                                Sql.LONG,
                                tenantId,
                                memberId)
                        .orElseThrow()
                + 1;
        Sql.update(
                c,
                "INSERT INTO member_history (id, tenant_id, member_id, at, actor, action, changes, seq)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                HubIds.next("mh"),
                tenantId,
                memberId,
                at,
                actor,
                action,
                MemberJson.changes(changes),
                seq);
        return seq;
    }

    /** Field by field, what differs between {@code before} (absent for a new member) and {@code after}. */
    private static List<FieldChange> diff(Optional<MemberInput> before, MemberInput after) {
        List<FieldChange> changes = new ArrayList<>();
        field(changes, "email", before.map(MemberInput::email), Optional.of(after.email()));
        field(changes, "fullName", before.map(MemberInput::fullName), Optional.of(after.fullName()));
        field(changes, "phone", before.flatMap(MemberInput::phone), after.phone());
        field(changes, "company", before.flatMap(MemberInput::company), after.company());
        field(
                changes,
                "status",
                before.map(b -> WireNames.wire(b.status())),
                Optional.of(WireNames.wire(after.status())));
        Optional<Set<String>> rolesBefore = before.map(MemberInput::roles);
        if (rolesBefore.isEmpty() || !rolesBefore.get().equals(after.roles())) {
            changes.add(new FieldChange("roles", rolesBefore.orElse(null), after.roles()));
        }
        return changes;
    }

    private static void field(List<FieldChange> changes, String name, Optional<String> from, Optional<String> to) {
        if (!from.equals(to)) {
            changes.add(new FieldChange(name, from.orElse(null), to.orElse(null)));
        }
    }

    private static String rolesJson(Set<String> roles) {
        return MemberJson.roles(roles);
    }

    private static List<String> roles(String json) throws SQLException {
        try {
            return MemberJson.roles(json);
        } catch (IllegalArgumentException e) {
            throw new SQLException("stored member roles are not a JSON array: " + json, e);
        }
    }

    // ---- reads

    public Optional<MemberView> find(String tenantId, String memberId) {
        return database.read(c -> view(c, tenantId, memberId));
    }

    private static Optional<MemberView> view(Connection c, String tenantId, String memberId) throws SQLException {
        return Sql.byId(c, "members", COLUMNS, MemberStore::view, tenantId, memberId);
    }

    private static MemberView view(ResultSet rows) throws SQLException {
        return new MemberView(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                rows.getString(5),
                WireNames.wire(rows.getString(6)),
                roles(rows.getString(7)),
                Times.iso(rows.getLong(8)),
                Times.iso(rows.getLong(9)));
    }

    /**
     * A page of members in creation order. {@code query} matches, case-insensitively, the start of the
     * e-mail, of the full name, or of any word of the full name.
     */
    public Page<MemberView> list(
            String tenantId, Optional<MemberStatus> status, Optional<String> query, int limit, Optional<Cursor> after) {
        return list(tenantId, status, query, false, limit, after);
    }

    /**
     * Like {@link #list}, and {@code query} also finds the holder of a credential whose label starts
     * with it (the console's search: "Ada's blue card"). The label is matched through the index on
     * the lower-cased label (V7), as a range, so the search stays fast with many members and cards.
     */
    public Page<MemberView> search(
            String tenantId, Optional<MemberStatus> status, Optional<String> query, int limit, Optional<Cursor> after) {
        return list(tenantId, status, query, true, limit, after);
    }

    private Page<MemberView> list(
            String tenantId,
            Optional<MemberStatus> status,
            Optional<String> query,
            boolean cardLabels,
            int limit,
            Optional<Cursor> after) {
        Query sql = new Query("SELECT " + COLUMNS + " FROM members WHERE tenant_id = ?", tenantId)
                .andIf(status, "status = ?");
        if (query.isPresent()) {
            String lower = query.get().toLowerCase(Locale.ROOT);
            if (lower.length() > MemberTerms.MAX_TERM) {
                lower = lower.substring(0, MemberTerms.MAX_TERM);
            }
            String prefix = likeEscape(lower) + "%";
            String upper = lower + Character.MAX_VALUE;
            // Ranges over indexed terms (member_terms, V10; the card label index, V7); the LIKE keeps
            // each match exact whatever the collation.
            String terms = "SELECT member_id FROM member_terms WHERE tenant_id = ? AND term >= ? AND term < ?"
                    + " AND term LIKE ? ESCAPE '\\'";
            if (cardLabels) {
                sql.and(
                        "id IN (" + terms + " UNION SELECT member_id FROM credentials WHERE tenant_id = ?"
                                + " AND LOWER(label) >= ? AND LOWER(label) < ? AND LOWER(label) LIKE ? ESCAPE '\\')",
                        tenantId,
                        lower,
                        upper,
                        prefix,
                        tenantId,
                        lower,
                        upper,
                        prefix);
            } else {
                sql.and("id IN (" + terms + ")", tenantId, lower, upper, prefix);
            }
        }
        CREATION_ORDER.page(sql, after, limit);
        List<MemberView> rows = database.read(c -> Sql.list(c, sql, MemberStore::view));
        return Keyset.page(
                rows, limit, m -> new Cursor(Instant.parse(m.createdAt()).toEpochMilli(), m.id()));
    }

    private static String likeEscape(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /**
     * The member's history, oldest first, paged; NotFound for an unknown member, Invalid for a cursor
     * this list did not write. Entries are ordered by time, then by their number within the member
     * ({@link #recordHistory}), then by id; the cursor carries all three (its id is "seq-entryId").
     */
    public StoreResult<Page<HistoryEntry>> history(
            String tenantId, String memberId, int limit, Optional<Cursor> after) {
        Optional<long[]> position = after.map(MemberStore::historyPosition);
        if (position.isPresent() && position.get().length == 0) {
            return StoreResult.invalid("cursor", Cursor.REFUSED);
        }
        return database.read(c -> {
            if (view(c, tenantId, memberId).isEmpty()) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            Query sql = new Query(
                    "SELECT id, at, actor, action, changes, seq FROM member_history WHERE tenant_id = ? AND member_id = ?",
                    tenantId,
                    memberId);
            if (after.isPresent()) {
                long at = position.get()[0];
                long seq = position.get()[1];
                String id = after.get().id().substring(after.get().id().indexOf('-') + 1);
                sql.and(
                        "(at > ? OR (at = ? AND seq > ?) OR (at = ? AND seq = ? AND id > ?))",
                        at,
                        at,
                        seq,
                        at,
                        seq,
                        id);
            }
            sql.append(" ORDER BY at, seq, id LIMIT ?", limit + 1);
            List<HistoryRow> rows = Sql.list(c, sql, MemberStore::historyRow);
            return StoreResult.found(Keyset.page(
                            rows,
                            limit,
                            row -> new Cursor(
                                    row.at(), row.seq() + "-" + row.entry().id()))
                    .map(HistoryRow::entry));
        });
    }

    private record HistoryRow(HistoryEntry entry, long at, long seq) {}

    private static HistoryRow historyRow(ResultSet row) throws SQLException {
        return new HistoryRow(
                new HistoryEntry(
                        row.getString(1),
                        Times.iso(row.getLong(2)),
                        row.getString(3),
                        row.getString(4),
                        row.getString(5)),
                row.getLong(2),
                row.getLong(6));
    }

    /** The (at, seq) of a history cursor, whose id part is "seq-entryId"; an empty array when it is not one. */
    private static long[] historyPosition(Cursor after) {
        int dash = after.id().indexOf('-');
        try {
            if (dash > 0) {
                return new long[] {after.key(), Long.parseLong(after.id().substring(0, dash))};
            }
        } catch (NumberFormatException e) {
            // not a history cursor
        }
        return new long[0];
    }

    // ---- protocol projection

    /**
     * The name a site's kiosk may offer walk-ins: an active member's full name, nobody else's (a
     * suspended, cancelled or erased member's name leaves the edges with the change).
     */
    private static Optional<String> displayName(MemberStatus status, String fullName) {
        if (status != MemberStatus.ACTIVE || fullName == null || fullName.isBlank()) {
            return Optional.empty();
        }
        String name = fullName.strip().replaceAll("\\p{Cntrl}", " ");
        return Optional.of(name.length() > Member.MAX_DISPLAY_NAME ? name.substring(0, Member.MAX_DISPLAY_NAME) : name);
    }

    /**
     * How the doors see a member: suspended when dunning has suspended an active member (their
     * invoices long unpaid), else the member's own status.
     */
    private static final String ENTITY_SQL = "SELECT m.id, CASE WHEN m.status = 'ACTIVE' AND EXISTS (SELECT 1 FROM"
            + " member_dunning d WHERE d.member_id = m.id AND d.state = 'SUSPENDED') THEN 'SUSPENDED' ELSE m.status"
            + " END, m.roles, m.full_name FROM members m WHERE m.tenant_id = ?";

    /**
     * Whether dunning holds the member's new bookings: their invoices are overdue past the tenant's
     * restricted threshold (billing's {@code Dunning} keeps the row).
     */
    public static boolean bookingsHeld(Connection c, String tenantId, String memberId) throws SQLException {
        return Sql.exists(
                c,
                "SELECT 1 FROM member_dunning WHERE member_id = ? AND tenant_id = ? AND state IN ('RESTRICTED', 'SUSPENDED')",
                memberId,
                tenantId);
    }

    /** The member as the doors see it (status and roles), or empty when the tenant has no such member. */
    public static Optional<Member> entity(Connection c, String tenantId, String memberId) throws SQLException {
        return Sql.one(c, ENTITY_SQL + " AND m.id = ?", MemberStore::entity, tenantId, memberId);
    }

    /** Every member of the tenant as the doors see them, by id. */
    public static List<Member> entities(Connection c, String tenantId) throws SQLException {
        return Sql.list(c, ENTITY_SQL + " ORDER BY m.id", MemberStore::entity, tenantId);
    }

    private static Member entity(ResultSet rows) throws SQLException {
        MemberStatus status = MemberStatus.valueOf(rows.getString(2));
        return new Member(
                MemberId.of(rows.getString(1)),
                status,
                Set.copyOf(roles(rows.getString(3))),
                displayName(status, rows.getString(4)));
    }

    /** The member's status, or empty when the tenant has no such member. */
    public static Optional<MemberStatus> status(Connection c, String tenantId, String memberId) throws SQLException {
        return entity(c, tenantId, memberId).map(Member::status);
    }
}
