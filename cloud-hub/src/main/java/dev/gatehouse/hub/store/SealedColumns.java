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

    private SealedColumns() {}

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
        TreeSet<String> sealedUnder = new TreeSet<>();
        rows.stream()
                .filter(row -> MasterKey.isSealed(row.value()))
                .forEach(row -> sealedUnder.add(MasterKey.keyIdOf(row.value())));
        MasterKey key = current(settings, sealedUnder);
        Optional<MasterKey> previous =
                settings.previousKeyFile().map(file -> MasterKey.read(file, "hub.previous-key-file"));
        int sealed = 0;
        int resealed = 0;
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
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
        return key;
    }

    private static MasterKey current(KeySettings settings, TreeSet<String> sealedUnder) {
        if (!Files.exists(settings.keyFile())) {
            if (!sealedUnder.isEmpty()) {
                throw new SecretException("hub.key-file: " + settings.keyFile().toAbsolutePath()
                        + " does not exist, but the store's tenant keys are sealed under master key "
                        + String.join(", ", sealedUnder)
                        + ": put that key file back (or point hub.key-file at it); without it the store's keys cannot"
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

    private static SecretException wrongKey(KeySettings settings, MasterKey key, String keyId) {
        return new SecretException("hub.key-file: the store's tenant keys are sealed under master key " + keyId
                + ", but " + settings.keyFile().toAbsolutePath() + " holds master key " + key.id()
                + ": point hub.key-file at the key the store was sealed with"
                + " (after a rotation, name the old one in hub.previous-key-file)");
    }
}
