package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.door.DoorSettings;
import dev.gatehouse.edge.door.LockOutput;
import dev.gatehouse.edge.door.LockType;
import dev.gatehouse.edge.gpio.Pi4jRelay;
import dev.gatehouse.edge.testing.ManualScheduler;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.sim.gpio.SimulatedGpio;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog against real doors: two door controllers on the simulated GPIO header, each on its own
 * serial queue thread, and a socket of the test's own standing in for systemd's. The watchdog's beats
 * are driven by a manual scheduler, so "the heartbeat was not run by the next beat" is a fact the test
 * arranges (a queue blocked on a latch), never a race it hopes to win.
 */
class WatchdogTest {
    /** WATCHDOG_USEC of 9 s: a beat every 3 s. */
    private static final Duration INTERVAL = Duration.ofSeconds(9);

    private static final Duration BEAT = INTERVAL.dividedBy(3);
    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final ManualScheduler ticker = new ManualScheduler(clock);
    private final SimulatedGpio gpio = SimulatedGpio.create(Clock.systemUTC());
    private final List<ScheduledExecutorService> queues = new ArrayList<>();
    private final List<DoorController> doors = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private NotifySocket systemd;
    private DoorController front;
    private DoorController back;

    @BeforeEach
    void startDoors(@TempDir Path dir) {
        systemd = NotifySocket.atPath(dir.resolve("notify"));
        front = door("front", 17);
        back = door("back", 27);
    }

    @AfterEach
    void stopDoors() throws Exception {
        release.countDown();
        doors.forEach(DoorController::close);
        queues.forEach(ScheduledExecutorService::shutdownNow);
        gpio.close();
        systemd.close();
        assertThat(ticker.failures()).isEmpty();
    }

    @Test
    void pingsArriveWhileEveryDoorQueueRuns() {
        // The ordinary day: every beat finds each door's last heartbeat run, and systemd hears so.
        Watchdog watchdog = start(Optional.of(INTERVAL));

        assertThat(systemd.receive(PATIENCE)).contains("READY=1\nSTATUS=running: 2 doors");
        assertThat(systemd.receive(PATIENCE)).contains("WATCHDOG=1");
        for (int beat = 0; beat < 3; beat++) {
            drain(front);
            drain(back);
            ticker.advanceBy(BEAT);
            assertThat(systemd.receiveNow()).as("beat %d", beat).contains("WATCHDOG=1");
        }
        assertThat(systemd.receiveNow()).isEmpty();
        watchdog.close();
    }

    @Test
    void aHungDoorQueueStopsThePingsUntilItRunsAgain() throws Exception {
        // A door stuck on its queue ignores its reader, REX and relock timer: systemd must stop hearing
        // from the agent, so that it restarts it, and hear again if the door comes back first.
        Watchdog watchdog = start(Optional.of(INTERVAL));
        assertThat(systemd.receive(PATIENCE)).contains("READY=1\nSTATUS=running: 2 doors");
        assertThat(systemd.receive(PATIENCE)).contains("WATCHDOG=1");
        CountDownLatch entered = new CountDownLatch(1);
        CompletableFuture<Object> hang = back.onQueue(() -> {
            entered.countDown();
            awaitRelease();
            return null;
        });
        // The back door's first heartbeat was queued before the hang, so it has run once the hang began.
        assertThat(entered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        drain(front);
        ticker.advanceBy(BEAT);
        assertThat(systemd.receiveNow()).contains("WATCHDOG=1");

        drain(front);
        ticker.advanceBy(BEAT); // the back door's second heartbeat waits behind the hang

        assertThat(systemd.receiveNow())
                .contains("STATUS=stuck: door back: its queue has not run a heartbeat handed to it 3000 ms ago");
        assertThat(systemd.receiveNow()).as("no ping while a door hangs").isEmpty();
        drain(front);
        ticker.advanceBy(BEAT);
        assertThat(systemd.receiveNow())
                .as("no ping, and the problem said once")
                .isEmpty();

        release.countDown();
        hang.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        drain(front);
        drain(back);
        ticker.advanceBy(BEAT);

        assertThat(systemd.receiveNow()).contains("WATCHDOG=1");
        assertThat(systemd.receiveNow()).contains("STATUS=running: 2 doors");
        watchdog.close();
    }

    @Test
    void aDoorWhoseQueueIsGoneStopsThePings() {
        // A queue that refuses work is a door that can no longer act: no better than a hung one.
        Watchdog watchdog = start(Optional.of(INTERVAL));
        assertThat(systemd.receive(PATIENCE)).contains("READY=1\nSTATUS=running: 2 doors");
        assertThat(systemd.receive(PATIENCE)).contains("WATCHDOG=1");
        drain(front);
        drain(back);
        queues.get(1).shutdownNow();
        ticker.advanceBy(BEAT); // ping: both ran; the back door's new heartbeat is refused

        assertThat(systemd.receiveNow()).contains("WATCHDOG=1");
        drain(front);
        ticker.advanceBy(BEAT);

        assertThat(systemd.receiveNow()).hasValueSatisfying(status -> assertThat(status)
                .startsWith("STATUS=stuck: door back: its queue refused the heartbeat"));
        assertThat(systemd.receiveNow()).isEmpty();
        watchdog.close();
    }

    @Test
    void withoutAWatchdogIntervalOnlyReadyAndStoppingAreSent() {
        // WatchdogSec= removed from the unit: systemd expects no pings, and a ping would be noise.
        Watchdog watchdog = start(Optional.empty());

        assertThat(systemd.receive(PATIENCE)).contains("READY=1\nSTATUS=running: 2 doors");
        ticker.advanceBy(INTERVAL.multipliedBy(3));
        assertThat(systemd.receiveNow()).isEmpty();
        assertThat(ticker.pendingTasks()).isZero();

        watchdog.close();

        assertThat(systemd.receiveNow()).contains("STOPPING=1\nSTATUS=stopping: driving 2 doors locked");
    }

    @Test
    void closingSaysStoppingAndEndsThePings() {
        // The doors are closed after the watchdog: their shutdown must not read to systemd as a hang.
        Watchdog watchdog = start(Optional.of(INTERVAL));
        assertThat(systemd.receive(PATIENCE)).contains("READY=1\nSTATUS=running: 2 doors");
        assertThat(systemd.receive(PATIENCE)).contains("WATCHDOG=1");

        watchdog.close();

        assertThat(systemd.receiveNow()).contains("STOPPING=1\nSTATUS=stopping: driving 2 doors locked");
        ticker.advanceBy(INTERVAL);
        assertThat(systemd.receiveNow()).isEmpty();
    }

    @Test
    void onItsOwnThreadTheWatchdogPingsWithoutBeingDriven() {
        // The production ticker: a real scheduler at a third of a short interval keeps pinging.
        ScheduledExecutorService realTicker = Executors.newSingleThreadScheduledExecutor();
        SystemdNotifier notifier =
                new SystemdNotifier(Optional.of(systemd.name()), Optional.of(Duration.ofMillis(300)));
        List<String> received = new CopyOnWriteArrayList<>();
        try (Watchdog watchdog =
                Watchdog.start(notifier, List.of(front, back), realTicker, System::nanoTime, "running: 2 doors")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                systemd.receive(Duration.ofMillis(100)).ifPresent(received::add);
                return received.stream().filter("WATCHDOG=1"::equals).count() >= 3;
            });
        } finally {
            realTicker.shutdownNow();
        }
        assertThat(received.getFirst()).isEqualTo("READY=1\nSTATUS=running: 2 doors");
    }

    private Watchdog start(Optional<Duration> interval) {
        SystemdNotifier notifier = new SystemdNotifier(Optional.of(systemd.name()), interval);
        return Watchdog.start(notifier, List.of(front, back), ticker, this::nanos, "running: 2 doors");
    }

    private long nanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Returns once {@code door}'s queue has run everything handed to it before this call. */
    private static void drain(DoorController door) {
        door.onQueue(() -> null)
                .orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private DoorController door(String id, int relayPin) {
        ScheduledExecutorService queue = DoorController.newQueue(DoorId.of(id));
        queues.add(queue);
        DoorSettings settings = new DoorSettings(
                DoorId.of(id),
                LockType.FAIL_SECURE,
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                List.of(),
                ZoneId.of("Europe/Berlin"),
                true);
        DoorController door = DoorController.start(
                settings,
                Pi4jRelay.create(gpio.context(), relayPin, new LockOutput(LockType.FAIL_SECURE, false)),
                Optional.empty(),
                Optional.empty(),
                Clock.systemUTC(),
                queue,
                (door1, kind, detail) -> {});
        doors.add(door);
        return door;
    }
}
