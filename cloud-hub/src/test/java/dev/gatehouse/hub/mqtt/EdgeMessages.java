package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.RoomState;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PresentedKind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Messages an edge sends, encoded as on the wire. */
public final class EdgeMessages {
    private static final AtomicInteger IDS = new AtomicInteger();

    private EdgeMessages() {}

    static String eventId() {
        return "ev-" + IDS.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    /** An unknown card denied at {@code door}: an access event any test can have ingested. */
    public static byte[] accessEvent(String id, String site, String door) {
        return MessageCodec.encode(new Envelope(
                id,
                Instant.now(),
                new AccessEvent(
                        site,
                        DoorId.of(door),
                        PresentedKind.NFC_CARD,
                        Optional.of("ab".repeat(32)),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        false,
                        Optional.empty(),
                        Optional.of(DenyReason.UNKNOWN_CREDENTIAL),
                        ClockStatus.TRUSTED)));
    }

    /** A member's card granted at {@code door} at {@code at} by grant {@code grant} (member-grant, trusted clock). */
    static byte[] granted(String id, Instant at, String site, String door, String member, String grant) {
        return MessageCodec.encode(new Envelope(
                id,
                at,
                new AccessEvent(
                        site,
                        DoorId.of(door),
                        PresentedKind.NFC_CARD,
                        Optional.of("cd".repeat(32)),
                        Optional.empty(),
                        Optional.of(MemberId.of(member)),
                        Optional.empty(),
                        true,
                        Optional.of(GrantBasis.MEMBER_GRANT),
                        Optional.empty(),
                        ClockStatus.TRUSTED,
                        Optional.of(GrantId.of(grant)))));
    }

    /** A visitor pass's QR (or {@code presented}) granted at {@code door} at {@code at} (visitor-pass, trusted clock). */
    static byte[] visitorGranted(
            String id, Instant at, String site, String door, String pass, PresentedKind presented) {
        return MessageCodec.encode(new Envelope(
                id,
                at,
                new AccessEvent(
                        site,
                        DoorId.of(door),
                        presented,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(dev.gatehouse.protocol.model.PassId.of(pass)),
                        true,
                        Optional.of(GrantBasis.VISITOR_PASS),
                        Optional.empty(),
                        ClockStatus.TRUSTED)));
    }

    static byte[] doorEvent(String id, String site, String door) {
        return MessageCodec.encode(new Envelope(
                id, Instant.now(), new DoorEvent(site, DoorId.of(door), DoorEventKind.FORCED_OPEN, Optional.empty())));
    }

    static byte[] state(String site, String device, long cacheSeq, Health health) {
        return MessageCodec.encode(new Envelope(
                "ds-" + IDS.incrementAndGet(),
                Instant.now(),
                new DeviceState(
                        site,
                        device,
                        cacheSeq,
                        ClockStatus.TRUSTED,
                        2,
                        health,
                        health == Health.OK ? List.of() : List.of("reader at main does not answer"),
                        "0.1.0")));
    }

    /** A healthy state naming {@code features}, as an edge of this release reports. */
    static byte[] state(String site, String device, List<String> features) {
        return MessageCodec.encode(new Envelope(
                "ds-" + IDS.incrementAndGet(),
                Instant.now(),
                new DeviceState(
                        site, device, 0, ClockStatus.TRUSTED, 0, Health.OK, List.of(), "0.2.0", features, List.of())));
    }

    /** A state of an edge that reports its rooms' A/V, with {@code health}. */
    static byte[] state(String site, String device, Health health, List<RoomState> rooms) {
        return MessageCodec.encode(new Envelope(
                "ds-" + IDS.incrementAndGet(),
                Instant.now(),
                new DeviceState(
                        site,
                        device,
                        0,
                        ClockStatus.TRUSTED,
                        0,
                        health,
                        List.of(),
                        "0.3.0",
                        List.of(DeviceState.ROOMS_FEATURE),
                        rooms)));
    }

    /** A booking's check-in by {@code member} at {@code door}, tapped at {@code at}. */
    static byte[] checkedIn(String id, Instant at, String site, String booking, String member, String door) {
        return MessageCodec.encode(new Envelope(
                id, at, BookingEvent.checkedIn(site, BookingId.of(booking), MemberId.of(member), DoorId.of(door))));
    }

    /** A booking's release, decided at {@code at}. */
    static byte[] released(String id, Instant at, String site, String booking) {
        return MessageCodec.encode(new Envelope(id, at, BookingEvent.released(site, BookingId.of(booking))));
    }
}
