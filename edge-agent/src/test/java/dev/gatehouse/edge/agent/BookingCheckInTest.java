package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static dev.gatehouse.edge.agent.DemoSite.DEE_WEEKENDS;
import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.NFC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.bookings.BookingReleases;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.BookingEventKind;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.sign.SignedMessages;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Check-in by tap and no-show release at the edge, on the simulator with the real cache, while the
 * hub is unreachable (its broker's port is closed), on a clock the test moves: the events that
 * report them are in the outbox for the hub to take when it is back, the release once, even across a
 * restart.
 */
class BookingCheckInTest {
    /** The booking starts at 14:00 UTC; check-in from 13:50, released at 14:15 without one. */
    private static final Instant START = Instant.parse("2026-03-02T14:00:00Z");

    private static final Duration OPENS_BEFORE = Duration.ofMinutes(10);
    private static final Duration RELEASE_AFTER = Duration.ofMinutes(15);

    @TempDir
    Path dir;

    private DemoSite demo;
    private EdgeConfig config;
    private final MutableClock clock = new MutableClock(START.minus(Duration.ofMinutes(30)));
    private SimulatedHardware hardware;
    private EdgeAgent agent;
    private final List<Decided> decisions = new CopyOnWriteArrayList<>();

    @BeforeEach
    void site() throws Exception {
        demo = new DemoSite(dir);
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_unused");
        Files.writeString(demo.configFile, Files.readString(demo.configFile) + """
                hub:
                  mqtt-url: tcp://127.0.0.1:%d
                  password-file: mqtt-password
                """.formatted(closedPort()));
        config = demo.config();
        hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC());
        start();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        hardware.close();
    }

    private void start() {
        agent = EdgeAgent.start(config, hardware, clock);
        agent.onDecision(decisions::add);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The demo site's entitlements and {@code bookings}, as one signed batch from the hub, applied. */
    private void sync(Booking... bookings) {
        List<Entity> entities = new ArrayList<>(demo.entitlements(clock.instant()));
        entities.addAll(List.of(bookings));
        List<Change> changes = entities.stream().<Change>map(Change.Upsert::new).toList();
        agent.applySigned(SignedMessages.sign(
                new Envelope(
                        "batch-1",
                        clock.instant(),
                        new SyncBatch(DemoSite.TENANT, DemoSite.SITE, 1, changes.size(), changes)),
                demo.hubKey));
    }

    private static Booking meeting(String id, String member, Set<MemberId> invitees) {
        return new Booking(
                BookingId.of(id),
                MemberId.of(member),
                Set.of(DoorId.of(DOOR)),
                START,
                START.plus(Duration.ofHours(1)),
                Duration.ofMinutes(15),
                Duration.ZERO,
                Optional.of("res-room"),
                invitees,
                Optional.of(Booking.CheckIn.required(OPENS_BEFORE, RELEASE_AFTER)),
                Optional.empty());
    }

    private Decided tap(byte[] uid) {
        int before = decisions.size();
        hardware.site().holdCard(NFC, uid);
        await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > before);
        hardware.site().removeCard(NFC);
        return decisions.get(before);
    }

    private List<Envelope> bookingEvents() {
        return agent.cache().outbox().peek(10_000).stream()
                .filter(event -> event.payload() instanceof BookingEvent)
                .toList();
    }

    @Test
    void aTapInTheWindowChecksTheBookingInOnceAndItIsNeverReleased() {
        sync(meeting("bk-ada", "ada", Set.of()));
        clock.set(START.minus(Duration.ofMinutes(5)));

        Decided first = tap(ADA);
        Decided second = tap(ADA);

        // Ada's plan opens the door; the same tap checks her booking in.
        assertThat(first.decision()).isInstanceOf(Decision.Granted.class);
        assertThat(first.checksIn()).contains(BookingId.of("bk-ada"));
        assertThat(second.checksIn()).isEmpty();
        assertThat(bookingEvents()).singleElement().satisfies(event -> {
            assertThat(event.time()).isEqualTo(first.at());
            assertThat(event.payload())
                    .isEqualTo(BookingEvent.checkedIn(
                            DemoSite.SITE, BookingId.of("bk-ada"), MemberId.of("ada"), DoorId.of(DOOR)));
        });
        assertThat(agent.cache().outbox().peek(10_000)).contains(first.event());
        assertThat(agent.cache().checkedIn(BookingId.of("bk-ada"))).contains(first.at());

        clock.set(START.plus(RELEASE_AFTER).plus(Duration.ofMinutes(1)));
        assertThat(agent.releaseDueBookings()).isEmpty();
        assertThat(bookingEvents()).hasSize(1);
    }

    @Test
    void anInviteeGetsInByTheBookingAndChecksItIn() {
        // Dee's plan does not open the door today; the invitation does.
        sync(meeting("bk-ada", "ada", Set.of(MemberId.of("dee"))));
        clock.set(START.minus(Duration.ofMinutes(20)));
        assertThat(tap(DEE_WEEKENDS).decision()).isEqualTo(new Decision.Denied(DenyReason.OUTSIDE_SCHEDULE));
        clock.set(START.plus(Duration.ofMinutes(3)));

        Decided decided = tap(DEE_WEEKENDS);

        assertThat(decided.decision())
                .isEqualTo(new Decision.Granted(Duration.ofSeconds(1), GrantBasis.BOOKING, Optional.of("bk-ada")));
        assertThat(decided.checksIn()).contains(BookingId.of("bk-ada"));
        assertThat(bookingEvents())
                .extracting(Envelope::payload)
                .containsExactly(BookingEvent.checkedIn(
                        DemoSite.SITE, BookingId.of("bk-ada"), MemberId.of("dee"), DoorId.of(DOOR)));
    }

    @Test
    void aNoShowIsReleasedWithTheHubUnreachableAndReportedOnceAcrossARestart() {
        sync(meeting("bk-dee", "dee", Set.of()));
        assertThat(agent.sync().orElseThrow().connected())
                .as("the hub is unreachable")
                .isFalse();
        clock.set(START.plus(RELEASE_AFTER).minusSeconds(1));
        assertThat(agent.releaseDueBookings()).isEmpty();

        clock.set(START.plus(RELEASE_AFTER));
        assertThat(tap(DEE_WEEKENDS).decision())
                .as("the door stops granting at the release time, sweep or not")
                .isEqualTo(new Decision.Denied(DenyReason.BOOKING_RELEASED));
        List<BookingId> released = agent.releaseDueBookings();

        assertThat(released).containsExactly(BookingId.of("bk-dee"));
        Envelope event = bookingEvents().getFirst();
        assertThat(event.id()).isEqualTo(BookingReleases.eventId(BookingId.of("bk-dee")));
        assertThat(event.payloadAs(BookingEvent.class).kind()).isEqualTo(BookingEventKind.RELEASED);
        assertThat(agent.releaseDueBookings()).isEmpty();

        agent.close();
        agent = null;
        hardware.close();
        hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC());
        clock.advance(Duration.ofMinutes(1));
        start();

        assertThat(agent.releaseDueBookings()).as("after a restart").isEmpty();
        assertThat(bookingEvents()).containsExactly(event);
        assertThat(tap(DEE_WEEKENDS).decision()).isEqualTo(new Decision.Denied(DenyReason.BOOKING_RELEASED));
        assertThat(tap(DEE_WEEKENDS).checksIn()).as("too late to check in").isEmpty();
    }

    @Test
    void theAgentSweepsOnItsOwn() {
        sync(meeting("bk-dee", "dee", Set.of()));
        clock.set(START.plus(RELEASE_AFTER).plusSeconds(30));

        await().atMost(BookingReleases.INTERVAL.multipliedBy(4))
                .until(() -> !bookingEvents().isEmpty());

        assertThat(bookingEvents())
                .extracting(Envelope::id)
                .containsExactly(BookingReleases.eventId(BookingId.of("bk-dee")));
    }
}
