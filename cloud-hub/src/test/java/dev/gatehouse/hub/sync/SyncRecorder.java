package dev.gatehouse.hub.sync;

import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A fake {@link EdgeLink} and {@link EdgeDevices} for tests without a broker: records every
 * publish (and answers it accepted at once, as a broker that takes everything), and knows one
 * active device per registered site.
 */
final class SyncRecorder implements EdgeLink, EdgeDevices {
    record Published(Topic topic, String payload) {}

    private final List<Published> published = new ArrayList<>();
    private final List<Device> devices = new ArrayList<>();

    synchronized Device register(String tenantId, String slug, String siteId, String deviceId) {
        Device device = new Device(tenantId, slug, siteId, deviceId);
        devices.add(device);
        return device;
    }

    @Override
    public synchronized CompletionStage<Void> publish(Topic topic, byte[] payload) {
        published.add(new Published(topic, new String(payload, StandardCharsets.US_ASCII)));
        return CompletableFuture.completedFuture(null);
    }

    synchronized List<Published> published() {
        return List.copyOf(published);
    }

    /** What was published for one site since the last drain (everything else recorded is dropped). */
    synchronized List<Published> drain(String siteId) {
        return drain().stream().filter(p -> p.topic().site().equals(siteId)).toList();
    }

    synchronized List<Published> drain() {
        List<Published> all = List.copyOf(published);
        published.clear();
        return all;
    }

    @Override
    public synchronized Optional<Device> byTopic(Topic topic) {
        return devices.stream()
                .filter(d -> d.deviceId().equals(topic.device())
                        && d.siteId().equals(topic.site())
                        && d.tenantSlug().equals(topic.tenant()))
                .findFirst();
    }

    @Override
    public synchronized List<String> active(String tenantId, String siteId) {
        return devices.stream()
                .filter(d -> d.tenantId().equals(tenantId) && d.siteId().equals(siteId))
                .map(Device::deviceId)
                .toList();
    }
}
