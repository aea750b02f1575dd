package dev.gatehouse.edge.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A deterministic {@link ScheduledExecutorService} for tests: it owns no thread, and time moves
 * only when the test says so. It plays a single-threaded executor (a door's serial queue, say)
 * over a {@link MutableClock}.
 *
 * <ul>
 *   <li>A task that is due when submitted ({@link #execute}, {@link #submit}, or a delay of zero
 *       or less) runs at once, on the submitting thread, before the call returns. A task submitted
 *       from inside a running task is queued and runs right after it: tasks never nest and never
 *       overlap, also when several threads submit (they take turns).
 *   <li>A delayed task runs when {@link #advanceBy(Duration)} or {@link #advanceTo(Instant)} moves
 *       time past its due time. Tasks run in due-time order, first-submitted first among equal
 *       times, and the clock is set to each task's due time while it runs, so a task reads exactly
 *       the instant it was scheduled for. Moving the {@link MutableClock} directly runs nothing; call
 *       {@link #runDueTasks()} then.
 *   <li>Periodic tasks run once per period covered by an advance. As in the JDK, a periodic task
 *       that throws is not run again.
 *   <li>An exception thrown by any task is recorded in {@link #failures()} (the JDK would only keep
 *       it in a future nobody may look at), besides completing that task's future exceptionally.
 *   <li>{@link #shutdown()} behaves like {@code ScheduledThreadPoolExecutor}'s defaults: new tasks
 *       are rejected, delayed one-shot tasks still run when their time comes, periodic tasks are
 *       cancelled. {@link #awaitTermination} never waits: it answers {@link #isTerminated()}.
 *   <li>{@code invokeAll} and {@code invokeAny} block for results by design and are not supported.
 * </ul>
 */
public final class ManualScheduler implements ScheduledExecutorService {
    private final MutableClock clock;
    /** Held while tasks run: one task at a time, and re-entrant submits are queued, not nested. */
    private final ReentrantLock runLock = new ReentrantLock();

    private final Object stateLock = new Object();
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private long nextSequence;
    private boolean shutdown;

    public ManualScheduler(MutableClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The clock this scheduler moves. */
    public MutableClock clock() {
        return clock;
    }

    /** Moves time forward by {@code step}, running every task that falls due on the way. */
    public void advanceBy(Duration step) {
        if (step.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, not by " + step);
        }
        advanceTo(clock.instant().plus(step));
    }

    /** Moves time forward to {@code target}, running every task due at or before it, in order. */
    public void advanceTo(Instant target) {
        if (target.isBefore(clock.instant())) {
            throw new IllegalArgumentException(
                    "time only moves forward: " + target + " is before the clock's " + clock.instant());
        }
        if (runLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("a task may not move time; advance from the test instead");
        }
        runUntil(target);
        if (clock.instant().isBefore(target)) {
            clock.set(target);
        }
    }

    /** Runs the tasks that are due at the clock's current instant (after the clock was moved directly). */
    public void runDueTasks() {
        if (runLock.isHeldByCurrentThread()) {
            return; // the outer run loop picks them up
        }
        runUntil(clock.instant());
    }

    /** How many tasks are waiting (periodic ones count once). */
    public int pendingTasks() {
        synchronized (stateLock) {
            return (int) queue.stream().filter(task -> !task.isDone()).count();
        }
    }

    /** When the next waiting task is due, if any. */
    public Optional<Instant> nextDueTime() {
        synchronized (stateLock) {
            return queue.stream()
                    .filter(task -> !task.isDone())
                    .map(task -> task.due)
                    .min(Instant::compareTo);
        }
    }

    /** Every exception a task has thrown so far, oldest first. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        return enqueue(new Task<Void>(Executors.callable(command, null), due(delay, unit), null, false));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        return enqueue(new Task<>(callable, due(delay, unit), null, false));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return enqueue(periodic(command, initialDelay, period, unit, true));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return enqueue(periodic(command, initialDelay, delay, unit, false));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        return schedule(Executors.callable(task, result), 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
        synchronized (stateLock) {
            shutdown = true;
            for (Task<?> task : queue) {
                if (task.isPeriodic()) {
                    task.cancel(false);
                }
            }
        }
    }

    /** Stops everything: returns the tasks that never ran (not cancelled, as in the JDK). */
    @Override
    public List<Runnable> shutdownNow() {
        synchronized (stateLock) {
            shutdown = true;
            List<Runnable> never = new ArrayList<>();
            for (Task<?> task : queue) {
                if (!task.isDone()) {
                    never.add(task);
                }
            }
            queue.clear();
            return never;
        }
    }

    @Override
    public boolean isShutdown() {
        synchronized (stateLock) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        synchronized (stateLock) {
            return shutdown && queue.stream().allMatch(Task::isDone) && !runLock.isLocked();
        }
    }

    /** Never waits: nothing happens here until the test advances time. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
        throw blocking("invokeAll");
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
        throw blocking("invokeAll");
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) {
        throw blocking("invokeAny");
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
        throw blocking("invokeAny");
    }

    @Override
    public String toString() {
        return "ManualScheduler[" + clock.instant() + ", " + pendingTasks() + " pending]";
    }

    private static UnsupportedOperationException blocking(String method) {
        return new UnsupportedOperationException(method + " blocks for results, which a manual scheduler never delivers"
                + " by itself; submit the tasks and advance time instead");
    }

    private Task<Void> periodic(Runnable command, long initialDelay, long period, TimeUnit unit, boolean fixedRate) {
        Objects.requireNonNull(command, "command");
        if (period <= 0) {
            throw new IllegalArgumentException("period must be positive, was " + period + " " + unit);
        }
        return new Task<>(
                Executors.callable(command, null),
                due(initialDelay, unit),
                Duration.ofNanos(unit.toNanos(period)),
                fixedRate);
    }

    private Instant due(long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return clock.instant().plusNanos(unit.toNanos(delay));
    }

    private <V> Task<V> enqueue(Task<V> task) {
        synchronized (stateLock) {
            if (shutdown) {
                throw new RejectedExecutionException("the scheduler was shut down");
            }
            task.sequence = nextSequence++;
            queue.add(task);
        }
        runDueTasks();
        return task;
    }

    private void runUntil(Instant target) {
        runLock.lock();
        try {
            while (true) {
                Task<?> task = pollDue(target);
                if (task == null) {
                    return;
                }
                if (task.due.isAfter(clock.instant())) {
                    clock.set(task.due);
                }
                task.run();
            }
        } finally {
            runLock.unlock();
        }
    }

    /** The next task due at or before {@code target}, or {@code null}; drops cancelled ones. */
    private Task<?> pollDue(Instant target) {
        synchronized (stateLock) {
            while (!queue.isEmpty()) {
                Task<?> head = queue.peek();
                if (head.isDone()) {
                    queue.poll();
                } else if (head.due.isAfter(target)) {
                    return null;
                } else {
                    return queue.poll();
                }
            }
            return null;
        }
    }

    private void reschedule(Task<?> task) {
        synchronized (stateLock) {
            if (shutdown) {
                task.cancel(false);
                return;
            }
            task.due = task.fixedRate
                    ? task.due.plus(task.period)
                    : clock.instant().plus(task.period);
            task.sequence = nextSequence++;
            queue.add(task);
        }
    }

    /** A task with its due time; one-shot or periodic. */
    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
        private final Duration period;
        private final boolean fixedRate;
        private Instant due;
        private long sequence;

        Task(Callable<V> callable, Instant due, Duration period, boolean fixedRate) {
            super(callable);
            this.due = due;
            this.period = period;
            this.fixedRate = fixedRate;
        }

        @Override
        public boolean isPeriodic() {
            return period != null;
        }

        @Override
        public void run() {
            if (!isPeriodic()) {
                super.run();
            } else if (runAndReset()) {
                reschedule(this);
            }
        }

        @Override
        protected void setException(Throwable failure) {
            failures.add(failure);
            super.setException(failure);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            Duration left = Duration.between(clock.instant(), due);
            try {
                return unit.convert(left.toNanos(), TimeUnit.NANOSECONDS);
            } catch (ArithmeticException tooFar) {
                return left.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
        }

        @Override
        public int compareTo(Delayed other) {
            if (other == this) {
                return 0;
            }
            if (other instanceof ManualScheduler.Task<?> task) {
                int byDue = due.compareTo(task.due);
                return byDue != 0 ? byDue : Long.compare(sequence, task.sequence);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public String toString() {
            return "Task[due " + due + (isPeriodic() ? ", every " + period : "") + ", " + state() + "]";
        }
    }
}
