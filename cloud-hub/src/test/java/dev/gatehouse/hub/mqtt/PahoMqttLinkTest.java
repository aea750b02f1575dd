package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The link's promises that need no broker: publishing never blocks or throws, handlers are registered first. */
class PahoMqttLinkTest {
    @Test
    void publishingWithoutABrokerNeitherBlocksNorThrows() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (PahoMqttLink link = new PahoMqttLink("tcp://127.0.0.1:" + port, "hub-test", "gatehouse-hub", "x")) {
            link.onMessage(Channel.EVENTS, (topic, payload) -> {});
            link.start();
            Topic topic = Topic.of("acme", "site_1", "dev_1", Channel.EVENT_ACK);
            List<CompletableFuture<Void>> answers = new ArrayList<>();
            for (int i = 0; i < PahoMqttLink.QUEUE_CAPACITY + 100; i++) {
                answers.add(link.publish(topic, new byte[] {1}).toCompletableFuture());
            }
            assertThat(link.connected()).isFalse();
            // Nothing reached a broker, so nothing is answered as accepted: the queue waits for one
            // (the sender holds one more), and what overflows is answered failed at once.
            assertThat(answers).noneMatch(a -> a.isDone() && !a.isCompletedExceptionally());
            assertThat(answers.getLast()).isCompletedExceptionally();
            assertThatThrownBy(() -> answers.getLast().join())
                    .cause()
                    .isInstanceOfSatisfying(PublishException.class, e -> assertThat(e.reason())
                            .isEqualTo(PublishException.Reason.QUEUE_FULL));
            assertThatThrownBy(() -> link.onMessage(Channel.STATE, (t, p) -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before the link starts");
            link.close();
            // Closing answers every publish it still held: none is left waiting forever.
            assertThat(answers).allMatch(CompletableFuture::isCompletedExceptionally);
            assertThatThrownBy(() -> answers.getFirst().join())
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOfSatisfying(PublishException.class, e -> assertThat(e.reason())
                            .isEqualTo(PublishException.Reason.CLOSED));
        }
    }

    @Test
    void theHubReceivesOnlyOnEdgeToHubChannels() {
        try (PahoMqttLink link = new PahoMqttLink("tcp://127.0.0.1:1", "hub-test", "gatehouse-hub", "x")) {
            assertThatThrownBy(() -> link.onMessage(Channel.SYNC, (t, p) -> {}))
                    .isInstanceOf(IllegalArgumentException.class);
            link.onMessage(Channel.EVENTS, (t, p) -> {});
            assertThatThrownBy(() -> link.onMessage(Channel.EVENTS, (t, p) -> {}))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
