package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The serial queue the publish window's state lives on: one task at a time, in order, never nested. */
class SerialQueueTest {
    @Test
    void aTaskHandedInFromATaskRunsRightAfterItNotInsideIt() {
        List<String> ran = new ArrayList<>();
        SerialQueue queue = new SerialQueue(Runnable::run);
        queue.execute(() -> {
            ran.add("first starts");
            queue.execute(() -> ran.add("second"));
            ran.add("first ends");
        });
        queue.execute(() -> ran.add("third"));
        assertThat(ran).containsExactly("first starts", "first ends", "second", "third");
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheOnesAfterIt() {
        List<String> ran = new ArrayList<>();
        SerialQueue queue = new SerialQueue(Runnable::run);
        queue.execute(() -> {
            queue.execute(() -> ran.add("after"));
            throw new IllegalStateException("a broken task");
        });
        queue.execute(() -> ran.add("later"));
        assertThat(ran).containsExactly("after", "later");
    }

    @Test
    void tasksHandedInFromManyThreadsNeverOverlapAndEachThreadsKeepTheirOrder() throws Exception {
        // The window's state has no lock: this is what makes that safe.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            SerialQueue queue = new SerialQueue(pool);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            List<List<Integer>> seen = new ArrayList<>(); // touched only by the queue's tasks
            for (int c = 0; c < 4; c++) {
                seen.add(new ArrayList<>());
            }
            int perCaller = 5_000;
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> handedIn = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int caller = c;
                handedIn.add(CompletableFuture.runAsync(
                        () -> {
                            SerialQueueTest.await(go);
                            for (int i = 0; i < perCaller; i++) {
                                int n = i;
                                queue.execute(() -> {
                                    if (running.incrementAndGet() != 1) {
                                        overlaps.incrementAndGet();
                                    }
                                    seen.get(caller).add(n);
                                    running.decrementAndGet();
                                });
                            }
                        },
                        callers));
            }
            go.countDown();
            CompletableFuture.allOf(handedIn.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            CompletableFuture<List<List<Integer>>> done = new CompletableFuture<>();
            queue.execute(() -> done.complete(seen.stream().map(List::copyOf).toList()));

            List<List<Integer>> result = done.get(30, TimeUnit.SECONDS);
            assertThat(overlaps).hasValue(0);
            for (List<Integer> one : result) {
                assertThat(one).hasSize(perCaller).isSorted();
            }
        } finally {
            callers.shutdownNow();
            pool.shutdownNow();
        }
    }

    @Test
    void aShutDownExecutorRefusesAndTheQueueDropsWhatWaited() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.shutdown();
        SerialQueue queue = new SerialQueue(pool);
        assertThatThrownBy(() -> queue.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
        // the queue is not stuck holding the refused task: the next hand-in tries the executor again
        assertThatThrownBy(() -> queue.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
