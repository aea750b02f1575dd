package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.credentials.CredentialViews.PassView;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.sites.DoorGroupStore;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.qr.QrKind;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Visitor passes: a visitor's time window at one site, the doors and door groups it opens there, and
 * the QR token the visitor shows. Every change upserts the protocol {@link VisitorPass} to the pass's
 * site only, in the same transaction.
 */
public record VisitorPassStore(Database database, Clock clock) {
    /** The longest pass: visitors are guests, not members. */
    public static final Duration MAX_LENGTH = Duration.ofDays(30);

    private static final String COLUMNS = "id, site_id, visitor_name, visitor_email, host_member_id, valid_from,"
            + " valid_until, single_use, status, created_at, updated_at";
    private static final String VIEW_COLUMNS = COLUMNS + ", used_at";
    private static final Revoking<PassView> REVOKING = new Revoking<>(
            "visitor_passes", "visitor pass", PassStatus.REVOKED, VisitorPassStore::view, PassView::status);

    public record NewPass(
            String visitorName,
            Optional<String> visitorEmail,
            Optional<String> hostMemberId,
            List<String> doorGroupIds,
            List<String> doorIds,
            Instant validFrom,
            Instant validUntil,
            boolean singleUse) {
        public NewPass {
            doorGroupIds = List.copyOf(doorGroupIds);
            doorIds = List.copyOf(doorIds);
        }
    }

    /**
     * A new pass, the QR token for its whole window and its 6-digit PIN: shown once, now, and never
     * again (only its keyed hash is stored).
     */
    public record CreatedPass(PassView pass, QrToken qr, String pin) {}

    /** Random PINs tried before a site is called full: with n PINs in use, all fail with (n / 10^6)^20. */
    private static final int PIN_TRIES = 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    public StoreResult<CreatedPass> create(String tenantId, String siteId, NewPass pass) {
        return create(tenantId, siteId, pass, "operator");
    }

    /** How long before a member's visitor is expected the invitation opens the door. */
    public static final Duration INVITATION_EARLY = Duration.ofMinutes(15);

    /** How long after the arrival time a member's invitation opens the door. */
    public static final Duration INVITATION_LATE = Duration.ofHours(4);

    /**
     * A member's invitation: a single-use pass with the member as host, from {@code arrival} −15 min
     * to +4 h, for the site's door groups marked for visitors (Invalid naming {@code siteId} when it
     * has none: members cannot choose doors).
     */
    public StoreResult<CreatedPass> invite(
            String tenantId,
            String siteId,
            String hostMemberId,
            String visitorName,
            String visitorEmail,
            Instant arrival) {
        List<String> groups = database.read(c -> DoorGroupStore.visitorGroups(c, tenantId, siteId));
        if (groups.isEmpty()) {
            return new StoreResult.Invalid<>(List.of(new FieldError(
                    "siteId", "this location has no doors for visitors yet; ask the front desk to mark some")));
        }
        return create(
                tenantId,
                siteId,
                new NewPass(
                        visitorName,
                        Optional.of(visitorEmail),
                        Optional.of(hostMemberId),
                        groups,
                        List.of(),
                        arrival.minus(INVITATION_EARLY),
                        arrival.plus(INVITATION_LATE),
                        true),
                "member");
    }

    /** The member's own invitations (made in the portal), the latest arrival first; at most 50. */
    public List<PassView> invitations(String tenantId, String hostMemberId) {
        return database.read(c -> {
            List<PassView> views = new ArrayList<>();
            for (String id : Sql.list(
                    c,
                    "SELECT id FROM visitor_passes WHERE tenant_id = ? AND host_member_id = ? AND invited_by = 'member'"
                            + " ORDER BY valid_from DESC, id LIMIT 50",
                    Sql.STRING,
                    tenantId,
                    hostMemberId)) {
                views.add(view(c, tenantId, id).orElseThrow());
            }
            return views;
        });
    }

    /**
     * Cancels the member's own invitation (revokes the pass); NotFound for anyone else's pass, an
     * operator's pass, or no pass: a host sees and cancels only their own invitations.
     */
    public StoreResult<PassView> cancelInvitation(String tenantId, String hostMemberId, String passId) {
        boolean own = database.read(c -> Sql.one(
                        c,
                        "SELECT 1 FROM visitor_passes WHERE id = ? AND tenant_id = ? AND host_member_id = ?"
                                + " AND invited_by = 'member'",
                        Sql.LONG,
                        passId,
                        tenantId,
                        hostMemberId)
                .isPresent());
        return own ? revoke(tenantId, passId) : new StoreResult.NotFound<>("invitation", passId);
    }

    private StoreResult<CreatedPass> create(String tenantId, String siteId, NewPass pass, String invitedBy) {
        String id = HubIds.next("pass");
        Instant now = clock.instant();
        return database.write(c -> {
            if (!SiteStore.siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            List<FieldError> errors = references(c, tenantId, siteId, pass);
            if (!errors.isEmpty()) {
                return new StoreResult.Invalid<>(errors);
            }
            List<Change> changes = new ArrayList<>(freeEndedPins(c, tenantId, siteId, now));
            CardHasher hasher = new CardHasher(TenantStore.cardKey(c, database.masterKey(), tenantId));
            Optional<String> pin = Optional.empty();
            String pinHash = null;
            for (int i = 0; i < PIN_TRIES && pin.isEmpty(); i++) {
                String candidate = String.format(Locale.ROOT, "%06d", RANDOM.nextInt(1_000_000));
                String hash = hasher.pinHash(siteId, candidate);
                if (!pinTaken(c, siteId, hash)) {
                    pin = Optional.of(candidate);
                    pinHash = hash;
                }
            }
            if (pin.isEmpty()) {
                return new StoreResult.Conflict<>("site " + siteId + " has no free visitor PIN left: revoke passes that"
                        + " are not needed, or wait until some end");
            }
            Sql.update(
                    c,
                    "INSERT INTO visitor_passes (" + COLUMNS
                            + ", tenant_id, pin_hash, invited_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    siteId,
                    pass.visitorName(),
                    pass.visitorEmail(),
                    pass.hostMemberId(),
                    pass.validFrom(),
                    pass.validUntil(),
                    pass.singleUse(),
                    PassStatus.ACTIVE,
                    now,
                    now,
                    tenantId,
                    pinHash,
                    invitedBy);
            Sql.batch(
                    c,
                    "INSERT INTO visitor_pass_door_groups (pass_id, door_group_id) VALUES (?, ?)",
                    pairs(id, pass.doorGroupIds()));
            Sql.batch(c, "INSERT INTO visitor_pass_doors (pass_id, door_id) VALUES (?, ?)", pairs(id, pass.doorIds()));
            VisitorPass entity = entity(c, tenantId, id).orElseThrow();
            // Ended passes give their PINs back first: an edge holds each PIN hash once.
            changes.add(new Change.Upsert(entity));
            ChangeLog.append(c, tenantId, siteId, changes, now);
            emit(c, tenantId, EventType.VISITOR_INVITED, id, Optional.of(invitedBy), now);
            return StoreResult.found(new CreatedPass(
                    view(c, tenantId, id).orElseThrow(),
                    token(c, database.masterKey(), tenantId, siteId, entity),
                    pin.get()));
        });
    }

    /**
     * A visitor event's data: ids and times, never the visitor's name or e-mail (a receiver reads them
     * from the API), so erasing a visitor leaves nothing of them in the outbox.
     */
    record PassEvent(
            String passId,
            String siteId,
            String hostMemberId,
            String validFrom,
            String validUntil,
            boolean singleUse,
            String status,
            String usedAt,
            String invitedBy,
            String doorId) {}

    /** Writes a visitor event about the pass as it is now, in the caller's transaction. */
    static void emit(
            Connection c, String tenantId, EventType type, String passId, Optional<String> invitedBy, Instant now)
            throws SQLException {
        emit(c, tenantId, type, passId, invitedBy, Optional.empty(), now);
    }

    static void emit(
            Connection c,
            String tenantId,
            EventType type,
            String passId,
            Optional<String> invitedBy,
            Optional<String> doorId,
            Instant now)
            throws SQLException {
        PassView pass = view(c, tenantId, passId).orElseThrow();
        Outbox.emitNext(
                c,
                tenantId,
                type,
                passId,
                new PassEvent(
                        passId,
                        pass.siteId(),
                        pass.hostMemberId(),
                        pass.validFrom(),
                        pass.validUntil(),
                        pass.singleUse(),
                        pass.status(),
                        pass.usedAt(),
                        invitedBy.orElse(null),
                        doorId.orElse(null)),
                now);
    }

    /** Appends the pass as it is now to its site's change log, in the caller's transaction. */
    public static void sendToSite(Connection c, String tenantId, String siteId, String passId, Instant now)
            throws SQLException {
        ChangeLog.append(
                c,
                tenantId,
                siteId,
                List.of(new Change.Upsert(entity(c, tenantId, passId).orElseThrow())),
                now);
    }

    /** Whether a pass of the site holds this PIN hash now. */
    private static boolean pinTaken(Connection c, String siteId, String pinHash) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM visitor_passes WHERE site_id = ? AND pin_hash = ?", Sql.LONG, siteId, pinHash)
                .isPresent();
    }

    /**
     * Frees the PINs of the site's passes that have ended (in the caller's transaction) and answers
     * those passes without their PIN hash, for the site's change log.
     */
    static List<Change> freeEndedPins(Connection c, String tenantId, String siteId, Instant now) throws SQLException {
        List<String> ended = Sql.list(
                c,
                "SELECT id FROM visitor_passes WHERE tenant_id = ? AND site_id = ? AND pin_hash IS NOT NULL"
                        + " AND valid_until <= ? ORDER BY id",
                Sql.STRING,
                tenantId,
                siteId,
                now);
        List<Change> changes = new ArrayList<>();
        for (String id : ended) {
            Sql.update(c, "UPDATE visitor_passes SET pin_hash = NULL WHERE id = ? AND tenant_id = ?", id, tenantId);
            changes.add(new Change.Upsert(entity(c, tenantId, id).orElseThrow()));
        }
        return changes;
    }

    /** Whether {@code pin} is the PIN of the tenant's pass now (a revoked, used or ended pass has none). */
    public boolean pinMatches(String tenantId, String passId, String pin) {
        return database.read(c -> {
            Optional<String> stored = Sql.one(
                    c,
                    "SELECT pin_hash FROM visitor_passes WHERE id = ? AND tenant_id = ? AND pin_hash IS NOT NULL",
                    Sql.STRING,
                    passId,
                    tenantId);
            Optional<String> site = Sql.byId(c, "visitor_passes", "site_id", Sql.STRING, tenantId, passId);
            if (stored.isEmpty() || site.isEmpty() || pin == null || !pin.matches("[0-9]{6}")) {
                return false;
            }
            String hash =
                    new CardHasher(TenantStore.cardKey(c, database.masterKey(), tenantId)).pinHash(site.get(), pin);
            return CardHasher.same(hash, stored.get());
        });
    }

    /** Each host, door group and door the pass names must be the tenant's, and the doors this site's. */
    private static List<FieldError> references(Connection c, String tenantId, String siteId, NewPass pass)
            throws SQLException {
        List<FieldError> errors = new ArrayList<>();
        if (pass.hostMemberId().isPresent()
                && MemberStore.status(c, tenantId, pass.hostMemberId().get()).isEmpty()) {
            errors.add(new FieldError(
                    "hostMemberId", "no member '" + pass.hostMemberId().get() + "'"));
        }
        for (int i = 0; i < pass.doorGroupIds().size(); i++) {
            String groupId = pass.doorGroupIds().get(i);
            if (!DoorGroupStore.groupSite(c, tenantId, groupId).equals(Optional.of(siteId))) {
                errors.add(new FieldError(
                        "doorGroupIds[" + i + "]",
                        "no door group '" + groupId + "' at site " + siteId + "; list them with GET /api/v1/sites/"
                                + siteId + "/door-groups"));
            }
        }
        for (int i = 0; i < pass.doorIds().size(); i++) {
            String doorId = pass.doorIds().get(i);
            if (!DoorStore.doorSite(c, tenantId, doorId).equals(Optional.of(siteId))) {
                errors.add(new FieldError(
                        "doorIds[" + i + "]",
                        "no door '" + doorId + "' at site " + siteId + "; list them with GET /api/v1/sites/" + siteId
                                + "/doors"));
            }
        }
        return errors;
    }

    private static List<List<String>> pairs(String passId, List<String> ids) {
        return ids.stream().map(id -> List.of(passId, id)).toList();
    }

    public Optional<PassView> find(String tenantId, String passId) {
        return database.read(c -> view(c, tenantId, passId));
    }

    /**
     * A site's passes in id order, a page after {@code after}; NotFound for an unknown site. The
     * cursor is a {@link Cursor} of the last id (key 0): the list is ordered by id alone.
     */
    public StoreResult<Page<PassView>> list(
            String tenantId, String siteId, Optional<PassStatus> status, Optional<Cursor> after, int limit) {
        return database.read(c -> {
            if (!SiteStore.siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            Query query =
                    new Query("SELECT id FROM visitor_passes WHERE tenant_id = ?", tenantId).and("site_id = ?", siteId);
            if (status.isPresent()) {
                switch (status.get()) {
                    case REVOKED -> query.and("status = ?", PassStatus.REVOKED);
                    case USED -> query.and("status = ? AND single_use AND used_at IS NOT NULL", PassStatus.ACTIVE);
                    case ACTIVE ->
                        query.and("status = ? AND NOT (single_use AND used_at IS NOT NULL)", PassStatus.ACTIVE);
                }
            }
            Keyset.BY_ID.page(query, after, limit);
            List<PassView> items = new ArrayList<>();
            for (String id : Sql.list(c, query, Sql.STRING)) {
                items.add(view(c, tenantId, id).orElseThrow());
            }
            return StoreResult.found(Keyset.page(items, limit, v -> new Cursor(0, v.id())));
        });
    }

    /** Revokes the pass for good; revoking a revoked pass changes nothing. */
    public StoreResult<PassView> revoke(String tenantId, String passId) {
        Instant now = clock.instant();
        return database.write(c -> revoke(c, tenantId, passId, now));
    }

    /** {@link #revoke(String, String)} in the caller's transaction. */
    public static StoreResult<PassView> revoke(Connection c, String tenantId, String passId, Instant now)
            throws SQLException {
        return REVOKING.revoke(c, tenantId, passId, now, (saving, before) -> {
            // A revoked pass's PIN is free again: the edges drop its hash with this change.
            Sql.update(
                    saving,
                    "UPDATE visitor_passes SET pin_hash = NULL WHERE id = ? AND tenant_id = ?",
                    passId,
                    tenantId);
            ChangeLog.append(
                    saving,
                    tenantId,
                    before.siteId(),
                    List.of(new Change.Upsert(entity(saving, tenantId, passId).orElseThrow())),
                    now);
            emit(saving, tenantId, EventType.VISITOR_REVOKED, passId, Optional.empty(), now);
            return StoreResult.found(view(saving, tenantId, passId).orElseThrow());
        });
    }

    /** The pass's QR token again (e.g. to send it once more), while the pass is active and not over. */
    public StoreResult<QrToken> issueToken(String tenantId, String passId) {
        Instant now = clock.instant();
        return database.read(c -> {
            Optional<PassView> view = view(c, tenantId, passId);
            if (view.isEmpty()) {
                return new StoreResult.NotFound<>("visitor pass", passId);
            }
            VisitorPass pass = entity(c, tenantId, passId).orElseThrow();
            switch (pass.status()) {
                case ACTIVE -> {}
                case REVOKED -> {
                    return new StoreResult.Conflict<>(
                            "visitor pass " + passId + " is revoked; create a new pass instead");
                }
                case USED -> {
                    return new StoreResult.Conflict<>("visitor pass " + passId + " was used at "
                            + view.get().usedAt() + " and admits nobody again; create a new pass instead");
                }
            }
            if (!now.isBefore(pass.validUntil())) {
                return new StoreResult.Conflict<>(
                        "visitor pass " + passId + " ended at " + Times.iso(pass.validUntil()) + "; create a new pass");
            }
            return StoreResult.found(
                    token(c, database.masterKey(), tenantId, view.get().siteId(), pass));
        });
    }

    /** A token for the pass's site, valid for its whole window (whole seconds, never shorter than the pass). */
    private static QrToken token(Connection c, MasterKey masterKey, String tenantId, String siteId, VisitorPass pass)
            throws SQLException {
        return QrIssuer.issue(
                c,
                masterKey,
                tenantId,
                QrKind.VISITOR,
                pass.id().value(),
                Set.of(siteId),
                pass.singleUse(),
                pass.validFrom().truncatedTo(ChronoUnit.SECONDS),
                QrIssuer.ceilSecond(pass.validUntil()));
    }

    // ---- rows, views and entities

    private static Optional<PassView> view(Connection c, String tenantId, String passId) throws SQLException {
        return Sql.byId(
                c,
                "visitor_passes",
                VIEW_COLUMNS,
                rows -> new PassView(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getString(4),
                        rows.getString(5),
                        groups(c, passId),
                        doors(c, passId),
                        Times.iso(rows.getLong(6)),
                        Times.iso(rows.getLong(7)),
                        rows.getBoolean(8),
                        WireNames.wire(status(
                                PassStatus.valueOf(rows.getString(9)),
                                rows.getBoolean(8),
                                Sql.instant(rows, 12).isPresent())),
                        Times.iso(rows.getLong(10)),
                        Times.iso(rows.getLong(11)),
                        Sql.instant(rows, 12).map(Times::iso).orElse(null),
                        VisitorPassUses.count(c, tenantId, passId)),
                tenantId,
                passId);
    }

    private static List<String> groups(Connection c, String passId) throws SQLException {
        return Sql.list(
                c,
                "SELECT door_group_id FROM visitor_pass_door_groups WHERE pass_id = ? ORDER BY door_group_id",
                Sql.STRING,
                passId);
    }

    private static List<String> doors(Connection c, String passId) throws SQLException {
        return Sql.list(
                c, "SELECT door_id FROM visitor_pass_doors WHERE pass_id = ? ORDER BY door_id", Sql.STRING, passId);
    }

    /**
     * The pass's status as the edges get it: revoked wins; a single-use pass with a use on record is
     * {@code used} (spent for the whole site).
     */
    private static PassStatus status(PassStatus stored, boolean singleUse, boolean usedOnce) {
        return switch (stored) {
            case REVOKED -> PassStatus.REVOKED;
            case ACTIVE, USED -> singleUse && usedOnce ? PassStatus.USED : PassStatus.ACTIVE;
        };
    }

    /** The pass as its site's edge gets it, or empty when the tenant has no such pass. */
    public static Optional<VisitorPass> entity(Connection c, String tenantId, String passId) throws SQLException {
        return Sql.one(
                c,
                "SELECT host_member_id, valid_from, valid_until, single_use, status, used_at, pin_hash"
                        + " FROM visitor_passes WHERE id = ? AND tenant_id = ?",
                rows -> {
                    Set<DoorGroupId> groups = new HashSet<>();
                    groups(c, passId).forEach(id -> groups.add(DoorGroupId.of(id)));
                    Set<DoorId> doors = new HashSet<>();
                    doors(c, passId).forEach(id -> doors.add(DoorId.of(id)));
                    return new VisitorPass(
                            PassId.of(passId),
                            Optional.ofNullable(rows.getString(1)).map(MemberId::of),
                            groups,
                            doors,
                            Sql.instant(rows, 2).orElseThrow(),
                            Sql.instant(rows, 3).orElseThrow(),
                            rows.getBoolean(4),
                            status(
                                    PassStatus.valueOf(rows.getString(5)),
                                    rows.getBoolean(4),
                                    Sql.instant(rows, 6).isPresent()),
                            Optional.ofNullable(rows.getString(7)));
                },
                passId,
                tenantId);
    }
}
