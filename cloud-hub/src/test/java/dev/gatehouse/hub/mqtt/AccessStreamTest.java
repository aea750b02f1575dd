package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.SseClient;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The live access-event stream: events as ingested over MQTT, per tenant, resumable, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class AccessStreamTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String PATH = "/api/v1/access-events/stream";
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.startWithBroker(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    static FakeEdge connect(EdgeDevices.Device d) throws Exception {
        return FakeEdge.connect("tcp://127.0.0.1:" + hub.hub().brokerPort(), d.id(), d.id(), d.password());
    }

    static void send(FakeEdge edge, EdgeDevices.Device d, String id) throws Exception {
        edge.publish(
                Topic.of(d.slug(), d.site(), d.id(), Channel.EVENTS),
                EdgeMessages.accessEvent(
                        id, d.site(), d.bundle().at("/doors/0/id").asText()));
    }

    /**
     * Sends the event until the hub has stored it, as an edge's outbox does until the hub acknowledges
     * (the hub stores an id once): this test is about the stream, not about a message the broker
     * dropped on a loaded machine.
     */
    static void deliver(FakeEdge edge, EdgeDevices.Device d, String id) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            send(edge, d, id);
            try {
                await().atMost(Duration.ofSeconds(3)).until(() -> stored(d, id));
                return;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the hub did not store event " + id + " within " + WAIT, e);
                }
            }
        }
    }

    private static boolean stored(EdgeDevices.Device d, String id) {
        return hub.api().get("/api/v1/access-events", d.token()).text().contains("\"" + id + "\"");
    }

    @Test
    void aTenantSeesItsOwnEventsLiveAndResumesAfterTheLastOne() throws Exception {
        EdgeDevices.Device a = EdgeDevices.provisioned(hub, "live-a");
        EdgeDevices.Device b = EdgeDevices.provisioned(hub, "live-b");
        String first = EdgeMessages.eventId();
        String second = EdgeMessages.eventId();
        String third = EdgeMessages.eventId();
        String theirs = EdgeMessages.eventId();
        String lastId;
        try (SseClient streamA = SseClient.open(hub.hub().port(), PATH, a.token(), Optional.empty());
                SseClient streamB = SseClient.open(hub.hub().port(), PATH, b.token(), Optional.empty());
                FakeEdge edgeA = connect(a);
                FakeEdge edgeB = connect(b)) {
            await().atMost(WAIT).until(() -> streamA.status() == 200 && streamB.status() == 200);
            deliver(edgeA, a, first);
            deliver(edgeB, b, theirs);
            await().atMost(WAIT).until(() -> streamA.events().size() == 1);
            await().atMost(WAIT).until(() -> streamB.events().size() == 1);
            SseClient.Event event = streamA.events().getFirst();
            assertThat(event.name()).isEqualTo("access");
            assertThat(event.data()).contains("\"id\":\"" + first + "\"").contains("\"deviceId\":\"" + a.id() + "\"");
            assertThat(streamB.events().getFirst().data()).contains(theirs).doesNotContain(first);
            assertThat(streamA.events()).noneMatch(e -> e.data().contains(theirs));
            lastId = event.id();
            assertThat(lastId).isNotBlank();
        }
        try (FakeEdge edgeA = connect(a)) {
            deliver(edgeA, a, second);
            deliver(edgeA, a, third);
            await().atMost(WAIT)
                    .until(() -> hub.api()
                                    .get("/api/v1/access-events", a.token())
                                    .json()
                                    .get("items")
                                    .size()
                            == 3);
        }
        try (SseClient resumed = SseClient.open(hub.hub().port(), PATH, a.token(), Optional.of(lastId))) {
            await().atMost(WAIT).until(() -> resumed.events().size() == 2);
            assertThat(resumed.events())
                    .extracting(
                            e -> e.data().contains(second) ? second : e.data().contains(third) ? third : e.data())
                    .containsExactlyInAnyOrder(second, third);
        }
    }

    @Test
    void aLastEventIdThatIsNoCursorIsRefused() {
        EdgeDevices.Device a = EdgeDevices.provisioned(hub, "bad-cursor");
        try (SseClient stream = SseClient.open(hub.hub().port(), PATH, a.token(), Optional.of("not a cursor!"))) {
            await().atMost(WAIT).until(() -> stream.status() != 0);
            assertThat(stream.status()).isEqualTo(422);
        }
    }
}
