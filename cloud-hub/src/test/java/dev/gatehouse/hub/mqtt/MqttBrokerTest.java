package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The embedded broker's authentication and topic permissions, with real Paho clients, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class MqttBrokerTest {
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

    String url() {
        return "tcp://127.0.0.1:" + hub.hub().brokerPort();
    }

    @Test
    void theHubLinkIsConnected() {
        await().atMost(Duration.ofSeconds(20)).until(() -> hub.hub().mqttLink().connected());
    }

    @Test
    void anonymousAndWrongPasswordsAreRefused() {
        assertThatThrownBy(() -> FakeEdge.connect(url(), "anon-1", null, null))
                .isInstanceOfSatisfying(
                        MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        assertThatThrownBy(() -> FakeEdge.connect(url(), "gatehouse-hub-2", MqttSettings.HUB_USER, "wrong"))
                .isInstanceOfSatisfying(
                        MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        EdgeDevices.Device device = EdgeDevices.provisioned(hub, "refused");
        assertThatThrownBy(() -> FakeEdge.connect(url(), device.id(), device.id(), "ghd_wrong"))
                .isInstanceOfSatisfying(
                        MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        assertThatThrownBy(() -> FakeEdge.connect(url(), "other-client", device.id(), device.password()))
                .isInstanceOfSatisfying(
                        MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x85));
    }

    @Test
    void aDeviceIsPinnedToItsOwnTopics() throws Exception {
        EdgeDevices.Device a = EdgeDevices.provisioned(hub, "pin-a");
        EdgeDevices.Device b = EdgeDevices.provisioned(hub, "pin-b");
        // the hub's link receives what a device sends on its own topics
        List<String> seen = new CopyOnWriteArrayList<>();
        try (FakeEdge hubSide = FakeEdge.connect(
                        url(),
                        "hub-observer",
                        MqttSettings.HUB_USER,
                        hub.hub().broker().orElseThrow().hubPassword());
                FakeEdge edge = FakeEdge.connect(url(), a.id(), a.id(), a.password())) {
            assertThat(hubSide.subscribe("gh/v1/#")[0]).isLessThan(0x80);
            assertThat(edge.subscribe("gh/v1/#")[0]).isEqualTo(0x87);
            assertThat(edge.subscribe("$share/hub/gh/v1/+/+/+/events")[0]).isEqualTo(0x87);
            assertThat(edge.subscribeInbox(a.slug(), a.site(), a.id())[0]).isLessThan(0x80);
            Topic own = Topic.of(a.slug(), a.site(), a.id(), Channel.COMMAND_ACK);
            assertThat(edge.publish(own, "x".getBytes(StandardCharsets.UTF_8))[0])
                    .isLessThan(0x80);
            await().atMost(Duration.ofSeconds(20)).until(() -> hubSide.received().stream()
                    .anyMatch(r -> r.topic().equals(own.value())));
            Topic foreign = Topic.of(b.slug(), b.site(), b.id(), Channel.EVENTS);
            int[] codes = edge.publish(foreign, "x".getBytes(StandardCharsets.UTF_8));
            assertThat(codes[0]).isGreaterThanOrEqualTo(0x80);
            await().atMost(Duration.ofSeconds(20)).until(() -> !edge.connected());
            seen.addAll(
                    hubSide.received().stream().map(FakeEdge.Received::topic).toList());
            assertThat(seen).doesNotContain(foreign.value());
        }
    }

    @Test
    void aDeviceMayRetainOnlyItsState() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "retain");
        String prefix = "gh/v1/" + d.slug() + "/" + d.site() + "/" + d.id() + "/";
        try (FakeEdge edge = FakeEdge.connect(url(), d.id(), d.id(), d.password())) {
            assertThat(edge.publish(prefix + "state", "{}".getBytes(StandardCharsets.UTF_8), 1, true)[0])
                    .isLessThan(0x80);
            assertThat(edge.publish(prefix + "events", "x".getBytes(StandardCharsets.UTF_8), 1, false)[0])
                    .isLessThan(0x80);
            assertThat(edge.connected()).isTrue();
            assertThat(edge.publish(prefix + "junk-1", "x".getBytes(StandardCharsets.UTF_8), 1, true)[0])
                    .isEqualTo(0x87);
            await().atMost(Duration.ofSeconds(20)).until(() -> !edge.connected());
        }
        // nothing of it was kept: a new subscriber under the prefix gets only the state
        try (FakeEdge observer = FakeEdge.connect(
                url(),
                "retain-observer",
                MqttSettings.HUB_USER,
                hub.hub().broker().orElseThrow().hubPassword())) {
            assertThat(observer.subscribe(prefix + "#")[0]).isLessThan(0x80);
            await().atMost(Duration.ofSeconds(20)).until(() -> observer.received().stream()
                    .anyMatch(r -> r.topic().endsWith("/state")));
            try (FakeEdge again = FakeEdge.connect(url(), d.id(), d.id(), d.password())) {
                // a later (non-retained) publish under the prefix arrives after anything retained would have
                again.publish(prefix + "events", "after".getBytes(StandardCharsets.UTF_8), 1, false);
                await().atMost(Duration.ofSeconds(20)).until(() -> observer.received().stream()
                        .anyMatch(r -> r.payload().equals("after")));
            }
            assertThat(observer.received().stream().map(FakeEdge.Received::topic))
                    .noneMatch(topic -> topic.endsWith("/junk-1"));
        }
    }

    @Test
    void aHandlerThatThrowsDoesNotStopTheLink() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "throws");
        List<String> handled = new CopyOnWriteArrayList<>();
        try (PahoMqttLink link = new PahoMqttLink(
                url(),
                "hub-second",
                MqttSettings.HUB_USER,
                hub.hub().broker().orElseThrow().hubPassword())) {
            // the hub's own link shares $share/hub with this one, so each publish goes to one of
            // them: the edge publishes until this link has handled it
            link.onMessage(Channel.COMMAND_ACK, (topic, payload) -> {
                String text = new String(payload, StandardCharsets.UTF_8);
                handled.add(text);
                if (text.equals("boom")) {
                    throw new IllegalStateException("a broken handler");
                }
            });
            link.start();
            assertThat(link.awaitConnected(20_000)).isTrue();
            try (FakeEdge edge = FakeEdge.connect(url(), d.id(), d.id(), d.password())) {
                Topic topic = Topic.of(d.slug(), d.site(), d.id(), Channel.COMMAND_ACK);
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    edge.publish(topic, "boom".getBytes(StandardCharsets.UTF_8));
                    return handled.contains("boom");
                });
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    edge.publish(topic, "after".getBytes(StandardCharsets.UTF_8));
                    return handled.contains("after");
                });
            }
            assertThat(link.connected()).isTrue();
        }
    }

    @Test
    void aRetiredDeviceIsRefusedAndDisconnected() throws Exception {
        EdgeDevices.Device device = EdgeDevices.provisioned(hub, "retire");
        try (FakeEdge edge = FakeEdge.connect(url(), device.id(), device.id(), device.password())) {
            assertThat(hub.api()
                            .patch("/api/v1/devices/" + device.id(), device.token(), "{\"status\":\"retired\"}")
                            .status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> !edge.connected());
        }
        assertThatThrownBy(() -> FakeEdge.connect(url(), device.id(), device.id(), device.password()))
                .isInstanceOfSatisfying(
                        MqttException.class, e -> assertThat(e.getReasonCode()).isGreaterThanOrEqualTo(0x80));
    }
}
