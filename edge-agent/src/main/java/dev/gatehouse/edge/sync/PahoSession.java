package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.TrustedCas;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.TopicFilters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * How this device's MQTT session is set up with Paho, and how Paho's messages and codes are read:
 * the connect options (persistent session, Nagle off, the last will), the inbox subscription, an
 * envelope as a message, a broker's refusal told from Paho's own client codes.
 */
final class PahoSession {
    static final String CA_FILE_KEY = "hub.ca-file";

    private PahoSession() {}

    /**
     * Connect options: clean start off with {@code session-expiry}, no automatic reconnect (the
     * client reconnects itself), user {@code site.device} with the password file's content, {@code
     * will} as the last will on the state topic, and for {@code ssl://} the CAs of {@code hub.ca-file}
     * when set.
     */
    static MqttConnectionOptions options(EdgeConfig.Hub hub, EdgeConfig.Site site, String willTopic, Envelope will)
            throws IOException {
        String password = Files.readString(hub.passwordFile()).strip();
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(hub.sessionExpiry().toSeconds());
        options.setKeepAliveInterval((int) hub.keepAlive().toSeconds());
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        NoDelaySockets.forUrl(hub.mqttUrl()).ifPresent(options::setSocketFactory);
        if (hub.mqttUrl().toLowerCase(Locale.ROOT).startsWith("ssl://")) {
            // The operator's CA, read again at each connect (a renewed CA file needs no restart); Paho's
            // default is the JVM's trusted CAs. Either way the certificate must name the broker's host.
            hub.caFile()
                    .map(file -> TrustedCas.read(file, CA_FILE_KEY).sslContext().getSocketFactory())
                    .ifPresent(options::setSocketFactory);
            options.setHttpsHostnameVerificationEnabled(true);
        }
        options.setUserName(site.device());
        options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        options.setWill(willTopic, message(Channel.STATE, will));
        return options;
    }

    /** Subscribes to this device's inbox, waiting up to 15 s; a refusal throws. */
    static void subscribeInbox(MqttAsyncClient client, EdgeConfig.Site site) throws MqttException {
        // No local: the inbox filter also matches this device's own outbound channels.
        MqttSubscription inbox =
                new MqttSubscription(TopicFilters.edgeInbox(site.tenant(), site.id(), site.device()), 1);
        inbox.setNoLocal(true);
        inbox.setRetainHandling(2); // nothing hub-to-edge is retained
        IMqttToken subscribed = client.subscribe(inbox);
        subscribed.waitForCompletion(15_000);
        int[] codes = subscribed.getReasonCodes();
        if (codes != null && codes.length > 0 && refusal(codes[0])) {
            throw new MqttException(codes[0]);
        }
    }

    /** {@code envelope} as an MQTT message with the channel's QoS and retain flag. */
    static MqttMessage message(Channel channel, Envelope envelope) {
        MqttMessage message = new MqttMessage(MessageCodec.encode(envelope));
        message.setQos(channel.qos());
        message.setRetained(channel.retained());
        return message;
    }

    /** An MQTT 5 reason code that refuses (0x80 to 0xFF), as opposed to Paho's own client codes. */
    static boolean refusal(int reasonCode) {
        return reasonCode >= 0x80 && reasonCode < 0x100;
    }

    static String describe(Exception e) {
        if (e instanceof MqttException mqtt) {
            return mqtt.getMessage() + " (reason " + mqtt.getReasonCode() + ")";
        }
        return e.toString();
    }
}
