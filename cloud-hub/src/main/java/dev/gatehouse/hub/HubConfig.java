package dev.gatehouse.hub;

import dev.gatehouse.hub.accounts.MailSettings;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.console.ConsoleSettings;
import dev.gatehouse.hub.mqtt.BrokerAccountSettings;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.secrets.KeySettings;
import dev.gatehouse.hub.secrets.TlsSettings;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.sync.SyncSettings;
import dev.gatehouse.hub.web.TrustedProxies;
import dev.gatehouse.hub.webhooks.WebhookSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The hub's settings, read from {@code application.yaml} (kebab-case keys, documented in the module
 * README). A wrong value fails at start with the key and what is wrong.
 */
public record HubConfig(
        String host,
        int port,
        Path dataDir,
        StoreSettings store,
        Optional<String> baseDomain,
        int maxBodyBytes,
        String logFormat,
        MqttSettings mqtt,
        SyncSettings sync,
        MailSettings mail,
        ConsoleSettings console,
        KeySettings keys,
        TlsSettings tls,
        URI stripeApiBase,
        WebhookSettings webhooks,
        ConnectorSettings connectors) {

    public HubConfig {
        if (port < 0 || port > 65535) {
            throw new HubConfigException("server.port is " + port + "; use 0 (any free port) to 65535");
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
            throw new HubConfigException("hub.max-body-bytes is " + maxBodyBytes + "; use 1024 to 16777216");
        }
        if (!logFormat.equals("json") && !logFormat.equals("text")) {
            throw new HubConfigException("hub.log-format is '" + logFormat + "'; use json or text");
        }
        if (baseDomain.isPresent()
                && !baseDomain.get().matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")) {
            throw new HubConfigException("hub.base-domain '" + baseDomain.get()
                    + "' is not a lower-case domain name such as gatehouse.example");
        }
        if (tls.enabled()
                && mqtt.enabled()
                && mqtt.embedded()
                && mqtt.publicUrl().filter(url -> url.startsWith("tcp://")).isPresent()) {
            throw new HubConfigException(
                    "hub.mqtt.public-url is " + mqtt.publicUrl().get()
                            + " but hub.tls is on, and the embedded broker then speaks MQTT over TLS only:"
                            + " give edges ssl://<the certificate's host name>:" + mqtt.port());
        }
    }

    /** A failure to read the configuration, naming the key. */
    public static final class HubConfigException extends RuntimeException {
        public HubConfigException(String message) {
            super(message);
        }
    }

    public static HubConfig from(Config root) {
        try {
            Config server = root.get("server");
            Config hub = root.get("hub");
            Path dataDir = Path.of(hub.get("data-dir").asString().orElse("data/hub"));
            Optional<String> jdbcUrl =
                    hub.get("store.jdbc-url").asString().asOptional().filter(s -> !s.isBlank());
            StoreSettings store;
            try {
                store = new StoreSettings(
                        dataDir,
                        jdbcUrl,
                        hub.get("store.username").asString().orElse(""),
                        hub.get("store.password").asString().orElse(""),
                        hub.get("store.pool-size").asInt().orElse(8));
            } catch (StoreException e) {
                throw new HubConfigException(e.getMessage());
            }
            return new HubConfig(
                    server.get("host").asString().orElse("127.0.0.1"),
                    server.get("port").asInt().orElse(8080),
                    dataDir,
                    store,
                    hub.get("base-domain").asString().asOptional().filter(s -> !s.isBlank()),
                    hub.get("max-body-bytes").asInt().orElse(65536),
                    hub.get("log-format").asString().orElse("json"),
                    mqtt(hub.get("mqtt")),
                    sync(hub.get("sync")),
                    mail(hub.get("mail"), dataDir),
                    console(hub),
                    new KeySettings(
                            text(hub, "key-file").map(Path::of).orElse(dataDir.resolve("master.key")),
                            text(hub, "previous-key-file").map(Path::of)),
                    tls(hub.get("tls")),
                    stripeApiBase(hub),
                    webhooks(hub.get("webhooks")),
                    connectors(hub.get("connectors")));
        } catch (ConfigException e) {
            throw new HubConfigException("cannot read the hub configuration: " + e.getMessage());
        }
    }

    /** Stripe's API, where {@code hub.stripe.api-base} does not point elsewhere. */
    public static final URI STRIPE_API = URI.create("https://api.stripe.com");

    /** {@code hub.stripe.api-base}: Stripe's API unless set (to a stand-in or a proxy); an http(s) URL. */
    private static URI stripeApiBase(Config hub) {
        return text(hub, "stripe.api-base")
                .map(text -> {
                    try {
                        URI url = new URI(text);
                        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
                                || url.getHost() == null) {
                            throw new URISyntaxException(text, "not an http(s) URL with a host");
                        }
                        return url;
                    } catch (URISyntaxException e) {
                        throw new HubConfigException(
                                "hub.stripe.api-base is '" + text
                                        + "'; leave it unset for Stripe, or write an http(s) URL such as https://api.stripe.com");
                    }
                })
                .orElse(STRIPE_API);
    }

    /** {@code hub.public-url} (how people reach the hub; https makes cookies Secure) and {@code hub.console.*}. */
    private static ConsoleSettings console(Config hub) {
        Optional<URI> publicUrl = text(hub, "public-url").map(text -> {
            try {
                URI url = new URI(text);
                if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                    throw new URISyntaxException(text, "not an http(s) URL with a host");
                }
                return url;
            } catch (URISyntaxException e) {
                throw new HubConfigException("hub.public-url is '" + text
                        + "'; write the URL people open, such as https://gatehouse.example");
            }
        });
        Duration dwell =
                duration(hub.get("console.dwell"), ConsoleSettings.defaults().dwell());
        if (dwell.compareTo(Duration.ofMinutes(10)) < 0 || dwell.compareTo(Duration.ofHours(24)) > 0) {
            throw new HubConfigException("hub.console.dwell is " + dwell + "; use 10m to 24h");
        }
        return new ConsoleSettings(publicUrl, dwell, trustedProxies(hub.get("trusted-proxies")));
    }

    /** {@code hub.trusted-proxies}: a list, or one comma-separated value (handy in an environment variable). */
    private static TrustedProxies trustedProxies(Config node) {
        List<String> entries = node.isLeaf()
                ? node.asString()
                        .asOptional()
                        .map(text -> List.of(text.split(",")))
                        .orElse(List.of())
                : node.asList(String.class).orElse(List.of());
        try {
            return TrustedProxies.parse(entries);
        } catch (IllegalArgumentException e) {
            throw new HubConfigException(e.getMessage());
        }
    }

    /** {@code hub.tls.certificate} and {@code hub.tls.private-key}: both or neither. */
    private static TlsSettings tls(Config tls) {
        try {
            return new TlsSettings(
                    text(tls, "certificate").map(Path::of),
                    text(tls, "private-key").map(Path::of));
        } catch (IllegalArgumentException e) {
            throw new HubConfigException(e.getMessage());
        }
    }

    private static MqttSettings mqtt(Config mqtt) {
        Optional<String> url = text(mqtt, "url");
        try {
            return new MqttSettings(
                    mqtt.get("enabled").asBoolean().orElse(true),
                    mqtt.get("embedded").asBoolean().orElse(true),
                    mqtt.get("host").asString().orElse("127.0.0.1"),
                    mqtt.get("port").asInt().orElse(11883),
                    url,
                    mqtt.get("username").asString().orElse(MqttSettings.HUB_USER),
                    text(mqtt, "password-file").map(Path::of),
                    text(mqtt, "public-url"),
                    mqtt.get("client-id").asString().orElse(MqttSettings.HUB_USER),
                    accounts(mqtt.get("accounts")));
        } catch (IllegalArgumentException e) {
            throw new HubConfigException(e.getMessage());
        }
    }

    private static BrokerAccountSettings accounts(Config accounts) {
        BrokerAccountSettings defaults = BrokerAccountSettings.manual();
        return new BrokerAccountSettings(
                text(accounts, "kind").map(BrokerAccountSettings.Kind::of).orElse(defaults.kind()),
                text(accounts, "username"),
                text(accounts, "password-file").map(Path::of),
                duration(accounts.get("timeout"), defaults.timeout()));
    }

    private static Optional<String> text(Config node, String key) {
        return node.get(key).asString().asOptional().map(String::strip).filter(s -> !s.isEmpty());
    }

    private static SyncSettings sync(Config sync) {
        SyncSettings defaults = SyncSettings.defaults();
        try {
            return new SyncSettings(
                    sync.get("batch-max-changes").asInt().orElse(defaults.batchMaxChanges()),
                    duration(sync.get("sweep-interval"), defaults.sweepInterval()),
                    sync.get("log-keep").asLong().orElse(defaults.logKeep()),
                    sync.get("snapshot-chunk-bytes").asInt().orElse(defaults.snapshotChunkBytes()),
                    duration(sync.get("lease-term"), defaults.leaseTerm()));
        } catch (IllegalArgumentException e) {
            throw new HubConfigException(e.getMessage());
        }
    }

    private static MailSettings mail(Config mail, Path dataDir) {
        String mode = mail.get("mode").asString().orElse("folder").strip();
        MailSettings.Mode parsed = WireNames.parse(MailSettings.Mode.class, mode)
                .orElseThrow(() -> new HubConfigException(
                        "hub.mail.mode is '" + mode + "'; use " + WireNames.choices(MailSettings.Mode.class)));
        Config smtp = mail.get("smtp");
        try {
            return new MailSettings(
                    parsed,
                    text(mail, "folder").map(Path::of).orElse(dataDir.resolve("mail")),
                    text(mail, "from").orElse("gatehouse@localhost"),
                    text(smtp, "host"),
                    smtp.get("port").asInt().orElse(587),
                    text(smtp, "username"),
                    text(smtp, "password-file").map(Path::of),
                    flag(smtp.get("starttls"), true));
        } catch (IllegalArgumentException e) {
            throw new HubConfigException(e.getMessage());
        }
    }

    /** true or false; anything else (Helidon reads "maybe" as false) stops the start naming the key. */
    private static boolean flag(Config node, boolean fallback) {
        Optional<String> text = node.asString().asOptional().map(String::strip).filter(s -> !s.isEmpty());
        return switch (text.orElse(Boolean.toString(fallback))) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new HubConfigException(node.key() + " is '" + text.get() + "'; use true or false");
        };
    }

    /** A duration written as 5s, 500ms, 2m, 1h or ISO-8601 (PT5S). */
    static java.time.Duration duration(Config node, java.time.Duration fallback) {
        Optional<String> text = node.asString().asOptional().map(String::strip);
        if (text.isEmpty() || text.get().isEmpty()) {
            return fallback;
        }
        String value = text.get();
        var matcher = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(value);
        if (matcher.matches()) {
            long n = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> java.time.Duration.ofMillis(n);
                case "s" -> java.time.Duration.ofSeconds(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                case "h" -> java.time.Duration.ofHours(n);
                default -> java.time.Duration.ofDays(n);
            };
        }
        try {
            return java.time.Duration.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new HubConfigException(
                    node.key() + " is '" + value + "'; write a duration such as 500ms, 5s, 2m, 1h, 30d or PT5S");
        }
    }

    /**
     * Settings for tests and tools: SQLite under {@code dataDir}, any free port on loopback, no MQTT,
     * mail written to {@code dataDir/mail}.
     */
    public static HubConfig forTests(Path dataDir, StoreSettings store) {
        return new HubConfig(
                "127.0.0.1",
                0,
                dataDir,
                store,
                Optional.empty(),
                65536,
                "text",
                MqttSettings.disabled(),
                SyncSettings.defaults(),
                MailSettings.folder(dataDir.resolve("mail")),
                ConsoleSettings.defaults(),
                KeySettings.in(dataDir),
                TlsSettings.off(),
                STRIPE_API,
                WebhookSettings.defaults().withAllowHttpLoopback(true),
                ConnectorSettings.defaults());
    }

    public HubConfig withBaseDomain(String domain) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                Optional.of(domain),
                maxBodyBytes,
                logFormat,
                mqtt,
                sync,
                mail,
                console,
                keys,
                tls,
                stripeApiBase,
                webhooks,
                connectors);
    }

    public HubConfig withMqtt(MqttSettings settings) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                settings,
                sync,
                mail,
                console,
                keys,
                tls,
                stripeApiBase,
                webhooks,
                connectors);
    }

    public HubConfig withSync(SyncSettings settings) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                mqtt,
                settings,
                mail,
                console,
                keys,
                tls,
                stripeApiBase,
                webhooks,
                connectors);
    }

    public HubConfig withConsole(ConsoleSettings settings) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                mqtt,
                sync,
                mail,
                settings,
                keys,
                tls,
                stripeApiBase,
                webhooks,
                connectors);
    }

    public HubConfig withKeys(KeySettings settings) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                mqtt,
                sync,
                mail,
                console,
                settings,
                tls,
                stripeApiBase,
                webhooks,
                connectors);
    }

    public HubConfig withTls(TlsSettings settings) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                mqtt,
                sync,
                mail,
                console,
                keys,
                settings,
                stripeApiBase,
                webhooks,
                connectors);
    }

    /** Where the hub calls Stripe: a test's local stand-in. */
    public HubConfig withStripeApiBase(URI base) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                mqtt,
                sync,
                mail,
                console,
                keys,
                tls,
                base,
                webhooks,
                connectors);
    }

    public HubConfig withMail(MailSettings settings) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                mqtt,
                sync,
                settings,
                console,
                keys,
                tls,
                stripeApiBase,
                webhooks,
                connectors);
    }

    public HubConfig withWebhooks(WebhookSettings settings) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                mqtt,
                sync,
                mail,
                console,
                keys,
                tls,
                stripeApiBase,
                settings,
                connectors);
    }

    public HubConfig withConnectors(ConnectorSettings settings) {
        return new HubConfig(
                host,
                port,
                dataDir,
                store,
                baseDomain,
                maxBodyBytes,
                logFormat,
                mqtt,
                sync,
                mail,
                console,
                keys,
                tls,
                stripeApiBase,
                webhooks,
                settings);
    }

    /**
     * {@code hub.connectors.timeout} (30s), {@code hub.connectors.job-retention} (30d: finished jobs are
     * pruned after it, 1d to 365d) and {@code hub.connectors.<quickbooks|hubspot|slack>.api-base}: the
     * service's own addresses unless set (a proxy, or a stand-in in a test); an http(s) URL.
     */
    private static ConnectorSettings connectors(Config node) {
        ConnectorSettings settings = ConnectorSettings.defaults();
        Duration timeout = duration(node.get("timeout"), settings.timeout());
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofSeconds(120)) > 0) {
            throw new HubConfigException("hub.connectors.timeout is " + timeout + "; use 1s to 120s");
        }
        settings = new ConnectorSettings(settings.services(), timeout);
        Duration retention = duration(node.get("job-retention"), settings.jobRetention());
        if (retention.compareTo(Duration.ofDays(1)) < 0 || retention.compareTo(Duration.ofDays(365)) > 0) {
            throw new HubConfigException("hub.connectors.job-retention is " + retention + "; use 1d to 365d");
        }
        settings = settings.withJobRetention(retention);
        for (String service :
                java.util.List.of(ConnectorSettings.QUICKBOOKS, ConnectorSettings.HUBSPOT, ConnectorSettings.SLACK)) {
            Optional<String> base = text(node, service + ".api-base");
            if (base.isPresent()) {
                URI url;
                try {
                    url = new URI(base.get());
                } catch (URISyntaxException e) {
                    url = URI.create("x:/");
                }
                if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                    throw new HubConfigException("hub.connectors." + service + ".api-base is '" + base.get()
                            + "'; use an http(s) URL such as https://proxy.example");
                }
                settings = settings.withBase(service, url);
            }
        }
        return settings;
    }

    /**
     * {@code hub.webhooks.allow-http-loopback} (false), {@code .allow-private-addresses} (false), {@code
     * .timeout} (15s), {@code .rotation-overlap} (24h).
     */
    private static WebhookSettings webhooks(Config node) {
        WebhookSettings defaults = WebhookSettings.defaults();
        Duration timeout = duration(node.get("timeout"), defaults.timeout());
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new HubConfigException("hub.webhooks.timeout is " + timeout + "; use 1s to 60s");
        }
        Duration overlap = duration(node.get("rotation-overlap"), defaults.rotationOverlap());
        if (overlap.isNegative() || overlap.compareTo(Duration.ofDays(7)) > 0) {
            throw new HubConfigException("hub.webhooks.rotation-overlap is " + overlap + "; use 0s to 7d");
        }
        Duration retention = duration(node.get("retention"), defaults.retention());
        if (retention.compareTo(WebhookSettings.MIN_RETENTION) < 0
                || retention.compareTo(WebhookSettings.MAX_RETENTION) > 0) {
            throw new HubConfigException("hub.webhooks.retention is " + retention
                    + "; use 7d to 365d (it must outlast the retry schedule and the 5 days before an endpoint is"
                    + " disabled)");
        }
        return new WebhookSettings(
                node.get("allow-http-loopback").asBoolean().orElse(false),
                node.get("allow-private-addresses").asBoolean().orElse(false),
                timeout,
                overlap,
                retention);
    }
}
