package dev.gatehouse.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.cache.Outbox;
import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.topic.Channel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiosk events wait in the real outbox until the hub's {@code hub.time} says it reads them: a hub that
 * predates {@code event.kiosk} would drop them unacknowledged and clog the in-flight window, so the
 * door events pass them meanwhile, and nothing is lost when the hub is upgraded.
 */
class KioskEventsHeldTest {
    @TempDir
    Path dir;

    private final SyncFixture world = new SyncFixture();
    private SqliteEntitlementCache cache;
    private OutboxDrain drain;

    @BeforeEach
    void open() {
        cache = SqliteEntitlementCache.open(dir.resolve("cache.db"), "acme", "hq");
        Outbox outbox = cache.outbox();
        drain = new OutboxDrain(
                new OutboxDrain.Outbox((max, held) -> outbox.peek(max, held), outbox::acknowledge, outbox::depth),
                2, // a window smaller than the kiosk events ahead of the door event
                Duration.ofSeconds(10),
                world.link,
                world.worker,
                world.ticker);
        append("k1", KioskEvent.member("hq", "k-1", MemberId.of("ada"), true));
        append("k2", KioskEvent.walkIn("hq", "k-1", MemberId.of("ada"), "Grace", Optional.empty(), true));
        append("k3", KioskEvent.member("hq", "k-1", MemberId.of("bob"), true));
        append("d1", new DoorEvent("hq", DoorId.of("front"), DoorEventKind.FORCED_OPEN, Optional.empty()));
    }

    @AfterEach
    void close() {
        cache.close();
    }

    private void append(String id, dev.gatehouse.protocol.message.Message event) {
        cache.outbox().append(new Envelope(id, world.clock.instant(), event));
    }

    private List<String> sent() {
        return world.link.published.stream()
                .filter(p -> p.channel() == Channel.EVENTS)
                .map(p -> p.envelope().id())
                .toList();
    }

    @Test
    void untilTheHubSaysItReadsThemKioskEventsWaitAndOthersPassThem() {
        drain.drain();

        assertThat(sent()).containsExactly("d1");
        assertThat(cache.outbox().depth()).isEqualTo(4);
    }

    @Test
    void onceTheHubReadsThemTheWaitingKioskEventsGoOldestFirst() {
        drain.hubReads(List.of("room-state"));
        drain.drain();
        drain.acknowledged(List.of("d1"));

        drain.hubReads(List.of(KioskEvent.FEATURE));
        drain.drain();

        assertThat(sent()).containsExactly("d1", "k1", "k2");
        drain.acknowledged(List.of("k1", "k2"));
        assertThat(sent()).containsExactly("d1", "k1", "k2", "k3");
    }

    @Test
    void aNewSessionWaitsForTheHubToSayItAgain() {
        // The hub behind the broker may have been replaced by an older one while the link was down.
        drain.hubReads(List.of(KioskEvent.FEATURE)); // k1 and k2 go, filling the window
        int before = sent().size();
        drain.linkUp();

        drain.drain();

        assertThat(sent().subList(before, sent().size())).containsExactly("d1");
    }

    @Test
    void aSignInCarryingAVoucherWaitsForAHubThatReadsSignaturesWhileOtherKioskEventsGo() {
        // A hub that reads kiosk events but predates their signature and voucher would refuse the fields.
        append(
                "s1",
                KioskEvent.walkIn("hq", "k-1", MemberId.of("ada"), "Grace", Optional.empty(), false)
                        .with(Optional.empty(), Optional.of("wv-1")));
        drain.hubReads(List.of(KioskEvent.FEATURE));
        drain.drain();
        drain.acknowledged(List.of("k1", "k2"));
        drain.acknowledged(List.of("k3", "d1"));

        assertThat(sent()).containsExactly("k1", "k2", "k3", "d1");
        assertThat(cache.outbox().depth()).isEqualTo(1);

        drain.hubReads(List.of(KioskEvent.FEATURE, KioskEvent.SIGNATURES_FEATURE));

        assertThat(sent()).containsExactly("k1", "k2", "k3", "d1", "s1");
    }
}
