package dev.gatehouse.hub.mqtt;

import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** Paho's first connection, which its automatic reconnect does not retry: the caller's {@code failed} does. */
final class PahoConnect {
    private PahoConnect() {}

    /**
     * Starts connecting; {@code failed} runs (on a Paho thread, or here) when this attempt fails, {@code
     * receiveMaximum} when it succeeds, with the broker's receive maximum from its CONNACK (65,535 when
     * the CONNACK names none, as MQTT 5 says): how many QoS 1 publishes it takes unacknowledged.
     */
    static void start(
            MqttAsyncClient client,
            MqttConnectionOptions options,
            Consumer<Throwable> failed,
            IntConsumer receiveMaximum) {
        try {
            client.connect(options, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    MqttProperties connack = token.getResponseProperties();
                    Integer maximum = connack == null ? null : connack.getReceiveMaximum();
                    receiveMaximum.accept(maximum == null ? 65_535 : maximum);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    failed.accept(error);
                }
            });
        } catch (MqttException e) {
            failed.accept(e);
        }
    }
}
