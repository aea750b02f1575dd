package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole product over a real broker: the hub (embedded HiveMQ CE, SQLite or PostgreSQL) and an
 * edge agent on simulated hardware, provisioned through the API and connected with its own
 * credentials. What an operator does through the API reaches the door; what the door decides
 * reaches the hub exactly once, across a stopped hub and a broker restarted mid-stream.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncEndToEndIT {
    @Parameter
    StoreKind store;

    private SyncedHub hub;
    private String token;
    private String tenantId;
    private String slug;
    private String siteId;
    private String door;
    private String plan;
    private String device;
    private EdgeSite site;
    private Path dir;

    @BeforeParameterizedClassInvocation
    void start(StoreKind store) throws Exception {
        dir = Files.createTempDirectory("gatehouse-e2e");
        hub = new SyncedHub(store, SyncedHub.embeddedOnFreePort());
        slug = "e2e-" + store.name().toLowerCase() + "-"
                + ThreadLocalRandom.current().nextInt(100_000);
        Api.Response tenant =
                api().post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"" + slug + "\",\"name\":\"E2E\"}");
        assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
        token = tenant.json().get("token").asText();
        tenantId = tenant.json().at("/tenant/id").asText();
        siteId = create("/api/v1/sites", "{\"name\":\"E2E\",\"address\":\"1 Test St\",\"timeZone\":\"Europe/Berlin\"}");
        door = create("/api/v1/sites/" + siteId + "/doors", "{\"name\":\"Front door\",\"unlockSeconds\":1}");
        String group =
                create("/api/v1/sites/" + siteId + "/door-groups", "{\"name\":\"All\",\"doorIds\":[\"" + door + "\"]}");
        plan = create(
                "/api/v1/plans",
                "{\"name\":\"Resident\",\"doorGroupIds\":[\"" + group
                        + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
        device = create("/api/v1/sites/" + siteId + "/devices", "{\"name\":\"Pi\"}");
        Api.Response bundle = api().post("/api/v1/devices/" + device + "/provision", token, "");
        assertThat(bundle.status()).as(bundle.toString()).isEqualTo(201);
        site = EdgeSite.start(bundle.json(), door, dir.resolve("site"));
        awaitInSync(Duration.ofSeconds(60));
    }

    @AfterParameterizedClassInvocation
    void stop() {
        if (site != null) {
            site.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    @BeforeEach
    void hubRunningAndDoorLocked() throws Exception {
        if (!hub.running()) {
            hub.start();
        }
        // A grant from the test before may still hold the door open: start from a locked door.
        await().atMost(Duration.ofSeconds(10)).until(() -> !site.relayEnergised());
    }

    private Api api() {
        return hub.api();
    }

    private String create(String path, String json) {
        Api.Response response = api().post(path, token, json);
        assertThat(response.status()).as("POST " + path + ": " + response).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private long head() {
        return api().get("/api/v1/sites/" + siteId, token)
                .json()
                .get("changeSeq")
                .asLong();
    }

    private void awaitInSync(Duration within) {
        long head = head();
        await().atMost(within).until(() -> site.seq() >= head);
    }

    /** A new active member on the resident plan with an NFC card; answers the member id. */
    private String member(String uid) {
        String member = create(
                "/api/v1/members", "{\"email\":\"" + UUID.randomUUID() + "@e2e.example\",\"fullName\":\"E2E Member\"}");
        Api.Response assigned = api().put("/api/v1/members/" + member + "/plans/" + plan, token, "{}");
        assertThat(assigned.status()).as(assigned.toString()).isBetween(200, 201);
        create("/api/v1/members/" + member + "/credentials", "{\"type\":\"nfc-card\",\"uid\":\"" + uid + "\"}");
        return member;
    }

    private static String uid() {
        byte[] bytes = new byte[7];
        ThreadLocalRandom.current().nextBytes(bytes);
        bytes[0] = 0x04;
        return java.util.HexFormat.of().withUpperCase().formatHex(bytes);
    }

    @Test
    void aMemberMadeThroughTheApiIsLetInAndDeniedWithinTwoSecondsOfSuspension() {
        String uid = uid();
        String member = member(uid);
        awaitInSync(Duration.ofSeconds(10));

        Decided granted = site.tap(uid);
        assertThat(granted.decision()).isInstanceOf(Decision.Granted.class);
        assertThat(granted.accessEvent().member()).contains(MemberId.of(member));

        Api.Response suspended = api().patch("/api/v1/members/" + member, token, "{\"status\":\"suspended\"}");
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        long head = head();
        // The bound: the revocation is applied at the online edge within 2 s of the API call.
        await().atMost(Duration.ofSeconds(2)).until(() -> site.seq() >= head);
        assertThat(site.tap(uid).decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));

        // Both decisions reach the hub's access log.
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.accessEvents(tenantId)
                .ids()
                .containsAll(List.of(granted.event().id())));
    }

    @Test
    void withTheHubStoppedDoorsKeepDecidingAndEveryQueuedEventIsIngestedOnceWhenItIsBack() throws Exception {
        String uid = uid();
        member(uid);
        awaitInSync(Duration.ofSeconds(10));
        long depthBefore = site.outboxDepth();

        hub.stop();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Decided decided = site.tap(i % 2 == 0 ? uid : uid());
            ids.add(decided.event().id());
            assertThat(decided.decision()).isInstanceOf(i % 2 == 0 ? Decision.Granted.class : Decision.Denied.class);
        }
        // Nothing reached the hub: the events wait in the outbox.
        assertThat(site.outboxDepth()).isGreaterThanOrEqualTo(depthBefore + ids.size());

        hub.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> site.outboxDepth() == 0);
        SyncedHub.Stored stored = hub.accessEvents(tenantId);
        assertThat(stored.ids()).containsAll(ids);
        assertThat(stored.rows())
                .as("no event stored twice")
                .isEqualTo(stored.ids().size());
    }

    @Test
    void aBrokerRestartInTheMiddleOfAStreamLosesAndDuplicatesNothing() throws Exception {
        String uid = uid();
        member(uid);
        awaitInSync(Duration.ofSeconds(10));
        List<String> ids = new CopyOnWriteArrayList<>();
        AtomicInteger taps = new AtomicInteger();
        Thread tapper = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 24; i++) {
                ids.add(site.tap(i % 3 == 0 ? uid() : uid).event().id());
                taps.incrementAndGet();
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> taps.get() >= 8);
        hub.stop(); // the embedded broker goes down with the hub, mid-stream
        await().atMost(Duration.ofSeconds(60)).until(() -> taps.get() >= 14);
        hub.start();
        tapper.join(Duration.ofMinutes(2));
        assertThat(ids).hasSize(24);

        await().atMost(Duration.ofSeconds(90)).until(() -> site.outboxDepth() == 0);
        SyncedHub.Stored stored = hub.accessEvents(tenantId);
        assertThat(stored.ids()).containsAll(ids);
        assertThat(stored.rows())
                .as("no event stored twice")
                .isEqualTo(stored.ids().size());
    }

    /** A client with the hub's own account on the embedded broker, to inject and observe messages. */
    private FakeEdge hubSideClient(String clientId) throws MqttException {
        return FakeEdge.connect(
                hub.hub().mqtt().publicUrl(),
                clientId,
                MqttSettings.HUB_USER,
                hub.hub().mqtt().broker().orElseThrow().hubPassword());
    }

    private ECKey signingKey() {
        return hub.hub()
                .database()
                .read(c -> TenantStore.activeSigningKey(c, hub.hub().database().masterKey(), tenantId));
    }

    private Topic topic(Channel channel) {
        return Topic.of(slug, siteId, device, channel);
    }

    @Test
    void anInjectedGapMakesTheEdgeAskForTheMissingRangeAndApplyNothingOutOfOrder() throws Exception {
        awaitInSync(Duration.ofSeconds(10));
        long head = head();
        try (FakeEdge observer = hubSideClient("e2e-gap-" + store.name().toLowerCase())) {
            assertThat(observer.subscribe(topic(Channel.SYNC_REQUEST).value()))
                    .as("SUBACK")
                    .containsExactly(1);
            // A correctly signed batch that starts two entries after the edge's seq: a gap.
            Member ghost = new Member(MemberId.of("ghost"), MemberStatus.ACTIVE, Set.of());
            Envelope ahead = new Envelope(
                    "gap-" + UUID.randomUUID(),
                    Instant.now(),
                    new SyncBatch(slug, siteId, head + 2, head + 2, List.of(new Change.Upsert(ghost))));
            observer.publish(
                    topic(Channel.SYNC),
                    SignedMessages.sign(ahead, signingKey()).getBytes(StandardCharsets.US_ASCII));

            // The edge asks for what follows its seq (within a few seconds: it may have asked just before).
            await("a sync.request with haveSeq " + head)
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> observer.received(Channel.SYNC_REQUEST).stream()
                            .map(r -> (SyncRequest)
                                    MessageCodec.decode(r.payload()).payload())
                            .anyMatch(r -> r.haveSeq() == head));
            assertThat(site.seq()).isEqualTo(head);
            assertThat(site.agent.cache().member(MemberId.of("ghost"))).isEmpty();

            // The log goes on; the edge follows it and never applied the injected entry.
            String uid = uid();
            member(uid);
            awaitInSync(Duration.ofSeconds(10));
            assertThat(site.agent.cache().member(MemberId.of("ghost"))).isEmpty();
            assertThat(site.tap(uid).decision()).isInstanceOf(Decision.Granted.class);
        }
    }

    @Test
    void aTamperedBatchAndATamperedCommandChangeNothingAndAreReported() throws Exception {
        awaitInSync(Duration.ofSeconds(10));
        long head = head();
        int transitions = site.relayTransitions();
        try (FakeEdge injector = hubSideClient("e2e-tamper-" + store.name().toLowerCase())) {
            Member mallory = new Member(MemberId.of("mallory"), MemberStatus.ACTIVE, Set.of());
            Envelope batch = new Envelope(
                    "tampered-" + UUID.randomUUID(),
                    Instant.now(),
                    new SyncBatch(slug, siteId, head + 1, head + 1, List.of(new Change.Upsert(mallory))));
            injector.publish(topic(Channel.SYNC), tamper(SignedMessages.sign(batch, signingKey())));
            Envelope command = new Envelope(
                    "cmd-tampered-" + UUID.randomUUID(),
                    Instant.now(),
                    new Command(
                            slug,
                            siteId,
                            Instant.now().plusSeconds(30),
                            new CommandAction.UnlockOnce(DoorId.of(door), Duration.ofSeconds(2))));
            injector.publish(topic(Channel.COMMANDS), tamper(SignedMessages.sign(command, signingKey())));

            await().atMost(Duration.ofSeconds(40))
                    .until(() -> hub.deviceProblems(token, siteId, device).size() >= 2);
            assertThat(site.seq()).isEqualTo(head);
            assertThat(site.agent.cache().member(MemberId.of("mallory"))).isEmpty();
            assertThat(site.relayTransitions()).as("the relay never moved").isEqualTo(transitions);
        }
    }

    /** Flips one character in the payload part of a compact JWS, keeping it well-formed base64url. */
    private static byte[] tamper(String jws) {
        char[] chars = jws.toCharArray();
        int at = jws.indexOf('.') + 10;
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        return new String(chars).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aRemoteUnlockIsSignedExecutedThroughTheDoorAndAcknowledged() {
        int transitions = site.relayTransitions();
        Api.Response issued = api().post(
                        "/api/v1/sites/" + siteId + "/commands",
                        token,
                        "{\"action\":{\"type\":\"unlock-once\",\"door\":\"" + door + "\",\"unlockFor\":\"PT1S\"}}");
        assertThat(issued.status()).as(issued.toString()).isEqualTo(202);
        String id = issued.json().get("id").asText();

        await().atMost(Duration.ofSeconds(20)).until(() -> site.relayTransitions() >= transitions + 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> commandStatus(id).equals("done"));
    }

    /** The command's status at this test's device (the site may have other devices). */
    private String commandStatus(String id) {
        JsonNode view = api().get("/api/v1/commands/" + id, token).json();
        for (JsonNode at : view.get("devices")) {
            if (at.get("device").asText().equals(device)) {
                return at.get("status").asText();
            }
        }
        return "absent";
    }

    @Test
    void aDeviceCannotPublishOnAnotherDevicesTopic() throws Exception {
        // The intruder is a provisioned device of another site of the same tenant.
        String otherSite =
                create("/api/v1/sites", "{\"name\":\"Other\",\"address\":\"2 Test St\",\"timeZone\":\"UTC\"}");
        String other = create("/api/v1/sites/" + otherSite + "/devices", "{\"name\":\"Other Pi\"}");
        JsonNode bundle =
                api().post("/api/v1/devices/" + other + "/provision", token, "").json();
        Envelope genuine = site.decisions.isEmpty()
                ? site.tap(uid()).event()
                : site.decisions.get(0).event();
        Envelope forged = new Envelope("forged-" + UUID.randomUUID(), genuine.time(), genuine.payload());
        int reason;
        try (FakeEdge intruder = FakeEdge.connect(
                bundle.at("/mqtt/url").asText(),
                other,
                other,
                bundle.at("/mqtt/password").asText())) {
            reason = intruder.publish(topic(Channel.EVENTS), MessageCodec.encode(forged))[0];
        }
        assertThat(reason).as("PUBACK reason code").isGreaterThanOrEqualTo(0x80);
        // The hub takes a device's events in order: once the site's next event is stored, a forwarded
        // forgery would be too. It is not.
        Decided after = site.tap(uid());
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        hub.accessEvents(tenantId).ids().contains(after.event().id()));
        assertThat(hub.accessEvents(tenantId).ids()).doesNotContain(forged.id());
    }
}
