package dev.gatehouse.hub.ingest;

import dev.gatehouse.hub.mqtt.MqttLink;
import dev.gatehouse.hub.mqtt.PublishException;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The {@code event.ack}s to each device, at most one of them in the MQTT link at a time: the ids
 * stored while one is on its way are merged (duplicates once) into the next, which leaves when the
 * broker has taken the last. So acknowledging costs the link at most one place per device, however
 * many events arrive.
 *
 * <p>Before, every stored batch put its own ack in the link's queue. After a regional outage (5,000
 * edges reconnecting at once, each with its window of events re-sent every ack timeout) the queue
 * filled, acks were dropped, the edges sent the same events again and the hub stored nothing new:
 * 2.4 million acks were dropped in 20 minutes and the catch-up stopped (bench fleet). An ack the link
 * cannot take now (queue full, connection lost) keeps its ids for the next try, {@value #RETRY_MILLIS}
 * ms later; one refused or sent while the link closes is dropped (the edge sends those events again).
 */
final class EventAcks implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventAcks.class.getName());
    static final long RETRY_MILLIS = 200;

    private final MqttLink link;
    private final Clock clock;
    private final Map<String, DeviceAcks> devices = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("hub-event-acks").unstarted(task));

    EventAcks(MqttLink link, Clock clock) {
        this.link = link;
        this.clock = clock;
    }

    /** One device's ids waiting to be acknowledged, and whether an ack of its is in the link. */
    private static final class DeviceAcks {
        final Topic topic;
        final LinkedHashSet<String> pending = new LinkedHashSet<>();
        boolean sending;

        DeviceAcks(Topic topic) {
            this.topic = topic;
        }
    }

    /** Acknowledges {@code ids} to the device on {@code topic} (its {@code event-ack} topic). Any thread. */
    void acknowledge(Topic topic, Collection<String> ids) {
        DeviceAcks device = devices.computeIfAbsent(topic.value(), key -> new DeviceAcks(topic));
        synchronized (device) {
            device.pending.addAll(ids);
            if (device.sending) {
                return; // joins the ack after the one on its way
            }
            device.sending = true;
        }
        send(device);
    }

    /** Ids in the link or waiting, over every device (tests). */
    int waiting() {
        int waiting = 0;
        for (DeviceAcks device : devices.values()) {
            synchronized (device) {
                waiting += device.pending.size();
            }
        }
        return waiting;
    }

    private void send(DeviceAcks device) {
        List<String> ids = new ArrayList<>();
        synchronized (device) {
            Iterator<String> waiting = device.pending.iterator();
            while (waiting.hasNext() && ids.size() < EventAck.MAX_IDS) {
                ids.add(waiting.next());
                waiting.remove();
            }
            if (ids.isEmpty()) {
                device.sending = false;
                return;
            }
        }
        Envelope ack = new Envelope(HubIds.next("ea"), clock.instant(), new EventAck(List.copyOf(ids)));
        link.publish(device.topic, MessageCodec.encode(ack)).whenComplete((ok, error) -> {
            if (error == null) {
                send(device); // what arrived meanwhile
            } else if (again(error)) {
                synchronized (device) {
                    device.pending.addAll(ids);
                }
                later(device);
            } else {
                LOG.fine("an event.ack to " + device.topic + " was not sent (" + error.getMessage()
                        + "); the device sends those events again");
                send(device);
            }
        });
    }

    /** Whether an ack the link did not take is tried again: it had no room, or lost the connection. */
    private static boolean again(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof PublishException refused
                && (refused.reason() == PublishException.Reason.QUEUE_FULL
                        || refused.reason() == PublishException.Reason.CONNECTION_LOST);
    }

    private void later(DeviceAcks device) {
        try {
            retries.schedule(() -> send(device), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            synchronized (device) {
                device.sending = false;
            }
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
