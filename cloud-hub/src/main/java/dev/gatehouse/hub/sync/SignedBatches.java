package dev.gatehouse.hub.sync;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.sign.SignedMessages;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Turns change-log entries into signed {@code sync.batch} messages, and a site's projection into
 * signed {@code sync.snapshot} chunks. Pure: no store, no broker; the caller passes the tenant's
 * active key and the hub's time.
 */
public final class SignedBatches {
    private static final Logger LOG = Logger.getLogger(SignedBatches.class.getName());

    /** Room left in every message for the envelope, the JWS header and the signature. */
    private static final int OVERHEAD = 600;

    private SignedBatches() {}

    /** One signed batch: entries {@code fromSeq..toSeq}, and the compact JWS to publish. */
    public record Signed(long fromSeq, long toSeq, String jws) {
        public byte[] bytes() {
            return jws.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * Signs {@code changes} (consecutive entries of one site's log, in seq order) as batches of at
     * most {@code maxChanges} changes and at most {@code maxBytes} signed bytes each (a single change
     * larger than that travels alone).
     */
    public static List<Signed> batches(
            String tenantSlug,
            String siteId,
            List<LoggedChange> changes,
            ECKey key,
            Instant time,
            int maxChanges,
            int maxBytes) {
        for (int i = 1; i < changes.size(); i++) {
            if (changes.get(i).seq() != changes.get(i - 1).seq() + 1) {
                throw new IllegalArgumentException("change-log entries are not consecutive at seq "
                        + changes.get(i - 1).seq() + ", " + changes.get(i).seq());
            }
        }
        int budget = rawBudget(maxBytes);
        List<Signed> signed = new ArrayList<>();
        int start = 0;
        while (start < changes.size()) {
            int end = start;
            long size = 0;
            while (end < changes.size() && end - start < maxChanges) {
                long next = estimate(changes.get(end).change());
                if (end > start && size + next > budget) {
                    break;
                }
                size += next;
                end++;
            }
            signBatch(tenantSlug, siteId, changes.subList(start, end), key, time, maxBytes, signed);
            start = end;
        }
        return signed;
    }

    private static void signBatch(
            String tenantSlug,
            String siteId,
            List<LoggedChange> part,
            ECKey key,
            Instant time,
            int maxBytes,
            List<Signed> out) {
        long from = part.getFirst().seq();
        long to = part.getLast().seq();
        SyncBatch batch = new SyncBatch(
                tenantSlug,
                siteId,
                from,
                to,
                part.stream().map(LoggedChange::change).toList());
        String jws = SignedMessages.sign(new Envelope(HubIds.next("sb"), time, batch), key);
        if (jws.length() > maxBytes && part.size() > 1) {
            // The estimate was short: split in halves until each fits.
            int half = part.size() / 2;
            signBatch(tenantSlug, siteId, part.subList(0, half), key, time, maxBytes, out);
            signBatch(tenantSlug, siteId, part.subList(half, part.size()), key, time, maxBytes, out);
            return;
        }
        if (jws.length() > maxBytes) {
            LOG.warning("site " + siteId + " change " + from + " alone signs to " + jws.length() + " bytes, above the "
                    + maxBytes + "-byte batch size; it is sent alone");
        }
        out.add(new Signed(from, to, jws));
    }

    /**
     * Signs a snapshot of a site as of {@code seq}: chunks of at most {@link SnapshotChunk#MAX_ENTITIES}
     * entities and at most {@code maxBytes} signed bytes, all with one snapshot id, the same seq and
     * count. An empty projection still makes one (empty) chunk.
     */
    public static List<String> snapshot(
            String tenantSlug, String siteId, long seq, List<Entity> entities, ECKey key, Instant time, int maxBytes) {
        String snapshotId = HubIds.next("snap");
        int budget = rawBudget(maxBytes);
        for (int attempt = 0; ; attempt++) {
            List<List<Entity>> parts = partition(entities, budget);
            List<String> chunks = new ArrayList<>(parts.size());
            boolean fits = true;
            for (int i = 0; i < parts.size(); i++) {
                SnapshotChunk chunk =
                        new SnapshotChunk(tenantSlug, siteId, snapshotId, seq, i, parts.size(), parts.get(i));
                String jws = SignedMessages.sign(new Envelope(HubIds.next("sc"), time, chunk), key);
                if (jws.length() > maxBytes && parts.get(i).size() > 1) {
                    fits = false;
                    break;
                }
                chunks.add(jws);
            }
            if (fits || attempt >= 8) {
                return chunks;
            }
            budget = budget * 3 / 4;
        }
    }

    private static List<List<Entity>> partition(List<Entity> entities, int budget) {
        List<List<Entity>> parts = new ArrayList<>();
        List<Entity> current = new ArrayList<>();
        long size = 0;
        for (Entity entity : entities) {
            long next = MessageCodec.encodeEntity(entity).length() + 2L;
            if (!current.isEmpty() && (current.size() >= SnapshotChunk.MAX_ENTITIES || size + next > budget)) {
                parts.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(entity);
            size += next;
        }
        parts.add(current);
        return parts;
    }

    /** JSON bytes that sign to at most {@code maxBytes}: base64url grows 4/3, plus header and signature. */
    private static int rawBudget(int maxBytes) {
        return Math.max(1024, (maxBytes - OVERHEAD) * 3 / 4 - OVERHEAD);
    }

    private static long estimate(Change change) {
        return switch (change) {
            case Change.Upsert upsert ->
                MessageCodec.encodeEntity(upsert.entity()).length() + 40L;
            case Change.Remove remove -> remove.key().length() + 80L;
        };
    }
}
