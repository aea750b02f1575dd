package dev.gatehouse.hub.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub with the operator's certificate: HTTPS for the console and API, MQTT over TLS for the edges,
 * and nothing in plain text. The certificate comes from a throwaway CA made with the JDK's keytool
 * ({@link TestPki}).
 */
class HubTlsTest {
    static Path pki;
    static Path certificate;
    static Path privateKey;
    static Path wrongKey;
    static SSLContext trustsCa;
    static Hub hub;

    @BeforeAll
    static void start(@TempDir Path temp) throws Exception {
        TestPki made = TestPki.create(temp.resolve("pki"), "dns:localhost,ip:127.0.0.1");
        pki = made.dir();
        certificate = made.certificate();
        privateKey = made.privateKey();
        wrongKey = made.otherKey();
        trustsCa = made.trustingCa();

        Path data = temp.resolve("hub");
        hub = Hub.start(
                HubConfig.forTests(data, StoreSettings.sqlite(data))
                        .withMqtt(MqttSettings.embedded(0))
                        .withTls(TlsSettings.of(certificate, privateKey)),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Https {
        @Test
        void aClientThatTrustsTheCaIsServedOverHttps() throws Exception {
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(trustsCa)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            HttpResponse<String> health = client.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + hub.port() + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"UP\"");
        }

        @Test
        void aClientThatDoesNotTrustTheCertificateIsRefused() {
            // A man in the middle with a certificate of his own would be refused the same way.
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            assertThatThrownBy(() -> client.send(
                            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + hub.port() + "/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(SSLHandshakeException.class);
        }

        @Test
        void plainHttpGetsNoAnswer() {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            assertThatThrownBy(() -> client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/health"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }

    @Nested
    class MqttOverTls {
        private MqttConnectionOptions options() {
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName(MqttSettings.HUB_USER);
            options.setPassword(hub.broker().orElseThrow().hubPassword().getBytes(StandardCharsets.UTF_8));
            options.setConnectionTimeout(5);
            options.setCleanStart(true);
            return options;
        }

        @Test
        void edgesAreGivenAnSslUrlAndAClientTrustingTheCaConnects() throws MqttException {
            assertThat(hub.mqtt().publicUrl()).startsWith("ssl://");
            MqttClient client =
                    new MqttClient("ssl://127.0.0.1:" + hub.brokerPort(), "tls-test-client", new MemoryPersistence());
            MqttConnectionOptions options = options();
            options.setSocketFactory(trustsCa.getSocketFactory());
            client.connect(options);
            try {
                assertThat(client.isConnected()).isTrue();
            } finally {
                client.disconnect();
                client.close();
            }
        }

        @Test
        void plainMqttOnTheBrokerPortIsRefused() throws MqttException {
            MqttClient client =
                    new MqttClient("tcp://127.0.0.1:" + hub.brokerPort(), "plain-test-client", new MemoryPersistence());
            try {
                assertThatThrownBy(() -> client.connect(options())).isInstanceOf(MqttException.class);
                assertThat(client.isConnected()).isFalse();
            } finally {
                client.close();
            }
        }

        @Test
        void aClientThatDoesNotTrustTheCertificateIsRefused() throws MqttException {
            MqttClient client =
                    new MqttClient("ssl://127.0.0.1:" + hub.brokerPort(), "untrusting-client", new MemoryPersistence());
            try {
                assertThatThrownBy(() -> client.connect(options())).isInstanceOf(MqttException.class);
            } finally {
                client.close();
            }
        }
    }

    @Nested
    class BadSettings {
        @TempDir
        Path data;

        private void refused(TlsSettings tls, String... message) {
            HubConfig config =
                    HubConfig.forTests(data, StoreSettings.sqlite(data)).withTls(tls);
            assertThatThrownBy(() -> Hub.start(config, Clock.systemUTC()))
                    .isInstanceOf(SecretException.class)
                    .hasMessageContainingAll(message);
            // Refused before the store was opened: nothing half-started.
            assertThat(data.resolve("hub.db")).doesNotExist();
        }

        @Test
        void halfAConfigurationIsRefused() {
            assertThatThrownBy(() -> new TlsSettings(Optional.of(certificate), Optional.empty()))
                    .hasMessageContaining("hub.tls.private-key is not");
            assertThatThrownBy(() -> new TlsSettings(Optional.empty(), Optional.of(privateKey)))
                    .hasMessageContaining("hub.tls.certificate is not");
        }

        @Test
        void aMissingCertificateIsRefused() {
            refused(TlsSettings.of(pki.resolve("missing.pem"), privateKey), "hub.tls.certificate", "does not exist");
        }

        @Test
        void aKeyReadableByOthersIsRefusedWithTheCommandThatFixesIt() throws IOException {
            Path loose = pki.resolve("loose.key");
            Files.copy(privateKey, loose);
            Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
            refused(TlsSettings.of(certificate, loose), "hub.tls.private-key", "chmod 600 " + loose.toAbsolutePath());
        }

        @Test
        void aKeyThatIsNotTheCertificatesIsRefused() {
            refused(TlsSettings.of(certificate, wrongKey), "is not the private key of the certificate");
        }

        @Test
        void aTraditionalKeyFormatIsRefusedWithTheConversionCommand() throws IOException {
            Path traditional = pki.resolve("traditional.key");
            SecretFiles.createOwnerOnly(
                    traditional,
                    Files.readString(privateKey)
                            .replace("BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY")
                            .replace("END PRIVATE KEY", "END EC PRIVATE KEY"));
            refused(TlsSettings.of(certificate, traditional), "openssl pkcs8 -topk8");
        }
    }
}
