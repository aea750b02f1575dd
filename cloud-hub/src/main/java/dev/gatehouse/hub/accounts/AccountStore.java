package dev.gatehouse.hub.accounts;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.RowMapper;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.tenants.Role;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A tenant's operator accounts. E-mail addresses are kept lower-case and unique per tenant; the
 * password is an Argon2id hash ({@link Passwords}) and the TOTP secret is kept only for owners who
 * enrolled one. Changing an account's password, role, sites or status ends its sessions (the caller
 * does that through {@link Sessions#endAll}).
 */
public record AccountStore(Database database, Clock clock) {
    private static final String COLUMNS =
            "id, tenant_id, email, name, role, site_ids, status, totp_secret, created_at, updated_at";

    /** What sign-in needs beside the account: the stored hash and second-factor secret. */
    public record Secrets(Account account, Optional<String> passwordHash, Optional<String> totpSecret) {}

    private static final RowMapper<Account> ACCOUNT = row -> new Account(
            row.getString(1),
            row.getString(2),
            row.getString(3),
            row.getString(4),
            Access.stored(row.getString(5), row.getString(6)),
            Account.Status.valueOf(row.getString(7)),
            row.getString(8) != null,
            row.getLong(9),
            row.getLong(10));

    public static String normalise(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * A new account: active with the given password hash, or invited (no password) until its
     * invitation link is used. A second account with the same e-mail in the tenant is a conflict.
     */
    public StoreResult<Account> create(
            String tenantId, String email, String name, Access access, Optional<String> passwordHash) {
        String id = HubIds.next("acct");
        long now = clock.millis();
        String normalised = normalise(email);
        try {
            return database.write(c -> {
                if (Sql.exists(
                        c, "SELECT 1 FROM operator_accounts WHERE tenant_id = ? AND email = ?", tenantId, normalised)) {
                    return conflict(normalised);
                }
                Sql.update(
                        c,
                        "INSERT INTO operator_accounts (id, tenant_id, email, name, role, site_ids, password_hash,"
                                + " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        id,
                        tenantId,
                        normalised,
                        name.strip(),
                        access.role(),
                        access.storedSites(),
                        passwordHash,
                        passwordHash.isPresent() ? Account.Status.ACTIVE : Account.Status.INVITED,
                        now,
                        now);
                return new StoreResult.Found<>(byIdIn(c, tenantId, id).orElseThrow());
            });
        } catch (StoreException e) {
            if (e.error() == StoreError.CONFLICT) {
                return conflict(normalised);
            }
            throw e;
        }
    }

    private static <T> StoreResult<T> conflict(String email) {
        return new StoreResult.Conflict<>("an operator account with the e-mail " + email + " already exists");
    }

    public Optional<Account> byId(String tenantId, String id) {
        return database.read(c -> byIdIn(c, tenantId, id));
    }

    private static Optional<Account> byIdIn(Connection c, String tenantId, String id) throws SQLException {
        return Sql.byId(c, "operator_accounts", COLUMNS, ACCOUNT, tenantId, id);
    }

    public Optional<Account> byEmail(String tenantId, String email) {
        return database.read(c -> Sql.one(
                c,
                "SELECT " + COLUMNS + " FROM operator_accounts WHERE tenant_id = ? AND email = ?",
                ACCOUNT,
                tenantId,
                normalise(email)));
    }

    /** The account and its secrets, for sign-in. */
    public Optional<Secrets> secrets(String tenantId, String email) {
        return database.read(c -> Sql.one(
                c,
                "SELECT " + COLUMNS + ", password_hash FROM operator_accounts WHERE tenant_id = ? AND email = ?",
                row -> new Secrets(
                        ACCOUNT.map(row),
                        Optional.ofNullable(row.getString(11)),
                        Optional.ofNullable(row.getString(8))),
                tenantId,
                normalise(email)));
    }

    public List<Account> list(String tenantId) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + COLUMNS + " FROM operator_accounts WHERE tenant_id = ? ORDER BY email",
                ACCOUNT,
                tenantId));
    }

    /** Sets a new password (an invitation accepted, a reset) and makes an invited account active. */
    public StoreResult<Account> setPassword(String tenantId, String id, String passwordHash) {
        return database.write(c -> {
            int changed = Sql.update(
                    c,
                    "UPDATE operator_accounts SET password_hash = ?, status = CASE WHEN status = 'INVITED'"
                            + " THEN 'ACTIVE' ELSE status END, updated_at = ? WHERE tenant_id = ? AND id = ?",
                    passwordHash,
                    clock.millis(),
                    tenantId,
                    id);
            return changed == 0
                    ? new StoreResult.NotFound<>("operator account", id)
                    : new StoreResult.Found<>(byIdIn(c, tenantId, id).orElseThrow());
        });
    }

    /** Changes name, role and sites, and status; an owner may not be left without another active owner. */
    public StoreResult<Account> update(String tenantId, String id, String name, Access access, Account.Status status) {
        return database.write(c -> {
            Optional<Account> current = byIdIn(c, tenantId, id);
            if (current.isEmpty()) {
                return new StoreResult.NotFound<>("operator account", id);
            }
            boolean losesOwner = current.get().access().role() == Role.OWNER
                    && (access.role() != Role.OWNER || status != Account.Status.ACTIVE);
            if (losesOwner
                    && !Sql.exists(
                            c,
                            "SELECT 1 FROM operator_accounts WHERE tenant_id = ? AND id <> ? AND role = 'OWNER'"
                                    + " AND status = 'ACTIVE'",
                            tenantId,
                            id)) {
                return StoreResult.invalid(
                        "role", "the tenant needs at least one active owner: make another account owner first");
            }
            Sql.update(
                    c,
                    "UPDATE operator_accounts SET name = ?, role = ?, site_ids = ?, status = ?, updated_at = ?"
                            + " WHERE tenant_id = ? AND id = ?",
                    name.strip(),
                    access.role(),
                    access.storedSites(),
                    status,
                    clock.millis(),
                    tenantId,
                    id);
            return new StoreResult.Found<>(byIdIn(c, tenantId, id).orElseThrow());
        });
    }

    /** Enrolls (a secret) or removes (empty) the TOTP second factor. */
    public void setTotpSecret(String tenantId, String id, Optional<String> secret) {
        database.run(c -> Sql.update(
                c,
                "UPDATE operator_accounts SET totp_secret = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
                secret,
                clock.millis(),
                tenantId,
                id));
    }

    /**
     * Records that the second factor accepted the code of TOTP time step {@code step}; false when a code
     * of this step or a later one was accepted before (a code works once). Atomic, so two requests with
     * the same code cannot both pass.
     */
    public boolean useTotpStep(String tenantId, String id, long step) {
        return database.write(c -> Sql.update(
                        c,
                        "UPDATE operator_accounts SET totp_last_step = ? WHERE tenant_id = ? AND id = ?"
                                + " AND (totp_last_step IS NULL OR totp_last_step < ?)",
                        step,
                        tenantId,
                        id,
                        step)
                == 1);
    }
}
