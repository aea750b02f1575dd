package dev.gatehouse.hub.mqtt;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import dev.gatehouse.hub.devices.DeviceRef;
import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.hub.devices.MqttPasswords;
import dev.gatehouse.hub.secrets.TlsIdentity;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HiveMQ CE inside the hub, with an embedded extension that authenticates every client against the
 * hub's store and pins each device to its own topics:
 *
 * <ul>
 *   <li>a device logs in with user name = client id = its device id and the password it was
 *       provisioned with (only its SHA-256 is stored); only an {@code active} device may connect;
 *   <li>it may publish and subscribe only under {@code gh/v1/{slug}/{site}/{device}/#}, no shared
 *       subscriptions (HiveMQ answers a foreign publish with PUBACK 0x87 and a disconnect, a foreign
 *       subscription with SUBACK 0x87);
 *   <li>the hub logs in as {@value MqttSettings#HUB_USER} with a password made at each start and held
 *       in memory only; it may use anything under {@code gh/v1/#}, shared subscriptions included;
 *   <li>anonymous clients and wrong passwords get CONNACK 0x86.
 * </ul>
 *
 * HiveMQ's folders live under {@code <hub.data-dir>/broker}. Its logging bootstrap (logback) is off:
 * it logs through SLF4J into java.util.logging like the rest of the hub, at WARNING and above.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedBroker.class.getName());
    /**
     * HiveMQ's loggers and those of its libraries (Netty, Xodus; its migration check logs under the
     * bare name "migrations"), held here so that java.util.logging keeps their WARNING level: their
     * INFO lines would drown the hub's.
     */
    private static final List<Logger> QUIET = List.of(
            Logger.getLogger("com.hivemq"),
            Logger.getLogger("migrations"),
            Logger.getLogger("io.netty"),
            Logger.getLogger("jetbrains.exodus"),
            Logger.getLogger("com.google.inject"));

    private final EmbeddedHiveMQ hive;
    private final Extension extension;
    private final String host;
    private final int port;
    private final String hubPassword;
    private final Optional<TlsIdentity> tls;

    private EmbeddedBroker(
            EmbeddedHiveMQ hive,
            Extension extension,
            String host,
            int port,
            String hubPassword,
            Optional<TlsIdentity> tls) {
        this.hive = hive;
        this.extension = extension;
        this.host = host;
        this.port = port;
        this.hubPassword = hubPassword;
        this.tls = tls;
    }

    /**
     * Starts the broker listening on {@code host:port} (port 0: a free port), with its folders under
     * {@code brokerDir}; blocks until it accepts connections.
     */
    public static EmbeddedBroker start(Devices devices, String host, int port, Path brokerDir) {
        return start(devices, host, port, brokerDir, Optional.empty());
    }

    /**
     * As above, with the hub's own password given (from {@code hub.mqtt.password-file}) instead of a
     * random one made for this run.
     */
    public static EmbeddedBroker start(
            Devices devices, String host, int port, Path brokerDir, Optional<String> givenHubPassword) {
        return start(devices, host, port, brokerDir, givenHubPassword, Optional.empty());
    }

    /**
     * As above; with {@code tls} the one listener is MQTT over TLS ({@code ssl://}) with that
     * certificate, and nothing listens in plain text. HiveMQ reads its key from a PKCS12 key store:
     * the hub writes one under {@code brokerDir/config} (owner-only, in an owner-only folder) with a
     * random password made for this run.
     */
    public static EmbeddedBroker start(
            Devices devices,
            String host,
            int port,
            Path brokerDir,
            Optional<String> givenHubPassword,
            Optional<TlsIdentity> tls) {
        QUIET.forEach(logger -> logger.setLevel(Level.WARNING));
        int listen = port == 0 ? freePort(host) : port;
        String hubPassword = givenHubPassword.orElseGet(() -> MqttPasswords.newPassword("ghh_"));
        Path config = brokerDir.resolve("config");
        try {
            Files.createDirectories(config);
            Files.createDirectories(brokerDir.resolve("data"));
            Files.createDirectories(brokerDir.resolve("extensions"));
            ownerOnly(config);
            String listener = tcpListener(host, listen);
            Path keyStore = config.resolve("hub-tls.p12");
            Files.deleteIfExists(keyStore);
            if (tls.isPresent()) {
                String storePassword = MqttPasswords.newPassword("ks_");
                tls.get().writeKeyStore(keyStore, storePassword.toCharArray());
                listener = tlsListener(host, listen, keyStore, storePassword);
            }
            Path xml = config.resolve("config.xml");
            Files.deleteIfExists(xml);
            dev.gatehouse.hub.secrets.SecretFiles.createOwnerOnly(xml, configXml(listener));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the broker folder " + brokerDir.toAbsolutePath(), e);
        }
        Extension extension = new Extension(devices, hubPassword);
        EmbeddedHiveMQ hive = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(config)
                .withDataFolder(brokerDir.resolve("data"))
                .withExtensionsFolder(brokerDir.resolve("extensions"))
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId("gatehouse-hub-auth")
                        .withName("Gatehouse hub authentication")
                        .withVersion("1")
                        .withPriority(1000)
                        .withStartPriority(1000)
                        .withExtensionMain(extension)
                        .build())
                .withoutLoggingBootstrap()
                .build();
        try {
            hive.start().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(hive);
            throw new IllegalStateException("interrupted while starting the MQTT broker", e);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(hive);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(
                    "cannot start the embedded MQTT broker on " + host + ":" + listen
                            + " (hub.mqtt.host, hub.mqtt.port): " + cause,
                    cause);
        }
        LOG.info("embedded MQTT broker listening on " + (tls.isPresent() ? "ssl://" : "tcp://") + host + ":" + listen
                + ", data in " + brokerDir.toAbsolutePath());
        return new EmbeddedBroker(hive, extension, host, listen, hubPassword, tls);
    }

    private static void ownerOnly(Path folder) throws IOException {
        try {
            Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access rules apply
        }
    }

    private static String tcpListener(String host, int port) {
        return """
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                """.formatted(port, xml(host));
    }

    private static String tlsListener(String host, int port, Path keyStore, String password) {
        return """
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                                <protocols>
                                    <protocol>TLSv1.3</protocol>
                                    <protocol>TLSv1.2</protocol>
                                </protocols>
                                <client-authentication-mode>NONE</client-authentication-mode>
                            </tls>
                        </tls-tcp-listener>
                """.formatted(port, xml(host), xml(keyStore.toAbsolutePath().toString()), password, password);
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String configXml(String listener) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                %s    </listeners>
                    <mqtt>
                        <queued-messages>
                            <!-- per client; the hub's shared subscriptions take every edge's events -->
                            <max-queue-size>100000</max-queue-size>
                        </queued-messages>
                        <receive-maximum>
                            <!-- QoS 1 publishes a client may have unacknowledged (default 10): the hub's
                                 fan-out of one change to every site of a tenant goes out in one window -->
                            <server-receive-maximum>1000</server-receive-maximum>
                        </receive-maximum>
                        <packets>
                            <!-- the largest protocol message is a signed batch: 350,549 characters -->
                            <max-packet-size>400000</max-packet-size>
                        </packets>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(listener);
    }

    private static int freePort(String host) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host + " for the MQTT broker", e);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code tcp://host:port}, or {@code ssl://host:port} with TLS. */
    public String url() {
        return (tls.isPresent() ? "ssl://" : "tcp://") + host + ":" + port;
    }

    /** The certificate and key the listener serves, when it is TLS. */
    public Optional<TlsIdentity> tls() {
        return tls;
    }

    /** The hub's password for this run (user {@value MqttSettings#HUB_USER}). */
    public String hubPassword() {
        return hubPassword;
    }

    /**
     * Disconnects the client with this id (a device whose password was rotated or who was retired);
     * true when one was connected. Never throws.
     */
    public boolean disconnect(String clientId) {
        ClientService clients = extension.clients;
        if (clients == null) {
            return false;
        }
        try {
            return clients.disconnectClient(clientId, true, DisconnectReasonCode.NOT_AUTHORIZED, "credentials revoked")
                    .get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not disconnect MQTT client " + clientId, e);
            return false;
        }
    }

    @Override
    public void close() {
        closeQuietly(hive);
    }

    private static void closeQuietly(EmbeddedHiveMQ hive) {
        try {
            hive.stop().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.log(Level.WARNING, "the embedded MQTT broker did not stop cleanly", e);
        }
        try {
            hive.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            LOG.log(Level.FINE, "closing the embedded MQTT broker", e);
        }
    }

    /** The embedded extension: one authenticator for every client, permissions set at login. */
    static final class Extension implements ExtensionMain {
        private final Devices devices;
        private final byte[] hubPassword;
        volatile ClientService clients;

        Extension(Devices devices, String hubPassword) {
            this.devices = devices;
            this.hubPassword = hubPassword.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            clients = Services.clientService();
            SimpleAuthenticator authenticator = this::authenticate;
            Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
            clients = null;
        }

        private void authenticate(SimpleAuthInput input, SimpleAuthOutput output) {
            try {
                ConnectPacket connect = input.getConnectPacket();
                Optional<String> user = connect.getUserName();
                Optional<byte[]> password = connect.getPassword().map(EmbeddedBroker::bytes);
                if (user.isEmpty() || password.isEmpty()) {
                    output.failAuthentication(
                            ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "a user name and a password are required");
                    return;
                }
                if (user.get().equals(MqttSettings.HUB_USER)) {
                    if (!MessageDigest.isEqual(password.get(), hubPassword)) {
                        output.failAuthentication(
                                ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
                        return;
                    }
                    ModifiableDefaultPermissions permissions = output.getDefaultPermissions();
                    permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
                    permissions.add(Builders.topicPermission()
                            .topicFilter(Topic.ROOT + "/" + Topic.VERSION + "/#")
                            .type(TopicPermission.PermissionType.ALLOW)
                            .activity(TopicPermission.MqttActivity.ALL)
                            .sharedSubscription(TopicPermission.SharedSubscription.ALL)
                            .sharedGroup("#")
                            .build());
                    output.authenticateSuccessfully();
                    return;
                }
                authenticateDevice(connect, user.get(), new String(password.get(), StandardCharsets.UTF_8), output);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "MQTT authentication failed on an error; refusing the client", e);
                output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "the hub cannot check credentials now");
            }
        }

        private void authenticateDevice(ConnectPacket connect, String user, String password, SimpleAuthOutput output) {
            Optional<Devices.Login> login = devices.login(user);
            if (login.isEmpty()
                    || login.get().passwordHash().isEmpty()
                    || !MqttPasswords.matches(
                            password, login.get().passwordHash().get())) {
                output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
                return;
            }
            DeviceRef device = login.get().device();
            if (!device.status().equals("active")) {
                output.failAuthentication(
                        ConnackReasonCode.NOT_AUTHORIZED, "device " + user + " is " + device.status());
                return;
            }
            if (!connect.getClientId().equals(user)) {
                output.failAuthentication(
                        ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "the client id must be the device id " + user);
                return;
            }
            ModifiableDefaultPermissions permissions = output.getDefaultPermissions();
            permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
            String prefix = Topic.ROOT + "/" + Topic.VERSION + "/" + device.tenantSlug() + "/" + device.siteId() + "/"
                    + device.deviceId() + "/";
            // Retained only where the protocol retains (the state and its last will): a retained message
            // stays in the broker, so a device may not leave any number of them under its prefix.
            for (Channel channel : Channel.values()) {
                if (channel.retained() && channel.direction() == Channel.Direction.EDGE_TO_HUB) {
                    permissions.add(Builders.topicPermission()
                            .topicFilter(prefix + channel.level())
                            .type(TopicPermission.PermissionType.ALLOW)
                            .activity(TopicPermission.MqttActivity.PUBLISH)
                            .retain(TopicPermission.Retain.ALL)
                            .build());
                }
            }
            permissions.add(Builders.topicPermission()
                    .topicFilter(prefix + "#")
                    .type(TopicPermission.PermissionType.ALLOW)
                    .activity(TopicPermission.MqttActivity.ALL)
                    .retain(TopicPermission.Retain.NOT_RETAINED)
                    .sharedSubscription(TopicPermission.SharedSubscription.NOT_SHARED)
                    .build());
            output.authenticateSuccessfully();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.asReadOnlyBuffer();
        copy.rewind();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
