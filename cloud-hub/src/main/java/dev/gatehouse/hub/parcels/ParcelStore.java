package dev.gatehouse.hub.parcels;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Letters and parcels waiting at a site's desk (issue 17 item 6): logged with a photo, handed over
 * against the member's signature, and the state of the mail that told the member. Every query is the
 * tenant's own.
 */
public record ParcelStore(Database database, Clock clock) {
    /** Mail attempts before a notice is left failed for the desk to see. */
    static final int MAX_NOTICE_ATTEMPTS = 5;

    /** A notice claimed for sending this long ago without an outcome (the hub stopped mid-send) is tried again. */
    static final Duration STUCK = Duration.ofMinutes(10);

    public enum Kind {
        LETTER,
        PARCEL
    }

    public enum Status {
        WAITING,
        COLLECTED
    }

    public enum NoticeState {
        PENDING,
        SENDING,
        SENT,
        FAILED
    }

    enum Purpose {
        PHOTO,
        SIGNATURE
    }

    /** What the desk types when it logs an item. */
    public record NewParcel(
            String siteId,
            String memberId,
            Kind kind,
            Optional<String> carrier,
            Optional<String> trackingNumber,
            Optional<String> note,
            Optional<String> shelf,
            Optional<ParcelImages.Image> photo) {}

    /** A logged item as the API and pages show it. */
    public record ParcelView(
            String id,
            String siteId,
            String siteName,
            String memberId,
            String memberName,
            String memberEmail,
            Kind kind,
            Optional<String> carrier,
            Optional<String> trackingNumber,
            Optional<String> note,
            Optional<String> shelf,
            Status status,
            String loggedBy,
            Instant loggedAt,
            boolean photo,
            boolean signature,
            NoticeState noticeState,
            int noticeAttempts,
            Optional<String> noticeError,
            Optional<Instant> noticeAt,
            Optional<Instant> collectedAt,
            Optional<String> collectedBy,
            Optional<String> handedOverBy) {}

    /** A list's filters; an empty set of sites means every site. */
    public record Filter(
            Set<String> sites, Optional<String> siteId, Optional<Status> status, Optional<String> memberId) {}

    private static final String SELECT = "SELECT p.id, p.site_id, s.name, p.member_id, m.full_name, m.email, p.kind,"
            + " p.carrier, p.tracking_number, p.note, p.shelf, p.status, p.logged_by, p.logged_at,"
            + " EXISTS (SELECT 1 FROM parcel_images i WHERE i.parcel_id = p.id AND i.purpose = 'PHOTO'),"
            + " EXISTS (SELECT 1 FROM parcel_images i WHERE i.parcel_id = p.id AND i.purpose = 'SIGNATURE'),"
            + " p.notice_state, p.notice_attempts, p.notice_error, p.noticed_at, p.collected_at, p.collected_by,"
            + " p.handed_over_label"
            + " FROM parcels p JOIN sites s ON s.id = p.site_id JOIN members m ON m.id = p.member_id";

    private static ParcelView view(ResultSet row) throws SQLException {
        return new ParcelView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                row.getString(6),
                Kind.valueOf(row.getString(7)),
                Optional.ofNullable(row.getString(8)),
                Optional.ofNullable(row.getString(9)),
                Optional.ofNullable(row.getString(10)),
                Optional.ofNullable(row.getString(11)),
                Status.valueOf(row.getString(12)),
                row.getString(13),
                Instant.ofEpochMilli(row.getLong(14)),
                row.getBoolean(15),
                row.getBoolean(16),
                NoticeState.valueOf(row.getString(17)),
                row.getInt(18),
                Optional.ofNullable(row.getString(19)),
                Sql.instant(row, 20),
                Sql.instant(row, 21),
                Optional.ofNullable(row.getString(22)),
                Optional.ofNullable(row.getString(23)));
    }

    /**
     * Logs an item for a member of the tenant at one of its sites; Invalid naming the field for an
     * unknown (or another tenant's) site or member, or a cancelled member. Nothing is written then.
     */
    public StoreResult<ParcelView> log(String tenantId, String loggedBy, NewParcel parcel) {
        Instant now = clock.instant();
        return database.write(c -> {
            List<FieldError> errors = new ArrayList<>();
            if (!Sql.exists(c, "SELECT 1 FROM sites WHERE tenant_id = ? AND id = ?", tenantId, parcel.siteId())) {
                errors.add(new FieldError("siteId", "there is no site " + parcel.siteId() + " in this space"));
            }
            Optional<String> status = Sql.one(
                    c,
                    "SELECT status FROM members WHERE tenant_id = ? AND id = ?",
                    Sql.STRING,
                    tenantId,
                    parcel.memberId());
            if (status.isEmpty()) {
                errors.add(new FieldError("memberId", "there is no member " + parcel.memberId() + " in this space"));
            } else if (status.get().equals("CANCELLED")) {
                errors.add(new FieldError(
                        "memberId",
                        "the member " + parcel.memberId() + " is cancelled: return the item to its sender"));
            }
            if (!errors.isEmpty()) {
                return new StoreResult.Invalid<>(errors);
            }
            String id = HubIds.next("parcel");
            Sql.update(
                    c,
                    "INSERT INTO parcels (id, tenant_id, site_id, member_id, kind, carrier, tracking_number, note, shelf,"
                            + " status, logged_by, logged_at, notice_state, notice_attempts)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                    id,
                    tenantId,
                    parcel.siteId(),
                    parcel.memberId(),
                    parcel.kind(),
                    parcel.carrier(),
                    parcel.trackingNumber(),
                    parcel.note(),
                    parcel.shelf(),
                    Status.WAITING,
                    loggedBy,
                    now,
                    NoticeState.PENDING);
            if (parcel.photo().isPresent()) {
                saveImage(c, tenantId, id, Purpose.PHOTO, parcel.photo().get());
            }
            return StoreResult.found(find(c, tenantId, id).orElseThrow());
        });
    }

    private static void saveImage(Connection c, String tenantId, String id, Purpose purpose, ParcelImages.Image image)
            throws SQLException {
        Sql.update(
                c,
                "INSERT INTO parcel_images (parcel_id, tenant_id, purpose, content_type, body) VALUES (?, ?, ?, ?, ?)",
                id,
                tenantId,
                purpose,
                image.contentType(),
                image.base64());
    }

    public Optional<ParcelView> find(String tenantId, String id) {
        return database.read(c -> find(c, tenantId, id));
    }

    private static Optional<ParcelView> find(Connection c, String tenantId, String id) throws SQLException {
        return Sql.one(c, SELECT + " WHERE p.tenant_id = ? AND p.id = ?", ParcelStore::view, tenantId, id);
    }

    /** The tenant's items newest first, a page after {@code after}. */
    public Page<ParcelView> list(String tenantId, Filter filter, Optional<Cursor> after, int limit) {
        return database.read(c -> {
            Query query = new Query(SELECT + " WHERE p.tenant_id = ?", tenantId)
                    .andIf(filter.siteId(), "p.site_id = ?")
                    .andIf(filter.status(), "p.status = ?")
                    .andIf(filter.memberId(), "p.member_id = ?");
            if (!filter.sites().isEmpty()) {
                query.and(
                        "p.site_id IN ("
                                + String.join(
                                        ", ",
                                        java.util.Collections.nCopies(
                                                filter.sites().size(), "?")) + ")",
                        filter.sites().stream().sorted().toArray());
            }
            Keyset.descending("p.logged_at", "p.id").page(query, after, limit);
            List<ParcelView> rows = Sql.list(c, query, ParcelStore::view);
            return Keyset.page(rows, limit, v -> new Cursor(v.loggedAt().toEpochMilli(), v.id()));
        });
    }

    /**
     * What the portal shows a member: every item still waiting, and those collected in the last 30
     * days, newest first.
     */
    public List<ParcelView> forMember(String tenantId, String memberId) {
        long since = clock.instant().minus(Duration.ofDays(30)).toEpochMilli();
        return database.read(c -> Sql.list(
                c,
                SELECT + " WHERE p.tenant_id = ? AND p.member_id = ? AND (p.status = 'WAITING' OR p.collected_at >= ?)"
                        + " ORDER BY p.logged_at DESC, p.id DESC LIMIT 100",
                ParcelStore::view,
                tenantId,
                memberId,
                since));
    }

    /** The item's photo or signature. */
    Optional<ParcelImages.Image> image(String tenantId, String id, Purpose purpose) {
        return database.read(c -> Sql.one(
                c,
                "SELECT content_type, body FROM parcel_images WHERE tenant_id = ? AND parcel_id = ? AND purpose = ?",
                row -> new ParcelImages.Image(
                        row.getString(1), Base64.getDecoder().decode(row.getString(2))),
                tenantId,
                id,
                purpose));
    }

    /**
     * Records the handover: who collected it (the name the member gave), the desk operator who handed
     * it over, when, and the member's signature if drawn. Conflict when it was already collected.
     */
    public StoreResult<ParcelView> collect(
            String tenantId,
            String id,
            String collectedBy,
            String operatorId,
            String operatorLabel,
            Optional<ParcelImages.Image> signature) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<ParcelView> parcel = find(c, tenantId, id);
            if (parcel.isEmpty()) {
                return new StoreResult.NotFound<>("parcel", id);
            }
            if (parcel.get().status() == Status.COLLECTED) {
                return new StoreResult.Conflict<>("this item was already collected by "
                        + parcel.get().collectedBy().orElse("?") + " at "
                        + parcel.get().collectedAt().orElseThrow() + "; nothing was changed");
            }
            int changed = Sql.update(
                    c,
                    "UPDATE parcels SET status = ?, collected_at = ?, collected_by = ?, handed_over_by = ?,"
                            + " handed_over_label = ? WHERE tenant_id = ? AND id = ? AND status = ?",
                    Status.COLLECTED,
                    now,
                    collectedBy,
                    operatorId,
                    operatorLabel,
                    tenantId,
                    id,
                    Status.WAITING);
            if (changed == 0) {
                return new StoreResult.Conflict<>("this item was collected a moment ago; nothing was changed");
            }
            if (signature.isPresent()) {
                saveImage(c, tenantId, id, Purpose.SIGNATURE, signature.get());
            }
            return StoreResult.found(find(c, tenantId, id).orElseThrow());
        });
    }

    /**
     * Claims the item's notice for sending: true for exactly one caller while it is pending, failed
     * (with attempts left) or stuck in sending; the claimant sends and then records the outcome.
     */
    boolean claimNotice(String id, boolean force) {
        Instant now = clock.instant();
        return database.write(c -> Sql.update(
                        c,
                        "UPDATE parcels SET notice_state = ?, notice_attempts = notice_attempts + 1, noticed_at = ?"
                                + " WHERE id = ? AND status = ? AND (notice_state IN ('PENDING', 'FAILED')"
                                + " OR (notice_state = 'SENDING' AND noticed_at < ?))"
                                + (force ? "" : " AND notice_attempts < " + MAX_NOTICE_ATTEMPTS),
                        NoticeState.SENDING,
                        now,
                        id,
                        Status.WAITING,
                        now.minus(STUCK))
                == 1);
    }

    void noticeOutcome(String id, Optional<String> error) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "UPDATE parcels SET notice_state = ?, notice_error = ?, noticed_at = ? WHERE id = ?",
                error.isPresent() ? NoticeState.FAILED : NoticeState.SENT,
                error.map(text -> text.length() > 500 ? text.substring(0, 500) : text),
                now,
                id));
    }

    /**
     * Items whose notice is due again: failed a while ago with attempts left, or stuck in sending with
     * attempts left. One stuck in sending on its last attempt (a hub stopped mid-send) is settled as
     * failed first, for the desk to see and send again: left sending, every sweep would pick it and
     * none could claim it.
     */
    List<String[]> dueNotices(Duration retryAfter, int limit) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "UPDATE parcels SET notice_state = 'FAILED', notice_error = ? WHERE status = 'WAITING'"
                        + " AND notice_state = 'SENDING' AND noticed_at < ? AND notice_attempts >= "
                        + MAX_NOTICE_ATTEMPTS,
                "the hub stopped while sending the last attempt; send it again from the desk",
                now.minus(STUCK)));
        return database.read(c -> Sql.list(
                c,
                "SELECT tenant_id, id FROM parcels WHERE status = 'WAITING' AND ((notice_state = 'FAILED'"
                        + " AND notice_attempts < " + MAX_NOTICE_ATTEMPTS + " AND noticed_at < ?)"
                        + " OR (notice_state = 'SENDING' AND notice_attempts < " + MAX_NOTICE_ATTEMPTS
                        + " AND noticed_at < ?) OR (notice_state = 'PENDING'"
                        + " AND logged_at < ?)) ORDER BY logged_at LIMIT " + limit,
                row -> new String[] {row.getString(1), row.getString(2)},
                now.minus(retryAfter),
                now.minus(STUCK),
                now.minus(retryAfter)));
    }
}
