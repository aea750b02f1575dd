package dev.gatehouse.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code event.kiosk}: each kind names exactly what the hub needs to tell the host, nothing more, so a
 * visitor's name never rides on a member's check-in and a walk-in never claims a pass.
 */
class KioskEventTest {
    private static final MemberId HOST = new MemberId("m-1042");

    @Test
    void aWalkInWithoutANameIsRefused() {
        // The host is told who waits; a nameless walk-in would mail "someone is here".
        assertThatThrownBy(() -> new KioskEvent(
                        "hq",
                        "k-1",
                        KioskEventKind.WALK_IN_SIGNED_IN,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(HOST),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        false))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("visitor's name");
    }

    @Test
    void aMemberCheckInCarryingAVisitorNameIsRefused() {
        assertThatThrownBy(() -> new KioskEvent(
                        "hq",
                        "k-1",
                        KioskEventKind.MEMBER_CHECKED_IN,
                        Optional.empty(),
                        Optional.of(HOST),
                        Optional.empty(),
                        Optional.of("Grace"),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        false))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("names the member, nothing else");
    }

    @Test
    void aVisitorSignInNeedsItsPass() {
        assertThatThrownBy(() -> new KioskEvent(
                        "hq",
                        "k-1",
                        KioskEventKind.VISITOR_SIGNED_IN,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(HOST),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        false))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("names the pass");
    }

    @Test
    void anEmailThatIsNoAddressIsRefused() {
        assertThatThrownBy(() -> KioskEvent.walkIn("hq", "k-1", HOST, "Grace", Optional.of("grace at home"), false))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("is not an e-mail address");
    }

    @Test
    void aNameWithAControlCharacterIsRefused() {
        // The name ends up in a mail's text: no line breaks smuggled into it.
        assertThatThrownBy(() -> KioskEvent.walkIn("hq", "k-1", HOST, "Grace\r\nBcc: x@y.z", Optional.empty(), false))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("control character");
    }

    @Test
    void aTooLongNameIsRefused() {
        assertThatThrownBy(() -> KioskEvent.walkIn(
                        "hq", "k-1", HOST, "x".repeat(KioskEvent.MAX_NAME + 1), Optional.empty(), false))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("limit is " + KioskEvent.MAX_NAME);
    }

    @Test
    void aVisitorSignInRoundTripsWithItsHost() {
        Envelope event = new Envelope(
                "01KBXR3M8Q4M2N8R5T3V9X1Y2Z",
                Instant.parse("2026-12-07T09:02:45Z"),
                KioskEvent.visitor("hq", "k-1", new PassId("vp-1"), Optional.of(HOST), true));

        Envelope back = MessageCodec.decode(MessageCodec.encode(event));

        assertThat(back).isEqualTo(event);
        assertThat(back.payloadAs(KioskEvent.class).offline()).isTrue();
    }

    @Test
    void aKioskEventWithoutItsOfflineFlagIsRefusedOnTheWire() {
        String json = "{\"v\":1,\"type\":\"event.kiosk\",\"id\":\"e1\",\"time\":\"2026-12-07T09:00:00Z\","
                + "\"payload\":{\"site\":\"hq\",\"kiosk\":\"k-1\",\"kind\":\"member-checked-in\",\"member\":\"m-1\"}}";

        assertThatThrownBy(() -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).error())
                .isEqualTo(ProtocolError.MISSING_FIELD);
    }

    private static final KioskSignature SIGNATURE = new KioskSignature(
            "ag-hq",
            2,
            "a".repeat(64),
            "b".repeat(64),
            "Grace Hopper",
            java.util.Map.of("visitorName", "Grace Hopper", "siteName", "HQ", "date", "2026-12-07"));

    @Test
    void aSignInWithASignatureAndAVoucherRoundTrips() {
        Envelope event = new Envelope(
                "01KBXR3M8Q4M2N8R5T3V9X1Y2Z",
                Instant.parse("2026-12-07T09:02:45Z"),
                KioskEvent.walkIn("hq", "k-1", HOST, "Grace Hopper", Optional.empty(), false)
                        .with(Optional.of(SIGNATURE), Optional.of("wv-7")));

        Envelope back = MessageCodec.decode(MessageCodec.encode(event));

        assertThat(back).isEqualTo(event);
        assertThat(back.payloadAs(KioskEvent.class).carriesSupplies()).isTrue();
    }

    @Test
    void aSignInWithoutTheNewFieldsEncodesAsBefore() {
        // An edge that signs nothing sends what an older hub reads: no signature or voucher key at all.
        String json = MessageCodec.encodeToString(new Envelope(
                "e1",
                Instant.parse("2026-12-07T09:00:00Z"),
                KioskEvent.visitor("hq", "k-1", new PassId("vp-1"), Optional.empty(), false)));

        assertThat(json).doesNotContain("signature").doesNotContain("voucher");
    }

    @Test
    void aMemberCheckInCarryingAVoucherIsRefused() {
        assertThatThrownBy(
                        () -> KioskEvent.member("hq", "k-1", HOST, false).with(Optional.empty(), Optional.of("wv-7")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("no signature and no voucher");
    }

    @Test
    void aSignatureWithAnUnknownVariableIsRefused() {
        // The hub renders the published text again with these values: an unknown one could not be checked.
        assertThatThrownBy(() -> new KioskSignature(
                        "ag-hq", 1, "a".repeat(64), "b".repeat(64), "Grace", java.util.Map.of("nickname", "G")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("'nickname' is not one of");
    }
}
