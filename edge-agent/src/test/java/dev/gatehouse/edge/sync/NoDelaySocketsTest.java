package dev.gatehouse.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import org.junit.jupiter.api.Test;

class NoDelaySocketsTest {
    @Test
    void aTcpBrokerGetsSocketsWithNagleOff() throws Exception {
        try (Socket socket =
                NoDelaySockets.forUrl("tcp://127.0.0.1:11883").orElseThrow().createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
        assertThat(NoDelaySockets.forUrl("TCP://broker.internal:1883")).isPresent();
    }

    @Test
    void aTlsBrokerKeepsPahosOwnFactory() {
        assertThat(NoDelaySockets.forUrl("ssl://broker.internal:8883")).isEmpty();
    }
}
