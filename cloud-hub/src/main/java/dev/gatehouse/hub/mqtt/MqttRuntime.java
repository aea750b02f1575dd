package dev.gatehouse.hub.mqtt;

import dev.gatehouse.hub.devices.BrokerAccountException;
import dev.gatehouse.hub.devices.BrokerAccounts;
import dev.gatehouse.hub.devices.DeviceAccounts;
import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.hub.secrets.SecretFiles;
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
    private final BrokerAccounts accounts;
    private final DeviceAccounts deviceAccounts;

    private MqttRuntime(
            MqttSettings settings,
            Optional<EmbeddedBroker> broker,
            MqttLink link,
            Devices devices,
            BrokerAccounts accounts) {
        this.settings = settings;
        this.broker = broker;
        this.link = link;
        this.devices = devices;
        this.accounts = accounts;
        this.deviceAccounts = new DeviceAccounts(devices, accounts);
    }

    /** Starts the embedded broker if configured and builds the link (not yet started). */
    public static MqttRuntime create(MqttSettings settings, Path dataDir, Devices devices) {
        return create(settings, dataDir, devices, Optional.empty());
    }

    /** As above; with {@code tls} the embedded broker listens for MQTT over TLS only. */
    public static MqttRuntime create(MqttSettings settings, Path dataDir, Devices devices, Optional<TlsIdentity> tls) {
        if (!settings.enabled()) {
            return new MqttRuntime(
                    settings,
                    Optional.empty(),
                    new DisabledMqttLink(),
                    devices,
                    new StoreReadAccounts(Optional.empty()));
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
                return new MqttRuntime(
                        settings, Optional.of(broker), link, devices, new StoreReadAccounts(Optional.of(broker)));
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
        }
        String password = readPassword(settings.passwordFile().orElseThrow());
        BrokerAccounts accounts = externalAccounts(settings, password);
        MqttLink link =
                new PahoMqttLink(settings.url().orElseThrow(), settings.clientId(), settings.username(), password);
        return new MqttRuntime(settings, Optional.empty(), link, devices, accounts);
    }

    /**
     * The device accounts of an external broker: its operator's, or the hub's through Mosquitto's
     * dynamic security (connected as the admin account before the hub's link, which then finds its own
     * account made if it was missing).
     */
    private static BrokerAccounts externalAccounts(MqttSettings settings, String hubPassword) {
        BrokerAccountSettings accounts = settings.accounts();
        return switch (accounts.kind()) {
            case MANUAL -> new StoreReadAccounts(Optional.empty());
            case MOSQUITTO_DYNSEC -> {
                String key = "hub.mqtt.accounts.password-file";
                String admin = new String(
                                SecretFiles.read(accounts.passwordFile().orElseThrow(), key), StandardCharsets.UTF_8)
                        .strip();
                if (admin.isEmpty()) {
                    throw new IllegalArgumentException(
                            key + " " + accounts.passwordFile().get().toAbsolutePath()
                                    + " is empty; put the dynamic-security admin's password in it");
                }
                PahoDynsecAccounts dynsec = PahoDynsecAccounts.connect(
                        settings.url().orElseThrow(),
                        settings.clientId() + "-accounts",
                        accounts.username().orElseThrow(),
                        admin,
                        accounts.timeout());
                dynsec.onConnected(() -> {
                    try {
                        dynsec.ensureHubAccount(settings.username(), hubPassword);
                    } catch (BrokerAccountException e) {
                        LOG.warning("the hub's own account " + settings.username() + " on " + dynsec.description()
                                + " is not made: " + e.getMessage());
                    }
                });
                yield dynsec;
            }
        };
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

    /** The device accounts of the broker (see {@link BrokerAccounts}). */
    public BrokerAccounts accounts() {
        return accounts;
    }

    /** The broker's device accounts kept as the store says (enrol, retire, reconcile). */
    public DeviceAccounts deviceAccounts() {
        return deviceAccounts;
    }

    @Override
    public void close() {
        try {
            link.close();
        } finally {
            try {
                deviceAccounts.close();
                accounts.close();
            } finally {
                broker.ifPresent(EmbeddedBroker::close);
            }
        }
    }
}
