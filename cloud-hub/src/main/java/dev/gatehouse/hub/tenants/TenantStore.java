package dev.gatehouse.hub.tenants;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.SigningKey;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tenants, their API tokens and their signing keys, in the hub's store. */
public final class TenantStore {
    private static final String COLUMNS =
            "id, slug, name, primary_color, accent_color, logo_url, created_at, updated_at";

    private final Database database;
    private final Clock clock;

    public TenantStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** A new tenant with its card key, its first signing key and its first API token. */
    public record Created(TenantView tenant, String token) {}

    public record Branding(
            String name, Optional<String> primaryColor, Optional<String> accentColor, Optional<String> logoUrl) {}

    public Created create(String slug, Branding branding) {
        long now = clock.millis();
        String id = HubIds.next("ten");
        String token = Tokens.generate();
        database.write(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO tenants (" + COLUMNS + ", card_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, slug);
                insert.setString(3, branding.name());
                insert.setString(4, branding.primaryColor().orElse(null));
                insert.setString(5, branding.accentColor().orElse(null));
                insert.setString(6, branding.logoUrl().orElse(null));
                insert.setLong(7, now);
                insert.setLong(8, now);
                insert.setString(9, Tokens.secret());
                insert.executeUpdate();
            }
            insertToken(c, Optional.of(id), "initial", token, now);
            newSigningKey(c, id, Instant.ofEpochMilli(now));
            return null;
        });
        return new Created(find(id).orElseThrow(), token);
    }

    /** Adds a new active signing key (rotation); older keys stay published until retired. */
    public static SigningKey newSigningKey(Connection c, String tenantId, Instant at) throws SQLException {
        String kid = HubIds.next("key");
        ECKey key = SigningKeys.generate(kid);
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO signing_keys (kid, tenant_id, public_jwk, private_jwk, created_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, kid);
            insert.setString(2, tenantId);
            insert.setString(3, key.toPublicJWK().toJSONString());
            insert.setString(4, key.toJSONString());
            insert.setLong(5, at.toEpochMilli());
            insert.executeUpdate();
        }
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
        List<SigningKey> keys = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement(
                "SELECT public_jwk FROM signing_keys WHERE tenant_id = ? AND retired_at IS NULL ORDER BY created_at, kid")) {
            statement.setString(1, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    try {
                        keys.add(publicKey(ECKey.parse(rows.getString(1))));
                    } catch (java.text.ParseException e) {
                        throw new SQLException("stored signing key of tenant " + tenantId + " is unreadable", e);
                    }
                }
            }
        }
        return keys;
    }

    /** The newest active private key: what the hub signs QR tokens and sync batches with. */
    public static ECKey activeSigningKey(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT private_jwk FROM signing_keys WHERE tenant_id = ? AND retired_at IS NULL"
                        + " ORDER BY created_at DESC, kid DESC LIMIT 1")) {
            statement.setString(1, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("tenant " + tenantId + " has no active signing key");
                }
                return SigningKeys.parsePrivate(rows.getString(1));
            }
        }
    }

    /** The tenant's card key: the HMAC key that turns a card UID into its stored hash. */
    public static byte[] cardKey(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT card_key FROM tenants WHERE id = ?")) {
            statement.setString(1, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("tenant " + tenantId + " does not exist");
                }
                return java.util.Base64.getUrlDecoder().decode(rows.getString(1));
            }
        }
    }

    static void insertToken(Connection c, Optional<String> tenantId, String name, String token, long now)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO api_tokens (id, tenant_id, name, token_hash, hint, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, HubIds.next("tok"));
            insert.setString(2, tenantId.orElse(null));
            insert.setString(3, name);
            insert.setString(4, Tokens.hash(token));
            insert.setString(5, Tokens.hint(token));
            insert.setLong(6, now);
            insert.executeUpdate();
        }
    }

    public Optional<TenantView> find(String id) {
        return database.read(c -> {
            try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + " FROM tenants WHERE id = ?")) {
                statement.setString(1, id);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(view(rows)) : Optional.empty();
                }
            }
        });
    }

    public List<TenantView> list() {
        return database.read(c -> {
            List<TenantView> tenants = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + " FROM tenants ORDER BY slug");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tenants.add(view(rows));
                }
            }
            return tenants;
        });
    }

    public boolean slugTaken(String slug) {
        return database.read(c -> {
            try (PreparedStatement statement = c.prepareStatement("SELECT 1 FROM tenants WHERE slug = ?")) {
                statement.setString(1, slug);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    public TenantView updateBranding(String id, Branding branding) {
        database.write(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE tenants SET name = ?, primary_color = ?,"
                    + " accent_color = ?, logo_url = ?, updated_at = ? WHERE id = ?")) {
                update.setString(1, branding.name());
                update.setString(2, branding.primaryColor().orElse(null));
                update.setString(3, branding.accentColor().orElse(null));
                update.setString(4, branding.logoUrl().orElse(null));
                update.setLong(5, clock.millis());
                update.setString(6, id);
                update.executeUpdate();
            }
            return null;
        });
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
        database.write(c -> {
            insertToken(c, tenantId, name, token, clock.millis());
            return null;
        });
    }

    public List<TokenView> tokens(String tenantId) {
        return database.read(c -> {
            List<TokenView> tokens = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement("SELECT id, name, hint, created_at, revoked_at"
                    + " FROM api_tokens WHERE tenant_id = ? ORDER BY created_at, id")) {
                statement.setString(1, tenantId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        long revoked = rows.getLong(5);
                        boolean active = rows.wasNull();
                        tokens.add(new TokenView(
                                rows.getString(1),
                                rows.getString(2),
                                rows.getString(3),
                                Times.iso(rows.getLong(4)),
                                active ? null : Times.iso(revoked)));
                    }
                }
            }
            return tokens;
        });
    }

    public Optional<TokenView> findToken(String tenantId, String tokenId) {
        return tokens(tenantId).stream().filter(t -> t.id().equals(tokenId)).findFirst();
    }

    /** Revokes a token of this tenant; false when the tenant has no such token. */
    public boolean revokeToken(String tenantId, String tokenId) {
        return database.write(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE api_tokens SET revoked_at = ?"
                    + " WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL")) {
                update.setLong(1, clock.millis());
                update.setString(2, tokenId);
                update.setString(3, tenantId);
                return update.executeUpdate() == 1;
            }
        });
    }

    public List<SigningKey> publishedKeys(String tenantId) {
        return database.read(c -> signingKeys(c, tenantId));
    }

    public boolean anyAdminToken() {
        return database.read(c -> {
            try (PreparedStatement statement = c.prepareStatement(
                            "SELECT 1 FROM api_tokens WHERE tenant_id IS NULL AND revoked_at IS NULL");
                    ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        });
    }

    private static TenantView view(ResultSet rows) throws SQLException {
        return new TenantView(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                rows.getString(5),
                rows.getString(6),
                Times.iso(rows.getLong(7)),
                Times.iso(rows.getLong(8)));
    }
}
