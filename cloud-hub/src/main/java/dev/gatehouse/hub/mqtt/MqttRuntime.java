package dev.gatehouse.hub.mqtt;

import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.hub.secrets.TlsIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The hub's MQTT side as configured by {@code hub.mqtt.*}: the embedded broker (when embedded), the
 * hub's {@link MqttLink} (not started until {@link #startLink}, so components can register their
 * handlers first) and the device lookups.
 */
public final class MqttRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MqttRuntime.class.getName());
    /** How long the hub start waits for the first connection to the embedded broker. */
    private static final long CONNECT_WAIT_MILLIS = 15_000;

    private final MqttSettings settings;
    private final Optional<EmbeddedBroker> broker;
    private final MqttLink link;
    private final Devices devices;

    private MqttRuntime(MqttSettings settings, Optional<EmbeddedBroker> broker, MqttLink link, Devices devices) {
        this.settings = settings;
        this.broker = broker;
        this.link = link;
        this.devices = devices;
    }

    /** Starts the embedded broker if configured and builds the link (not yet started). */
    public static MqttRuntime create(MqttSettings settings, Path dataDir, Devices devices) {
        return create(settings, dataDir, devices, Optional.empty());
    }

    /** As above; with {@code tls} the embedded broker listens for MQTT over TLS only. */
    public static MqttRuntime create(MqttSettings settings, Path dataDir, Devices devices, Optional<TlsIdentity> tls) {
        if (!settings.enabled()) {
            return new MqttRuntime(settings, Optional.empty(), new DisabledMqttLink(), devices);
        }
        if (settings.embedded()) {
            EmbeddedBroker broker = EmbeddedBroker.start(
                    devices,
                    settings.host(),
                    settings.port(),
                    dataDir.resolve("broker"),
                    settings.passwordFile().map(MqttRuntime::readPassword),
                    tls);
            try {
                // The embedded broker serves this hub alone: a plain subscription, not a shared one.
                MqttLink link = new PahoMqttLink(
                        broker.url(),
                        settings.clientId(),
                        MqttSettings.HUB_USER,
                        broker.hubPassword(),
                        java.util.random.RandomGenerator.getDefault(),
                        false,
                        tls.map(TlsIdentity::selfTrust));
                return new MqttRuntime(settings, Optional.of(broker), link, devices);
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
        }
        String password = readPassword(settings.passwordFile().orElseThrow());
        MqttLink link =
                new PahoMqttLink(settings.url().orElseThrow(), settings.clientId(), settings.username(), password);
        return new MqttRuntime(settings, Optional.empty(), link, devices);
    }

    private static String readPassword(Path file) {
        String password;
        try {
            password = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read hub.mqtt.password-file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException(
                    "hub.mqtt.password-file " + file.toAbsolutePath() + " is empty; put the hub's MQTT password in it");
        }
        return password;
    }

    /**
     * Starts the link after every handler is registered; with the embedded broker, waits for the first
     * connection (an external broker may come later: the link keeps trying).
     */
    public void startLink() {
        link.start();
        if (broker.isPresent() && link instanceof PahoMqttLink paho) {
            try {
                if (!paho.awaitConnected(CONNECT_WAIT_MILLIS)) {
                    LOG.warning("the hub is not yet connected to its embedded broker; it keeps trying");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public MqttLink link() {
        return link;
    }

    public Optional<EmbeddedBroker> broker() {
        return broker;
    }

    public Devices devices() {
        return devices;
    }

    public MqttSettings settings() {
        return settings;
    }

    /** The broker URL edges get in their provisioning bundle. */
    public String publicUrl() {
        return settings.publicUrl()
                .or(() -> broker.map(EmbeddedBroker::url))
                .or(settings::url)
                .orElse("tcp://" + settings.host() + ":" + settings.port());
    }

    /**
     * Drops a device's connection after its credentials changed (rotation, retirement). Only the
     * embedded broker can do this; an external broker keeps the session until it reconnects.
     */
    public void disconnect(String deviceId) {
        broker.ifPresent(b -> b.disconnect(deviceId));
    }

    @Override
    public void close() {
        try {
            link.close();
        } finally {
            broker.ifPresent(EmbeddedBroker::close);
        }
    }
}
