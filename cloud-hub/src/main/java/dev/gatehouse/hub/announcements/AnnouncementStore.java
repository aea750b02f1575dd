package dev.gatehouse.hub.announcements;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Announcements to members (issue 17 item 6): for one site's members or the whole tenant's, shown
 * from their publishing time until they expire or are withdrawn, and mailed once per member (see
 * {@link AnnouncementMails}). A member belongs to a site when one of their current plans opens a door
 * group there.
 */
public record AnnouncementStore(Database database, Clock clock) {
    /** What an operator writes. */
    public record Draft(
            Optional<String> siteId,
            String title,
            String body,
            Optional<Instant> publishAt,
            Optional<Instant> expiresAt) {}

    /** An announcement as the API and pages show it, with how many members it was mailed to. */
    public record View(
            String id,
            Optional<String> siteId,
            Optional<String> siteName,
            String title,
            String body,
            Instant publishAt,
            Optional<Instant> expiresAt,
            Optional<Instant> withdrawnAt,
            String createdBy,
            Instant createdAt,
            int mailed,
            int failed) {
        /** live, scheduled, expired or withdrawn at {@code now}. */
        public String state(Instant now) {
            if (withdrawnAt.isPresent()) {
                return "withdrawn";
            }
            if (publishAt.isAfter(now)) {
                return "scheduled";
            }
            if (expiresAt.isPresent() && !expiresAt.get().isAfter(now)) {
                return "expired";
            }
            return "live";
        }

        /** The body's paragraphs (split at blank lines), each shown as escaped plain text. */
        public List<String> paragraphs() {
            return java.util.Arrays.stream(body.split("\\R\\s*\\R"))
                    .map(String::strip)
                    .filter(p -> !p.isEmpty())
                    .toList();
        }
    }

    private static final String SELECT = "SELECT a.id, a.site_id, s.name, a.title, a.body, a.publish_at, a.expires_at,"
            + " a.withdrawn_at, a.created_by, a.created_at,"
            + " (SELECT COUNT(*) FROM announcement_mails m WHERE m.announcement_id = a.id AND m.state = 'SENT'),"
            + " (SELECT COUNT(*) FROM announcement_mails m WHERE m.announcement_id = a.id AND m.state = 'FAILED')"
            + " FROM announcements a LEFT JOIN sites s ON s.id = a.site_id";

    /** The sites a member belongs to now: where one of their current plans opens a door group. */
    static final String MEMBER_SITES = "SELECT g.site_id FROM member_plans mp"
            + " JOIN plan_door_groups pg ON pg.plan_id = mp.plan_id"
            + " JOIN door_groups g ON g.id = pg.door_group_id AND g.tenant_id = mp.tenant_id"
            + " WHERE mp.tenant_id = ? AND mp.member_id = ? AND (mp.valid_until IS NULL OR mp.valid_until > ?)";

    private static View view(ResultSet row) throws SQLException {
        return new View(
                row.getString(1),
                Optional.ofNullable(row.getString(2)),
                Optional.ofNullable(row.getString(3)),
                row.getString(4),
                row.getString(5),
                Instant.ofEpochMilli(row.getLong(6)),
                Sql.instant(row, 7),
                Sql.instant(row, 8),
                row.getString(9),
                Instant.ofEpochMilli(row.getLong(10)),
                row.getInt(11),
                row.getInt(12));
    }

    private static List<FieldError> check(Connection c, String tenantId, Draft draft, Instant publishAt)
            throws SQLException {
        List<FieldError> errors = new java.util.ArrayList<>();
        if (draft.siteId().isPresent()
                && !Sql.exists(
                        c,
                        "SELECT 1 FROM sites WHERE tenant_id = ? AND id = ?",
                        tenantId,
                        draft.siteId().get())) {
            errors.add(new FieldError(
                    "siteId", "there is no site " + draft.siteId().get() + " in this space"));
        }
        if (draft.expiresAt().isPresent() && !draft.expiresAt().get().isAfter(publishAt)) {
            errors.add(new FieldError("expiresAt", "must be after the publishing time " + publishAt));
        }
        return errors;
    }

    public StoreResult<View> create(String tenantId, String createdBy, Draft draft) {
        Instant now = clock.instant();
        Instant publishAt = draft.publishAt().orElse(now);
        return database.write(c -> {
            List<FieldError> errors = check(c, tenantId, draft, publishAt);
            if (!errors.isEmpty()) {
                return new StoreResult.Invalid<>(errors);
            }
            String id = HubIds.next("ann");
            Sql.update(
                    c,
                    "INSERT INTO announcements (id, tenant_id, site_id, title, body, publish_at, expires_at, created_by,"
                            + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    tenantId,
                    draft.siteId(),
                    draft.title(),
                    draft.body(),
                    publishAt,
                    draft.expiresAt(),
                    createdBy,
                    now,
                    now);
            return StoreResult.found(find(c, tenantId, id).orElseThrow());
        });
    }

    /** Changes the text and times (not the audience); a withdrawn announcement stays withdrawn. */
    public StoreResult<View> update(String tenantId, String id, Draft draft) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<View> before = find(c, tenantId, id);
            if (before.isEmpty()) {
                return new StoreResult.NotFound<>("announcement", id);
            }
            if (before.get().withdrawnAt().isPresent()) {
                return new StoreResult.Conflict<>("this announcement was withdrawn; write a new one");
            }
            Instant publishAt = draft.publishAt().orElse(before.get().publishAt());
            List<FieldError> errors = check(c, tenantId, draft, publishAt);
            if (!errors.isEmpty()) {
                return new StoreResult.Invalid<>(errors);
            }
            Sql.update(
                    c,
                    "UPDATE announcements SET title = ?, body = ?, publish_at = ?, expires_at = ?, updated_at = ?"
                            + " WHERE tenant_id = ? AND id = ?",
                    draft.title(),
                    draft.body(),
                    publishAt,
                    draft.expiresAt(),
                    now,
                    tenantId,
                    id);
            return StoreResult.found(find(c, tenantId, id).orElseThrow());
        });
    }

    /** Withdraws it: members no longer see it and no more mails go out; withdrawing again changes nothing. */
    public StoreResult<View> withdraw(String tenantId, String id) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (find(c, tenantId, id).isEmpty()) {
                return new StoreResult.NotFound<>("announcement", id);
            }
            Sql.update(
                    c,
                    "UPDATE announcements SET withdrawn_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?"
                            + " AND withdrawn_at IS NULL",
                    now,
                    now,
                    tenantId,
                    id);
            return StoreResult.found(find(c, tenantId, id).orElseThrow());
        });
    }

    public Optional<View> find(String tenantId, String id) {
        return database.read(c -> find(c, tenantId, id));
    }

    private static Optional<View> find(Connection c, String tenantId, String id) throws SQLException {
        return Sql.one(c, SELECT + " WHERE a.tenant_id = ? AND a.id = ?", AnnouncementStore::view, tenantId, id);
    }

    /**
     * The tenant's announcements newest first: for a caller limited to {@code sites} (empty: every
     * site), those of its sites and the tenant-wide ones.
     */
    public List<View> list(String tenantId, Set<String> sites, int limit) {
        return database.read(c -> Sql.list(
                        c,
                        SELECT + " WHERE a.tenant_id = ? ORDER BY a.publish_at DESC, a.id DESC LIMIT " + limit,
                        AnnouncementStore::view,
                        tenantId)
                .stream()
                .filter(a -> sites.isEmpty() || a.siteId().map(sites::contains).orElse(true))
                .toList());
    }

    /** What a member sees now: live announcements of the tenant and of the member's sites, newest first. */
    public List<View> current(String tenantId, String memberId) {
        Instant now = clock.instant();
        return database.read(c -> Sql.list(
                c,
                SELECT + " WHERE a.tenant_id = ? AND a.publish_at <= ? AND a.withdrawn_at IS NULL"
                        + " AND (a.expires_at IS NULL OR a.expires_at > ?)"
                        + " AND (a.site_id IS NULL OR a.site_id IN (" + MEMBER_SITES + "))"
                        + " ORDER BY a.publish_at DESC, a.id DESC LIMIT 50",
                AnnouncementStore::view,
                tenantId,
                now,
                now,
                tenantId,
                memberId,
                now));
    }

    /** A mail to send: which announcement, to whom. */
    record Due(String tenantId, String announcementId, String memberId, String email, String name) {}

    /**
     * Claims up to {@code limit} mails of live announcements that no member got yet, and failed ones
     * due again: each claim is a row keyed by announcement and member, written before the mail goes
     * out, so a retry, a restart or a second replica never mails a member twice.
     */
    List<Due> claimDue(int limit, int maxAttempts, Duration retryAfter) {
        Instant now = clock.instant();
        return database.write(c -> {
            List<Due> due = new java.util.ArrayList<>(Sql.list(
                    c,
                    "SELECT a.tenant_id, a.id, m.id, m.email, m.full_name FROM announcements a"
                            + " JOIN members m ON m.tenant_id = a.tenant_id AND m.status <> 'CANCELLED'"
                            + " WHERE a.publish_at <= ? AND a.withdrawn_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > ?)"
                            + " AND NOT EXISTS (SELECT 1 FROM announcement_mails x WHERE x.announcement_id = a.id"
                            + " AND x.member_id = m.id)"
                            + " AND (a.site_id IS NULL OR EXISTS (SELECT 1 FROM member_plans mp"
                            + " JOIN plan_door_groups pg ON pg.plan_id = mp.plan_id"
                            + " JOIN door_groups g ON g.id = pg.door_group_id WHERE mp.tenant_id = a.tenant_id"
                            + " AND mp.member_id = m.id AND g.site_id = a.site_id"
                            + " AND (mp.valid_until IS NULL OR mp.valid_until > ?)))"
                            + " ORDER BY a.publish_at, a.id, m.id LIMIT " + limit,
                    row -> new Due(
                            row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5)),
                    now,
                    now,
                    now));
            for (Due mail : due) {
                Sql.update(
                        c,
                        "INSERT INTO announcement_mails (announcement_id, member_id, tenant_id, state, attempts, at)"
                                + " VALUES (?, ?, ?, 'SENDING', 1, ?)",
                        mail.announcementId(),
                        mail.memberId(),
                        mail.tenantId(),
                        now);
            }
            List<Due> retries = Sql.list(
                    c,
                    "SELECT a.tenant_id, a.id, m.id, m.email, m.full_name FROM announcement_mails x"
                            + " JOIN announcements a ON a.id = x.announcement_id JOIN members m ON m.id = x.member_id"
                            + " WHERE x.state = 'FAILED' AND x.attempts < ? AND x.at < ? AND a.withdrawn_at IS NULL"
                            + " AND (a.expires_at IS NULL OR a.expires_at > ?) ORDER BY x.at LIMIT " + limit,
                    row -> new Due(
                            row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5)),
                    maxAttempts,
                    now.minus(retryAfter),
                    now);
            for (Due mail : retries) {
                Sql.update(
                        c,
                        "UPDATE announcement_mails SET state = 'SENDING', attempts = attempts + 1, at = ?"
                                + " WHERE announcement_id = ? AND member_id = ? AND state = 'FAILED'",
                        now,
                        mail.announcementId(),
                        mail.memberId());
            }
            due.addAll(retries);
            return due;
        });
    }

    void mailed(Due mail, Optional<String> error) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "UPDATE announcement_mails SET state = ?, error = ?, at = ? WHERE announcement_id = ? AND member_id = ?",
                error.isPresent() ? "FAILED" : "SENT",
                error.map(text -> text.length() > 500 ? text.substring(0, 500) : text),
                now,
                mail.announcementId(),
                mail.memberId()));
    }
}
