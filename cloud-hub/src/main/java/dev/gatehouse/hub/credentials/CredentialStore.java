package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.credentials.CredentialViews.CredentialView;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.qr.QrKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Members' credentials: NFC cards, kept only as the tenant-keyed hash of their UID, and member-QR
 * credentials, for which the hub signs short-lived QR tokens. Every change upserts the protocol
 * {@link Credential} to every site of the tenant in the same transaction.
 */
public record CredentialStore(Database database, Clock clock) {
    /** How long a member QR token is valid: rotating member codes expire in about a minute. */
    public static final Duration MEMBER_TOKEN_LIFETIME = Duration.ofSeconds(60);

    private static final String COLUMNS =
            "id, member_id, type, card_hash, label, status, valid_from, valid_until, created_at, updated_at";
    private static final Revoking<CredentialView> REVOKING = new Revoking<>(
            "credentials", "credential", CredentialStatus.REVOKED, CredentialStore::view, CredentialView::status);

    /**
     * A credential to enroll. An NFC card comes with either its UID's bytes ({@code uid}, hashed here
     * and never kept) or the keyed hash a door reported for it ({@code cardHash}, 64 lower-case hex
     * digits: a card enrolled by tapping it, whose UID the hub never sees); a member QR credential
     * has neither.
     */
    public record Enrollment(
            CredentialType type,
            Optional<byte[]> uid,
            Optional<String> cardHash,
            Optional<String> label,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil) {
        public Enrollment {
            boolean card = uid.isPresent() || cardHash.isPresent();
            if (uid.isPresent() && cardHash.isPresent()) {
                throw new IllegalArgumentException("an NFC card is enrolled by its UID or by its hash, not both");
            }
            if (card != (type == CredentialType.NFC_CARD)) {
                throw new IllegalArgumentException(
                        "an NFC card needs its UID or its hash; a member QR credential has neither");
            }
            if (cardHash.isPresent() && !CARD_HASH.matcher(cardHash.get()).matches()) {
                throw new IllegalArgumentException("a card hash is 64 lower-case hex digits");
            }
        }

        /** An enrollment by the card's UID (or a member QR credential, without one). */
        public Enrollment(
                CredentialType type,
                Optional<byte[]> uid,
                Optional<String> label,
                Optional<Instant> validFrom,
                Optional<Instant> validUntil) {
            this(type, uid, Optional.empty(), label, validFrom, validUntil);
        }
    }

    /** A card's keyed hash as doors report it: HMAC-SHA256 in lower-case hex. */
    public static final Pattern CARD_HASH = Pattern.compile("[0-9a-f]{64}");

    /**
     * The values a PATCH may set; the service merges them with the version it read ({@code readStatus},
     * {@code readUpdatedAt}), and the store writes only if the row is still that version. Otherwise a
     * concurrent change (a card just marked lost) would be overwritten with the stale status.
     */
    public record Update(
            Optional<String> label,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil,
            CredentialStatus status,
            CredentialStatus readStatus,
            long readUpdatedAt) {
        public Update {
            if (status == CredentialStatus.REVOKED) {
                throw new IllegalArgumentException("revoking is its own operation: revoke(...)");
            }
        }
    }

    public StoreResult<CredentialView> enroll(String tenantId, String memberId, Enrollment enrollment) {
        String id = HubIds.next("cred");
        Instant now = clock.instant();
        try {
            return database.write(c -> enroll(c, database.masterKey(), tenantId, memberId, id, enrollment, now));
        } catch (StoreException e) {
            // Two requests enrolling one card at once: the second meets UNIQUE (tenant_id, card_hash).
            if (e.error() == StoreError.CONFLICT && enrollment.type() == CredentialType.NFC_CARD) {
                Optional<StoreResult<CredentialView>> taken = database.read(c -> {
                    Optional<String> hash = hashOf(c, database.masterKey(), tenantId, enrollment);
                    return hash.isPresent() ? cardTaken(c, tenantId, hash.get()) : Optional.empty();
                });
                if (taken.isPresent()) {
                    return taken.get();
                }
            }
            throw e;
        }
    }

    /**
     * {@link #enroll(String, String, Enrollment)} in the caller's transaction (a pass bought online
     * gets its member-QR credential with the payment), under the id {@code id}.
     */
    public static StoreResult<CredentialView> enroll(
            Connection c,
            MasterKey masterKey,
            String tenantId,
            String memberId,
            String id,
            Enrollment enrollment,
            Instant now)
            throws SQLException {
        var status = MemberStore.status(c, tenantId, memberId);
        if (status.isEmpty()) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        if (status.get() == MemberStatus.CANCELLED) {
            return new StoreResult.Conflict<>("member " + memberId
                    + " is cancelled, and cancelled is final; create a new member to give them access again");
        }
        Optional<String> hash = hashOf(c, masterKey, tenantId, enrollment);
        if (hash.isPresent()) {
            Optional<StoreResult<CredentialView>> taken = cardTaken(c, tenantId, hash.get());
            if (taken.isPresent()) {
                return taken.get();
            }
        }
        Sql.update(
                c,
                "INSERT INTO credentials (" + COLUMNS + ", tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                memberId,
                enrollment.type(),
                hash,
                enrollment.label(),
                CredentialStatus.ACTIVE,
                enrollment.validFrom(),
                enrollment.validUntil(),
                now,
                now,
                tenantId);
        emit(c, tenantId, id, EventType.CREDENTIAL_ISSUED, now);
        return saved(c, tenantId, id, now);
    }

    /** A credential's event in the caller's transaction, versioned by the outbox ({@link Outbox#emitNext}). */
    private static void emit(Connection c, String tenantId, String id, EventType type, Instant now)
            throws SQLException {
        CredentialView view = view(c, tenantId, id).orElseThrow();
        // No card hash: a receiver has no use for it, and it identifies the card across systems.
        Outbox.emitNext(
                c,
                tenantId,
                type,
                id,
                new CredentialEvent(
                        view.id(),
                        view.memberId(),
                        view.type(),
                        view.label(),
                        view.status(),
                        view.validFrom(),
                        view.validUntil(),
                        view.updatedAt()),
                now);
    }

    /** A credential as its webhook events carry it. */
    public record CredentialEvent(
            String id,
            String memberId,
            String type,
            String label,
            String status,
            String validFrom,
            String validUntil,
            String updatedAt) {}

    /** The card's hash: as enrolled by hash, or computed from its UID; empty for a member QR credential. */
    private static Optional<String> hashOf(Connection c, MasterKey masterKey, String tenantId, Enrollment enrollment)
            throws SQLException {
        return enrollment.cardHash().isPresent()
                ? enrollment.cardHash()
                : cardHash(c, masterKey, tenantId, enrollment.uid());
    }

    private static Optional<String> cardHash(Connection c, MasterKey masterKey, String tenantId, Optional<byte[]> uid)
            throws SQLException {
        if (uid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new CardHasher(TenantStore.cardKey(c, masterKey, tenantId)).hash(uid.get()));
    }

    /**
     * The card's credential if it is enrolled in this tenant, revoked ones included: a revoked card
     * stays in every edge's cache (so that it is denied as revoked), and a cache holds a card hash once.
     */
    private static Optional<StoreResult<CredentialView>> cardTaken(Connection c, String tenantId, String hash)
            throws SQLException {
        return Sql.one(
                c,
                "SELECT id, member_id, status FROM credentials WHERE tenant_id = ? AND card_hash = ?",
                rows -> new StoreResult.Conflict<>("card already enrolled as credential " + rows.getString(1)
                        + " of member " + rows.getString(2) + " (" + WireNames.wire(rows.getString(3))
                        + "); a card is enrolled once per tenant"),
                tenantId,
                hash);
    }

    public Optional<CredentialView> find(String tenantId, String credentialId) {
        return database.read(c -> view(c, tenantId, credentialId));
    }

    /**
     * A member's credentials in id order, a page after {@code after}; NotFound for an unknown member.
     * The cursor is a {@link Cursor} of the last id (key 0): the list is ordered by id alone.
     */
    public StoreResult<Page<CredentialView>> list(
            String tenantId, String memberId, Optional<CredentialStatus> status, Optional<Cursor> after, int limit) {
        return database.read(c -> {
            if (MemberStore.status(c, tenantId, memberId).isEmpty()) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            Query query = new Query("SELECT " + COLUMNS + " FROM credentials WHERE tenant_id = ?", tenantId)
                    .and("member_id = ?", memberId)
                    .andIf(status, "status = ?");
            Keyset.BY_ID.page(query, after, limit);
            return StoreResult.found(
                    Keyset.page(Sql.list(c, query, CredentialStore::view), limit, v -> new Cursor(0, v.id())));
        });
    }

    /** Sets label, validity and status (not REVOKED); a revoked credential is final. */
    public StoreResult<CredentialView> update(String tenantId, String credentialId, Update update) {
        Instant now = clock.instant();
        return database.write(c -> {
            int changed = Sql.update(
                    c,
                    "UPDATE credentials SET label = ?, valid_from = ?, valid_until = ?, status = ?, updated_at = ?"
                            + " WHERE id = ? AND tenant_id = ? AND status <> ? AND status = ? AND updated_at = ?",
                    update.label(),
                    update.validFrom(),
                    update.validUntil(),
                    update.status(),
                    Math.max(now.toEpochMilli(), update.readUpdatedAt() + 1),
                    credentialId,
                    tenantId,
                    CredentialStatus.REVOKED,
                    update.readStatus(),
                    update.readUpdatedAt());
            if (changed == 0) {
                Optional<CredentialView> current = view(c, tenantId, credentialId);
                if (current.isEmpty()) {
                    return new StoreResult.NotFound<>("credential", credentialId);
                }
                return new StoreResult.Conflict<>(
                        current.get().status().equals(WireNames.wire(CredentialStatus.REVOKED))
                                ? revokedIsFinal(credentialId)
                                : "credential " + credentialId + " was changed by another request meanwhile"
                                        + " (it is now " + current.get().status() + "); read it again and retry");
            }
            if (update.status() != update.readStatus()) {
                emit(
                        c,
                        tenantId,
                        credentialId,
                        switch (update.status()) {
                            case LOST, REVOKED -> EventType.CREDENTIAL_REVOKED;
                            case SUSPENDED -> EventType.CREDENTIAL_SUSPENDED;
                            case ACTIVE -> EventType.CREDENTIAL_REACTIVATED;
                        },
                        now);
            }
            return saved(c, tenantId, credentialId, now);
        });
    }

    static String revokedIsFinal(String credentialId) {
        return "credential " + credentialId + " is revoked, and revoking is final; enroll a new credential instead";
    }

    /** Revokes the credential for good; revoking a revoked credential changes nothing. */
    public StoreResult<CredentialView> revoke(String tenantId, String credentialId) {
        Instant now = clock.instant();
        return database.write(c -> REVOKING.revoke(c, tenantId, credentialId, now, (saving, before) -> {
            emit(saving, tenantId, credentialId, EventType.CREDENTIAL_REVOKED, now);
            return saved(saving, tenantId, credentialId, now);
        }));
    }

    /**
     * A QR token for an active member-QR credential of an active member, valid for {@link
     * #MEMBER_TOKEN_LIFETIME} from now, at one site or (no {@code siteId}) every site of the tenant.
     */
    public StoreResult<QrToken> issueToken(String tenantId, String credentialId, Optional<String> siteId) {
        Instant now = clock.instant();
        return database.read(c -> {
            Optional<Credential> found = entity(c, tenantId, credentialId);
            if (found.isEmpty()) {
                return new StoreResult.NotFound<>("credential", credentialId);
            }
            if (siteId.isPresent() && !SiteStore.siteExists(c, tenantId, siteId.get())) {
                return StoreResult.invalid(
                        "siteId", "no site '" + siteId.get() + "'; list the sites with GET /api/v1/sites");
            }
            Credential credential = found.get();
            Optional<String> refusal = tokenRefusal(c, tenantId, credential, now);
            if (refusal.isPresent()) {
                return new StoreResult.Conflict<>(refusal.get());
            }
            Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS);
            return StoreResult.found(QrIssuer.issue(
                    c,
                    database.masterKey(),
                    tenantId,
                    QrKind.MEMBER,
                    credentialId,
                    siteId.map(Set::of).orElse(Set.of()),
                    false,
                    notBefore,
                    notBefore.plus(MEMBER_TOKEN_LIFETIME)));
        });
    }

    private static Optional<String> tokenRefusal(Connection c, String tenantId, Credential credential, Instant now)
            throws SQLException {
        String id = credential.id().value();
        if (credential.type() != CredentialType.MEMBER_QR) {
            return Optional.of("credential " + id + " is an nfc-card; QR tokens are issued for member-qr credentials"
                    + " (POST /api/v1/members/{memberId}/credentials {\"type\":\"member-qr\"})");
        }
        if (credential.status() != CredentialStatus.ACTIVE) {
            return Optional.of("credential " + id + " is " + WireNames.wire(credential.status())
                    + "; only an active credential gets QR tokens");
        }
        if (credential.validFrom().isPresent()
                && now.isBefore(credential.validFrom().get())) {
            return Optional.of("credential " + id + " is valid from "
                    + Times.iso(credential.validFrom().get()) + ", not yet");
        }
        if (credential.validUntil().isPresent()
                && !now.isBefore(credential.validUntil().get())) {
            return Optional.of("credential " + id + " expired at "
                    + Times.iso(credential.validUntil().get()));
        }
        MemberStatus member = MemberStore.status(
                        c, tenantId, credential.member().value())
                .orElseThrow(() -> new SQLException("credential " + id + " names a missing member"));
        if (member != MemberStatus.ACTIVE) {
            return Optional.of("member " + credential.member() + " is " + WireNames.wire(member)
                    + "; only an active member gets QR tokens");
        }
        return Optional.empty();
    }

    // ---- rows, views and entities

    private static StoreResult<CredentialView> saved(Connection c, String tenantId, String id, Instant at)
            throws SQLException {
        Credential entity = entity(c, tenantId, id).orElseThrow();
        ChangeLog.appendToAllSites(c, tenantId, List.of(new Change.Upsert(entity)), at);
        return StoreResult.found(view(c, tenantId, id).orElseThrow());
    }

    private static Optional<CredentialView> view(Connection c, String tenantId, String id) throws SQLException {
        return Sql.byId(c, "credentials", COLUMNS, CredentialStore::view, tenantId, id);
    }

    private static CredentialView view(ResultSet rows) throws SQLException {
        return new CredentialView(
                rows.getString(1),
                rows.getString(2),
                WireNames.wire(rows.getString(3)),
                rows.getString(4),
                rows.getString(5),
                WireNames.wire(rows.getString(6)),
                Sql.instant(rows, 7).map(Times::iso).orElse(null),
                Sql.instant(rows, 8).map(Times::iso).orElse(null),
                Times.iso(rows.getLong(9)),
                Times.iso(rows.getLong(10)));
    }

    /** The columns {@link #entity(ResultSet)} reads, in its order. */
    public static final String ENTITY_COLUMNS = "id, member_id, type, card_hash, status, valid_from, valid_until";

    /** The credential as the edges get it, or empty when the tenant has no such credential. */
    public static Optional<Credential> entity(Connection c, String tenantId, String credentialId) throws SQLException {
        return Sql.byId(c, "credentials", ENTITY_COLUMNS, CredentialStore::entity, tenantId, credentialId);
    }

    /** One row selected with {@link #ENTITY_COLUMNS} as the protocol entity: the change log and the site projection share it. */
    public static Credential entity(ResultSet rows) throws SQLException {
        return new Credential(
                CredentialId.of(rows.getString(1)),
                MemberId.of(rows.getString(2)),
                CredentialType.valueOf(rows.getString(3)),
                Optional.ofNullable(rows.getString(4)),
                CredentialStatus.valueOf(rows.getString(5)),
                Sql.instant(rows, 6),
                Sql.instant(rows, 7));
    }
}
