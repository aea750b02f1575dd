package dev.gatehouse.edge.sync;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.SITE;
import static dev.gatehouse.edge.agent.DemoSite.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.DoorSelection;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's hub link against a real broker (embedded HiveMQ CE) with a Paho client playing the hub:
 * sync, event delivery, commands, device state and the last will. One broker for the class; each
 * test has its own agent with its own device id (so persistent sessions never mix).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncClientIT {
    private static final AtomicInteger DEVICES = new AtomicInteger();
    private HubDouble hub;
    private final List<Edge> edges = new ArrayList<>();

    @BeforeAll
    void startBroker(@TempDir Path dir) throws Exception {
        hub = new HubDouble(dir);
    }

    @AfterAll
    void stopBroker() throws Exception {
        hub.close();
    }

    @AfterEach
    void stopEdges() {
        edges.forEach(Edge::close);
        edges.clear();
    }

    private Edge edge(UnaryOperator<dev.gatehouse.edge.config.EdgeConfig.Hub> tune) throws Exception {
        String device = "dev-" + DEVICES.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        Edge edge = new Edge(Files.createTempDirectory("edge-sync"), device, hub.url(), tune);
        edges.add(edge);
        return edge;
    }

    private Edge edge() throws Exception {
        return edge(UnaryOperator.identity());
    }

    /** Waits for the edge's first sync request, then sends the demo entitlements as batch 1..n. */
    private long synced(Edge edge) throws Exception {
        hub.await(edge.device, Channel.SYNC_REQUEST, e -> ((SyncRequest) e.payload()).haveSeq() == 0);
        hub.publish(edge.device, Channel.SYNC, edge.site.signedBatch(Instant.now()));
        long n = edge.site.entitlements(Instant.now()).size();
        await().atMost(Duration.ofSeconds(20)).until(() -> edge.agent.cache().seq() == n);
        return n;
    }

    private static String batch(ECKey key, long from, List<Change> changes, Instant time) {
        return SignedMessages.sign(
                new Envelope(
                        "b-" + UUID.randomUUID(),
                        time,
                        new SyncBatch(TENANT, SITE, from, from + changes.size() - 1, changes)),
                key);
    }

    private static Change revoked(Edge edge, byte[] card, String member) {
        return new Change.Upsert(new Credential(
                CredentialId.of(member + "-card"),
                MemberId.of(member),
                CredentialType.NFC_CARD,
                Optional.of(edge.site.cards.hash(card)),
                CredentialStatus.REVOKED,
                Optional.empty(),
                Optional.empty()));
    }

    private static String command(ECKey key, String id, Instant expiresAt, CommandAction action) {
        return SignedMessages.sign(new Envelope(id, Instant.now(), new Command(TENANT, SITE, expiresAt, action)), key);
    }

    /** Signs a command with the site's hub key and publishes it to {@code edge}. */
    private void sendCommand(Edge edge, String id, Instant expiresAt, CommandAction action) throws Exception {
        hub.publish(edge.device, Channel.COMMANDS, command(edge.site.hubKey, id, expiresAt, action));
    }

    private CommandAck ackOf(Edge edge, String commandId) {
        return (CommandAck) hub.await(
                        edge.device,
                        Channel.COMMAND_ACK,
                        e -> e.payload() instanceof CommandAck ack
                                && ack.commandId().equals(commandId))
                .envelope()
                .payload();
    }

    private DeviceState stateWith(Edge edge, String problemPart) {
        return (DeviceState) hub.await(edge.device, Channel.STATE, e -> ((DeviceState) e.payload())
                        .problems().stream().anyMatch(p -> p.contains(problemPart)))
                .envelope()
                .payload();
    }

    // ------------------------------------------------------------------ sync

    @Test
    void onConnectTheEdgePublishesItsStateAndAsksForEverything() throws Exception {
        Edge edge = edge();

        HubDouble.Received state = hub.await(edge.device, Channel.STATE, e -> true);
        HubDouble.Received request = hub.await(edge.device, Channel.SYNC_REQUEST, e -> true);

        assertThat(state.retained()).isFalse(); // a live delivery; the retained copy is checked with the will
        DeviceState ds = (DeviceState) state.envelope().payload();
        assertThat(ds.health()).isEqualTo(Health.OK);
        assertThat(ds.device()).isEqualTo(edge.device);
        assertThat(((SyncRequest) request.envelope().payload()).haveSeq()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> edge.sync().connected());
        assertThat(edge.agent.status().hub()).startsWith("connected since");
    }

    @Test
    void aBatchIsAppliedAndARevokedCardIsThenDeniedAtTheDoor() throws Exception {
        Edge edge = edge();
        List<Long> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
        edge.sync().onApplied(applied::add);
        long n = synced(edge);
        assertThat(edge.tap(ADA).decision()).isInstanceOf(Decision.Granted.class);

        hub.publish(
                edge.device,
                Channel.SYNC,
                batch(edge.site.hubKey, n + 1, List.of(revoked(edge, ADA, "ada")), Instant.now()));

        await().atMost(Duration.ofSeconds(20)).until(() -> applied.contains(n + 1));
        assertThat(edge.tap(ADA).decision())
                .isInstanceOfSatisfying(Decision.Denied.class, denied -> assertThat(denied.reason())
                        .isEqualTo(DenyReason.CREDENTIAL_REVOKED));
        // The state after the batch reports the new seq.
        hub.await(edge.device, Channel.STATE, e -> ((DeviceState) e.payload()).cacheSeq() == n + 1);
        assertThat(edge.agent.status().hub()).contains("last batch applied at seq " + (n + 1));
    }

    @Test
    void aGapAppliesNothingAndAsksForWhatIsMissing() throws Exception {
        Edge edge = edge();
        long n = synced(edge);

        hub.publish(
                edge.device,
                Channel.SYNC,
                batch(edge.site.hubKey, n + 5, List.of(revoked(edge, ADA, "ada")), Instant.now()));

        hub.await(edge.device, Channel.SYNC_REQUEST, e -> ((SyncRequest) e.payload()).haveSeq() == n);
        assertThat(edge.agent.cache().seq()).isEqualTo(n);
        assertThat(edge.tap(ADA).decision()).isInstanceOf(Decision.Granted.class);
    }

    @Test
    void snapshotChunksAreCollectedThenInstalled() throws Exception {
        Edge edge = edge();
        hub.await(edge.device, Channel.SYNC_REQUEST, e -> true);
        List<Entity> entities = edge.site.entitlements(Instant.now());
        int half = entities.size() / 2;
        Instant now = Instant.now();
        for (int index = 0; index < 2; index++) {
            List<Entity> part = index == 0 ? entities.subList(0, half) : entities.subList(half, entities.size());
            hub.publish(
                    edge.device,
                    Channel.SNAPSHOT,
                    SignedMessages.sign(
                            new Envelope(
                                    "snap-" + index,
                                    now,
                                    new SnapshotChunk(TENANT, SITE, "snap-1", 50, index, 2, part)),
                            edge.site.hubKey));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> edge.agent.cache().seq() == 50);
        assertThat(edge.tap(ADA).decision()).isInstanceOf(Decision.Granted.class);
    }

    @Test
    void aTamperedBatchChangesNothingAndIsReportedInTheState() throws Exception {
        Edge edge = edge();
        long n = synced(edge);
        ECKey impostor = SigningKeys.generate("hub-1");

        hub.publish(
                edge.device, Channel.SYNC, batch(impostor, n + 1, List.of(revoked(edge, ADA, "ada")), Instant.now()));

        DeviceState state = stateWith(edge, "rejected a sync message");
        assertThat(state.health()).isEqualTo(Health.DEGRADED);
        assertThat(state.problems()).anyMatch(p -> p.contains("BAD_SIGNATURE"));
        assertThat(edge.agent.cache().seq()).isEqualTo(n);
        assertThat(edge.tap(ADA).decision()).isInstanceOf(Decision.Granted.class);
    }

    // ------------------------------------------------------------------ events

    @Test
    void eventsArePublishedAndPrunedWhenAcknowledged() throws Exception {
        Edge edge = edge();
        synced(edge);

        String id = edge.tap(ADA).event().id();

        hub.await(edge.device, Channel.EVENTS, e -> e.id().equals(id));
        assertThat(edge.agent.cache().outbox().depth()).isPositive();
        hub.publish(edge.device, new Envelope("ea-1", Instant.now(), new EventAck(List.of(id, "someone-elses"))));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> edge.agent.cache().outbox().peek(100).stream().noneMatch(e -> e.id().equals(id)));
    }

    @Test
    void anUnacknowledgedEventIsPublishedAgainAfterTheAckTimeout() throws Exception {
        Edge edge = edge(hubConfig -> new dev.gatehouse.edge.config.EdgeConfig.Hub(
                hubConfig.mqttUrl(),
                hubConfig.passwordFile(),
                hubConfig.keepAlive(),
                hubConfig.sessionExpiry(),
                hubConfig.reconnectMin(),
                hubConfig.reconnectMax(),
                Duration.ofSeconds(1),
                hubConfig.inFlight(),
                hubConfig.stateInterval(),
                Optional.empty()));
        synced(edge);

        String id = edge.tap(ADA).event().id();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> hub.from(edge.device, Channel.EVENTS).stream()
                                .filter(r -> r.envelope().id().equals(id))
                                .count()
                        >= 2);
        hub.publish(edge.device, new Envelope("ea-2", Instant.now(), new EventAck(List.of(id))));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> edge.agent.cache().outbox().peek(100).stream().noneMatch(e -> e.id().equals(id)));
    }

    @Test
    void aBacklogLargerThanEveryWindowIsDeliveredWhileTheHubAcknowledges() throws Exception {
        Edge edge = edge();
        synced(edge);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            Instant at = Instant.now();
            Envelope event = new Envelope(
                    dev.gatehouse.edge.access.EventIds.next(at),
                    at,
                    new dev.gatehouse.protocol.message.DoorEvent(
                            SITE, DoorId.of(DOOR), dev.gatehouse.protocol.message.DoorEventKind.REX, Optional.empty()));
            edge.agent.cache().outbox().append(event);
            ids.add(event.id());
        }
        edge.sync().eventsWaiting();

        // The hub acknowledges what it has seen, as it would after storing it.
        java.util.Set<String> acked = new java.util.HashSet<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<String> fresh = hub.from(edge.device, Channel.EVENTS).stream()
                    .map(r -> r.envelope().id())
                    .filter(id -> !acked.contains(id))
                    .distinct()
                    .toList();
            if (!fresh.isEmpty()) {
                hub.publish(edge.device, new Envelope("ea-" + UUID.randomUUID(), Instant.now(), new EventAck(fresh)));
                acked.addAll(fresh);
            }
            return edge.agent.cache().outbox().depth() == 0;
        });
        assertThat(acked).containsAll(ids);
    }

    // ------------------------------------------------------------------ commands

    @Test
    void unlockOnceUnlocksTheDoorAndIsAcknowledgedDone() throws Exception {
        Edge edge = edge();
        synced(edge);
        int before = edge.sim().relay(DOOR).transitions().size();

        sendCommand(
                edge,
                "cmd-unlock-1",
                Instant.now().plusSeconds(30),
                new CommandAction.UnlockOnce(DoorId.of(DOOR), Duration.ofSeconds(1)));

        CommandAck ack = ackOf(edge, "cmd-unlock-1");
        assertThat(ack.status()).isEqualTo(CommandStatus.DONE);
        assertThat(ack.detail().orElseThrow()).contains("unlocked");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> edge.sim().relay(DOOR).transitions().size() >= before + 2);
    }

    @Test
    void aCommandForAnotherEdgesDoorsIsAnsweredNotHereAndChangesNothing() throws Exception {
        Edge edge = edge();
        synced(edge);
        int before = edge.sim().relay(DOOR).transitions().size();

        sendCommand(
                edge,
                "cmd-elsewhere-unlock",
                Instant.now().plusSeconds(30),
                new CommandAction.UnlockOnce(DoorId.of("door_other_edge"), Duration.ofSeconds(1)));
        sendCommand(
                edge,
                "cmd-elsewhere-lock",
                Instant.now().plusSeconds(30),
                new CommandAction.Lockdown(DoorSelection.of(DoorId.of("door_other_edge")), Set.of("security")));

        // expired too: still "not here" (an edge without the door never reads as a refusal)
        sendCommand(
                edge,
                "cmd-elsewhere-old",
                Instant.now().minusSeconds(1),
                new CommandAction.UnlockOnce(DoorId.of("door_other_edge"), Duration.ofSeconds(1)));

        assertThat(ackOf(edge, "cmd-elsewhere-old").status()).isEqualTo(CommandStatus.NOT_HERE);
        CommandAck unlock = ackOf(edge, "cmd-elsewhere-unlock");
        assertThat(unlock.status()).isEqualTo(CommandStatus.NOT_HERE);
        assertThat(unlock.detail().orElseThrow()).contains("door_other_edge");
        CommandAck lockdown = ackOf(edge, "cmd-elsewhere-lock");
        assertThat(lockdown.status()).isEqualTo(CommandStatus.NOT_HERE);
        assertThat(lockdown.detail().orElseThrow()).contains("nothing changed");
        assertThat(edge.agent.door(DOOR).orElseThrow().mode()).isEqualTo(DoorMode.NORMAL);
        assertThat(edge.sim().relay(DOOR).transitions()).hasSize(before);
    }

    @Test
    void anExpiredCommandIsNeverExecuted() throws Exception {
        Edge edge = edge();
        synced(edge);
        int before = edge.sim().relay(DOOR).transitions().size();

        sendCommand(
                edge,
                "cmd-old",
                Instant.now().minusSeconds(1),
                new CommandAction.UnlockOnce(DoorId.of(DOOR), Duration.ofSeconds(1)));

        assertThat(ackOf(edge, "cmd-old").status()).isEqualTo(CommandStatus.EXPIRED);
        assertThat(edge.sim().relay(DOOR).transitions()).hasSize(before);
    }

    @Test
    void aReplayedCommandIdIsRejected() throws Exception {
        Edge edge = edge();
        synced(edge);
        String signed = command(
                edge.site.hubKey,
                "cmd-twice",
                Instant.now().plusSeconds(30),
                new CommandAction.UnlockOnce(DoorId.of(DOOR), Duration.ofSeconds(1)));
        hub.publish(edge.device, Channel.COMMANDS, signed);
        assertThat(ackOf(edge, "cmd-twice").status()).isEqualTo(CommandStatus.DONE);

        hub.publish(edge.device, Channel.COMMANDS, signed);

        await().atMost(Duration.ofSeconds(20)).until(() -> hub.from(edge.device, Channel.COMMAND_ACK).stream()
                .map(r -> (CommandAck) r.envelope().payload())
                .anyMatch(a -> a.commandId().equals("cmd-twice")
                        && a.status() == CommandStatus.REJECTED
                        && a.detail().orElse("").contains("replay")));
    }

    @Test
    void aTamperedCommandIsNotExecutedAndIsReported() throws Exception {
        Edge edge = edge();
        synced(edge);
        int before = edge.sim().relay(DOOR).transitions().size();

        hub.publish(
                edge.device,
                Channel.COMMANDS,
                command(
                        SigningKeys.generate("hub-1"),
                        "cmd-forged",
                        Instant.now().plusSeconds(30),
                        new CommandAction.UnlockOnce(DoorId.of(DOOR), Duration.ofSeconds(1))));

        stateWith(edge, "rejected a command");
        assertThat(hub.from(edge.device, Channel.COMMAND_ACK)).isEmpty();
        assertThat(edge.sim().relay(DOOR).transitions()).hasSize(before);
    }

    @Test
    void aLockdownSurvivesARestartUntilReleased() throws Exception {
        Edge edge = edge();
        synced(edge);

        sendCommand(
                edge,
                "cmd-lock",
                Instant.now().plusSeconds(60),
                new CommandAction.Lockdown(DoorSelection.all(), Set.of("security")));
        assertThat(ackOf(edge, "cmd-lock").status()).isEqualTo(CommandStatus.DONE);
        assertThat(edge.agent.door(DOOR).orElseThrow().mode()).isEqualTo(new DoorMode.Lockdown(Set.of("security")));
        assertThat(edge.tap(ADA).decision()).isInstanceOf(Decision.Denied.class);

        edge.restart();

        assertThat(edge.agent.door(DOOR).orElseThrow().mode()).isEqualTo(new DoorMode.Lockdown(Set.of("security")));
        assertThat(edge.tap(ADA).decision()).isInstanceOf(Decision.Denied.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().connected());
        sendCommand(
                edge,
                "cmd-release",
                Instant.now().plusSeconds(60),
                new CommandAction.Release(DoorSelection.of(DoorId.of(DOOR))));
        assertThat(ackOf(edge, "cmd-release").status()).isEqualTo(CommandStatus.DONE);
        assertThat(edge.agent.door(DOOR).orElseThrow().mode()).isEqualTo(DoorMode.NORMAL);
        edge.restart();
        assertThat(edge.agent.door(DOOR).orElseThrow().mode()).isEqualTo(DoorMode.NORMAL);
    }

    @Test
    void anUntrustedClockRefusesUnlockButAcceptsLockdown() throws Exception {
        Edge edge = edge();
        long n = synced(edge);
        // The hub's signed time is an hour ahead: this clock is now behind the high-water mark.
        hub.publish(
                edge.device,
                Channel.SYNC,
                batch(
                        edge.site.hubKey,
                        n + 1,
                        List.of(new Change.Upsert(
                                edge.site.entitlements(Instant.now()).getFirst())),
                        Instant.now().plus(Duration.ofHours(1))));
        hub.await(edge.device, Channel.STATE, e -> ((DeviceState) e.payload()).clock() == ClockStatus.UNTRUSTED);
        int before = edge.sim().relay(DOOR).transitions().size();

        sendCommand(
                edge,
                "cmd-unlock-untrusted",
                Instant.now().plusSeconds(30),
                new CommandAction.UnlockOnce(DoorId.of(DOOR), Duration.ofSeconds(1)));
        sendCommand(
                edge,
                "cmd-lock-untrusted",
                Instant.now().plusSeconds(30),
                new CommandAction.Lockdown(DoorSelection.all(), Set.of("security")));

        CommandAck unlock = ackOf(edge, "cmd-unlock-untrusted");
        assertThat(unlock.status()).isEqualTo(CommandStatus.REJECTED);
        assertThat(unlock.detail().orElseThrow()).contains("clock untrusted");
        assertThat(ackOf(edge, "cmd-lock-untrusted").status()).isEqualTo(CommandStatus.DONE);
        assertThat(edge.sim().relay(DOOR).transitions()).hasSize(before);
        assertThat(edge.agent.door(DOOR).orElseThrow().mode()).isInstanceOf(DoorMode.Lockdown.class);
    }

    // ------------------------------------------------------------------ last will

    @Test
    void whenTheConnectionDiesTheBrokerPublishesTheRetainedOfflineState() throws Exception {
        // A long reconnect delay keeps the edge away long enough for a fresh subscriber to look.
        Edge edge = edge(hubConfig -> new dev.gatehouse.edge.config.EdgeConfig.Hub(
                hubConfig.mqttUrl(),
                hubConfig.passwordFile(),
                hubConfig.keepAlive(),
                hubConfig.sessionExpiry(),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                hubConfig.ackTimeout(),
                hubConfig.inFlight(),
                hubConfig.stateInterval(),
                Optional.empty()));
        hub.await(edge.device, Channel.STATE, e -> ((DeviceState) e.payload()).health() == Health.OK);
        Topic state = Topic.of(TENANT, SITE, edge.device, Channel.STATE);
        assertThat(hub.retained(state).map(e -> ((DeviceState) e.payload()).health()))
                .contains(Health.OK);

        edge.sync().dropForTest(); // no DISCONNECT packet: the broker sends the will

        hub.await(edge.device, Channel.STATE, e -> ((DeviceState) e.payload()).health() == Health.OFFLINE);
        assertThat(hub.retained(state).map(e -> ((DeviceState) e.payload()).health()))
                .contains(Health.OFFLINE);
        assertThat(edge.sync().connected()).isFalse();
        assertThat(edge.agent.status().hub()).startsWith("offline since");
    }
}
