package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lanes arriving messages are handled on, alone: one device's messages in arrival order, a slow
 * device holding up only its own lane, a full lane making the caller (Paho's callback thread) wait
 * instead of dropping or reordering, and a handler that throws stopping nothing.
 */
class InboundLanesTest {
    static final long WAIT_SECONDS = 30;

    final InboundLanes lanes = new InboundLanes(2, 3, "test-lane");

    @AfterEach
    void close() {
        lanes.close();
    }

    /** A key that {@code lanes} puts on a lane other than {@code key}'s. */
    String keyOnAnotherLane(String key) {
        return IntStream.range(0, 100)
                .mapToObj(i -> "dev_" + i)
                .filter(other -> lanes.laneOf(other) != lanes.laneOf(key))
                .findFirst()
                .orElseThrow();
    }

    /** Completes once every task handed in for {@code key} before it has run. */
    CompletableFuture<Void> mark(String key) throws InterruptedException {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        lanes.submit(key, () -> reached.complete(null));
        return reached;
    }

    @Test
    void oneKeysMessagesAreHandledOneAtATimeInArrivalOrder() throws Exception {
        List<Integer> handled = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            lanes.submit("dev_a", () -> handled.add(n));
        }
        mark("dev_a").get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(handled).isEqualTo(IntStream.range(0, 200).boxed().toList());
    }

    @Test
    void aSlowHandlerHoldsUpOnlyItsOwnLane() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        lanes.submit("dev_a", () -> waitFor(release));
        CompletableFuture<Void> behind = mark("dev_a");

        mark(keyOnAnotherLane("dev_a")).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(behind).isNotDone();

        release.countDown();
        behind.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void aFullLaneMakesTheCallerWaitAndThenTakesItsMessageInOrder() throws Exception {
        // Back pressure on the broker instead of a dropped or reordered message.
        CountDownLatch release = new CountDownLatch(1);
        List<String> handled = new CopyOnWriteArrayList<>();
        // the lane's capacity of three: one running, two waiting
        lanes.submit("dev_a", () -> waitFor(release));
        lanes.submit("dev_a", () -> handled.add("queued-0"));
        lanes.submit("dev_a", () -> handled.add("queued-1"));
        CompletableFuture<Void> handedIn = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                lanes.submit("dev_a", () -> handled.add("waited"));
                handedIn.complete(null);
            } catch (InterruptedException e) {
                handedIn.completeExceptionally(e);
            }
        });
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> caller.getState() == Thread.State.WAITING);
        assertThat(handedIn).isNotDone();

        release.countDown();
        handedIn.get(WAIT_SECONDS, TimeUnit.SECONDS);
        mark("dev_a").get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(handled).containsExactly("queued-0", "queued-1", "waited");
    }

    @Test
    void aHandlerThatThrowsDoesNotStopItsLane() throws Exception {
        lanes.submit("dev_a", () -> {
            throw new IllegalStateException("a broken handler");
        });
        mark("dev_a").get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void closingRunsWhatWasHandedInAndRefusesMore() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> handled = new CopyOnWriteArrayList<>();
        lanes.submit("dev_a", () -> waitFor(release));
        lanes.submit("dev_a", () -> handled.add("before close"));
        // the slow handler ends only once the lanes refuse new work, i.e. while close() waits
        String other = keyOnAnotherLane("dev_a");
        Thread.ofPlatform().start(() -> {
            await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> {
                try {
                    lanes.submit(other, () -> {});
                    return false;
                } catch (RejectedExecutionException closed) {
                    return true;
                }
            });
            release.countDown();
        });
        lanes.close(Duration.ofSeconds(WAIT_SECONDS));

        assertThat(handled).containsExactly("before close");
        assertThatThrownBy(() -> lanes.submit("dev_a", () -> handled.add("after close")))
                .isInstanceOf(RejectedExecutionException.class);
    }

    static void waitFor(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
