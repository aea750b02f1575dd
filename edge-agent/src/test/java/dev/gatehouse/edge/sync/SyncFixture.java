package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.testing.ManualScheduler;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The world of a sync part under test, with no broker and no thread: a clock the test moves, the
 * worker as a manual scheduler over it, a monotonic ticker read from the same clock, a link that
 * records what is published, and an agent whose clock trust and problems the test sets.
 */
final class SyncFixture {
    static final EdgeConfig.Site SITE = new EdgeConfig.Site("acme", "hq", "pi-1", ZoneOffset.UTC);

    final MutableClock clock = MutableClock.at("2026-03-04T10:00:00Z");
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final SyncWorker worker = new SyncWorker(scheduler);
    final LongSupplier ticker = () -> {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
    final RecordingLink link = new RecordingLink();
    final FakeHost host = new FakeHost();

    /** A state publisher over this fixture with an empty outbox and the given seq. */
    StatePublisher state(LongSupplier seq) {
        return new StatePublisher(
                new StatePublisher.Inputs(SITE, host, seq, () -> 0, java.util.Optional::empty),
                java.time.Duration.ofSeconds(30),
                link,
                worker,
                clock,
                ticker);
    }

    /** A {@link HubLink} that records what it is handed. */
    static final class RecordingLink implements HubLink {
        record Published(Channel channel, Envelope envelope) {}

        final List<Published> published = new CopyOnWriteArrayList<>();
        volatile boolean connected = true;
        volatile boolean windowFull;

        @Override
        public boolean connected() {
            return connected;
        }

        @Override
        public boolean publish(Channel channel, Envelope envelope) {
            if (!connected) {
                return false;
            }
            published.add(new Published(channel, envelope));
            return true;
        }

        @Override
        public boolean eventWindowFull() {
            return windowFull;
        }

        /** The payloads published on {@code channel}, in order. */
        <T> List<T> on(Channel channel, Class<T> type) {
            List<T> out = new ArrayList<>();
            for (Published p : published) {
                if (p.channel() == channel) {
                    out.add(type.cast(p.envelope().payload()));
                }
            }
            return out;
        }
    }

    /** The agent as the sync parts see it. */
    static final class FakeHost implements SyncClient.Host {
        volatile ClockStatus clockStatus = ClockStatus.TRUSTED;
        final List<Instant> hubTimes = new CopyOnWriteArrayList<>();
        final List<String> localProblems = new CopyOnWriteArrayList<>();

        @Override
        public ClockStatus clockStatus() {
            return clockStatus;
        }

        /** What {@link #refuseByHubTime} answers: empty lets an emergency release run. */
        volatile Optional<String> hubTimeRefusal = Optional.of("no hub time seen");

        final List<Long> answeredRequests = new CopyOnWriteArrayList<>();

        @Override
        public void hubTimeReceived(Instant signed) {
            hubTimes.add(signed);
        }

        @Override
        public void hubTimeAnswered(Instant signed, long requestSentNanos) {
            hubTimes.add(signed);
            answeredRequests.add(requestSentNanos);
        }

        @Override
        public Optional<String> refuseByHubTime(Instant signedAt, Instant expiresAt) {
            return hubTimeRefusal;
        }

        @Override
        public List<String> localProblems() {
            return List.copyOf(localProblems);
        }

        @Override
        public String agentVersion() {
            return "test";
        }
    }
}
