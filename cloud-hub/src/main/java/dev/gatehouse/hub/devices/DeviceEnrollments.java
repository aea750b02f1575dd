package dev.gatehouse.hub.devices;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.protocol.enroll.Enrollment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One-time enrollment codes for devices (table {@code device_enrollment_codes}, V11). A code is kept
 * as its SHA-256 only; it works once, until it expires, for a device that is not retired. Asking for a
 * new code for a device deletes its unused ones, so at most one code per device is open. Redeeming a
 * code provisions the device in the same transaction: a new MQTT password hash and the device's public
 * key; the old password stops working.
 *
 * <p>Failed redemptions are counted per client address in {@code login_failures}: after {@link
 * #FAILURES_PER_ADDRESS} within {@link #FAILURE_WINDOW} an address is refused before its code is looked
 * at, which with 60-bit codes leaves guessing hopeless.
 */
public record DeviceEnrollments(Database database, Clock clock) {
    /** How long a code works unless the operator asks otherwise. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(2);

    /** The longest lifetime an operator may ask for (prepared ahead of an installation). */
    public static final Duration MAX_LIFETIME = Duration.ofDays(7);

    public static final int FAILURES_PER_ADDRESS = 10;
    public static final Duration FAILURE_WINDOW = Duration.ofMinutes(15);

    /** A code just issued: shown once, never stored in clear. */
    public record Issued(String deviceId, String siteId, String code, Instant expiresAt) {}

    /** Why a code was not redeemed, or what it gave. */
    public sealed interface Redeemed {
        record Enrolled(String tenantId, String deviceId, DeviceStore.Issued issued) implements Redeemed {}

        record Unknown() implements Redeemed {}

        record Expired(Instant at) implements Redeemed {}

        record Used(Instant at) implements Redeemed {}

        record Retired(String deviceId) implements Redeemed {}
    }

    /**
     * A new code for the device, valid for {@code lifetime}; its earlier unused codes stop working. A
     * retired device is a Conflict, another tenant's a NotFound.
     */
    public StoreResult<Issued> issue(String tenantId, String deviceId, String createdBy, Duration lifetime) {
        String code = Enrollment.newCode();
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime).truncatedTo(ChronoUnit.MILLIS);
        return database.write(c -> {
            Optional<DeviceStore.Placed> device = DeviceStore.placed(c, tenantId, deviceId);
            if (device.isEmpty()) {
                return new StoreResult.NotFound<>("device", deviceId);
            }
            if (device.get().retired()) {
                return new StoreResult.Conflict<>(
                        "device " + deviceId + " is retired and cannot enroll again; add a new device");
            }
            Sql.update(
                    c,
                    "DELETE FROM device_enrollment_codes WHERE tenant_id = ? AND device_id = ? AND used_at IS NULL",
                    tenantId,
                    deviceId);
            Sql.update(
                    c,
                    "INSERT INTO device_enrollment_codes (code_hash, tenant_id, device_id, created_by, created_at,"
                            + " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    hash(code),
                    tenantId,
                    deviceId,
                    createdBy,
                    now,
                    expires);
            return StoreResult.found(new Issued(deviceId, device.get().siteId(), code, expires));
        });
    }

    /** Whether {@code address} has failed too often lately to try another code. */
    public boolean throttled(String address) {
        Instant now = clock.instant();
        return database.read(c -> failures(c, address, now)) >= FAILURES_PER_ADDRESS;
    }

    /** Counts a failed redemption from {@code address}. */
    public void failed(String address) {
        Instant now = clock.instant();
        database.run(c -> {
            Sql.update(c, "DELETE FROM login_failures WHERE at <= ?", now.minus(FAILURE_WINDOW));
            Sql.update(c, "INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)", key(address), now);
        });
    }

    /**
     * Redeems a normalised code for the device holding {@code publicKeyJson}: marks the code used and
     * provisions the device with the MQTT {@code password}, all in one transaction, or changes nothing.
     */
    public Redeemed redeem(String code, String publicKeyJson, String password, String address) {
        Instant now = clock.instant();
        return database.write(c -> {
            record Row(String tenantId, String deviceId, long expiresAt, Long usedAt, String status) {}
            Optional<Row> found = Sql.one(
                    c,
                    "SELECT e.tenant_id, e.device_id, e.expires_at, e.used_at, d.status FROM device_enrollment_codes e"
                            + " JOIN devices d ON d.id = e.device_id AND d.tenant_id = e.tenant_id WHERE e.code_hash = ?",
                    row -> {
                        long used = row.getLong(4);
                        Long usedAt = row.wasNull() ? null : used;
                        return new Row(row.getString(1), row.getString(2), row.getLong(3), usedAt, row.getString(5));
                    },
                    hash(code));
            if (found.isEmpty()) {
                return new Redeemed.Unknown();
            }
            Row row = found.get();
            if (row.usedAt() != null) {
                return new Redeemed.Used(Instant.ofEpochMilli(row.usedAt()));
            }
            if (row.expiresAt() <= now.toEpochMilli()) {
                return new Redeemed.Expired(Instant.ofEpochMilli(row.expiresAt()));
            }
            if (row.status().equals("retired")) {
                return new Redeemed.Retired(row.deviceId());
            }
            int marked = Sql.update(
                    c,
                    "UPDATE device_enrollment_codes SET used_at = ?, used_from = ? WHERE code_hash = ? AND used_at IS NULL",
                    now,
                    address,
                    hash(code));
            if (marked != 1) {
                return new Redeemed.Used(now);
            }
            StoreResult<DeviceStore.Issued> issued = DeviceStore.provision(
                    c, database.masterKey(), row.tenantId(), row.deviceId(), password, Optional.of(publicKeyJson), now);
            return switch (issued) {
                case StoreResult.Found<DeviceStore.Issued> f ->
                    new Redeemed.Enrolled(row.tenantId(), row.deviceId(), f.value());
                // Retired between the read and the update: undo the mark by failing the transaction.
                default -> throw new IllegalStateException("device " + row.deviceId() + " changed while enrolling");
            };
        });
    }

    private static long failures(Connection c, String address, Instant now) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT COUNT(*) FROM login_failures WHERE throttle_key = ? AND at > ?",
                        Sql.LONG,
                        key(address),
                        now.minus(FAILURE_WINDOW))
                .orElse(0L);
    }

    private static String key(String address) {
        return "device-enroll-address:" + address.strip();
    }

    static String hash(String normalisedCode) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(("gatehouse-enroll:" + normalisedCode).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
