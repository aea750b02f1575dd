package dev.gatehouse.hub.analytics;

import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PresentedKind;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Granted door entries as an edge sends them (event.access), for the analytics tests to ingest. */
public final class Entries {
    private static final AtomicInteger IDS = new AtomicInteger();

    private Entries() {}

    /** A member let in by a card at the door at {@code at}, with a fresh event id. */
    public static Envelope granted(String site, String door, Instant at, String member) {
        return new Envelope(
                String.format("ana%08d", IDS.incrementAndGet()),
                at,
                new AccessEvent(
                        site,
                        DoorId.of(door),
                        PresentedKind.NFC_CARD,
                        Optional.of("cd".repeat(32)),
                        Optional.of(CredentialId.of("cred_" + member)),
                        Optional.of(MemberId.of(member)),
                        Optional.empty(),
                        true,
                        Optional.of(GrantBasis.MEMBER_GRANT),
                        Optional.empty(),
                        ClockStatus.TRUSTED));
    }
}
