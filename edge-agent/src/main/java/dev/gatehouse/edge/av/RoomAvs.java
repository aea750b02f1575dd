package dev.gatehouse.edge.av;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every room's A/V scheduler, each on a thread of its own (a room whose controller does not answer
 * holds up no other room, and no door). This is what the booking side feeds: {@link #bookings} with
 * a room's upcoming bookings whenever they change, {@link #release} when one ends early, and
 * {@link #override} for a technician or a member in the room.
 */
public final class RoomAvs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoomAvs.class);

    private final Map<String, RoomAvScheduler> rooms;
    private final List<ScheduledExecutorService> queues;
    private final RoomAv av;

    private RoomAvs(Map<String, RoomAvScheduler> rooms, List<ScheduledExecutorService> queues, RoomAv av) {
        this.rooms = rooms;
        this.queues = queues;
        this.av = av;
    }

    /**
     * Starts a scheduler for each room, each on its own daemon thread ({@code room-av-ROOM}), and puts
     * every room in standby until bookings arrive. {@code av} is closed with this.
     */
    public static RoomAvs start(List<RoomSetup> setups, RoomAv av, Clock clock, RoomAvListener listener) {
        Map<String, RoomAvScheduler> rooms = new LinkedHashMap<>();
        List<ScheduledExecutorService> queues = new ArrayList<>();
        for (RoomSetup setup : setups) {
            ScheduledThreadPoolExecutor queue = new ScheduledThreadPoolExecutor(1, task -> Thread.ofPlatform()
                    .name("room-av-" + setup.room())
                    .daemon(true)
                    .unstarted(task));
            queue.setRemoveOnCancelPolicy(true); // each change of bookings moves the room's wake-up
            queues.add(queue);
            RoomAvScheduler scheduler = new RoomAvScheduler(setup, av, clock, queue, listener);
            if (rooms.put(setup.room(), scheduler) != null) {
                queues.forEach(ScheduledExecutorService::shutdownNow);
                throw new AvException(AvError.BAD_ARGUMENT, "room '" + setup.room() + "' is set up twice");
            }
        }
        rooms.values().forEach(RoomAvScheduler::start);
        return new RoomAvs(rooms, queues, av);
    }

    /**
     * Replaces the room's upcoming bookings (see {@link RoomAvScheduler#bookings}). Returns at once;
     * {@code false} if the room has no A/V configured (a phone booth), when nothing is done.
     */
    public boolean bookings(String room, List<RoomBooking> upcoming) {
        RoomAvScheduler scheduler = rooms.get(room);
        if (scheduler == null) {
            return false;
        }
        scheduler.bookings(upcoming);
        return true;
    }

    /** The booking is released: the room goes to standby (or stays up for a booking soon after). */
    public boolean release(String room, String bookingId) {
        RoomAvScheduler scheduler = rooms.get(room);
        if (scheduler == null) {
            return false;
        }
        scheduler.release(bookingId);
        return true;
    }

    /**
     * Sets a function now and holds it for the current booking (see {@link RoomAvScheduler#override}).
     *
     * @throws AvException if the room has no A/V, no node for the function, or the function is read-only
     */
    public void override(String room, RoomFunction function, AvValue value) {
        room(room)
                .orElseThrow(() -> new AvException(
                        AvError.UNKNOWN_ROOM,
                        "no room '" + room + "' has A/V configured (rooms with A/V: " + rooms.keySet() + ")"))
                .override(function, value);
    }

    public Optional<RoomAvScheduler> room(String room) {
        return Optional.ofNullable(rooms.get(room));
    }

    /** Each room's status, in configuration order. */
    public List<RoomAvStatus> status() {
        return rooms.values().stream().map(RoomAvScheduler::status).toList();
    }

    /** Stops every room's timers and thread and disconnects from the controllers; rooms stay as they are. */
    @Override
    public void close() {
        for (ScheduledExecutorService queue : queues) {
            queue.shutdownNow(); // drops the rooms' timers; a write in progress is interrupted
        }
        for (ScheduledExecutorService queue : queues) {
            try {
                if (!queue.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("a room's A/V thread did not stop within 5 s (a controller not answering?)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        av.close();
    }
}
