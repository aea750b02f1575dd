package dev.gatehouse.protocol.model;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A visitor pass: a time window, the doors it opens, its host member (if any) and whether it may be
 * used once only. The visitor presents it as a QR token naming the pass, or types its PIN at a kiosk:
 * {@code pinHash} is the PIN's keyed hash ({@link dev.gatehouse.protocol.card.CardHasher#pinHash}),
 * sent only to edges reporting {@link #PIN_FEATURE}.
 */
public record VisitorPass(
        PassId id,
        Optional<MemberId> host,
        Set<DoorGroupId> doorGroups,
        Set<DoorId> doors,
        Instant validFrom,
        Instant validUntil,
        boolean singleUse,
        PassStatus status,
        Optional<String> pinHash)
        implements Entity {
    /** Edges reporting this read the status {@code used} (a single-use pass spent at another edge of the site). */
    public static final String USED_FEATURE = "visitor-pass-used";

    /** Edges reporting this read {@code pinHash} and admit a visitor by the pass's PIN. */
    public static final String PIN_FEATURE = "visitor-pins";

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    public VisitorPass {
        Checks.present(id, "visitor pass id");
        Checks.present(host, "visitor pass " + id + " host");
        doorGroups = Set.copyOf(Checks.present(doorGroups, "visitor pass " + id + " doorGroups"));
        doors = Set.copyOf(Checks.present(doors, "visitor pass " + id + " doors"));
        Checks.present(validFrom, "visitor pass " + id + " validFrom");
        Checks.present(validUntil, "visitor pass " + id + " validUntil");
        Checks.window(Optional.of(validFrom), Optional.of(validUntil), "visitor pass " + id);
        Checks.present(status, "visitor pass " + id + " status");
        if (doorGroups.isEmpty() && doors.isEmpty()) {
            throw Checks.bad("visitor pass " + id + " names no door and no door group");
        }
        Checks.present(pinHash, "visitor pass " + id + " pinHash");
        if (pinHash.isPresent() && !HASH.matcher(pinHash.get()).matches()) {
            throw Checks.bad("visitor pass " + id + " pinHash must be 64 lowercase hex digits (HMAC-SHA256)");
        }
    }

    /** A pass without a PIN. */
    public VisitorPass(
            PassId id,
            Optional<MemberId> host,
            Set<DoorGroupId> doorGroups,
            Set<DoorId> doors,
            Instant validFrom,
            Instant validUntil,
            boolean singleUse,
            PassStatus status) {
        this(id, host, doorGroups, doors, validFrom, validUntil, singleUse, status, Optional.empty());
    }

    /** This pass with another status. */
    public VisitorPass withStatus(PassStatus newStatus) {
        return new VisitorPass(id, host, doorGroups, doors, validFrom, validUntil, singleUse, newStatus, pinHash);
    }

    /** This pass without its PIN. */
    public VisitorPass withoutPin() {
        return new VisitorPass(id, host, doorGroups, doors, validFrom, validUntil, singleUse, status, Optional.empty());
    }

    @Override
    public EntityKind kind() {
        return EntityKind.VISITOR_PASS;
    }

    @Override
    public String key() {
        return id.value();
    }
}
