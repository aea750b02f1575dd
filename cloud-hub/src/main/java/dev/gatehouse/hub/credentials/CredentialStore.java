package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.credentials.CredentialViews.CredentialView;
import dev.gatehouse.hub.credentials.CredentialViews.Page;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.FieldError;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Members' credentials: NFC cards, kept only as the tenant-keyed hash of their UID, and member-QR
 * credentials, for which the hub signs short-lived QR tokens. Every change upserts the protocol
 * {@link Credential} to every site of the tenant in the same transaction.
 */
public final class CredentialStore {
    /** How long a member QR token is valid: rotating member codes expire in about a minute. */
    public static final Duration MEMBER_TOKEN_LIFETIME = Duration.ofSeconds(60);

    private static final String COLUMNS =
            "id, member_id, type, card_hash, label, status, valid_from, valid_until, created_at, updated_at";

    private final Database database;
    private final Clock clock;

    public CredentialStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** A credential to enroll: {@code uid} (the card's UID bytes) is present exactly for an NFC card. */
    public record Enrollment(
            CredentialType type,
            Optional<byte[]> uid,
            Optional<String> label,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil) {
        public Enrollment {
            if (uid.isPresent() != (type == CredentialType.NFC_CARD)) {
                throw new IllegalArgumentException("an NFC card needs its UID; a member QR credential has none");
            }
        }
    }

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
            return database.write(c -> {
                var status = memberStatus(c, tenantId, memberId);
                if (status.isEmpty()) {
                    return new StoreResult.Missing<>("member", memberId);
                }
                if (status.get() == MemberStatus.CANCELLED) {
                    return new StoreResult.Refused<>("member " + memberId
                            + " is cancelled, and cancelled is final; create a new member to give them access again");
                }
                Optional<String> hash = cardHash(c, tenantId, enrollment.uid());
                if (hash.isPresent()) {
                    Optional<StoreResult<CredentialView>> taken = cardTaken(c, tenantId, hash.get());
                    if (taken.isPresent()) {
                        return taken.get();
                    }
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO credentials (" + COLUMNS
                        + ", tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, id);
                    insert.setString(2, memberId);
                    insert.setString(3, enrollment.type().name());
                    insert.setString(4, hash.orElse(null));
                    insert.setString(5, enrollment.label().orElse(null));
                    insert.setString(6, CredentialStatus.ACTIVE.name());
                    setInstant(insert, 7, enrollment.validFrom());
                    setInstant(insert, 8, enrollment.validUntil());
                    insert.setLong(9, now.toEpochMilli());
                    insert.setLong(10, now.toEpochMilli());
                    insert.setString(11, tenantId);
                    insert.executeUpdate();
                }
                return saved(c, tenantId, id, now);
            });
        } catch (StoreException e) {
            // Two requests enrolling one card at once: the second meets UNIQUE (tenant_id, card_hash).
            if (e.error() == StoreError.CONFLICT && enrollment.uid().isPresent()) {
                Optional<StoreResult<CredentialView>> taken = database.read(c -> {
                    Optional<String> hash = cardHash(c, tenantId, enrollment.uid());
                    return hash.isPresent() ? cardTaken(c, tenantId, hash.get()) : Optional.empty();
                });
                if (taken.isPresent()) {
                    return taken.get();
                }
            }
            throw e;
        }
    }

    private static Optional<String> cardHash(Connection c, String tenantId, Optional<byte[]> uid) throws SQLException {
        if (uid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new CardHasher(TenantStore.cardKey(c, tenantId)).hash(uid.get()));
    }

    /**
     * The card's credential if it is enrolled in this tenant, revoked ones included: a revoked card
     * stays in every edge's cache (so that it is denied as revoked), and a cache holds a card hash once.
     */
    private static Optional<StoreResult<CredentialView>> cardTaken(Connection c, String tenantId, String hash)
            throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(
                "SELECT id, member_id, status FROM credentials WHERE tenant_id = ? AND card_hash = ?")) {
            statement.setString(1, tenantId);
            statement.setString(2, hash);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoreResult.Refused<>("card already enrolled as credential "
                        + rows.getString(1) + " of member " + rows.getString(2) + " (" + wire(rows.getString(3))
                        + "); a card is enrolled once per tenant"));
            }
        }
    }

    public Optional<CredentialView> find(String tenantId, String credentialId) {
        return database.read(c -> view(c, tenantId, credentialId));
    }

    /** A member's credentials in id order, {@code limit} per page after {@code cursor}; Missing for an unknown member. */
    public StoreResult<Page<CredentialView>> list(
            String tenantId, String memberId, Optional<CredentialStatus> status, Optional<String> cursor, int limit) {
        return database.read(c -> {
            if (memberStatus(c, tenantId, memberId).isEmpty()) {
                return new StoreResult.Missing<>("member", memberId);
            }
            List<CredentialView> items = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM credentials WHERE tenant_id = ? AND member_id = ? AND id > ?"
                    + (status.isPresent() ? " AND status = ?" : "") + " ORDER BY id LIMIT ?")) {
                int index = 0;
                statement.setString(++index, tenantId);
                statement.setString(++index, memberId);
                statement.setString(++index, cursor.orElse(""));
                if (status.isPresent()) {
                    statement.setString(++index, status.get().name());
                }
                statement.setInt(++index, limit + 1);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        items.add(view(rows));
                    }
                }
            }
            return new StoreResult.Ok<>(page(items, limit, CredentialView::id));
        });
    }

    static <T> Page<T> page(List<T> fetched, int limit, java.util.function.Function<T, String> id) {
        if (fetched.size() <= limit) {
            return new Page<>(List.copyOf(fetched), null);
        }
        List<T> items = List.copyOf(fetched.subList(0, limit));
        return new Page<>(items, id.apply(items.getLast()));
    }

    /** Sets label, validity and status (not REVOKED); a revoked credential is final. */
    public StoreResult<CredentialView> update(String tenantId, String credentialId, Update update) {
        Instant now = clock.instant();
        return database.write(c -> {
            try (PreparedStatement statement = c.prepareStatement("UPDATE credentials SET label = ?, valid_from = ?,"
                    + " valid_until = ?, status = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND status <> ?"
                    + " AND status = ? AND updated_at = ?")) {
                statement.setString(1, update.label().orElse(null));
                setInstant(statement, 2, update.validFrom());
                setInstant(statement, 3, update.validUntil());
                statement.setString(4, update.status().name());
                statement.setLong(5, Math.max(now.toEpochMilli(), update.readUpdatedAt() + 1));
                statement.setString(6, credentialId);
                statement.setString(7, tenantId);
                statement.setString(8, CredentialStatus.REVOKED.name());
                statement.setString(9, update.readStatus().name());
                statement.setLong(10, update.readUpdatedAt());
                if (statement.executeUpdate() == 0) {
                    Optional<CredentialView> now2 = view(c, tenantId, credentialId);
                    if (now2.isEmpty()) {
                        return new StoreResult.Missing<>("credential", credentialId);
                    }
                    return new StoreResult.Refused<>(
                            now2.get().status().equals(wire(CredentialStatus.REVOKED.name()))
                                    ? revokedIsFinal(credentialId)
                                    : "credential " + credentialId + " was changed by another request meanwhile"
                                            + " (it is now " + now2.get().status() + "); read it again and retry");
                }
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
        return database.write(c -> {
            Optional<CredentialView> current = view(c, tenantId, credentialId);
            if (current.isEmpty()) {
                return new StoreResult.Missing<>("credential", credentialId);
            }
            if (current.get().status().equals(wire(CredentialStatus.REVOKED.name()))) {
                return new StoreResult.Ok<>(current.get());
            }
            try (PreparedStatement statement = c.prepareStatement(
                    "UPDATE credentials SET status = ?, updated_at = ? WHERE id = ? AND tenant_id = ?")) {
                statement.setString(1, CredentialStatus.REVOKED.name());
                statement.setLong(2, now.toEpochMilli());
                statement.setString(3, credentialId);
                statement.setString(4, tenantId);
                statement.executeUpdate();
            }
            return saved(c, tenantId, credentialId, now);
        });
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
                return new StoreResult.Missing<>("credential", credentialId);
            }
            if (siteId.isPresent() && !SiteStore.siteExists(c, tenantId, siteId.get())) {
                return new StoreResult.Invalid<>(List.of(new FieldError(
                        "siteId", "no site '" + siteId.get() + "'; list the sites with GET /api/v1/sites")));
            }
            Credential credential = found.get();
            Optional<String> refusal = tokenRefusal(c, tenantId, credential, now);
            if (refusal.isPresent()) {
                return new StoreResult.Refused<>(refusal.get());
            }
            Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS);
            return new StoreResult.Ok<>(QrIssuer.issue(
                    c,
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
            return Optional.of("credential " + id + " is "
                    + wire(credential.status().name()) + "; only an active credential gets QR tokens");
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
        MemberStatus member = memberStatus(c, tenantId, credential.member().value())
                .orElseThrow(() -> new SQLException("credential " + id + " names a missing member"));
        if (member != MemberStatus.ACTIVE) {
            return Optional.of("member " + credential.member() + " is " + wire(member.name())
                    + "; only an active member gets QR tokens");
        }
        return Optional.empty();
    }

    // ---- rows, views and entities

    private static StoreResult<CredentialView> saved(Connection c, String tenantId, String id, Instant at)
            throws SQLException {
        Credential entity = entity(c, tenantId, id).orElseThrow();
        ChangeLog.appendToAllSites(c, tenantId, List.of(new Change.Upsert(entity)), at);
        return new StoreResult.Ok<>(view(c, tenantId, id).orElseThrow());
    }

    private static Optional<CredentialView> view(Connection c, String tenantId, String id) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT " + COLUMNS + " FROM credentials WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, id);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(view(rows)) : Optional.empty();
            }
        }
    }

    private static CredentialView view(ResultSet rows) throws SQLException {
        return new CredentialView(
                rows.getString(1),
                rows.getString(2),
                wire(rows.getString(3)),
                rows.getString(4),
                rows.getString(5),
                wire(rows.getString(6)),
                instant(rows, 7).map(Times::iso).orElse(null),
                instant(rows, 8).map(Times::iso).orElse(null),
                Times.iso(rows.getLong(9)),
                Times.iso(rows.getLong(10)));
    }

    /** The columns {@link #entity(ResultSet)} reads, in its order. */
    public static final String ENTITY_COLUMNS = "id, member_id, type, card_hash, status, valid_from, valid_until";

    /** The credential as the edges get it, or empty when the tenant has no such credential. */
    public static Optional<Credential> entity(Connection c, String tenantId, String credentialId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT " + ENTITY_COLUMNS + " FROM credentials WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, credentialId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(entity(rows)) : Optional.empty();
            }
        }
    }

    /** One row selected with {@link #ENTITY_COLUMNS} as the protocol entity: the change log and the site projection share it. */
    public static Credential entity(ResultSet rows) throws SQLException {
        return new Credential(
                CredentialId.of(rows.getString(1)),
                MemberId.of(rows.getString(2)),
                CredentialType.valueOf(rows.getString(3)),
                Optional.ofNullable(rows.getString(4)),
                CredentialStatus.valueOf(rows.getString(5)),
                instant(rows, 6),
                instant(rows, 7));
    }

    /** The member's status, or empty when the tenant has no such member. */
    static Optional<MemberStatus> memberStatus(Connection c, String tenantId, String memberId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT status FROM members WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, memberId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(MemberStatus.valueOf(
                        rows.getString(1).toUpperCase(Locale.ROOT).replace('-', '_')));
            }
        }
    }

    static void setInstant(PreparedStatement statement, int index, Optional<Instant> value) throws SQLException {
        if (value.isPresent()) {
            statement.setLong(index, value.get().toEpochMilli());
        } else {
            statement.setNull(index, Types.BIGINT);
        }
    }

    static Optional<Instant> instant(ResultSet rows, int index) throws SQLException {
        long millis = rows.getLong(index);
        return rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    /** REVOKED → revoked, NFC_CARD → nfc-card: enum values on the API. */
    static String wire(String enumName) {
        return SiteStore.wire(enumName);
    }
}
