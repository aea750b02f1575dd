package dev.gatehouse.edge.bench;

import dev.gatehouse.edge.av.AvValue;
import dev.gatehouse.edge.av.MiloRoomAv;
import dev.gatehouse.edge.av.RoomAvListener;
import dev.gatehouse.edge.av.RoomAvScheduler;
import dev.gatehouse.edge.av.RoomBooking;
import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.edge.av.RoomScene;
import dev.gatehouse.edge.av.RoomSetup;
import dev.gatehouse.sim.av.AvPoint;
import dev.gatehouse.sim.av.SimRoom;
import dev.gatehouse.sim.av.SimRoomController;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;

/**
 * Booking start → display on, with real parts: the room's scheduler on its own thread with the
 * system clock, the production Milo adapter, and the simulated room controller (a real OPC UA server
 * on loopback). Each round hands the scheduler a booking whose warm-up falls due 50 ms later and
 * times, from that instant, the controller applying "display on" (its write hook) and the scheduler
 * having it confirmed by read-back; then the booking is withdrawn and the room goes back to standby.
 * Beside it, interleaved round by round in the same run (so both see the same machine), the bare OPC
 * UA round trip the path cannot beat: one Write and one Read-back of a display's power node with a
 * plain Milo client (a second room on the same controller, so the two do not disturb each other).
 *
 * <p>Run: {@code ./gatehouse bench av [--rounds 200]}. Not a test: nothing is asserted.
 */
public final class AvBenchmark {
    private static final String ROOM = "bench";
    private static final String BARE_ROOM = "bare";
    private static final Duration LEAD = Duration.ofMillis(50);
    private static final int WARM_UP_ROUNDS = 50;

    private AvBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = 200;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds") && i + 1 < args.length) {
                rounds = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: ./gatehouse bench av [--rounds 200]");
                System.exit(2);
            }
        }
        System.out.printf(
                "Gatehouse room A/V benchmark — %s %s, %d cores%n%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        try (SimRoomController controller =
                SimRoomController.start(List.of(SimRoom.standard(ROOM), SimRoom.standard(BARE_ROOM)))) {
            OpcUaClient client = OpcUaClient.create(controller.endpointUrl());
            client.connect();
            long[][] path;
            try {
                NodeId power = NodeId.parse(
                        controller.nodeId(BARE_ROOM, AvPoint.DISPLAY_POWER).orElseThrow());
                path = bookingStart(controller, rounds, round -> bareRoundTrip(client, power, round % 2 == 0));
            } finally {
                client.disconnect();
            }
            long[] b = CacheLoadBenchmark.percentiles(path[2]);
            long[] on = CacheLoadBenchmark.percentiles(path[0]);
            long[] confirmed = CacheLoadBenchmark.percentiles(path[1]);
            System.out.printf(
                    "== booking start → display on (%d rounds, loopback OPC UA, SecurityPolicy None)%n", rounds);
            System.out.printf("  %-52s %10s %10s %10s%n", "", "p50", "p99", "max");
            line("warm-up due → display on at the controller", on);
            line("warm-up due → display on confirmed by read-back", confirmed);
            line("bare: Milo Write + Read of the node", b);
            System.out.printf(
                    "  %-52s %9.1f× %9.1f×%n",
                    "ratio confirmed / bare", (double) confirmed[0] / b[0], (double) confirmed[1] / b[1]);
            System.out.printf(
                    "  target p99 ≤ 1 s from booking start to display on: %s%n",
                    confirmed[1] <= 1_000_000_000L ? "met" : "NOT met");
            System.out.println("  (the path adds the timer's wake-up, one Write of the whole scene (5 nodes) and its"
                    + " Read-back; a room controller on the LAN adds its own latency to both rows alike)");
        }
    }

    private static void line(String label, long[] p) {
        System.out.printf("  %-52s %7.2f ms %7.2f ms %7.2f ms%n", label, p[0] / 1e6, p[1] / 1e6, p[2] / 1e6);
    }

    /** One bare round trip: a plain Milo client writes the display's power and reads it back. */
    private static long bareRoundTrip(OpcUaClient client, NodeId power, boolean on) throws Exception {
        long start = System.nanoTime();
        client.writeValues(List.of(power), List.of(DataValue.valueOnly(new Variant(on))));
        Object back =
                client.readValue(0, TimestampsToReturn.Neither, power).value().value();
        long took = System.nanoTime() - start;
        if (!Boolean.valueOf(on).equals(back)) {
            throw new IllegalStateException("the controller read back " + back + " after " + on);
        }
        return took;
    }

    /** A bare round trip, timed; {@code round} picks the value. */
    @FunctionalInterface
    private interface Bare {
        long time(int round) throws Exception;
    }

    /**
     * Rounds of: a booking whose warm-up is due {@link #LEAD} from now, handed to the room's scheduler;
     * the display coming on at the controller, and its confirmation; the booking withdrawn again.
     * Returns the times to "on at the controller" and to "confirmed", from the warm-up's due time, and
     * the bare round trip timed in the same round, once the room is back in standby.
     */
    private static long[][] bookingStart(SimRoomController controller, int rounds, Bare bare) throws Exception {
        BlockingQueue<Long> powerOn = new LinkedBlockingQueue<>();
        BlockingQueue<Boolean> powerOff = new LinkedBlockingQueue<>();
        controller.onWrite((room, point, value, nanos) -> {
            if (room.equals(ROOM) && point == AvPoint.DISPLAY_POWER) {
                if (Boolean.TRUE.equals(value)) {
                    powerOn.add(nanos);
                }
            }
        });
        BlockingQueue<Long> confirmedOn = new LinkedBlockingQueue<>();
        RoomAvListener listener = new RoomAvListener() {
            @Override
            public void fault(String room, RoomFunction function, String detail) {
                System.err.println("fault: " + detail);
            }

            @Override
            public void restored(String room, RoomFunction function) {}

            @Override
            public void confirmed(String room, RoomFunction function, AvValue value) {
                if (function == RoomFunction.DISPLAY_POWER) {
                    if (value.equals(AvValue.of(true))) {
                        confirmedOn.add(System.nanoTime());
                    } else {
                        powerOff.add(true);
                    }
                }
            }
        };
        Map<RoomFunction, String> nodes = new EnumMap<>(RoomFunction.class);
        for (RoomFunction function : RoomFunction.values()) {
            if (function.writable()) { // the simulator's points are named as the functions
                nodes.put(
                        function,
                        controller
                                .nodeId(ROOM, AvPoint.valueOf(function.name()))
                                .orElseThrow());
            }
        }
        RoomScene scene = new RoomScene(
                Duration.ofMinutes(5), Optional.of(AvValue.of("HDMI1")), 80, Optional.of(21.5), 0, Optional.of(18.0));
        RoomSetup setup = new RoomSetup(ROOM, controller.endpointUrl(), nodes, scene);
        ScheduledThreadPoolExecutor queue = new ScheduledThreadPoolExecutor(
                1,
                task -> Thread.ofPlatform().name("room-av-" + ROOM).daemon(true).unstarted(task));
        queue.setRemoveOnCancelPolicy(true);
        Clock clock = Clock.systemUTC();
        try (MiloRoomAv av = new MiloRoomAv(List.of(setup))) {
            RoomAvScheduler scheduler = new RoomAvScheduler(setup, av, clock, queue, listener);
            scheduler.start();
            take(powerOff);
            long[] on = new long[rounds];
            long[] confirmed = new long[rounds];
            long[] bareRounds = new long[rounds];
            for (int i = -WARM_UP_ROUNDS; i < rounds; i++) {
                powerOn.clear();
                confirmedOn.clear();
                Instant now = clock.instant();
                long nowNanos = System.nanoTime();
                Instant warmStart = now.plus(LEAD);
                long dueNanos = nowNanos + LEAD.toNanos();
                scheduler.bookings(List.of(new RoomBooking(
                        "b" + i,
                        warmStart.plus(scene.warmUp()),
                        warmStart.plus(scene.warmUp()).plus(Duration.ofHours(1)),
                        Optional.of("https://meet.example/" + i))));
                long onAt = take(powerOn);
                long confirmedAt = take(confirmedOn);
                if (i >= 0) {
                    on[i] = onAt - dueNanos;
                    confirmed[i] = confirmedAt - dueNanos;
                }
                scheduler.bookings(List.of()); // withdrawn: back to standby for the next round
                take(powerOff);
                long bareTook = bare.time(i);
                if (i >= 0) {
                    bareRounds[i] = bareTook;
                }
            }
            scheduler.close();
            return new long[][] {on, confirmed, bareRounds};
        } finally {
            queue.shutdownNow();
        }
    }

    private static <T> T take(BlockingQueue<T> queue) throws InterruptedException {
        T value = queue.poll(30, TimeUnit.SECONDS);
        if (value == null) {
            throw new IllegalStateException("the room did not change within 30 s");
        }
        return value;
    }
}
