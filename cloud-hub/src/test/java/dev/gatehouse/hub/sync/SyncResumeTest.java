package dev.gatehouse.hub.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.mqtt.PublishException;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The publisher's record of what the broker accepted, over a real store of each kind and a link
 * whose answers the test gives: the recorded seq never runs ahead of the broker, a start resumes
 * from it, and a failed publish goes out again once the link is back. This is what makes a
 * revocation committed just before the hub stopped reach edges that stay connected to an external
 * broker, without them having to ask.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SyncResumeTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String DEVICE = "dev_resume";

    @Parameter
    StoreKind store;

    @TempDir
    Path dir;

    Database database;
    SyncStore syncStore;
    String tenantId;
    String slug;
    String siteId;
    SyncRecorder devices;
    HeldLink link;
    final List<SyncPublisher> publishers = new ArrayList<>();

    /** A link that hands every publish to the test, which answers it as the broker would (or not at all). */
    static final class HeldLink implements EdgeLink {
        record Held(Topic topic, String payload, CompletableFuture<Void> answer) {
            void accept() {
                answer.complete(null);
            }

            void fail() {
                fail(PublishException.Reason.CONNECTION_LOST);
            }

            void fail(PublishException.Reason reason) {
                answer.completeExceptionally(new PublishException(reason, "test: " + reason));
            }
        }

        private final List<Held> held = new ArrayList<>();

        @Override
        public synchronized CompletionStage<Void> publish(Topic topic, byte[] payload) {
            Held message = new Held(topic, new String(payload, StandardCharsets.US_ASCII), new CompletableFuture<>());
            held.add(message);
            return message.answer();
        }

        synchronized List<Held> held() {
            return List.copyOf(held);
        }
    }

    @BeforeEach
    void site() {
        database = Database.open(TestHub.settings(store, dir));
        syncStore = new SyncStore(database);
        Hub.Stores stores = Hub.Stores.over(database, Clock.systemUTC());
        slug = "resume-" + ThreadLocalRandom.current().nextInt(1_000_000);
        TenantView tenant = stores.tenants()
                .create(slug, new TenantStore.Branding("Resume", Optional.empty(), Optional.empty(), Optional.empty()))
                .tenant();
        tenantId = tenant.id();
        siteId = stores.sites()
                .createSite(tenantId, new SiteStore.SiteInput("Resume", "1 Test St", ZoneId.of("UTC")))
                .id();
        devices = new SyncRecorder();
        devices.register(tenantId, slug, siteId, DEVICE);
        link = new HeldLink();
    }

    @AfterEach
    void close() {
        publishers.forEach(SyncPublisher::close);
        database.close();
    }

    SyncPublisher publisher(EdgeLink edgeLink, SyncSettings settings) {
        SyncPublisher publisher = new SyncPublisher(database, devices, edgeLink, Clock.systemUTC(), settings);
        publishers.add(publisher);
        publisher.start();
        return publisher;
    }

    long head() {
        return syncStore.head(tenantId, siteId).orElseThrow().head();
    }

    long append(String door) {
        database.write(c -> ChangeLog.append(
                c, tenantId, siteId, List.of(new Change.Upsert(Door.standard(door, "Door " + door))), Instant.now()));
        return head();
    }

    /** The seq the store holds as accepted by the broker for the site. */
    Optional<Long> recorded() {
        return syncStore.acceptedSeq(tenantId, siteId);
    }

    SyncBatch batch(String payload) {
        KeySet keys = KeySet.fromSigningKeys(database.read(c -> TenantStore.signingKeys(c, tenantId)));
        return SignedMessages.verify(payload, keys, slug, siteId, Instant.now(), ClockStatus.TRUSTED)
                .payloadAs(SyncBatch.class);
    }

    @Test
    void theRecordedSeqFollowsOnlyWhatTheBrokerHasAcceptedAndInSeqOrder() throws Exception {
        long opening = head();
        SyncPublisher publisher = publisher(link, SyncSettings.defaults());
        assertThat(publisher.awaitPublished(siteId, opening, WAIT)).isTrue();
        long a = append("door_a");
        assertThat(publisher.awaitPublished(siteId, a, WAIT)).isTrue();
        long b = append("door_b");
        assertThat(publisher.awaitPublished(siteId, b, WAIT)).isTrue();

        // Handed to the link, not yet accepted: nothing is recorded.
        List<HeldLink.Held> held = link.held();
        assertThat(held).extracting(h -> batch(h.payload()).toSeq()).containsExactly(opening, a, b);
        publisher.save();
        assertThat(recorded()).isEmpty();

        // The broker acknowledges the last batch first: the ones before it still wait.
        held.get(2).accept();
        publisher.save();
        assertThat(publisher.acceptedSeq(siteId)).isZero();
        assertThat(recorded()).isEmpty();

        held.get(0).accept();
        publisher.save();
        assertThat(recorded()).contains(opening);

        held.get(1).accept();
        publisher.save();
        assertThat(recorded()).contains(b);
    }

    @Test
    void aBatchCommittedButNotAcceptedBeforeTheHubStoppedIsPublishedWhenItStartsAgain() throws Exception {
        long opening = head();
        SyncPublisher before = publisher(link, SyncSettings.defaults());
        assertThat(before.awaitPublished(siteId, opening, WAIT)).isTrue();
        link.held().forEach(HeldLink.Held::accept);
        long revoked = append("door_revoked");
        assertThat(before.awaitPublished(siteId, revoked, WAIT)).isTrue();
        // The hub stops before the broker acknowledges the new batch.
        before.close();
        assertThat(recorded().orElse(0L)).isLessThan(revoked);

        // Started again (over a link that delivers), it publishes the batch without being asked.
        SyncPublisher after = publisher(devices, SyncSettings.defaults());
        await().atMost(WAIT).until(() -> !devices.published().isEmpty());
        List<SyncBatch> sent =
                devices.published().stream().map(p -> batch(p.payload())).toList();
        assertThat(sent.getFirst().fromSeq()).isEqualTo(opening + 1);
        assertThat(sent.getLast().toSeq()).isEqualTo(revoked);
        await().atMost(WAIT).until(() -> recorded().equals(Optional.of(revoked)));
        assertThat(after.acceptedSeq(siteId)).isEqualTo(revoked);
    }

    @Test
    void aPublishThatFailedIsPublishedAgainOnceTheLinkIsConnectedAgain() throws Exception {
        long opening = head();
        // No sweep during the test: only the link's connection can bring the batch back.
        SyncPublisher publisher = publisher(link, SyncSettings.defaults().withSweepInterval(Duration.ofHours(1)));
        assertThat(publisher.awaitPublished(siteId, opening, WAIT)).isTrue();
        link.held().getFirst().accept();
        long a = append("door_a");
        assertThat(publisher.awaitPublished(siteId, a, WAIT)).isTrue();

        // The connection drops with the batch in flight: it is no longer counted as published.
        link.held().getLast().fail();
        assertThat(publisher.publishedSeq(siteId)).isEqualTo(opening);

        publisher.linkConnected();
        await().atMost(WAIT).until(() -> link.held().size() == 3);
        SyncBatch again = batch(link.held().getLast().payload());
        assertThat(again.fromSeq()).isEqualTo(opening + 1);
        assertThat(again.toSeq()).isEqualTo(a);
        link.held().getLast().accept();
        await().atMost(WAIT).until(() -> recorded().equals(Optional.of(a)));
    }

    @Test
    void aBatchTheBrokerRefusesIsNotSentAgainAndDoesNotHoldBackTheRest() throws Exception {
        long opening = head();
        SyncPublisher publisher = publisher(link, SyncSettings.defaults().withSweepInterval(Duration.ofMillis(100)));
        assertThat(publisher.awaitPublished(siteId, opening, WAIT)).isTrue();
        link.held().getFirst().accept();
        long a = append("door_a");
        assertThat(publisher.awaitPublished(siteId, a, WAIT)).isTrue();

        // An ACL or a packet cap says no: the same batch would be refused again, at every sweep.
        link.held().getLast().fail(PublishException.Reason.REFUSED);
        long b = append("door_b");
        assertThat(publisher.awaitPublished(siteId, b, WAIT)).isTrue();
        link.held().getLast().accept();
        await().atMost(WAIT).until(() -> publisher.acceptedSeq(siteId) == b);
        publisher.save();
        assertThat(recorded()).contains(b);
        // sweeps and a later change: the refused range is never published again
        publisher.sweep();
        publisher.sweep();
        long c = append("door_c");
        assertThat(publisher.awaitPublished(siteId, c, WAIT)).isTrue();
        assertThat(link.held())
                .extracting(h ->
                        batch(h.payload()).fromSeq() + ".." + batch(h.payload()).toSeq())
                .containsExactly(
                        batch(link.held().getFirst().payload()).fromSeq() + ".." + opening,
                        (opening + 1) + ".." + a,
                        (a + 1) + ".." + b,
                        (b + 1) + ".." + c);
    }

    @Test
    void closingRecordsWhatTheBrokerAcceptedAfterPublishingStopped() throws Exception {
        // The hub stops publishing, then its link drains: what the broker accepts meanwhile counts.
        long opening = head();
        SyncPublisher publisher = publisher(link, SyncSettings.defaults());
        assertThat(publisher.awaitPublished(siteId, opening, WAIT)).isTrue();
        publisher.stopPublishing();
        link.held().getFirst().accept();
        publisher.close();
        assertThat(recorded()).contains(opening);
    }
}
