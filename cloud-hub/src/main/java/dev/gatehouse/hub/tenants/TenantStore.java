package dev.gatehouse.hub.tenants;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.SealedColumns;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.SigningKey;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tenants, their API tokens and their signing keys, in the hub's store. */
public record TenantStore(Database database, Clock clock) {
    private static final String COLUMNS =
            "id, slug, name, primary_color, accent_color, logo_url, created_at, updated_at";

    /** A new tenant with its card key, its first signing key and its first API token. */
    public record Created(TenantView tenant, String token) {}

    public record Branding(
            String name, Optional<String> primaryColor, Optional<String> accentColor, Optional<String> logoUrl) {}

    /** A new tenant; the caller has checked the slug is free ({@link #slugTaken}); a race is a StoreException. */
    public Created create(String slug, Branding branding) {
        Instant now = clock.instant();
        String id = HubIds.next("ten");
        String token = Tokens.generate();
        database.run(c -> {
            Sql.update(
                    c,
                    "INSERT INTO tenants (" + COLUMNS + ", card_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    slug,
                    branding.name(),
                    branding.primaryColor(),
                    branding.accentColor(),
                    branding.logoUrl(),
                    now,
                    now,
                    database.masterKey().seal(Tokens.secret(), SealedColumns.CARD_KEYS.context(id)));
            insertToken(c, Optional.of(id), "initial", token, Access.owner(), now);
            newSigningKey(c, database.masterKey(), id, now);
        });
        return new Created(find(id).orElseThrow(), token);
    }

    public boolean slugTaken(String slug) {
        return database.read(c -> Sql.exists(c, "SELECT 1 FROM tenants WHERE slug = ?", slug));
    }

    /**
     * Adds a new active signing key (rotation), its private half sealed under the master key; older
     * keys stay published until retired.
     */
    public static SigningKey newSigningKey(Connection c, MasterKey masterKey, String tenantId, Instant at)
            throws SQLException {
        String kid = HubIds.next("key");
        ECKey key = SigningKeys.generate(kid);
        Sql.update(
                c,
                "INSERT INTO signing_keys (kid, tenant_id, public_jwk, private_jwk, created_at) VALUES (?, ?, ?, ?, ?)",
                kid,
                tenantId,
                key.toPublicJWK().toJSONString(),
                masterKey.seal(key.toJSONString(), SealedColumns.SIGNING_KEYS.context(kid)),
                at);
        SigningKey published = publicKey(key.toPublicJWK());
        ChangeLog.appendToAllSites(c, tenantId, List.of(new Change.Upsert(published)), at);
        return published;
    }

    static SigningKey publicKey(ECKey key) {
        Map<String, String> jwk = new LinkedHashMap<>();
        key.toPublicJWK().toJSONObject().forEach((name, value) -> {
            if (value instanceof String text) {
                jwk.put(name, text);
            }
        });
        return new SigningKey(key.getKeyID(), jwk);
    }

    /** The tenant's published signing keys (not retired), oldest first. */
    public static List<SigningKey> signingKeys(Connection c, String tenantId) throws SQLException {
        return Sql.list(
                c,
                "SELECT public_jwk FROM signing_keys WHERE tenant_id = ? AND retired_at IS NULL ORDER BY created_at, kid",
                row -> {
                    try {
                        return publicKey(ECKey.parse(row.getString(1)));
                    } catch (ParseException e) {
                        throw new SQLException("stored signing key of tenant " + tenantId + " is unreadable", e);
                    }
                },
                tenantId);
    }

    /** The newest active private key: what the hub signs QR tokens and sync batches with. */
    public static ECKey activeSigningKey(Connection c, MasterKey masterKey, String tenantId) throws SQLException {
        return activeSealedKey(c, tenantId).open(masterKey);
    }

    /** A tenant's signing key as stored: its id and its private JWK sealed under the master key. */
    public record SealedSigningKey(String kid, String sealedJwk) {
        /** Opens it: the private key, to sign with. */
        public ECKey open(MasterKey masterKey) {
            return SigningKeys.parsePrivate(masterKey.open(sealedJwk, SealedColumns.SIGNING_KEYS.context(kid)));
        }
    }

    /** The tenant's active signing key as stored, not opened (a reader that keeps opened keys compares it). */
    public static SealedSigningKey activeSealedKey(Connection c, String tenantId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT kid, private_jwk FROM signing_keys WHERE tenant_id = ? AND retired_at IS NULL"
                                + " ORDER BY created_at DESC, kid DESC LIMIT 1",
                        row -> new SealedSigningKey(row.getString(1), row.getString(2)),
                        tenantId)
                .orElseThrow(() -> new SQLException("tenant " + tenantId + " has no active signing key"));
    }

    /** The tenant's card key: the HMAC key that turns a card UID into its stored hash. */
    public static byte[] cardKey(Connection c, MasterKey masterKey, String tenantId) throws SQLException {
        Optional<String> key = Sql.one(c, "SELECT card_key FROM tenants WHERE id = ?", Sql.STRING, tenantId);
        if (key.isEmpty()) {
            throw new SQLException("tenant " + tenantId + " does not exist");
        }
        return Base64.getUrlDecoder().decode(masterKey.open(key.get(), SealedColumns.CARD_KEYS.context(tenantId)));
    }

    /** The tenant's slug (the tenant level of its MQTT topics); the tenant must exist. */
    public static String slug(Connection c, String tenantId) throws SQLException {
        return Sql.one(c, "SELECT slug FROM tenants WHERE id = ?", Sql.STRING, tenantId)
                .orElseThrow(() -> new SQLException("tenant " + tenantId + " does not exist"));
    }

    private static String insertToken(
            Connection c, Optional<String> tenantId, String name, String token, Access access, Instant now)
            throws SQLException {
        String id = HubIds.next("tok");
        Sql.update(
                c,
                "INSERT INTO api_tokens (id, tenant_id, name, token_hash, hint, role, site_ids, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                tenantId,
                name,
                Tokens.hash(token),
                Tokens.hint(token),
                access.role(),
                access.storedSites(),
                now);
        return id;
    }

    public Optional<TenantView> find(String id) {
        return database.read(
                c -> Sql.one(c, "SELECT " + COLUMNS + " FROM tenants WHERE id = ?", TenantStore::view, id));
    }

    /** The tenant with this slug (sign-in by workspace name or subdomain). */
    public Optional<TenantView> findBySlug(String slug) {
        return database.read(
                c -> Sql.one(c, "SELECT " + COLUMNS + " FROM tenants WHERE slug = ?", TenantStore::view, slug));
    }

    public List<TenantView> list() {
        return database.read(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM tenants ORDER BY slug", TenantStore::view));
    }

    public TenantView updateBranding(String id, Branding branding) {
        database.run(c -> Sql.update(
                c,
                "UPDATE tenants SET name = ?, primary_color = ?, accent_color = ?, logo_url = ?, updated_at = ?"
                        + " WHERE id = ?",
                branding.name(),
                branding.primaryColor(),
                branding.accentColor(),
                branding.logoUrl(),
                clock.instant(),
                id));
        return find(id).orElseThrow();
    }

    /** A new token for the tenant (or a platform-admin token for an empty tenant); returned once. */
    public String createToken(Optional<String> tenantId, String name) {
        String token = Tokens.generate();
        storeToken(tenantId, name, token);
        return token;
    }

    /** Stores the hash of a token made by the caller (the bootstrap writes its file first). */
    void storeToken(Optional<String> tenantId, String name, String token) {
        database.run(c -> insertToken(c, tenantId, name, token, Access.owner(), clock.instant()));
    }

    /** A new token of the tenant and its listing; the token itself is answered only here, once. */
    public record IssuedToken(TokenView view, String token) {}

    /**
     * A new token of the tenant with a role and sites (Invalid naming each site that is not one of the
     * tenant's, as {@code sites[i]}).
     */
    public StoreResult<IssuedToken> createToken(String tenantId, String name, Access access) {
        String token = Tokens.generate();
        List<String> sites = access.siteIds().stream().sorted().toList();
        return database.write(c -> {
            List<FieldError> unknown = new ArrayList<>();
            for (int i = 0; i < sites.size(); i++) {
                if (!Sql.exists(c, "SELECT 1 FROM sites WHERE id = ? AND tenant_id = ?", sites.get(i), tenantId)) {
                    unknown.add(new FieldError("sites", "'" + sites.get(i) + "' is not a site of this tenant"));
                }
            }
            if (!unknown.isEmpty()) {
                return new StoreResult.Invalid<>(unknown);
            }
            String id = insertToken(c, Optional.of(tenantId), name, token, access, clock.instant());
            return StoreResult.found(new IssuedToken(token(c, tenantId, id).orElseThrow(), token));
        });
    }

    private static final String TOKEN_COLUMNS = "id, name, hint, role, site_ids, created_at, revoked_at";

    public List<TokenView> tokens(String tenantId) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + TOKEN_COLUMNS + " FROM api_tokens WHERE tenant_id = ? ORDER BY created_at, id",
                TenantStore::tokenView,
                tenantId));
    }

    /** One token of the tenant, as listed. */
    public Optional<TokenView> token(String tenantId, String tokenId) {
        return database.read(c -> token(c, tenantId, tokenId));
    }

    private static Optional<TokenView> token(Connection c, String tenantId, String tokenId) throws SQLException {
        return Sql.byId(c, "api_tokens", TOKEN_COLUMNS, TenantStore::tokenView, tenantId, tokenId);
    }

    private static TokenView tokenView(ResultSet row) throws SQLException {
        Access access = Access.stored(row.getString(4), row.getString(5));
        return new TokenView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                WireNames.wire(access.role()),
                access.siteIds().stream().sorted().toList(),
                Times.iso(row.getLong(6)),
                Sql.instant(row, 7).map(Times::iso).orElse(null));
    }

    /** Revokes a token of this tenant (Found with its id; revoking it again changes nothing), or NotFound. */
    public StoreResult<String> revokeToken(String tenantId, String tokenId) {
        return database.write(c -> {
            if (!Sql.exists(c, "SELECT 1 FROM api_tokens WHERE id = ? AND tenant_id = ?", tokenId, tenantId)) {
                return new StoreResult.NotFound<>("token", tokenId);
            }
            Sql.update(
                    c,
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL",
                    clock.instant(),
                    tokenId,
                    tenantId);
            return StoreResult.found(tokenId);
        });
    }

    public List<SigningKey> publishedKeys(String tenantId) {
        return database.read(c -> signingKeys(c, tenantId));
    }

    public boolean anyAdminToken() {
        return database.read(
                c -> Sql.exists(c, "SELECT 1 FROM api_tokens WHERE tenant_id IS NULL AND revoked_at IS NULL"));
    }

    private static TenantView view(ResultSet row) throws SQLException {
        return new TenantView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                row.getString(6),
                Times.iso(row.getLong(7)),
                Times.iso(row.getLong(8)));
    }
}
