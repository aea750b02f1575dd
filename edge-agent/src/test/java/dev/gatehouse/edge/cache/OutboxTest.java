package dev.gatehouse.edge.cache;

import static dev.gatehouse.edge.cache.CacheFixtures.SITE;
import static dev.gatehouse.edge.cache.CacheFixtures.T0;
import static dev.gatehouse.edge.cache.CacheFixtures.TENANT;
import static dev.gatehouse.edge.cache.CacheFixtures.accessEvent;
import static dev.gatehouse.edge.cache.CacheFixtures.doorEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
    @TempDir
    Path directory;

    private SqliteEntitlementCache cache;
    private Outbox outbox;

    @BeforeEach
    void open() {
        cache = CacheFixtures.open(directory);
        outbox = cache.outbox();
    }

    @AfterEach
    void close() {
        cache.close();
    }

    private void reopen() {
        cache.close();
        open();
    }

    @Test
    void aFullDiskFailsAppendsOnlyUntilThereIsRoomAgain() {
        // Found by the chaos harness (a full tmpfs under a running agent): after one append failed with
        // SQLITE_FULL, the writer's cached statement failed every later append ("statement is not
        // executing") even once the disk had room, so the doors refused every card until a restart.
        // The database's page limit stands in for the disk here; the first statement to hit it fails.
        outbox.append(accessEvent("before"));
        long pages = cache.connections().writeOne("count pages", s -> s.queryLong("PRAGMA page_count"));
        setMaxPages(pages);
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        outbox.append(accessEvent("full-" + i));
                    }
                })
                .isInstanceOf(CacheException.class)
                .hasMessageContaining("full");
        long waiting = outbox.depth();

        setMaxPages(1_000_000);
        outbox.append(accessEvent("after"));

        assertThat(outbox.depth()).isEqualTo(waiting + 1);
        assertThat(outbox.peek(100_000).getLast().id()).isEqualTo("after");
    }

    private void setMaxPages(long pages) {
        cache.connections().writeOne("page limit", s -> {
            s.execute("PRAGMA max_page_count = " + pages);
            return null;
        });
    }

    @Test
    void eventsArePeekedOldestFirstAndDecodedAsTheyWereAppended() {
        // Why: the hub's analytics and the audit trail depend on events arriving in decision order.
        List<Envelope> appended = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Envelope event = i % 3 == 0 ? doorEvent("ev-" + i) : accessEvent("ev-" + i);
            appended.add(event);
            outbox.append(event);
        }
        assertThat(outbox.peek(5)).containsExactlyElementsOf(appended.subList(0, 5));
        assertThat(outbox.peek(100)).containsExactlyElementsOf(appended);
        assertThat(outbox.peek(0)).isEmpty();
        assertThat(outbox.depth()).isEqualTo(12);
    }

    @Test
    void acknowledgedEventsAreRemovedAndUnknownIdsIgnored() {
        // Why: the hub acks duplicates and ids it may have seen from an earlier delivery; only what we
        // hold is removed, and the count says how many.
        for (int i = 0; i < 5; i++) {
            outbox.append(accessEvent("ev-" + i));
        }
        assertThat(outbox.acknowledge(List.of("ev-1", "ev-3", "ev-404", "ev-1")))
                .isEqualTo(2);
        assertThat(outbox.peek(10)).extracting(Envelope::id).containsExactly("ev-0", "ev-2", "ev-4");
        assertThat(outbox.depth()).isEqualTo(3);
        assertThat(outbox.acknowledge(Set.of())).isZero();
    }

    @Test
    void orderAcknowledgementsAndDepthSurviveARestart() {
        // Why: an event is lost only if the storage is; a restart between publish and ack must not
        // drop or reorder anything.
        for (int i = 0; i < 4; i++) {
            outbox.append(accessEvent("ev-" + i));
        }
        outbox.acknowledge(List.of("ev-0"));
        reopen();
        assertThat(outbox.depth()).isEqualTo(3);
        outbox.append(accessEvent("ev-4"));
        assertThat(outbox.peek(10)).extracting(Envelope::id).containsExactly("ev-1", "ev-2", "ev-3", "ev-4");
    }

    @Test
    void positionsAreNotReusedAfterTheOutboxEmpties() {
        // Why: if a new event took the position of an acknowledged one, order would depend on
        // deletion history.
        outbox.append(accessEvent("ev-a"));
        outbox.append(accessEvent("ev-b"));
        outbox.acknowledge(List.of("ev-a", "ev-b"));
        reopen();
        outbox.append(accessEvent("ev-c"));
        outbox.append(accessEvent("ev-d"));
        assertThat(outbox.peek(10)).extracting(Envelope::id).containsExactly("ev-c", "ev-d");
    }

    @Test
    void anEventIdIsRefusedWhileAnEventWithItWaits() {
        // Why: the hub deduplicates by id; two events with one id would lose one of them there.
        outbox.append(accessEvent("ev-1"));
        assertThatThrownBy(() -> outbox.append(doorEvent("ev-1")))
                .isInstanceOfSatisfying(
                        CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.DUPLICATE_EVENT_ID));
        assertThat(outbox.depth()).isEqualTo(1);
    }

    @Test
    void onlyEventsGoIntoTheOutbox() {
        // Why: the outbox is published on the events channel; anything else there is refused by the hub.
        assertThatThrownBy(() -> outbox.append(new Envelope("rq-1", T0, new SyncRequest(SITE, 0))))
                .isInstanceOfSatisfying(
                        CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.WRONG_MESSAGE));
        assertThatThrownBy(() -> outbox.peek(-1))
                .isInstanceOfSatisfying(
                        CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.INVALID_ARGUMENT));
    }

    @Test
    void anAppendInsideATransactionJoinsIt() {
        // Why: code that appends through the outbox while inside inTransaction must not commit early
        // (or fail with a nested BEGIN): it joins the surrounding transaction.
        assertThatThrownBy(() -> cache.inTransaction(tx -> {
                    tx.append(accessEvent("ev-1"));
                    outbox.append(accessEvent("ev-2"));
                    throw new IllegalStateException("decision aborted");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(outbox.depth()).isZero();
    }

    @Test
    void theOutboxSharesTheCacheFile() {
        // Why: one file means one transaction can hold an event and a pass use.
        outbox.append(accessEvent("ev-1"));
        cache.close();
        try (SqliteEntitlementCache again = SqliteEntitlementCache.open(directory.resolve("cache.db"), TENANT, SITE)) {
            assertThat(again.outbox().depth()).isEqualTo(1);
        }
        open();
    }
}
