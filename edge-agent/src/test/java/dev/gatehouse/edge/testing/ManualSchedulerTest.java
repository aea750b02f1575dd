package dev.gatehouse.edge.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The deterministic scheduler other tests lean on. If it ran a task early, late, twice or out of
 * order, every timing test built on it would pass or fail for the wrong reason.
 */
class ManualSchedulerTest {
    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Nested
    class DelayedTasks {
        @Test
        void delayedTaskRunsOnlyWhenTimeReachesItsDueTime() {
            // A relock timer that fired early would cut a member's unlock pulse short.
            scheduler.schedule(() -> log.add("relock"), 5, TimeUnit.SECONDS);

            scheduler.advanceBy(Duration.ofMillis(4_999));
            assertThat(log).isEmpty();
            scheduler.advanceBy(Duration.ofMillis(1));
            assertThat(log).containsExactly("relock");
        }

        @Test
        void taskSeesTheClockAtItsOwnDueTimeNotAtTheEndOfTheAdvance() {
            // Relay transitions are stamped with the clock: they must carry the scheduled instant.
            List<Instant> seen = new CopyOnWriteArrayList<>();
            scheduler.schedule(() -> seen.add(clock.instant()), 5, TimeUnit.SECONDS);

            scheduler.advanceBy(Duration.ofMinutes(1));

            assertThat(seen).containsExactly(START.plusSeconds(5));
            assertThat(clock.instant()).isEqualTo(START.plusSeconds(60));
        }

        @Test
        void tasksRunInDueOrderAndFirstSubmittedFirstAmongEqualTimes() {
            // Deterministic order is the point: the same test must see the same interleaving every run.
            scheduler.schedule(() -> log.add("b@2s"), 2, TimeUnit.SECONDS);
            scheduler.schedule(() -> log.add("a@1s"), 1, TimeUnit.SECONDS);
            scheduler.schedule(() -> log.add("c@2s"), 2, TimeUnit.SECONDS);

            scheduler.advanceBy(Duration.ofSeconds(3));

            assertThat(log).containsExactly("a@1s", "b@2s", "c@2s");
        }

        @Test
        void taskScheduledByATaskRunsInTheSameAdvanceWhenItFallsDueWithinIt() {
            // A boundary timer that schedules the next boundary must keep firing across a long advance.
            scheduler.schedule(
                    () -> {
                        log.add("first");
                        scheduler.schedule(() -> log.add("second"), 1, TimeUnit.SECONDS);
                    },
                    1,
                    TimeUnit.SECONDS);

            scheduler.advanceBy(Duration.ofSeconds(2));

            assertThat(log).containsExactly("first", "second");
        }

        @Test
        void cancelledTaskNeverRuns() {
            // Extending an unlock cancels the old relock; a cancelled relock that still ran would lock early.
            ScheduledFuture<?> relock = scheduler.schedule(() -> log.add("relock"), 5, TimeUnit.SECONDS);

            relock.cancel(false);
            scheduler.advanceBy(Duration.ofSeconds(10));

            assertThat(log).isEmpty();
            assertThat(scheduler.pendingTasks()).isZero();
        }

        @Test
        void delayFollowsTheClock() {
            ScheduledFuture<?> task = scheduler.schedule(() -> {}, 5, TimeUnit.SECONDS);

            clock.advance(Duration.ofSeconds(2));

            assertThat(task.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(3_000);
            assertThat(scheduler.nextDueTime()).contains(START.plusSeconds(5));
        }

        @Test
        void movingTheClockDirectlyRunsNothingUntilAskedTo() {
            // Documented behaviour: only the scheduler runs tasks, so a test knows exactly when they run.
            scheduler.schedule(() -> log.add("due"), 1, TimeUnit.SECONDS);

            clock.advance(Duration.ofSeconds(5));
            assertThat(log).isEmpty();
            scheduler.runDueTasks();
            assertThat(log).containsExactly("due");
        }

        @Test
        void timeNeverMovesBackwards() {
            assertThatThrownBy(() -> scheduler.advanceTo(START.minusSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> scheduler.advanceBy(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class ImmediateTasks {
        @Test
        void taskWithoutDelayHasRunWhenSubmitReturns() throws Exception {
            // Callers' futures are complete without any advance, so tests read results directly.
            Future<String> result = scheduler.submit(() -> "done");

            assertThat(result).isDone();
            assertThat(result.get()).isEqualTo("done");
        }

        @Test
        void taskSubmittedFromATaskRunsAfterItNotInsideIt() {
            // A serial queue never nests: the inner task must see the outer one finished.
            scheduler.execute(() -> {
                log.add("outer start");
                scheduler.execute(() -> log.add("inner"));
                log.add("outer end");
            });

            assertThat(log).containsExactly("outer start", "outer end", "inner");
        }

        @Test
        void taskMayNotMoveTime() {
            scheduler.execute(() -> scheduler.advanceBy(Duration.ofSeconds(1)));

            assertThat(scheduler.failures()).singleElement().isInstanceOf(IllegalStateException.class);
            assertThat(clock.instant()).isEqualTo(START);
        }
    }

    @Nested
    class PeriodicTasks {
        @Test
        void fixedRateTaskRunsOncePerPeriodCoveredByAnAdvance() {
            List<Instant> runs = new CopyOnWriteArrayList<>();
            scheduler.scheduleAtFixedRate(() -> runs.add(clock.instant()), 1, 1, TimeUnit.MINUTES);

            scheduler.advanceBy(Duration.ofMinutes(3));

            assertThat(runs)
                    .containsExactly(
                            START.plus(Duration.ofMinutes(1)),
                            START.plus(Duration.ofMinutes(2)),
                            START.plus(Duration.ofMinutes(3)));
        }

        @Test
        void fixedDelayTaskStopsWhenCancelled() {
            ScheduledFuture<?> ticker =
                    scheduler.scheduleWithFixedDelay(() -> log.add("tick"), 0, 10, TimeUnit.SECONDS);
            assertThat(log).containsExactly("tick");

            ticker.cancel(false);
            scheduler.advanceBy(Duration.ofMinutes(1));

            assertThat(log).containsExactly("tick");
        }

        @Test
        void periodicTaskThatThrowsIsNotRunAgainAndItsFailureIsKept() {
            // The JDK would swallow this into a future nobody reads; here the test can see it.
            scheduler.scheduleAtFixedRate(
                    () -> {
                        log.add("run");
                        throw new IllegalStateException("boom");
                    },
                    1,
                    1,
                    TimeUnit.SECONDS);

            scheduler.advanceBy(Duration.ofSeconds(5));

            assertThat(log).containsExactly("run");
            assertThat(scheduler.failures())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .isEqualTo("boom");
        }

        @Test
        void nonPositivePeriodIsRefused() {
            assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(() -> {}, 0, 0, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Failures {
        @Test
        void exceptionFromAnExecutedTaskIsRecorded() {
            // execute() has no future: without this record, a crashing door task would go unnoticed.
            scheduler.execute(() -> {
                throw new IllegalArgumentException("bad");
            });

            assertThat(scheduler.failures())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .isEqualTo("bad");
        }

        @Test
        void exceptionFromASubmittedTaskAlsoReachesItsFuture() {
            Future<?> failed = scheduler.submit(() -> {
                throw new IllegalStateException("nope");
            });

            assertThatThrownBy(failed::get)
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("nope");
            assertThat(scheduler.failures()).hasSize(1);
        }
    }

    @Nested
    class Shutdown {
        @Test
        void shutdownRejectsNewTasksButRunsDelayedOnesAndCancelsPeriodicOnes() {
            // The same defaults as ScheduledThreadPoolExecutor, so code behaves the same in tests and production.
            scheduler.schedule(() -> log.add("one-shot"), 1, TimeUnit.SECONDS);
            ScheduledFuture<?> periodic = scheduler.scheduleAtFixedRate(() -> log.add("tick"), 1, 1, TimeUnit.SECONDS);

            scheduler.shutdown();

            assertThatThrownBy(() -> scheduler.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
            assertThat(periodic.isCancelled()).isTrue();
            assertThat(scheduler.isTerminated()).isFalse();
            scheduler.advanceBy(Duration.ofSeconds(5));
            assertThat(log).containsExactly("one-shot");
            assertThat(scheduler.isTerminated()).isTrue();
            assertThat(scheduler.awaitTermination(1, TimeUnit.SECONDS)).isTrue();
        }

        @Test
        void shutdownNowHandsBackTheTasksThatNeverRan() {
            scheduler.schedule(() -> log.add("never"), 1, TimeUnit.SECONDS);

            List<Runnable> never = scheduler.shutdownNow();
            scheduler.advanceBy(Duration.ofSeconds(5));

            assertThat(never).hasSize(1);
            assertThat(log).isEmpty();
            assertThat(scheduler.isShutdown()).isTrue();
            assertThat(scheduler.isTerminated()).isTrue();
        }

        @Test
        void blockingBulkOperationsAreRefusedWithAReason() {
            assertThatThrownBy(() -> scheduler.invokeAll(List.of(() -> 1)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("advance time");
        }
    }

    @Nested
    class Clock {
        @Test
        void clockInAnotherZoneSharesTheSameTime() {
            java.time.Clock berlin = clock.withZone(java.time.ZoneId.of("Europe/Berlin"));

            clock.advance(Duration.ofHours(1));

            assertThat(berlin.instant()).isEqualTo(START.plus(Duration.ofHours(1)));
        }

        @Test
        void clockDoesNotAdvanceBackwardsButCanBeSetThere() {
            // set() exists for NTP-step scenarios; advance() guards against sign slips in tests.
            assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);

            clock.set(START.minusSeconds(60));

            assertThat(clock.instant()).isEqualTo(START.minusSeconds(60));
        }
    }
}
