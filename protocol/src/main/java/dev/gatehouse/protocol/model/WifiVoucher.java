package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One Wi-Fi voucher code of a site's pool, allocated by the hub to one edge ({@code device}): only
 * that edge hands it out, so a code goes to one visitor even while the site's edges cannot reach each
 * other. Every edge of the site receives every voucher entity of the site's log; each takes only its
 * own. The code is valid for {@code validFor} from when it is handed out, or until {@code expiresAt}.
 * Only edges that report {@link Agreement#FEATURE} read it.
 */
public record WifiVoucher(
        String id, String device, String code, Optional<Duration> validFor, Optional<Instant> expiresAt)
        implements Entity {
    public static final int MAX_CODE = 64;

    /** The longest validity a voucher may have: 366 days. */
    public static final Duration MAX_VALID_FOR = Duration.ofDays(366);

    public WifiVoucher {
        Checks.text(id, 64, "wifi voucher id");
        if (!Ids.isValid(id)) {
            throw Checks.bad("wifi voucher id '" + Ids.printable(id) + "' is not a valid id");
        }
        Checks.text(device, 64, "wifi voucher " + id + " device");
        if (!Ids.isValid(device)) {
            throw Checks.bad("wifi voucher " + id + " device '" + Ids.printable(device) + "' is not a valid id");
        }
        Checks.text(code, MAX_CODE, "wifi voucher " + id + " code");
        if (code.isBlank()) {
            throw Checks.bad("wifi voucher " + id + " code is blank");
        }
        Checks.present(validFor, "wifi voucher " + id + " validFor");
        Checks.present(expiresAt, "wifi voucher " + id + " expiresAt");
        if (validFor.isPresent() == expiresAt.isPresent()) {
            throw Checks.bad("wifi voucher " + id + " needs exactly one of validFor and expiresAt");
        }
        validFor.ifPresent(valid ->
                Checks.within(valid, Duration.ofMinutes(1), MAX_VALID_FOR, "wifi voucher " + id + " validFor"));
    }

    @Override
    public EntityKind kind() {
        return EntityKind.WIFI_VOUCHER;
    }

    @Override
    public String key() {
        return id;
    }

    @Override
    public String toString() {
        // A code is a credential: it never appears in a log line.
        return "WifiVoucher[id=" + id + ", device=" + device + ", code=…, validFor=" + validFor + ", expiresAt="
                + expiresAt + "]";
    }
}
