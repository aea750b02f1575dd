package dev.gatehouse.hub.store;

import dev.gatehouse.hub.secrets.KeySettings;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.secrets.SecretException;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * The columns that hold the tenants' secret keys, sealed under the {@link MasterKey}: each tenant's
 * card key ({@code tenants.card_key}), each ES256 private key ({@code signing_keys.private_jwk}), and
 * each tenant's Stripe secrets ({@code stripe_settings.secret_key}, {@code .webhook_secret}), each
 * outbound webhook endpoint's signing secrets ({@code webhook_endpoints.secrets}), and each connector's
 * credentials ({@code connector_settings.credentials}), and each device's MQTT password ({@code
 * devices.mqtt_password_sealed}).
 *
 * <p>At every start, before the hub serves, {@link #prepare} finds the master key and makes every
 * value sealed under it: a plaintext value (a store from before sealing, or a restored old backup)
 * is sealed, a value sealed under {@code hub.previous-key-file} is sealed again under the current key
 * (rotation), and every value sealed under the current key is opened once, so a wrong or altered key
 * file stops the start here, before any request. It never makes a new key over sealed values.
 *
 * <p>The store also records which key it belongs to ({@code master_key_check}, V60): the key's id and
 * a known constant sealed under it, inserted by the first hub that starts on the store (of two hubs
 * starting at once only one insert wins; the other reads the winner's row back) and opened at every
 * start. So a replica given a key file of its own is refused at start even while the store holds no
 * other sealed value yet, and a store from before V60 gets the row from the key that opened its values.
 */
public final class SealedColumns {
    private static final Logger LOG = Logger.getLogger(SealedColumns.class.getName());

    /** A sealed column: its table, key column and value column. */
    public record Column(String table, String idColumn, String valueColumn) {
        /** The associated data of one row's value: it cannot be moved to another row. */
        public String context(String id) {
            return table + "." + valueColumn + "/" + id;
        }
    }

    public static final Column CARD_KEYS = new Column("tenants", "id", "card_key");
    public static final Column SIGNING_KEYS = new Column("signing_keys", "kid", "private_jwk");
    /** A tenant's Stripe secret API key and webhook signing secret. */
    public static final Column STRIPE_API_KEYS = new Column("stripe_settings", "tenant_id", "secret_key");

    public static final Column STRIPE_WEBHOOK_SECRETS = new Column("stripe_settings", "tenant_id", "webhook_secret");
    /** Each outbound webhook endpoint's signing secret (and, during a rotation, the previous one after a space). */
    public static final Column WEBHOOK_SECRETS = new Column("webhook_endpoints", "id", "secrets");

    /** Each Wi-Fi voucher code of the sites' pools (they are credentials). */
    public static final Column WIFI_CODES = new Column("wifi_vouchers", "id", "code_sealed");

    /** Each tenant connector's credentials (client secret, access and refresh tokens, bot token) as JSON. */
    public static final Column CONNECTOR_CREDENTIALS = new Column("connector_settings", "id", "credentials");

    /** Each device's MQTT password, so that the hub can (re)create its account on an external broker. */
    public static final Column DEVICE_PASSWORDS = new Column("devices", "id", "mqtt_password_sealed");

    private static final List<Column> COLUMNS = List.of(
            CARD_KEYS,
            SIGNING_KEYS,
            STRIPE_API_KEYS,
            STRIPE_WEBHOOK_SECRETS,
            WEBHOOK_SECRETS,
            WIFI_CODES,
            CONNECTOR_CREDENTIALS,
            DEVICE_PASSWORDS);

    /** The row recording the store's master key: a known constant sealed under it. */
    static final Column KEY_CHECK = new Column("master_key_check", "id", "check_value");

    private static final String KEY_CHECK_ID = "1";
    private static final String KEY_CHECK_PLAINTEXT = "gatehouse hub master key check";

    private SealedColumns() {}

    private record KeyCheck(String keyId, String value) {}

    private record Row(Column column, String id, String value) {}

    /** Loads (or at the very first start makes) the master key and seals every secret column under it. */
    static MasterKey prepare(Connection c, KeySettings settings) throws SQLException {
        List<Row> rows = new ArrayList<>();
        for (Column column : COLUMNS) {
            try (Statement select = c.createStatement();
                    ResultSet result = select.executeQuery("SELECT " + column.idColumn() + ", " + column.valueColumn()
                            + " FROM " + column.table() + " WHERE " + column.valueColumn() + " IS NOT NULL")) {
                while (result.next()) {
                    rows.add(new Row(column, result.getString(1), result.getString(2)));
                }
            }
        }
        Optional<KeyCheck> check = keyCheck(c);
        TreeSet<String> sealedUnder = new TreeSet<>();
        rows.stream()
                .filter(row -> MasterKey.isSealed(row.value()))
                .forEach(row -> sealedUnder.add(MasterKey.keyIdOf(row.value())));
        check.ifPresent(row -> sealedUnder.add(row.keyId()));
        boolean madeKey = !Files.exists(settings.keyFile());
        MasterKey key = current(settings, sealedUnder);
        try {
            sealAll(c, settings, key, rows, check);
        } catch (SQLException | RuntimeException e) {
            if (madeKey) { // a refused start leaves no key file of its own behind
                try {
                    Files.deleteIfExists(settings.keyFile());
                } catch (IOException deleteFailed) {
                    e.addSuppressed(deleteFailed);
                }
            }
            throw e;
        }
        return key;
    }

    private static Optional<KeyCheck> keyCheck(Connection c) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT key_id, check_value FROM master_key_check WHERE id = 1")) {
            try (ResultSet result = select.executeQuery()) {
                return result.next()
                        ? Optional.of(new KeyCheck(result.getString(1), result.getString(2)))
                        : Optional.empty();
            }
        }
    }

    /** In one transaction: checks {@code key} against the store's key check and seals every row under it. */
    private static void sealAll(
            Connection c, KeySettings settings, MasterKey key, List<Row> rows, Optional<KeyCheck> check)
            throws SQLException {
        Optional<MasterKey> previous =
                settings.previousKeyFile().map(file -> MasterKey.read(file, "hub.previous-key-file"));
        int sealed = 0;
        int resealed = 0;
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            String checkContext = KEY_CHECK.context(KEY_CHECK_ID);
            if (check.isPresent() && !check.get().keyId().equals(key.id())) {
                KeyCheck old = check.get();
                if (previous.isEmpty() || !old.keyId().equals(previous.get().id())) {
                    throw anotherKey(settings, key, old.keyId());
                }
                previous.get().open(old.value(), checkContext);
                Sql.update(
                        c,
                        "UPDATE master_key_check SET key_id = ?, check_value = ? WHERE id = 1",
                        key.id(),
                        key.seal(KEY_CHECK_PLAINTEXT, checkContext));
            } else if (check.isPresent()) {
                key.open(check.get().value(), checkContext); // the ids match: proves the key file opens it
            }
            for (Row row : rows) {
                String context = row.column().context(row.id());
                String plaintext;
                if (!MasterKey.isSealed(row.value())) {
                    plaintext = row.value();
                    sealed++;
                } else {
                    String keyId = MasterKey.keyIdOf(row.value());
                    if (keyId.equals(key.id())) {
                        key.open(row.value(), context); // proves the key file is the right one
                        continue;
                    }
                    if (previous.isPresent() && keyId.equals(previous.get().id())) {
                        plaintext = previous.get().open(row.value(), context);
                        resealed++;
                    } else {
                        throw wrongKey(settings, key, keyId);
                    }
                }
                try (PreparedStatement update = c.prepareStatement("UPDATE "
                        + row.column().table() + " SET " + row.column().valueColumn() + " = ? WHERE "
                        + row.column().idColumn() + " = ?")) {
                    update.setString(1, key.seal(plaintext, context));
                    update.setString(2, row.id());
                    update.executeUpdate();
                }
            }
            if (check.isEmpty()) {
                // The first start on this store (or on one from before V60, whose values the key just
                // opened): record the key. Of hubs starting at once only one insert wins; the others
                // read the winner's row back and are refused.
                Sql.update(
                        c,
                        "INSERT INTO master_key_check (id, key_id, check_value) VALUES (1, ?, ?)"
                                + " ON CONFLICT (id) DO NOTHING",
                        key.id(),
                        key.seal(KEY_CHECK_PLAINTEXT, checkContext));
                KeyCheck stored = keyCheck(c).orElseThrow();
                if (!stored.keyId().equals(key.id())) {
                    throw anotherKey(settings, key, stored.keyId());
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
        if (sealed > 0 || resealed > 0) {
            LOG.info("sealed " + sealed + " plaintext and re-sealed " + resealed + " tenant key(s) under master key "
                    + key.id());
        }
    }

    private static MasterKey current(KeySettings settings, TreeSet<String> sealedUnder) {
        if (!Files.exists(settings.keyFile())) {
            if (!sealedUnder.isEmpty()) {
                throw new SecretException("hub.key-file: " + settings.keyFile().toAbsolutePath()
                        + " does not exist, but the store's tenant keys are sealed under master key "
                        + String.join(", ", sealedUnder)
                        + ": put that key file back (or point hub.key-file at it; for a replica, copy the first"
                        + " replica's master key file there); without it the store's keys cannot"
                        + " be opened, and the hub never makes a new key over them");
            }
            MasterKey made = MasterKey.generate();
            try {
                made.writeNew(settings.keyFile());
            } catch (IOException e) {
                throw new SecretException(
                        "hub.key-file: cannot create " + settings.keyFile().toAbsolutePath() + ": " + e.getMessage());
            }
            LOG.warning("made a new master key " + made.id() + " in "
                    + settings.keyFile().toAbsolutePath()
                    + "; keep a copy of it apart from the backups: a backup cannot be read without it");
            return made;
        }
        return MasterKey.read(settings.keyFile(), "hub.key-file");
    }

    private static SecretException anotherKey(KeySettings settings, MasterKey key, String storeKeyId) {
        return new SecretException(
                "hub.key-file: the store's secrets are sealed under master key " + storeKeyId + ", but "
                        + settings.keyFile().toAbsolutePath() + " holds master key " + key.id()
                        + ": copy the first replica's master key file (its hub.key-file) to "
                        + settings.keyFile().toAbsolutePath()
                        + " (every replica on one store needs the same key), or point hub.key-file at the key the store"
                        + " was sealed with (after a rotation, name the old one in hub.previous-key-file); nothing was"
                        + " changed");
    }

    private static SecretException wrongKey(KeySettings settings, MasterKey key, String keyId) {
        return new SecretException("hub.key-file: the store's tenant keys are sealed under master key " + keyId
                + ", but " + settings.keyFile().toAbsolutePath() + " holds master key " + key.id()
                + ": point hub.key-file at the key the store was sealed with"
                + " (after a rotation, name the old one in hub.previous-key-file)");
    }
}
