package dev.gatehouse.hub.mqtt;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code hub.mqtt.*} settings: an embedded HiveMQ broker (the default) or an external one.
 *
 * @param enabled false only for hubs made in code without MQTT (most API tests): no broker, no
 *     link; publishes are dropped
 * @param embedded run HiveMQ CE inside the hub on {@code host:port}
 * @param port the embedded listener's port; 0 picks a free one
 * @param url the external broker ({@code tcp://host:port} or {@code ssl://…}), only when not embedded
 * @param username the hub's account on an external broker
 * @param passwordFile the file holding that account's password (external only)
 * @param publicUrl the broker URL handed to edges in provisioning bundles
 * @param clientId the hub's MQTT client id (distinct per replica on an external broker)
 * @param accounts who keeps the device accounts of an external broker ({@code hub.mqtt.accounts.*})
 */
public record MqttSettings(
        boolean enabled,
        boolean embedded,
        String host,
        int port,
        Optional<String> url,
        String username,
        Optional<Path> passwordFile,
        Optional<String> publicUrl,
        String clientId,
        BrokerAccountSettings accounts) {
    /** The hub's own user name on the embedded broker; it cannot clash with a device id ({@code dev_…}). */
    public static final String HUB_USER = "gatehouse-hub";

    public MqttSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("hub.mqtt.port is " + port + "; use 0 (any free port) to 65535");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("hub.mqtt.host is empty; use an address such as 127.0.0.1");
        }
        url.ifPresent(u -> requireBrokerUrl("hub.mqtt.url", u));
        publicUrl.ifPresent(u -> requireBrokerUrl("hub.mqtt.public-url", u));
        if (enabled && !embedded) {
            if (url.isEmpty()) {
                throw new IllegalArgumentException(
                        "hub.mqtt.url is empty but hub.mqtt.embedded is false; name the external broker,"
                                + " e.g. tcp://127.0.0.1:1883, or set hub.mqtt.embedded: true");
            }
            if (passwordFile.isEmpty()) {
                throw new IllegalArgumentException(
                        "hub.mqtt.password-file is empty but hub.mqtt.embedded is false; name the file holding"
                                + " the password of hub.mqtt.username on the external broker");
            }
            if (username.isBlank()) {
                throw new IllegalArgumentException("hub.mqtt.username is empty; the external broker needs a user");
            }
        }
        if (embedded && accounts.kind() != BrokerAccountSettings.Kind.MANUAL) {
            throw new IllegalArgumentException(
                    "hub.mqtt.accounts.kind is " + accounts.kind().value()
                            + " but hub.mqtt.embedded is true: the embedded broker reads device accounts from the hub's"
                            + " store; set hub.mqtt.embedded: false and hub.mqtt.url to use an external broker");
        }
        if (!clientId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException(
                    "hub.mqtt.client-id '" + clientId + "' is not 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
    }

    /** These settings with the device accounts kept as {@code settings} says. */
    public MqttSettings withAccounts(BrokerAccountSettings settings) {
        return new MqttSettings(
                enabled, embedded, host, port, url, username, passwordFile, publicUrl, clientId, settings);
    }

    private static void requireBrokerUrl(String key, String value) {
        if (!value.matches("(tcp|ssl)://[^/\\s:]+:[0-9]{1,5}")) {
            throw new IllegalArgumentException(
                    key + " '" + value + "' is not a broker URL such as tcp://127.0.0.1:1883 or ssl://broker:8883");
        }
    }

    /** The embedded broker on loopback at {@code port} (0: any free port). */
    public static MqttSettings embedded(int port) {
        return new MqttSettings(
                true,
                true,
                "127.0.0.1",
                port,
                Optional.empty(),
                HUB_USER,
                Optional.empty(),
                Optional.empty(),
                HUB_USER,
                BrokerAccountSettings.manual());
    }

    /** No MQTT at all (tests of the REST API alone). */
    public static MqttSettings disabled() {
        return new MqttSettings(
                false,
                true,
                "127.0.0.1",
                0,
                Optional.empty(),
                HUB_USER,
                Optional.empty(),
                Optional.empty(),
                HUB_USER,
                BrokerAccountSettings.manual());
    }
}
