package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.topic.Topic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hub's outgoing publishes between the callers and an MQTT client: a bounded queue, and a window
 * of at most {@code maxInFlight} publishes handed to the client and not yet answered by the broker
 * (until {@link #limitInFlight} sets another window: the broker's receive maximum once it is known).
 * Each publish's answer completes when the broker accepts it (its PUBACK), or fails with a {@link
 * PublishException}: the queue was full, the client or the broker refused it, the connection was lost
 * while it was in flight, or the window was abandoned first. While the transport is not ready (the
 * broker is away) publishes wait in the queue, and leave in order once it is back ({@link #wake()}).
 *
 * <p>It knows nothing of the client: a {@link Transport} hands a publish over and reports its
 * answer. Its state is touched only by the tasks of one {@link SerialQueue}, so it takes no lock;
 * offering never blocks.
 */
final class PublishWindow {
    private static final Logger LOG = Logger.getLogger(PublishWindow.class.getName());
    /** After the client said it is busy (its own in-flight limit, a connection just lost), the next try. */
    static final Duration BUSY_PAUSE = Duration.ofMillis(20);

    /** What the transport did with a publish handed to it. */
    sealed interface Handover {
        /** On its way: the answer comes later, through the {@link Answer}. */
        record Sent() implements Handover {}

        /** Not now: the same publish is handed over again after {@link #BUSY_PAUSE}. */
        record Busy() implements Handover {}

        /** Never: the publish fails with this, and the next one goes. */
        record Refused(PublishException error) implements Handover {}
    }

    /** The broker's verdict on one publish; a verdict after the first is ignored. */
    interface Answer {
        void accepted();

        void failed(PublishException error);
    }

    /** Where publishes go: an MQTT client. */
    interface Transport {
        /** True while publishes can be handed over (connected, and subscribed the first time). */
        boolean ready();

        /** Hands one publish over; for a {@link Handover.Sent} the verdict comes through {@code answer}. */
        Handover send(Topic topic, byte[] payload, Answer answer);
    }

    /** Runs a task after a delay (the link's scheduler). */
    @FunctionalInterface
    interface Timer {
        void after(Duration delay, Runnable task);
    }

    /** One publish and its answer (identity matters: it is tracked until settled). */
    private static final class Entry {
        final Topic topic;
        final byte[] payload;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Entry(Topic topic, byte[] payload) {
            this.topic = topic;
            this.payload = payload;
        }
    }

    private final String name;
    private final int capacity;
    /** The window: publishes handed over and not yet answered, at most; owned by the serial queue's tasks. */
    private int maxInFlight;

    private final Transport transport;
    private final SerialQueue serial;
    private final Timer timer;
    /** Publishes offered and not yet handed over or failed: what the capacity bounds. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Publishes offered and not yet answered, queued or in flight. */
    private final AtomicInteger unsettled = new AtomicInteger();

    private final AtomicLong dropped = new AtomicLong();
    /** New publishes are refused; queued and in-flight ones may still be accepted. */
    private volatile boolean closing;

    // Owned by the serial queue's tasks.
    private final ArrayDeque<Entry> waiting = new ArrayDeque<>();
    private final Set<Entry> inFlight = new HashSet<>();
    private final List<CompletableFuture<Void>> emptyWaiters = new ArrayList<>();
    private boolean retryPending;
    private boolean abandoned;

    /**
     * @param name what the window serves, for messages ({@code "the MQTT link to tcp://…"})
     * @param serial the executor of the window's serial queue (one thread, or {@code Runnable::run})
     */
    PublishWindow(String name, int capacity, int maxInFlight, Transport transport, Executor serial, Timer timer) {
        this.name = name;
        this.capacity = capacity;
        this.maxInFlight = maxInFlight;
        this.transport = transport;
        this.serial = new SerialQueue(serial);
        this.timer = timer;
    }

    /** Queues a publish; never blocks. A full queue or a closing window fails the answer at once. */
    CompletionStage<Void> offer(Topic topic, byte[] payload) {
        Entry entry = new Entry(topic, payload);
        if (closing) {
            entry.done.completeExceptionally(new PublishException(
                    PublishException.Reason.CLOSED, name + " is closing; nothing more is published (" + topic + ")"));
        } else if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            long count = dropped.incrementAndGet();
            if (count == 1 || count % 1000 == 0) {
                LOG.warning("outgoing queue of " + name + " full (" + capacity + " messages, ready: "
                        + transport.ready() + "); dropped a publish to " + topic + " (" + count
                        + " dropped so far; the protocol recovers them)");
            }
            entry.done.completeExceptionally(new PublishException(
                    PublishException.Reason.QUEUE_FULL,
                    "the outgoing queue of " + name + " is full (" + capacity + " messages); not published to "
                            + topic));
        } else {
            unsettled.incrementAndGet();
            inOrder(() -> enqueue(entry));
        }
        return entry.done.minimalCompletionStage();
    }

    /** The transport may be ready now (a connection, a subscription): what waits is handed over. */
    void wake() {
        inOrder(this::pump);
    }

    /**
     * Sets the window to {@code maxInFlight} (at least 1): the link learns the broker's receive maximum
     * from its CONNACK. Publishes already in flight beyond a smaller window stay in flight; a larger
     * one hands over what waits at once.
     */
    void limitInFlight(int maxInFlight) {
        int limit = Math.max(1, maxInFlight);
        inOrder(() -> {
            this.maxInFlight = limit;
            pump();
        });
    }

    /** The window now (tests; read through the serial queue, so a {@link #limitInFlight} before it is seen). */
    CompletionStage<Integer> inFlightLimit() {
        CompletableFuture<Integer> limit = new CompletableFuture<>();
        inOrder(() -> limit.complete(maxInFlight));
        return limit;
    }

    /** Publishes queued or in flight whose answer is not yet complete. */
    int unsettled() {
        return unsettled.get();
    }

    /** New publishes fail at once ({@link PublishException.Reason#CLOSED}); those offered before go on. */
    void close() {
        closing = true;
    }

    /** Completes once no publish is queued or in flight. */
    CompletableFuture<Void> whenEmpty() {
        CompletableFuture<Void> empty = new CompletableFuture<>();
        inOrder(() -> {
            emptyWaiters.add(empty);
            settledAll();
        });
        return empty;
    }

    /**
     * Stops handing publishes over and fails every one still unanswered ({@link
     * PublishException.Reason#CLOSED}); a verdict that comes later is ignored. Completes when done.
     */
    CompletableFuture<Void> abandon() {
        close();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            serial.execute(() -> {
                abandoned = true;
                List<Entry> left = new ArrayList<>(waiting);
                left.addAll(inFlight);
                queued.addAndGet(-waiting.size());
                waiting.clear();
                inFlight.clear();
                left.forEach(entry -> settle(entry, closedBefore(entry)));
                done.complete(null);
            });
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
        return done;
    }

    private PublishException closedBefore(Entry entry) {
        return new PublishException(
                PublishException.Reason.CLOSED,
                name + " closed before the broker accepted a publish to " + entry.topic);
    }

    private void enqueue(Entry entry) {
        if (abandoned) {
            queued.decrementAndGet();
            settle(entry, closedBefore(entry));
            return;
        }
        waiting.addLast(entry);
        pump();
    }

    /** Hands over what waits, in order, while the transport is ready and the window has room. */
    private void pump() {
        while (!abandoned && inFlight.size() < maxInFlight && !waiting.isEmpty() && transport.ready()) {
            Entry next = waiting.peekFirst();
            switch (handOver(next)) {
                case Handover.Sent sent -> {
                    waiting.pollFirst();
                    queued.decrementAndGet();
                    inFlight.add(next);
                }
                case Handover.Busy busy -> {
                    retryLater();
                    return;
                }
                case Handover.Refused refused -> {
                    waiting.pollFirst();
                    queued.decrementAndGet();
                    LOG.warning(refused.error().getMessage() + "; dropped");
                    settle(next, refused.error());
                }
            }
        }
    }

    private Handover handOver(Entry entry) {
        try {
            return transport.send(entry.topic, entry.payload, new Answer() {
                @Override
                public void accepted() {
                    inOrder(() -> answered(entry, null));
                }

                @Override
                public void failed(PublishException error) {
                    inOrder(() -> answered(entry, error));
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "publish to " + entry.topic + " failed; dropped", e);
            return new Handover.Refused(new PublishException(
                    PublishException.Reason.REFUSED, "publish to " + entry.topic + " failed: " + e, e));
        }
    }

    private void retryLater() {
        if (retryPending) {
            return;
        }
        retryPending = true;
        timer.after(
                BUSY_PAUSE,
                () -> inOrder(() -> {
                    retryPending = false;
                    pump();
                }));
    }

    /** The broker's verdict on a publish in flight; a repeat, or one after {@link #abandon()}, is ignored. */
    private void answered(Entry entry, PublishException error) {
        if (!inFlight.remove(entry)) {
            return;
        }
        if (error != null) {
            LOG.warning(error.getMessage());
        }
        settle(entry, error);
        pump();
    }

    private void settle(Entry entry, PublishException error) {
        boolean first = error == null ? entry.done.complete(null) : entry.done.completeExceptionally(error);
        if (first) {
            unsettled.decrementAndGet();
            settledAll();
        }
    }

    private void settledAll() {
        if (waiting.isEmpty() && inFlight.isEmpty() && !emptyWaiters.isEmpty()) {
            emptyWaiters.forEach(empty -> empty.complete(null));
            emptyWaiters.clear();
        }
    }

    /** Runs the task on the serial queue; once the queue is shut down there is nothing left to do. */
    private void inOrder(Runnable task) {
        try {
            serial.execute(task);
        } catch (RejectedExecutionException e) {
            // the link is closed: abandon() has answered every publish
        }
    }
}
