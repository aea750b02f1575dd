package dev.gatehouse.hub.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.projection.SiteProjection;
import dev.gatehouse.hub.store.SiteRef;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The publisher and the request handler over a real store, with a recording link instead of a
 * broker: what leaves is signed, consecutive, only for committed changes, and replays to the
 * site's projection. On both stores.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SyncPublisherTest {
    static TestHub hub;
    static SyncRecorder recorder;
    static SyncPublisher publisher;
    static SyncRequests requests;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
        recorder = new SyncRecorder();
        SyncSettings settings = SyncSettings.defaults().withSweepInterval(Duration.ofMillis(200));
        publisher = new SyncPublisher(hub.hub().database(), recorder, recorder, Clock.systemUTC(), settings);
        publisher.start();
        requests = new SyncRequests(hub.hub().database(), recorder, recorder, Clock.systemUTC(), settings);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        publisher.close();
        hub.close();
    }

    record Site(TestHub.Tenant tenant, People people, String id, EdgeDevices.Device device) {}

    Site site(String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        People people = new People(hub, tenant.token());
        String siteId = people.site("Europe/Berlin");
        EdgeDevices.Device device = recorder.register(tenant.id(), tenant.slug(), siteId, "dev_" + siteId.substring(5));
        return new Site(tenant, people, siteId, device);
    }

    /** Some real work through the API: doors, a group, members, a plan and its grants. */
    void work(Site site) {
        People people = site.people();
        String door = people.door(site.id());
        String spare = people.door(site.id());
        String group = people.group(site.id(), door);
        String ada = people.member("ada-" + site.id() + "@example.com");
        String plan = people.plan("[{\"day\":\"monday\",\"start\":\"08:00\",\"end\":\"18:00\"}]", "closed", group);
        assertThat(people.assign(ada, plan, "{}").status()).isEqualTo(201);
        assertThat(people.api()
                        .delete("/api/v1/doors/" + spare, site.tenant().token())
                        .status())
                .isEqualTo(204);
    }

    KeySet keys(Site site) {
        return KeySet.fromSigningKeys(hub.hub()
                .database()
                .read(c -> TenantStore.signingKeys(c, site.tenant().id())));
    }

    List<Entity> projection(Site site) {
        return hub.hub()
                .database()
                .read(c -> SiteProjection.of(c, site.tenant().id(), site.id()))
                .orElseThrow();
    }

    static Map<String, Entity> byKey(List<Entity> entities) {
        Map<String, Entity> map = new TreeMap<>();
        entities.forEach(e -> map.put(e.kind() + "/" + e.key(), e));
        return map;
    }

    /** Verifies each batch published to the site's device, checks they are consecutive, and replays them. */
    Map<String, Entity> replayBatches(Site site, List<SyncRecorder.Published> published, long haveSeq) {
        // the edge's state at haveSeq: the log up to there
        Map<String, Entity> state = new TreeMap<>();
        for (var logged : hub.hub().stores().changes().read(site.tenant().id(), site.id(), 0, (int) haveSeq)) {
            apply(state, logged.change());
        }
        long seq = haveSeq;
        for (SyncRecorder.Published message : published) {
            if (!message.topic().site().equals(site.id())) {
                continue;
            }
            assertThat(message.topic())
                    .isEqualTo(Topic.of(
                            site.tenant().slug(), site.id(), site.device().deviceId(), Channel.SYNC));
            Envelope envelope = SignedMessages.verify(
                    message.payload(), keys(site), site.tenant().slug(), site.id(), Instant.now(), ClockStatus.TRUSTED);
            SyncBatch batch = envelope.payloadAs(SyncBatch.class);
            assertThat(batch.fromSeq())
                    .as(
                            "batch %d..%d after seq %d (haveSeq %d) in %s",
                            batch.fromSeq(), batch.toSeq(), seq, haveSeq, published)
                    .isEqualTo(seq + 1);
            seq = batch.toSeq();
            batch.changes().forEach(change -> apply(state, change));
        }
        assertThat(seq).isEqualTo(site.people().head(site.id()));
        return state;
    }

    static void apply(Map<String, Entity> state, Change change) {
        switch (change) {
            case Change.Upsert upsert ->
                state.put(upsert.entity().kind() + "/" + upsert.entity().key(), upsert.entity());
            case Change.Remove remove -> state.remove(remove.kind() + "/" + remove.key());
        }
    }

    @Test
    void committedChangesArePublishedAsSignedBatchesThatReplayToTheProjection() throws Exception {
        Site site = site("pub");
        Site other = site("other");
        // the device was registered after the site was made: the log's opening entries (the site
        // and the tenant's signing key) may have gone to nobody
        assertThat(publisher.awaitPublished(site.id(), 2, Duration.ofSeconds(30)))
                .isTrue();
        recorder.drain();
        long start = publisher.publishedSeq(site.id());
        work(site);
        long head = site.people().head(site.id());
        assertThat(publisher.awaitPublished(site.id(), head, Duration.ofSeconds(30)))
                .isTrue();

        List<SyncRecorder.Published> published = recorder.published();
        assertThat(replayBatches(site, published, start)).isEqualTo(byKey(projection(site)));
        // nothing of this site went to the other site's device
        assertThat(published)
                .filteredOn(p -> p.topic().device().equals(other.device().deviceId()))
                .allSatisfy(p -> assertThat(p.topic().site()).isEqualTo(other.id()));
    }

    @Test
    void aChangeReachingManySitesIsPublishedToEachInOrderAsTheSignersWorkAhead() throws Exception {
        // One tenant, twelve sites, one member whose plan opens a door at each: suspending them appends
        // to twelve logs in one transaction, so one round publishes twelve sites, read and signed ahead
        // on the signer threads and handed over by the publisher's thread.
        TestHub.Tenant tenant = hub.newTenant("wide");
        People people = new People(hub, tenant.token());
        List<Site> sites = new java.util.ArrayList<>();
        List<String> groups = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String siteId = people.site("Europe/Berlin");
            EdgeDevices.Device device =
                    recorder.register(tenant.id(), tenant.slug(), siteId, "dev_" + siteId.substring(5));
            sites.add(new Site(tenant, people, siteId, device));
            groups.add(people.group(siteId, people.door(siteId)));
        }
        String member = people.member("wide@example.com");
        String plan = people.plan("[]", "ignored", groups.toArray(String[]::new));
        assertThat(people.assign(member, plan, "{}").status()).isEqualTo(201);
        for (Site site : sites) {
            assertThat(publisher.awaitPublished(site.id(), people.head(site.id()), Duration.ofSeconds(30)))
                    .isTrue();
        }
        recorder.drain();
        Map<String, Long> start = new java.util.HashMap<>();
        for (Site site : sites) {
            start.put(site.id(), publisher.publishedSeq(site.id()));
        }

        assertThat(people.api()
                        .patch("/api/v1/members/" + member, tenant.token(), "{\"status\":\"suspended\"}")
                        .status())
                .isEqualTo(200);

        for (Site site : sites) {
            long head = people.head(site.id());
            assertThat(head).isGreaterThan(start.get(site.id()));
            assertThat(publisher.awaitPublished(site.id(), head, Duration.ofSeconds(30)))
                    .isTrue();
        }
        List<SyncRecorder.Published> published = recorder.published();
        for (Site site : sites) {
            // Each site's batches: signed for it, consecutive from where it was, replaying to its projection.
            assertThat(replayBatches(site, published, start.get(site.id()))).isEqualTo(byKey(projection(site)));
        }
    }

    @Test
    void aRotatedSigningKeySignsEveryBatchAfterTheRotation() throws Exception {
        // The publisher keeps each tenant's key opened between batches; a rotation must still take
        // effect at the next batch, or a key the operator replaced would go on signing.
        Site site = site("rotate");
        work(site);
        assertThat(publisher.awaitPublished(site.id(), site.people().head(site.id()), Duration.ofSeconds(30)))
                .isTrue();
        var database = hub.hub().database();
        String before = database.read(
                        c -> TenantStore.activeSealedKey(c, site.tenant().id()))
                .kid();

        String rotated = database.write(c -> TenantStore.newSigningKey(
                        c,
                        database.masterKey(),
                        site.tenant().id(),
                        Instant.now().plusSeconds(1)))
                .kid();
        recorder.drain();
        site.people().door(site.id());
        assertThat(publisher.awaitPublished(site.id(), site.people().head(site.id()), Duration.ofSeconds(30)))
                .isTrue();

        assertThat(rotated).isNotEqualTo(before);
        assertThat(recorder.published())
                .filteredOn(p -> p.topic().site().equals(site.id()))
                .isNotEmpty()
                .allSatisfy(p -> assertThat(kid(p.payload())).isEqualTo(rotated));
    }

    /** The key id in a compact JWS's header. */
    static String kid(String compactJws) {
        String header = new String(
                java.util.Base64.getUrlDecoder().decode(compactJws.substring(0, compactJws.indexOf('.'))),
                java.nio.charset.StandardCharsets.UTF_8);
        return MessageCodec.parse(header.getBytes(java.nio.charset.StandardCharsets.UTF_8), "the JWS header")
                .get("kid")
                .asText();
    }

    @Test
    void aRolledBackAppendIsNeverAnnouncedAndACommittedOneIsAnnouncedAfterCommit() {
        Site site = site("rollback");
        List<Set<SiteRef>> heard = new CopyOnWriteArrayList<>();
        List<Boolean> visibleWhenHeard = new CopyOnWriteArrayList<>();
        var database = hub.hub().database();
        Consumer<Set<SiteRef>> listener = sites -> {
            heard.add(sites);
            // the entries are committed by the time the listener runs: another connection sees them
            visibleWhenHeard.add(hub.hub().stores().changes().head(site.tenant().id(), site.id()) > 0);
        };
        database.onChangesCommitted(listener);
        try {
            Change change = new Change.Upsert(Door.standard("door_rolled", "Rolled back"));
            try {
                database.write(c -> {
                    ChangeLog.append(c, site.tenant().id(), site.id(), List.of(change), Instant.now());
                    throw new IllegalStateException("roll back");
                });
            } catch (IllegalStateException expected) {
                // rolled back
            }
            assertThat(heard)
                    .noneMatch(sites -> sites.contains(new SiteRef(site.tenant().id(), site.id())));

            database.write(c -> ChangeLog.append(c, site.tenant().id(), site.id(), List.of(change), Instant.now()));
            assertThat(heard)
                    .anyMatch(sites -> sites.contains(new SiteRef(site.tenant().id(), site.id())));
            assertThat(visibleWhenHeard).contains(true);
        } finally {
            database.removeChangesListener(listener);
        }
    }

    @Test
    void aRequestWithAGapGetsTheRangeToItsDeviceOnly() throws Exception {
        Site site = site("gap");
        work(site);
        long head = site.people().head(site.id());
        assertThat(publisher.awaitPublished(site.id(), head, Duration.ofSeconds(30)))
                .isTrue();
        recorder.drain();

        Topic requestTopic =
                Topic.of(site.tenant().slug(), site.id(), site.device().deviceId(), Channel.SYNC_REQUEST);
        requests.handle(requestTopic, request(site.id(), 3));
        List<SyncRecorder.Published> published = recorder.drain(site.id());
        assertThat(published).isNotEmpty().allSatisfy(p -> assertThat(p.topic().device())
                .isEqualTo(site.device().deviceId()));
        // The hub's signed time first, naming the request, so the edge can bound its clock; then the range.
        assertThat(published.getFirst().topic().channel()).isEqualTo(Channel.TIME);
        assertThat(SignedMessages.verify(
                                published.getFirst().payload(),
                                keys(site),
                                site.tenant().slug(),
                                site.id(),
                                Instant.now(),
                                ClockStatus.TRUSTED)
                        .payloadAs(HubTime.class)
                        .inReplyTo())
                .isEqualTo("req_3");
        List<SyncRecorder.Published> answer = published.subList(1, published.size());
        assertThat(answer).isNotEmpty().allSatisfy(p -> assertThat(p.topic().channel())
                .isEqualTo(Channel.SYNC));
        Envelope first = SignedMessages.verify(
                answer.getFirst().payload(),
                keys(site),
                site.tenant().slug(),
                site.id(),
                Instant.now(),
                ClockStatus.TRUSTED);
        assertThat(first.payloadAs(SyncBatch.class).fromSeq()).isEqualTo(4);
        replayBatches(site, answer, 3);

        // up to date: only the time; a stranger's topic or a malformed message: nothing, no throw
        requests.handle(requestTopic, request(site.id(), head));
        assertThat(recorder.drain(site.id()))
                .singleElement()
                .satisfies(p -> assertThat(p.topic().channel()).isEqualTo(Channel.TIME));
        requests.handle(
                Topic.of(site.tenant().slug(), site.id(), "dev_stranger", Channel.SYNC_REQUEST), request(site.id(), 0));
        requests.handle(
                Topic.of("other-tenant", site.id(), site.device().deviceId(), Channel.SYNC_REQUEST),
                request(site.id(), 0));
        requests.handle(requestTopic, "{not json".getBytes());
        requests.handle(requestTopic, request("site_elsewhere", 0));
        assertThat(recorder.drain(site.id())).isEmpty();
    }

    @Test
    void aRequestBelowTheFloorOrAboveTheHeadGetsASnapshotThatRebuildsTheProjection() throws Exception {
        Site site = site("floor");
        work(site);
        long head = site.people().head(site.id());
        assertThat(publisher.awaitPublished(site.id(), head, Duration.ofSeconds(30)))
                .isTrue();
        assertThat(publisher.compact(site.tenant().id(), site.id(), 5)).isEqualTo(5);
        assertThat(hub.hub()
                        .stores()
                        .changes()
                        .read(site.tenant().id(), site.id(), 0, 10)
                        .getFirst()
                        .seq())
                .isEqualTo(6);
        recorder.drain();

        EdgeDevices.Device device = site.device();
        assertThat(requests.answer(device, 4)).isEqualTo(SyncRequests.Answer.SNAPSHOT);
        assertThat(rebuild(site, recorder.drain(site.id()), head)).isEqualTo(byKey(projection(site)));
        assertThat(requests.answer(device, head + 10)).isEqualTo(SyncRequests.Answer.SNAPSHOT);
        assertThat(rebuild(site, recorder.drain(site.id()), head)).isEqualTo(byKey(projection(site)));
        // at the floor exactly the log still serves it
        assertThat(requests.answer(device, 5)).isEqualTo(SyncRequests.Answer.BATCHES);
        replayBatches(site, recorder.drain(site.id()), 5);
    }

    @Test
    void theSweepCompactsLogsLongerThanLogKeep() {
        Site site = site("keep");
        List<Change> doors = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            doors.add(new Change.Upsert(Door.standard("door_k" + i, "Door " + i)));
        }
        hub.hub().database().write(c -> ChangeLog.append(c, site.tenant().id(), site.id(), doors, Instant.now()));
        long head = site.people().head(site.id());
        SyncPublisher keeping = new SyncPublisher(
                hub.hub().database(),
                recorder,
                recorder,
                Clock.systemUTC(),
                SyncSettings.defaults().withLogKeep(1000));
        keeping.sweep();
        var log = hub.hub().stores().changes().read(site.tenant().id(), site.id(), 0, 5000);
        assertThat(log).hasSize(1000);
        assertThat(log.getFirst().seq()).isEqualTo(head - 999);
        assertThat(requests.answer(site.device(), head - 1001)).isEqualTo(SyncRequests.Answer.SNAPSHOT);
        assertThat(requests.answer(site.device(), head - 1000)).isEqualTo(SyncRequests.Answer.BATCHES);
        recorder.drain();
    }

    Map<String, Entity> rebuild(Site site, List<SyncRecorder.Published> published, long head) {
        assertThat(published).isNotEmpty();
        List<Entity> entities = new ArrayList<>();
        for (SyncRecorder.Published message : published) {
            assertThat(message.topic())
                    .isEqualTo(Topic.of(
                            site.tenant().slug(), site.id(), site.device().deviceId(), Channel.SNAPSHOT));
            SnapshotChunk chunk = SignedMessages.verify(
                            message.payload(),
                            keys(site),
                            site.tenant().slug(),
                            site.id(),
                            Instant.now(),
                            ClockStatus.TRUSTED)
                    .payloadAs(SnapshotChunk.class);
            assertThat(chunk.seq()).isEqualTo(head);
            assertThat(chunk.count()).isEqualTo(published.size());
            entities.addAll(chunk.entities());
        }
        return byKey(entities);
    }

    static byte[] request(String siteId, long haveSeq) {
        return MessageCodec.encode(new Envelope("req_" + haveSeq, Instant.now(), new SyncRequest(siteId, haveSeq)));
    }
}
