package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PresentedKind;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One access decision at a door, as the edge recorded it. The envelope id is the event id and the
 * envelope time the decision time. Exactly one of {@code basis} (granted) or {@code reason}
 * (denied) is present. {@code grant} names the entry-limited grant whose day this granted tap
 * spent (the first entry of that site-local day at this edge): the hub counts the pass's days by it.
 * Other events leave it out, so a hub that predates entry passes never receives it.
 */
public record AccessEvent(
        String site,
        DoorId door,
        PresentedKind presented,
        Optional<String> cardHash,
        Optional<CredentialId> credential,
        Optional<MemberId> member,
        Optional<PassId> pass,
        boolean granted,
        Optional<GrantBasis> basis,
        Optional<DenyReason> reason,
        ClockStatus clock,
        Optional<GrantId> grant)
        implements Message {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    /** An access event that names no grant. */
    public AccessEvent(
            String site,
            DoorId door,
            PresentedKind presented,
            Optional<String> cardHash,
            Optional<CredentialId> credential,
            Optional<MemberId> member,
            Optional<PassId> pass,
            boolean granted,
            Optional<GrantBasis> basis,
            Optional<DenyReason> reason,
            ClockStatus clock) {
        this(
                site,
                door,
                presented,
                cardHash,
                credential,
                member,
                pass,
                granted,
                basis,
                reason,
                clock,
                Optional.empty());
    }

    public AccessEvent {
        Ids.require(site, "access event site");
        Checks.present(door, "access event door");
        Checks.present(presented, "access event presented");
        Checks.present(cardHash, "access event cardHash");
        Checks.present(credential, "access event credential");
        Checks.present(member, "access event member");
        Checks.present(pass, "access event pass");
        Checks.present(basis, "access event basis");
        Checks.present(reason, "access event reason");
        Checks.present(clock, "access event clock");
        Checks.present(grant, "access event grant");
        if (cardHash.isPresent() && !HASH.matcher(cardHash.get()).matches()) {
            throw Checks.bad("access event cardHash must be 64 lowercase hex digits (the keyed hash, never a raw UID)");
        }
        if (granted && (basis.isEmpty() || reason.isPresent())) {
            throw Checks.bad("a granted access event needs a basis and no reason");
        }
        if (!granted && (reason.isEmpty() || basis.isPresent())) {
            throw Checks.bad("a denied access event needs a reason and no basis");
        }
        if (grant.isPresent() && basis.filter(b -> b == GrantBasis.MEMBER_GRANT).isEmpty()) {
            throw Checks.bad("access event grant is " + grant.get()
                    + ", but only an event granted by member-grant spends a day of a grant");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.ACCESS_EVENT;
    }
}
