package dev.gatehouse.protocol.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.DoorSelection;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A message must reach the tenant, site and device it was meant for, and a command must not run on
 * a clock that cannot judge its expiry: otherwise a hostile broker could replay one operator's
 * emergency release at another operator's site of the same name, or replay an old unlock to a Pi
 * that rebooted with a stale clock.
 */
class AudienceAndClockTest {
    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    private static final ECKey KEY = SigningKeys.generate("hub-1");
    private static final KeySet KEYS = KeySet.of(KEY);

    private static String command(String tenant, CommandAction action) {
        return SignedMessages.sign(
                new Envelope("cmd-1", NOW, new Command(tenant, "hq", NOW.plusSeconds(30), action)), KEY);
    }

    private static ProtocolError error(Runnable call) {
        try {
            call.run();
        } catch (ProtocolException e) {
            return e.error();
        }
        throw new AssertionError("expected a ProtocolException");
    }

    @Nested
    class Tenants {
        @Test
        void aCommandForTheSameSiteIdAtAnotherTenantIsTheWrongAudience() {
            String release = command("tenant-a", new CommandAction.EmergencyRelease(DoorSelection.all()));
            Topic otherTenant = Topic.of("tenant-b", "hq", "edge-9", Channel.COMMANDS);

            assertThat(error(() -> Inbound.read(
                            otherTenant, release.getBytes(StandardCharsets.US_ASCII), KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.WRONG_AUDIENCE);
        }

        @Test
        void aBatchForAnotherTenantIsTheWrongAudience() {
            String batch = SignedMessages.sign(
                    new Envelope(
                            "b-1",
                            NOW,
                            new SyncBatch(
                                    "tenant-a",
                                    "hq",
                                    1,
                                    1,
                                    List.of(new dev.gatehouse.protocol.message.Change.Remove(
                                            dev.gatehouse.protocol.model.EntityKind.MEMBER, "m-1")))),
                    KEY);

            assertThat(error(() -> SignedMessages.verify(batch, KEYS, "tenant-b", "hq", NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.WRONG_AUDIENCE);
            assertThat(SignedMessages.verify(batch, KEYS, "tenant-a", "hq", NOW, ClockStatus.TRUSTED)
                            .id())
                    .isEqualTo("b-1");
        }
    }

    @Nested
    class UntrustedClock {
        @Test
        void anUnlockIsRefusedWhileTheClockIsUntrusted() {
            String unlock = command("acme", new CommandAction.UnlockOnce(DoorId.of("front"), Duration.ofSeconds(5)));

            assertThat(error(() -> SignedMessages.verify(unlock, KEYS, "acme", "hq", NOW, ClockStatus.UNTRUSTED)))
                    .isEqualTo(ProtocolError.CLOCK_UNTRUSTED);
            assertThat(SignedMessages.verify(unlock, KEYS, "acme", "hq", NOW, ClockStatus.TRUSTED)
                            .id())
                    .isEqualTo("cmd-1");
        }

        @Test
        void emergencyReleaseAndReleaseAreRefusedButLockdownRunsOnAnUntrustedClock() {
            // Lockdown fails toward security; the others unlock doors and would reward a replay.
            String release = command("acme", new CommandAction.EmergencyRelease(DoorSelection.all()));
            String end = command("acme", new CommandAction.Release(DoorSelection.of(DoorId.of("front"))));
            String lockdown = command("acme", new CommandAction.Lockdown(DoorSelection.all(), Set.of("security")));

            assertThat(error(() -> SignedMessages.verify(release, KEYS, "acme", "hq", NOW, ClockStatus.UNTRUSTED)))
                    .isEqualTo(ProtocolError.CLOCK_UNTRUSTED);
            assertThat(error(() -> SignedMessages.verify(end, KEYS, "acme", "hq", NOW, ClockStatus.UNTRUSTED)))
                    .isEqualTo(ProtocolError.CLOCK_UNTRUSTED);
            assertThat(SignedMessages.verify(lockdown, KEYS, "acme", "hq", NOW, ClockStatus.UNTRUSTED)
                            .payloadAs(Command.class)
                            .action())
                    .isInstanceOf(CommandAction.Lockdown.class);
        }
    }

    @Nested
    class PlainMessagesSpeakForTheirOwnTopic {
        private final Topic state = Topic.of("acme", "hq-berlin", "edge-01", Channel.STATE);

        private static byte[] json(Envelope envelope) {
            return MessageCodec.encode(envelope);
        }

        @Test
        void aSyncRequestForAnotherSiteIsTheWrongAudience() {
            // Answered by its payload, it would send Munich's whole roster to a Berlin device.
            byte[] request = json(new Envelope("r-1", NOW, new SyncRequest("hq-munich", 0)));
            Topic topic = Topic.of("acme", "hq-berlin", "edge-01", Channel.SYNC_REQUEST);

            assertThat(error(() -> Inbound.read(topic, request, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.WRONG_AUDIENCE);
        }

        @Test
        void aDeviceStateForAnotherDeviceIsTheWrongAudience() {
            byte[] spoofed = json(new Envelope(
                    "s-1",
                    NOW,
                    new DeviceState(
                            "hq-berlin", "edge-77", 9_999, ClockStatus.TRUSTED, 0, Health.OK, List.of(), "1.0")));

            assertThat(error(() -> Inbound.read(state, spoofed, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.WRONG_AUDIENCE);
        }

        @Test
        void aDeviceStateForItselfIsRead() {
            Envelope own = new Envelope(
                    "s-2",
                    NOW,
                    new DeviceState("hq-berlin", "edge-01", 12, ClockStatus.TRUSTED, 3, Health.OK, List.of(), "1.0"));

            assertThat(Inbound.read(state, json(own), KEYS, NOW, ClockStatus.TRUSTED))
                    .isEqualTo(own);
        }
    }

    @Test
    void anEmptyDoorListNeverMeansEveryDoor() {
        // A hub-side filter that matched no door must not become a site-wide lockdown or release.
        assertThatThrownBy(() -> new DoorSelection(false, Set.of()))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("allDoors");
        assertThatThrownBy(() -> new DoorSelection(true, Set.of(DoorId.of("front"))))
                .isInstanceOf(ProtocolException.class);
        assertThat(DoorSelection.all().contains(DoorId.of("anything"))).isTrue();
        assertThat(DoorSelection.of(DoorId.of("front")).contains(DoorId.of("back")))
                .isFalse();
    }
}
