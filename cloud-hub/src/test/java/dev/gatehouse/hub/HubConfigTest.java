package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.accounts.MailSettings;
import dev.gatehouse.hub.mqtt.BrokerAccountSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A broken hub configuration fails at start with the key and what is wrong. */
class HubConfigTest {
    @TempDir
    Path dir;

    HubConfig load(String yaml) throws Exception {
        Path file = dir.resolve("hub.yaml");
        Files.writeString(file, yaml);
        return HubConfig.from(Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.file(file), ConfigSources.classpath("application.yaml"))
                .build());
    }

    @Test
    void theShippedDefaultsRunOnSqliteWithNoSetup() throws Exception {
        HubConfig config = load("{}");
        assertThat(config.store().kind()).isEqualTo(StoreKind.SQLITE);
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.baseDomain()).isEmpty();
        assertThat(config.logFormat()).isEqualTo("json");
        assertThat(config.mqtt().enabled()).isTrue();
        assertThat(config.mqtt().embedded()).isTrue();
        assertThat(config.mqtt().port()).isEqualTo(11883);
        assertThat(config.mqtt().clientId()).isEqualTo("gatehouse-hub");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{hub: {mqtt: {port: 70000}}}                                           | hub.mqtt.port",
                "{hub: {mqtt: {embedded: false}}}                                       | hub.mqtt.url",
                "{hub: {mqtt: {embedded: false, url: 'tcp://127.0.0.1:1883'}}}          | hub.mqtt.password-file",
                "{hub: {mqtt: {url: 'http://broker'}}}                                  | hub.mqtt.url",
                "{hub: {mqtt: {public-url: 'broker:1883'}}}                             | hub.mqtt.public-url",
                "{hub: {mqtt: {client-id: 'two words'}}}                                | hub.mqtt.client-id",
                "{hub: {mqtt: {accounts: {kind: emqx}}}}                                | hub.mqtt.accounts.kind",
                "{hub: {mqtt: {accounts: {timeout: 0s}}}}                               | hub.mqtt.accounts.timeout",
                "{hub: {mqtt: {embedded: false, url: 'tcp://b:1883', password-file: /p,"
                        + " accounts: {kind: mosquitto-dynsec}}}}                       | hub.mqtt.accounts.username",
                "{hub: {mqtt: {embedded: false, url: 'tcp://b:1883', password-file: /p,"
                        + " accounts: {kind: mosquitto-dynsec, username: a}}}}          | hub.mqtt.accounts.password-file",
                "{hub: {mqtt: {accounts: {kind: mosquitto-dynsec, username: a, password-file: /a}}}}"
                        + " | hub.mqtt.accounts.kind",
            })
    void aBrokenMqttSettingNamesItsKey(String yaml, String key) {
        assertThatThrownBy(() -> load(yaml))
                .isInstanceOf(HubConfig.HubConfigException.class)
                .hasMessageContaining(key);
    }

    @Test
    void theHubKeepsAnExternalBrokersDeviceAccountsWhenConfigured() throws Exception {
        HubConfig config = load("{hub: {mqtt: {embedded: false, url: 'tcp://127.0.0.1:1883',"
                + " password-file: /etc/gatehouse/mqtt-password, accounts: {kind: mosquitto-dynsec,"
                + " username: gatehouse-admin, password-file: /etc/gatehouse/broker-admin-password, timeout: 2s}}}}");
        assertThat(config.mqtt().accounts())
                .isEqualTo(new BrokerAccountSettings(
                        BrokerAccountSettings.Kind.MOSQUITTO_DYNSEC,
                        Optional.of("gatehouse-admin"),
                        Optional.of(Path.of("/etc/gatehouse/broker-admin-password")),
                        Duration.ofSeconds(2)));
        // By default the broker's operator keeps them, as before.
        assertThat(load("{}").mqtt().accounts()).isEqualTo(BrokerAccountSettings.manual());
    }

    @Test
    void anExternalBrokerIsReadWithItsAccount() throws Exception {
        HubConfig config = load("{hub: {mqtt: {embedded: false, url: 'tcp://127.0.0.1:1883', username: hub-1,"
                + " password-file: /etc/gatehouse/mqtt-password, public-url: 'ssl://mqtt.example:8883'}}}");
        assertThat(config.mqtt().url()).contains("tcp://127.0.0.1:1883");
        assertThat(config.mqtt().username()).isEqualTo("hub-1");
        assertThat(config.mqtt().passwordFile()).contains(Path.of("/etc/gatehouse/mqtt-password"));
        assertThat(config.mqtt().publicUrl()).contains("ssl://mqtt.example:8883");
    }

    @Test
    void stripeIsCalledAtItsOwnApiUnlessPointedElsewhere() throws Exception {
        // No default secrets anywhere: only the address, which a test points at its stand-in.
        assertThat(load("{}").stripeApiBase()).isEqualTo(java.net.URI.create("https://api.stripe.com"));
        assertThat(load("{hub: {stripe: {api-base: 'http://127.0.0.1:12111'}}}").stripeApiBase())
                .isEqualTo(java.net.URI.create("http://127.0.0.1:12111"));
        assertThatThrownBy(() -> load("{hub: {stripe: {api-base: 'api.stripe.com'}}}"))
                .isInstanceOf(HubConfig.HubConfigException.class)
                .hasMessageContaining("hub.stripe.api-base");
    }

    @Test
    void aPostgresUrlSelectsPostgres() throws Exception {
        HubConfig config = load("hub:\n  store:\n    jdbc-url: jdbc:postgresql://db:5432/hub\n");
        assertThat(config.store().kind()).isEqualTo(StoreKind.POSTGRESQL);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "server:\\n  port: 70000|server.port",
                "server:\\n  port: eighty|server.port",
                "hub:\\n  store:\\n    jdbc-url: jdbc:mysql://db/hub|hub.store.jdbc-url",
                "hub:\\n  store:\\n    pool-size: 0|hub.store.pool-size",
                "hub:\\n  max-body-bytes: 10|hub.max-body-bytes",
                "hub:\\n  log-format: xml|hub.log-format",
                "hub:\\n  base-domain: 'Not A Domain'|hub.base-domain",
                "hub:\\n  sync:\\n    batch-max-changes: 501|hub.sync.batch-max-changes",
                "hub:\\n  sync:\\n    sweep-interval: forever|hub.sync.sweep-interval",
                "hub:\\n  sync:\\n    sweep-interval: 2h|hub.sync.sweep-interval",
                "hub:\\n  sync:\\n    log-keep: 10|hub.sync.log-keep",
                "hub:\\n  sync:\\n    snapshot-chunk-bytes: 100|hub.sync.snapshot-chunk-bytes",
                "hub:\\n  sync:\\n    lease-term: 10ms|hub.sync.lease-term",
                "hub:\\n  sync:\\n    lease-term: 1h|hub.sync.lease-term",
                "hub:\\n  mail:\\n    mode: pigeon|hub.mail.mode",
                "hub:\\n  mail:\\n    from: 'not an address'|hub.mail.from",
                "hub:\\n  mail:\\n    mode: smtp|hub.mail.smtp.host",
                "hub:\\n  mail:\\n    smtp:\\n      port: 0|hub.mail.smtp.port",
                "hub:\\n  mail:\\n    smtp:\\n      port: submission|hub.mail.smtp.port",
                "hub:\\n  mail:\\n    smtp:\\n      username: gh|hub.mail.smtp.password-file",
                "hub:\\n  mail:\\n    smtp:\\n      password-file: /etc/pw|hub.mail.smtp.username",
                "hub:\\n  mail:\\n    smtp:\\n      starttls: maybe|hub.mail.smtp.starttls",
                "hub:\\n  webhooks:\\n    retention: 2d|hub.webhooks.retention",
                "hub:\\n  webhooks:\\n    retention: 400d|hub.webhooks.retention",
                "hub:\\n  webhooks:\\n    retention: a month|hub.webhooks.retention",
            })
    void eachBrokenKeyIsNamed(String yaml, String key) {
        assertThatThrownBy(() -> load(yaml.replace("\\n", "\n")))
                .isInstanceOf(HubConfig.HubConfigException.class)
                .hasMessageContaining(key.contains(".") ? key.substring(key.lastIndexOf('.') + 1) : key);
    }

    /** Out of the box, mail lands as files next to the store, so the first invitation can be read. */
    @Test
    void mailGoesIntoTheDataFolderByDefault() throws Exception {
        HubConfig config = load("hub:\n  data-dir: " + dir.resolve("data") + "\n");
        assertThat(config.mail().mode()).isEqualTo(MailSettings.Mode.FOLDER);
        assertThat(config.mail().folder()).isEqualTo(dir.resolve("data").resolve("mail"));
        assertThat(config.mail().from()).isEqualTo("gatehouse@localhost");
        assertThat(config.mail().smtpPort()).isEqualTo(587);
        assertThat(config.mail().starttls()).isTrue();
    }

    @Test
    void anSmtpServerIsReadWithItsAccount() throws Exception {
        HubConfig config = load(
                "hub: {mail: {mode: SMTP, from: 'Acme <doors@acme.example>', smtp: {host: smtp.example.com,"
                        + " port: 465, username: doors, password-file: /etc/gatehouse/smtp-password, starttls: false}}}");
        assertThat(config.mail().mode()).isEqualTo(MailSettings.Mode.SMTP);
        assertThat(config.mail().from()).isEqualTo("Acme <doors@acme.example>");
        assertThat(config.mail().smtpHost()).contains("smtp.example.com");
        assertThat(config.mail().smtpPort()).isEqualTo(465);
        assertThat(config.mail().smtpUsername()).contains("doors");
        assertThat(config.mail().smtpPasswordFile()).contains(Path.of("/etc/gatehouse/smtp-password"));
        assertThat(config.mail().starttls()).isFalse();
    }

    @Test
    void testsWriteMailUnderTheirDataFolder() {
        HubConfig config = HubConfig.forTests(dir, StoreSettings.sqlite(dir));
        assertThat(config.mail()).isEqualTo(MailSettings.folder(dir.resolve("mail")));
    }
}
