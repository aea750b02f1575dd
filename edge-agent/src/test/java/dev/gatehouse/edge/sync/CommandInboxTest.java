package dev.gatehouse.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.DoorSelection;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Signed commands in, acknowledgements out, with the doors played by the test. */
class CommandInboxTest {
    private static final ECKey HUB = SigningKeys.generate("hub-1");
    private static final CommandAction UNLOCK = new CommandAction.UnlockOnce(DoorId.of("front"), Duration.ofSeconds(5));

    private final SyncFixture world = new SyncFixture();
    private final List<CommandAction> executed = new CopyOnWriteArrayList<>();
    private final Set<String> remembered = new HashSet<>();
    private volatile boolean doorsHere = true;
    private final CommandExecutor doors = new CommandExecutor() {
        @Override
        public CompletableFuture<Outcome> execute(CommandAction action) {
            executed.add(action);
            return CompletableFuture.completedFuture(new Outcome(CommandStatus.DONE, "unlocked"));
        }

        @Override
        public Optional<Outcome> notHere(CommandAction action) {
            return doorsHere ? Optional.empty() : Optional.of(new Outcome(CommandStatus.NOT_HERE, "no such door"));
        }
    };
    private final StatePublisher state = world.state(() -> 1);
    private final CommandAcks acks = new CommandAcks(world.link, world.clock);
    private final CommandInbox inbox = new CommandInbox(
            Topic.of("acme", "hq", "pi-1", Channel.COMMANDS),
            () -> KeySet.of(HUB.toPublicJWK()),
            (id, keepUntil, now) -> remembered.add(id),
            doors,
            world.host,
            acks,
            state,
            world.clock);

    private byte[] command(ECKey key, String id, Instant expiresAt, CommandAction action) {
        return SignedMessages.sign(
                        new Envelope(id, world.clock.instant(), new Command("acme", "hq", expiresAt, action)), key)
                .getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] command(String id, CommandAction action) {
        return command(HUB, id, world.clock.instant().plusSeconds(60), action);
    }

    private List<CommandAck> acks() {
        return world.link.on(Channel.COMMAND_ACK, CommandAck.class);
    }

    @Test
    void aFreshCommandIsExecutedOnceAndItsReplayRejected() {
        // Why: a captured unlock sent again must not open the door a second time.
        inbox.receive(command("c-1", UNLOCK));
        inbox.receive(command("c-1", UNLOCK));
        assertThat(executed).containsExactly(UNLOCK);
        assertThat(acks()).extracting(CommandAck::status).containsExactly(CommandStatus.DONE, CommandStatus.REJECTED);
        assertThat(acks().get(1).detail()).hasValue("replay: command c-1 was already received");
    }

    @Test
    void anExpiredCommandIsAcknowledgedExpiredAndNotExecuted() {
        inbox.receive(command(HUB, "c-2", world.clock.instant().minusSeconds(1), UNLOCK));
        assertThat(executed).isEmpty();
        assertThat(acks()).extracting(CommandAck::status).containsExactly(CommandStatus.EXPIRED);
    }

    @Test
    void onlyLockdownRunsWhileTheClockIsUntrusted() {
        // Why: with a wrong clock an old unlock may look fresh; locking down is always safe.
        world.host.clockStatus = ClockStatus.UNTRUSTED;
        CommandAction lockdown = new CommandAction.Lockdown(DoorSelection.all(), Set.of());
        inbox.receive(command("c-3", UNLOCK));
        inbox.receive(command("c-4", lockdown));
        assertThat(executed).containsExactly(lockdown);
        assertThat(acks().get(0).detail())
                .hasValue("clock untrusted: only lockdown and emergency release are executed");
    }

    @Test
    void anEmergencyReleaseRunsUnderAnUntrustedClockWhenTheHubsTimeShowsItFresh() {
        // Why: life safety. A wrong wall clock must not keep the doors shut when the hub releases them,
        // but the hub's time, not the wall clock, must show that the release is not an old one replayed.
        world.host.clockStatus = ClockStatus.UNTRUSTED;
        CommandAction release = new CommandAction.EmergencyRelease(DoorSelection.all());
        world.host.hubTimeRefusal = Optional.of("it is older than the newest hub time seen");
        inbox.receive(command("c-8", release));
        assertThat(executed).isEmpty();
        assertThat(acks().get(0).detail())
                .hasValue("clock untrusted, and by the hub's time: it is older than the newest hub time seen");

        world.host.hubTimeRefusal = Optional.empty();
        inbox.receive(command("c-9", release));
        // Even expired by the (wrong) wall clock, the hub's time decides.
        inbox.receive(command(HUB, "c-10", world.clock.instant().minusSeconds(1), release));
        inbox.receive(command("c-9", release));
        assertThat(executed).containsExactly(release, release);
        assertThat(acks())
                .extracting(CommandAck::status)
                .containsExactly(
                        CommandStatus.REJECTED, CommandStatus.DONE, CommandStatus.DONE, CommandStatus.REJECTED);
    }

    @Test
    void aCommandForDoorsElsewhereIsNotHereBeforeExpiryIsJudged() {
        // Why: a site's other edges get every command; an expired one there must not read as refused here.
        doorsHere = false;
        inbox.receive(command(HUB, "c-5", world.clock.instant().minusSeconds(1), UNLOCK));
        assertThat(acks()).extracting(CommandAck::status).containsExactly(CommandStatus.NOT_HERE);
    }

    @Test
    void aBadSignatureIsNotAcknowledgedButReported() {
        // Why: the id of an unverified command cannot be trusted, so nothing may answer to it.
        inbox.receive(command(
                SigningKeys.generate("hub-1"), "c-6", world.clock.instant().plusSeconds(60), UNLOCK));
        assertThat(executed).isEmpty();
        assertThat(acks()).isEmpty();
        assertThat(state.problems()).singleElement().asString().contains("BAD_SIGNATURE");
    }

    @Test
    void anAckMadeWhileTheLinkIsDownIsSentWhenItIsBack() {
        // Why: the operator must learn that the remote unlock happened even if the link dropped meanwhile.
        world.link.connected = false;
        inbox.receive(command("c-7", UNLOCK));
        assertThat(executed).containsExactly(UNLOCK);
        assertThat(acks.pending()).isEqualTo(1);

        world.link.connected = true;
        acks.sendPending();
        assertThat(acks()).extracting(CommandAck::commandId).containsExactly("c-7");
        assertThat(acks.pending()).isZero();
    }
}
