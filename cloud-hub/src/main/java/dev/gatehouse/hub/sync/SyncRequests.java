package dev.gatehouse.hub.sync;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers {@code sync.request} (channel {@code sync-request}) to the requesting device only: first
 * with the hub's signed time ({@code hub.time}, so the edge can judge its clock), then with the
 * batches {@code haveSeq+1..head} on its {@code sync} topic, or a chunked, signed snapshot of the
 * site on its {@code snapshot} topic when the log cannot (or should not) serve the range: when
 * {@code haveSeq} is below the compacted floor, above the head (the edge knows a future the hub
 * does not: its store was restored, or it belongs to a re-created site), or more than
 * {@link #SNAPSHOT_AFTER} entries behind. An edge that is up to date gets nothing.
 *
 * <p>Bad input (an unknown or inactive device, a topic that is not the device's, a malformed
 * message) is logged and changes nothing; {@link #handle} never throws.
 */
public record SyncRequests(SyncStore store, EdgeDevices devices, EdgeLink link, Clock clock, SyncSettings settings) {
    private static final Logger LOG = Logger.getLogger(SyncRequests.class.getName());
    /** An edge this far behind gets a snapshot: cheaper than replaying the log entry by entry. */
    public static final long SNAPSHOT_AFTER = 20_000;

    private static final int READ_LIMIT = 2000;

    public SyncRequests(Database database, EdgeDevices devices, EdgeLink link, Clock clock, SyncSettings settings) {
        this(new SyncStore(database, clock), devices, link, clock, settings);
    }

    /** The {@code sync-request} handler: {@code link.onMessage(Channel.SYNC_REQUEST, syncRequests::handle)}. */
    public void handle(Topic topic, byte[] payload) {
        try {
            Optional<EdgeMessages.Received<SyncRequest>> request =
                    EdgeMessages.read(devices, clock, topic, payload, Channel.SYNC_REQUEST, SyncRequest.class, LOG);
            if (request.isPresent()) {
                try {
                    tellTime(request.get().device(), request.get().id());
                } catch (RuntimeException e) {
                    // e.g. a tenant without an active signing key yet: the batches can still be answered
                    LOG.log(Level.WARNING, "cannot tell " + topic + " the hub's time: " + e, e);
                }
                answer(request.get().device(), request.get().message().haveSeq());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot answer the sync request on " + topic + ": " + e, e);
        }
    }

    /**
     * Sends {@code device} the hub's signed time on its {@code time} topic, answering its request
     * {@code requestId}, first: the sooner it goes, the narrower the window it gives the edge's clock.
     */
    void tellTime(EdgeDevices.Device device, String requestId) {
        ECKey key = store.signingKey(device.tenantId());
        Instant now = Instant.ofEpochMilli(clock.millis());
        String jws = SignedMessages.sign(
                new Envelope(
                        HubIds.next("ht"),
                        now,
                        new HubTime(
                                device.tenantSlug(),
                                device.siteId(),
                                device.deviceId(),
                                requestId,
                                store.readsFrom(device.tenantId(), device.deviceId()))),
                key);
        link.publish(
                Topic.of(device.tenantSlug(), device.siteId(), device.deviceId(), Channel.TIME),
                jws.getBytes(StandardCharsets.US_ASCII));
    }

    /** What the answer was, for logs and tests. */
    public enum Answer {
        UP_TO_DATE,
        BATCHES,
        SNAPSHOT,
        NO_SITE
    }

    /** Sends {@code device} what follows {@code haveSeq}. */
    public Answer answer(EdgeDevices.Device device, long haveSeq) {
        Optional<SyncStore.SiteHead> head = store.head(device.tenantId(), device.siteId());
        if (head.isEmpty()) {
            return Answer.NO_SITE;
        }
        SyncStore.SiteHead site = head.get();
        if (haveSeq == site.head()) {
            return Answer.UP_TO_DATE;
        }
        if (haveSeq > site.head() || haveSeq < site.floor() || site.head() - haveSeq > SNAPSHOT_AFTER) {
            sendSnapshot(device);
            return Answer.SNAPSHOT;
        }
        long from = haveSeq;
        while (true) {
            Optional<SyncStore.Range> range = store.range(device.tenantId(), device.siteId(), from, READ_LIMIT);
            if (range.isEmpty()) {
                return Answer.NO_SITE;
            }
            SyncStore.Range r = range.get();
            if (r.changes().isEmpty()) {
                return Answer.BATCHES;
            }
            if (r.changes().getFirst().seq() != from + 1) {
                // Compacted between the two reads: the range is gone.
                sendSnapshot(device);
                return Answer.SNAPSHOT;
            }
            Topic topic = Topic.of(device.tenantSlug(), device.siteId(), device.deviceId(), Channel.SYNC);
            for (SignedBatches.Signed batch : SignedBatches.batches(
                    device.tenantSlug(),
                    device.siteId(),
                    r.changes(),
                    r.key(),
                    clock.instant(),
                    settings.batchMaxChanges(),
                    SyncSettings.MAX_BATCH_BYTES)) {
                link.publish(topic, batch.bytes());
            }
            from = r.changes().getLast().seq();
            if (r.changes().size() < READ_LIMIT || from >= site.head()) {
                return Answer.BATCHES;
            }
        }
    }

    private void sendSnapshot(EdgeDevices.Device device) {
        Optional<SyncStore.Snapshot> snapshot = store.snapshot(device.tenantId(), device.siteId());
        if (snapshot.isEmpty()) {
            return;
        }
        SyncStore.Snapshot s = snapshot.get();
        List<String> chunks = SignedBatches.snapshot(
                device.tenantSlug(),
                device.siteId(),
                s.seq(),
                s.entities(),
                s.key(),
                clock.instant(),
                settings.snapshotChunkBytes());
        Topic topic = Topic.of(device.tenantSlug(), device.siteId(), device.deviceId(), Channel.SNAPSHOT);
        for (String chunk : chunks) {
            link.publish(topic, chunk.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        LOG.info("sent device " + device.deviceId() + " a snapshot of site " + device.siteId() + " at seq " + s.seq()
                + " in " + chunks.size() + " chunk(s)");
    }
}
