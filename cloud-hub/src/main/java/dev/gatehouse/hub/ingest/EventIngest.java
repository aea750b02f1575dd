package dev.gatehouse.hub.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.bookings.SiteFeatures;
import dev.gatehouse.hub.credentials.VisitorPassUses;
import dev.gatehouse.hub.devices.DeviceRef;
import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.hub.external.ExternalAccessStore;
import dev.gatehouse.hub.kiosk.KioskSignIns;
import dev.gatehouse.hub.mqtt.MqttLink;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.plans.PassDays;
import dev.gatehouse.hub.rooms.RoomStateStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.ReplicaNotices;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What edges send on {@code events} and {@code state}. Every message is checked before it is stored:
 * the payload must read with {@link Inbound#read} (type on its channel, site and device the topic's)
 * and the topic must name an active device registered at that tenant and site ({@link
 * Devices#byTopic}; for events, looked up once per device per batch, when the batch is stored). What
 * fails is logged with the reason and dropped: not stored, not acknowledged.
 *
 * <p>Events queue up and one writer thread stores them in batches (one transaction for up to
 * {@value #BATCH} events, idempotent by tenant, device and id), then acknowledges every id of the
 * batch, duplicates included, per device through {@link EventAcks} (at most one {@code event.ack} per
 * device in the MQTT link; what is stored meanwhile joins the next). A store failure acknowledges nothing:
 * the edge sends again. {@code device.state} updates the device's row (the last will arrives as
 * health {@code offline}).
 */
public final class EventIngest implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventIngest.class.getName());
    static final int BATCH = 500;
    private static final int QUEUE = 20_000;
    private static final KeySet NO_KEYS = KeySet.of(List.of());

    private final Database database;
    private final Clock clock;
    private final Devices devices;
    private final MqttLink link;
    private final IngestSignal signal;
    private final BlockingQueue<Decoded> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;
    private final EventAcks acks;
    private volatile boolean closed;

    private record Received(DeviceRef device, Envelope event) {}

    /** An event read from its topic, its device not checked yet. */
    private record Decoded(Topic topic, Envelope event) {}

    public EventIngest(Database database, Clock clock, Devices devices, MqttLink link, IngestSignal signal) {
        this.database = database;
        this.clock = clock;
        this.devices = devices;
        this.link = link;
        this.signal = signal;
        this.acks = new EventAcks(link, clock);
        this.writer = new Thread(this::write, "hub-event-ingest");
        this.writer.setDaemon(true);
    }

    /** Registers the handlers for {@code events} and {@code state} and starts the writer. */
    public void register() {
        link.onMessage(Channel.EVENTS, this::onEvent);
        link.onMessage(Channel.STATE, this::onState);
        writer.start();
    }

    /** The active device {@code topic} names at its tenant and site; empty (after logging why) if none. */
    private Optional<DeviceRef> sender(Topic topic) {
        Optional<DeviceRef> device = devices.byTopic(topic);
        if (device.isEmpty()) {
            LOG.warning("dropped a message on " + topic
                    + ": no active device with that id is registered at that tenant and site");
        }
        return device;
    }

    /** Reads and checks one message; empty (after logging why) when it is to be dropped. */
    private Optional<Received> check(Topic topic, byte[] payload) {
        Optional<DeviceRef> device = sender(topic);
        if (device.isEmpty()) {
            return Optional.empty();
        }
        try {
            Envelope envelope = Inbound.read(topic, payload, NO_KEYS, clock.instant(), ClockStatus.TRUSTED);
            return Optional.of(new Received(device.get(), envelope));
        } catch (ProtocolException e) {
            LOG.warning("dropped a message on " + topic + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Decodes the event on the link's thread and queues it; the writer checks its device, once per
     * device per batch (a lookup per event on the link's one thread was the ingest's bottleneck).
     */
    void onEvent(Topic topic, byte[] payload) throws InterruptedException {
        Envelope event;
        try {
            event = Inbound.read(topic, payload, NO_KEYS, clock.instant(), ClockStatus.TRUSTED);
        } catch (ProtocolException e) {
            LOG.warning("dropped a message on " + topic + ": " + e.getMessage());
            return;
        }
        // Waits when the writer is far behind: back pressure onto the broker, nothing dropped.
        while (!closed && !queue.offer(new Decoded(topic, event), 1, TimeUnit.SECONDS)) {
            LOG.warning("event ingest queue full; waiting");
        }
    }

    void onState(Topic topic, byte[] payload) {
        Optional<Received> received = check(topic, payload);
        if (received.isEmpty()) {
            return;
        }
        DeviceRef device = received.get().device();
        DeviceState state = received.get().event().payloadAs(DeviceState.class);
        String problems;
        try {
            problems = Json.MAPPER.writeValueAsString(state.problems());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try {
            database.run(c -> {
                SiteFeatures.Reads before = SiteFeatures.reads(c, device.tenantId(), device.siteId());
                // NULL until the device's first state report.
                Optional<String> healthBefore = Sql.one(
                                c,
                                "SELECT health FROM devices WHERE id = ? AND tenant_id = ?",
                                row -> Optional.ofNullable(row.getString(1)),
                                device.deviceId(),
                                device.tenantId())
                        .flatMap(health -> health);
                presence(c, device, healthBefore, state, received.get().event().time());
                Sql.update(
                        c,
                        "UPDATE devices SET acked_seq = ?, clock = ?, health = ?, outbox_depth = ?, problems = ?,"
                                + " version = ?, features = ?, state_at = ?, last_seen_at = ? WHERE id = ? AND tenant_id = ?",
                        state.cacheSeq(),
                        state.clock(),
                        state.health(),
                        state.outboxDepth(),
                        problems,
                        state.agentVersion(),
                        String.join(",", state.features()),
                        received.get().event().time(),
                        clock.millis(),
                        device.deviceId(),
                        device.tenantId());
                RoomStateStore.record(
                        c,
                        device.tenantId(),
                        device.siteId(),
                        device.deviceId(),
                        state,
                        received.get().event().time(),
                        clock.millis());
                SiteFeatures.catchUp(c, device.tenantId(), device.siteId(), before, clock.instant());
            });
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "could not record the state of device " + device.deviceId(), e);
        }
    }

    private void write() {
        while (!closed) {
            List<Decoded> decoded = new ArrayList<>();
            try {
                Decoded first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                decoded.add(first);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(decoded, BATCH - 1);
            List<Received> batch = new ArrayList<>(decoded.size());
            try {
                Map<String, Optional<DeviceRef>> senders = new HashMap<>();
                for (Decoded event : decoded) {
                    Topic topic = event.topic();
                    Optional<DeviceRef> device = senders.computeIfAbsent(
                            topic.tenant() + "/" + topic.site() + "/" + topic.device(), key -> sender(topic));
                    device.ifPresent(d -> batch.add(new Received(d, event.event())));
                }
                if (batch.isEmpty()) {
                    continue;
                }
                store(batch);
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "could not store " + decoded.size() + " events; none acknowledged, the edges send them again",
                        e);
            }
        }
    }

    /** Stores a batch in one transaction, then acknowledges per device. */
    private void store(List<Received> batch) {
        Map<String, List<Received>> byDevice = new LinkedHashMap<>();
        for (Received received : batch) {
            byDevice.computeIfAbsent(received.device().deviceId(), k -> new ArrayList<>())
                    .add(received);
        }
        long now = clock.millis();
        int fresh = database.write(c -> {
            int stored = 0;
            for (List<Received> events : byDevice.values()) {
                stored += insert(c, events, now);
            }
            if (stored > 0) {
                // Other replicas' live feeds read them at once (PostgreSQL; nothing on SQLite).
                database.notifyReplicas(c, ReplicaNotices.INGEST, "events");
            }
            return stored;
        });
        if (fresh > 0) {
            signal.fire();
        }
        for (List<Received> events : byDevice.values()) {
            acknowledge(events);
        }
    }

    private static int insert(Connection c, List<Received> events, long now) throws SQLException {
        DeviceRef device = events.getFirst().device();
        List<Envelope> access = new ArrayList<>();
        List<Envelope> doors = new ArrayList<>();
        List<Envelope> bookings = new ArrayList<>();
        List<Envelope> kiosks = new ArrayList<>();
        for (Received received : events) {
            switch (received.event().payload()) {
                case AccessEvent ignored -> access.add(received.event());
                case DoorEvent ignored -> doors.add(received.event());
                case BookingEvent ignored -> bookings.add(received.event());
                case KioskEvent ignored -> kiosks.add(received.event());
                default -> {} // Inbound.read allows only these four on the events channel
            }
        }
        List<String> fresh =
                AccessLogStore.insert(c, device.tenantId(), device.siteId(), device.deviceId(), access, now);
        int stored = fresh.size();
        Set<String> freshIds = Set.copyOf(fresh);
        // The batch's outbox events go in at the end with one head bump; the tenant's links to other
        // platforms are looked up only when it has any.
        List<Outbox.Pending> outbox = new ArrayList<>();
        boolean linked = !fresh.isEmpty() && ExternalAccessStore.anyLinks(c, device.tenantId());
        for (Envelope envelope : access) {
            if (freshIds.contains(envelope.id())) {
                AccessEvent event = envelope.payloadAs(AccessEvent.class);
                outbox.add(new Outbox.Pending(
                        event.granted() ? EventType.ACCESS_GRANTED : EventType.ACCESS_DENIED,
                        Optional.of(envelope.id()),
                        OptionalLong.empty(),
                        new AccessWebhook(
                                envelope.id(),
                                device.siteId(),
                                event.door().value(),
                                device.deviceId(),
                                envelope.time().toString(),
                                event.granted(),
                                event.member().map(m -> m.value()).orElse(null),
                                event.credential().map(id -> id.value()).orElse(null),
                                WireNames.wire(event.presented()),
                                event.basis().map(WireNames::wire).orElse(null),
                                event.reason().map(WireNames::wire).orElse(null),
                                linked ? externalIds(c, device.tenantId(), event) : null)));
            }
        }
        // The ingest's hot path (the sync benchmark measures it): one statement for the whole batch,
        // executed row by row because each row's count says whether it was new. Sql.batch cannot
        // answer per-row counts, so this stays plain JDBC.
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO door_events (id, tenant_id, site_id, door_id,"
                + " device_id, at, kind, detail, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (tenant_id, device_id, id) DO NOTHING")) {
            for (Envelope envelope : doors) {
                DoorEvent event = envelope.payloadAs(DoorEvent.class);
                insert.setString(1, envelope.id());
                insert.setString(2, device.tenantId());
                insert.setString(3, device.siteId());
                insert.setString(4, event.door().value());
                insert.setString(5, device.deviceId());
                insert.setLong(6, envelope.time().toEpochMilli());
                insert.setString(7, event.kind().name());
                insert.setString(8, event.detail().orElse(null));
                insert.setLong(9, now);
                int inserted = insert.executeUpdate();
                stored += inserted;
                Optional<EventType> alarm =
                        switch (event.kind()) {
                            case FORCED_OPEN -> Optional.of(EventType.DOOR_FORCED_OPEN);
                            case HELD_OPEN -> Optional.of(EventType.DOOR_HELD_OPEN);
                            default -> Optional.empty();
                        };
                if (inserted == 1 && alarm.isPresent()) {
                    outbox.add(new Outbox.Pending(
                            alarm.get(),
                            Optional.of(envelope.id()),
                            OptionalLong.empty(),
                            new DoorWebhook(
                                    envelope.id(),
                                    device.siteId(),
                                    event.door().value(),
                                    device.deviceId(),
                                    envelope.time().toString(),
                                    WireNames.wire(event.kind()),
                                    event.detail().orElse(null))));
                }
            }
        }
        Outbox.emitAll(c, device.tenantId(), outbox, Instant.ofEpochMilli(now));
        // After the entries' own events: what an entry caused (a pass's day spent, a visitor's arrival
        // and a single-use pass spent site-wide) comes after it in the outbox too.
        for (Envelope envelope : access) {
            if (freshIds.contains(envelope.id())) {
                PassDays.count(
                        c, device.tenantId(), device.siteId(), device.deviceId(), envelope, Instant.ofEpochMilli(now));
                VisitorPassUses.record(
                        c, device.tenantId(), device.siteId(), device.deviceId(), envelope, Instant.ofEpochMilli(now));
            }
        }
        // After the access events: a check-in's tap is stored before the check-in it caused.
        for (Envelope envelope : bookings) {
            stored += BookingReports.apply(c, device, envelope, Instant.ofEpochMilli(now));
        }
        // Kiosk sign-ins once per tenant and event id (the edge made the id), their outbox events with them.
        for (Envelope envelope : kiosks) {
            if (KioskSignIns.insert(c, device.tenantId(), device.deviceId(), envelope, Instant.ofEpochMilli(now))) {
                stored++;
            }
        }
        return stored;
    }

    /**
     * A device coming online (its first state, or its first after its last will) or going offline (its
     * last will), as an outbox event in the state's transaction.
     */
    private void presence(Connection c, DeviceRef device, Optional<String> before, DeviceState state, Instant at)
            throws SQLException {
        boolean wasOffline = before.isEmpty() || before.get().equals(Health.OFFLINE.name());
        boolean offline = state.health() == Health.OFFLINE;
        if (wasOffline == offline) {
            return;
        }
        Outbox.emit(
                c,
                device.tenantId(),
                offline ? EventType.DEVICE_OFFLINE : EventType.DEVICE_ONLINE,
                device.deviceId(),
                new DeviceWebhook(device.deviceId(), device.siteId(), at.toString(), state.agentVersion()),
                clock.instant());
    }

    /** A device's presence as its webhook carries it. */
    public record DeviceWebhook(String deviceId, String siteId, String at, String agentVersion) {}

    /** An access decision as its webhook carries it (written in the ingest's transaction). */
    public record AccessWebhook(
            String eventId,
            String siteId,
            String doorId,
            String deviceId,
            String at,
            boolean granted,
            String memberId,
            String credentialId,
            String presented,
            String basis,
            String reason,
            Map<String, String> externalIds) {}

    /**
     * The member's ids at other platforms that drive their access ({@code {"nexudus": "4539cf82-…"}}),
     * so a platform matches the entry to its own person; null (left out) when there is none.
     */
    private static Map<String, String> externalIds(Connection c, String tenantId, AccessEvent event)
            throws SQLException {
        if (event.member().isEmpty()) {
            return null;
        }
        Map<String, String> ids = new TreeMap<>();
        for (String[] link : ExternalAccessStore.externalIds(
                c, tenantId, event.member().get().value())) {
            ids.put(link[0], link[1]);
        }
        return ids.isEmpty() ? null : ids;
    }

    /** A door alarm as its webhook carries it. */
    public record DoorWebhook(
            String eventId, String siteId, String doorId, String deviceId, String at, String kind, String detail) {}

    private void acknowledge(List<Received> events) {
        DeviceRef device = events.getFirst().device();
        Set<String> unique = new LinkedHashSet<>();
        for (Received received : events) {
            unique.add(received.event().id());
        }
        acks.acknowledge(Topic.of(device.tenantSlug(), device.siteId(), device.deviceId(), Channel.EVENT_ACK), unique);
    }

    @Override
    public void close() {
        closed = true;
        acks.close();
        writer.interrupt();
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
