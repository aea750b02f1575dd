package dev.gatehouse.hub.kiosk;

import dev.gatehouse.hub.members.SiteNames;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The tablets paired with the kiosk the hub serves for a site without an edge ({@code hub_kiosks}),
 * and the one-time codes that pair them ({@code hub_kiosk_codes}). Neither a code nor a tablet's
 * token is stored: only their SHA-256. A code is eight characters of Crockford base32 (about 40
 * bits), valid {@link #CODE_VALID} and once; wrong codes are throttled per client address
 * ({@link KioskThrottle}).
 */
public record HubKiosks(Database database, Clock clock) {
    public static final Duration CODE_VALID = Duration.ofMinutes(10);
    /** The longest tablet name. */
    public static final int MAX_NAME = 60;

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A paired tablet. */
    public record Kiosk(String id, String tenantId, String siteId, String name, Instant pairedAt, String pairedBy) {}

    /** A code just made: shown to the operator once. */
    public record Code(String code, String siteId, String name, Instant expiresAt) {}

    /** A member a walk-in may choose as host: the name only, never the e-mail address. */
    public record Host(String id, String name) {}

    /**
     * Whether the site has an edge (an active device): then its kiosk is the edge's, which works with
     * the internet down, and the hub pairs no tablet for it.
     */
    public static boolean hasEdge(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.exists(
                c, "SELECT 1 FROM devices WHERE tenant_id = ? AND site_id = ? AND status = 'active'", tenantId, siteId);
    }

    public boolean hasEdge(String tenantId, String siteId) {
        return database.read(c -> hasEdge(c, tenantId, siteId));
    }

    /**
     * A new pairing code for a tablet named {@code name} at the site. The caller has checked that the
     * site is the operator's, has no edge, and that the name is fine ({@link #nameProblem}).
     */
    public Code newCode(String tenantId, String siteId, String name, String createdBy) {
        Instant now = clock.instant();
        StringBuilder raw = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            raw.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        Instant expires = now.plus(CODE_VALID);
        database.run(c -> {
            Sql.update(c, "DELETE FROM hub_kiosk_codes WHERE expires_at <= ?", now);
            Sql.update(
                    c,
                    "INSERT INTO hub_kiosk_codes (code_hash, tenant_id, site_id, name, created_by, expires_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)",
                    sha256(raw.toString()),
                    tenantId,
                    siteId,
                    name,
                    createdBy,
                    expires);
        });
        return new Code(raw.substring(0, 4) + "-" + raw.substring(4), siteId, name, expires);
    }

    /** Why a tablet name is refused, or empty when it is fine. */
    public static Optional<String> nameProblem(String name) {
        if (name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            return Optional.of("give the tablet a name of 1-" + MAX_NAME + " characters, e.g. Lobby tablet");
        }
        return Optional.empty();
    }

    /**
     * Pairs a tablet with the typed code, spending it: answers the new kiosk and the token for the
     * tablet's cookie, or empty when the code is unknown, used or expired (or, with {@code
     * tenantId}, another tenant's).
     */
    public Optional<Paired> pair(String typed, Optional<String> tenantId) {
        Instant now = clock.instant();
        String hash = sha256(normalise(typed));
        return database.write(c -> {
            Optional<String[]> code = Sql.one(
                    c,
                    "SELECT tenant_id, site_id, name, created_by FROM hub_kiosk_codes WHERE code_hash = ? AND expires_at > ?",
                    row -> new String[] {row.getString(1), row.getString(2), row.getString(3), row.getString(4)},
                    hash,
                    now);
            if (code.isEmpty() || (tenantId.isPresent() && !tenantId.get().equals(code.get()[0]))) {
                return Optional.<Paired>empty();
            }
            if (Sql.update(c, "DELETE FROM hub_kiosk_codes WHERE code_hash = ?", hash) != 1) {
                return Optional.<Paired>empty();
            }
            String token = token();
            Kiosk kiosk =
                    new Kiosk(HubIds.next("kiosk"), code.get()[0], code.get()[1], code.get()[2], now, code.get()[3]);
            Sql.update(
                    c,
                    "INSERT INTO hub_kiosks (id, tenant_id, site_id, name, token_hash, paired_at, paired_by)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    kiosk.id(),
                    kiosk.tenantId(),
                    kiosk.siteId(),
                    kiosk.name(),
                    sha256(token),
                    now,
                    kiosk.pairedBy());
            return Optional.of(new Paired(kiosk, token));
        });
    }

    /** A tablet just paired and the token its cookie holds (never stored). */
    public record Paired(Kiosk kiosk, String token) {}

    /** The tablet whose cookie holds {@code token}. */
    public Optional<Kiosk> byToken(String token) {
        if (token.length() != 43) {
            return Optional.empty();
        }
        return database.read(c -> Sql.one(c, SELECT + " WHERE token_hash = ?", HubKiosks::kiosk, sha256(token)));
    }

    /** The tenant's tablets at {@code siteId}, by name. */
    public List<Kiosk> atSite(String tenantId, String siteId) {
        return database.read(c -> Sql.list(
                c,
                SELECT + " WHERE tenant_id = ? AND site_id = ? ORDER BY name, id",
                HubKiosks::kiosk,
                tenantId,
                siteId));
    }

    public Optional<Kiosk> find(String tenantId, String id) {
        return database.read(
                c -> Sql.one(c, SELECT + " WHERE tenant_id = ? AND id = ?", HubKiosks::kiosk, tenantId, id));
    }

    /** The site's time zone (UTC when the site is gone). */
    public java.time.ZoneId siteZone(String tenantId, String siteId) {
        return java.time.ZoneId.of(database.read(c -> Sql.one(
                        c, "SELECT time_zone FROM sites WHERE id = ? AND tenant_id = ?", Sql.STRING, siteId, tenantId))
                .orElse("UTC"));
    }

    /** Unpairs the tenant's tablet: its cookie opens nothing from now on. */
    public boolean unpair(String tenantId, String id) {
        return database.write(c -> Sql.update(c, "DELETE FROM hub_kiosks WHERE tenant_id = ? AND id = ?", tenantId, id))
                == 1;
    }

    /**
     * Up to {@code max} hosts a walk-in may choose at the site: active members (not erased) with a
     * current plan that opens a door group there, whose name or a word of it starts with {@code
     * letters} (at least two).
     */
    public List<Host> hosts(String tenantId, String siteId, String letters, int max) {
        String needle = letters.strip().toLowerCase(Locale.ROOT);
        if (needle.length() < 2) {
            return List.of();
        }
        String escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        Instant now = clock.instant();
        return database.read(c -> Sql.list(
                c,
                "SELECT m.id, m.full_name FROM members m WHERE m.tenant_id = ? AND m.status = 'ACTIVE'"
                        + " AND m.erased_at IS NULL AND (LOWER(m.full_name) LIKE ? ESCAPE '\\'"
                        + " OR LOWER(m.full_name) LIKE ? ESCAPE '\\') AND " + AT_SITE
                        + " ORDER BY m.full_name, m.id LIMIT " + max,
                row -> new Host(row.getString(1), row.getString(2)),
                tenantId,
                escaped + "%",
                "% " + escaped + "%",
                siteId,
                now,
                now));
    }

    /** The host's name when {@code memberId} is a host a walk-in may choose at the site. */
    public Optional<String> hostName(String tenantId, String siteId, String memberId) {
        Instant now = clock.instant();
        return database.read(c -> Sql.one(
                c,
                "SELECT m.full_name FROM members m WHERE m.tenant_id = ? AND m.id = ? AND m.status = 'ACTIVE'"
                        + " AND m.erased_at IS NULL AND " + AT_SITE,
                Sql.STRING,
                tenantId,
                memberId,
                siteId,
                now,
                now));
    }

    /**
     * A member {@code m} with a current plan opening a door group at the site (parameters: site, now,
     * now): the same members whose names the site's edges get.
     */
    private static final String AT_SITE = SiteNames.AT_SITE;

    private static final String SELECT = "SELECT id, tenant_id, site_id, name, paired_at, paired_by FROM hub_kiosks";

    private static Kiosk kiosk(java.sql.ResultSet row) throws SQLException {
        return new Kiosk(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                Instant.ofEpochMilli(row.getLong(5)),
                row.getString(6));
    }

    /** Upper case, without spaces or dashes; the letters Crockford reads as digits (O, I, L) as those digits. */
    static String normalise(String typed) {
        return typed.toUpperCase(Locale.ROOT)
                .replaceAll("[\\s-]", "")
                .replace('O', '0')
                .replace('I', '1')
                .replace('L', '1');
    }

    public static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
