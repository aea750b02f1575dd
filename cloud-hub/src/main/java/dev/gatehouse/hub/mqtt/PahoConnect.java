package dev.gatehouse.hub.mqtt;

import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Paho's first connection, which its automatic reconnect does not retry: the caller's {@code failed} does. */
final class PahoConnect {
    private PahoConnect() {}

    /** Starts connecting; {@code failed} runs (on a Paho thread, or here) when this attempt fails. */
    static void start(MqttAsyncClient client, MqttConnectionOptions options, Consumer<Throwable> failed) {
        try {
            client.connect(options, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {}

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
