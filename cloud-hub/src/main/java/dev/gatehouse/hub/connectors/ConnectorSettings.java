package dev.gatehouse.hub.connectors;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code hub.connectors.*}: where each service is reached (its API, its OAuth2 authorization page and
 * token endpoint), overridable to point at a proxy or, in tests and benchmarks, at a local stand-in,
 * the timeout of one call, and how long finished jobs are kept ({@code job-retention}: their rows carry
 * the entity's data as the event had it). Tenants never choose these addresses: a tenant's credentials
 * go only to the service the operator of the hub configured.
 */
public record ConnectorSettings(Map<String, Endpoints> services, Duration timeout, Duration jobRetention) {
    /** One service's addresses. */
    public record Endpoints(URI api, URI authorize, URI token) {}

    public static final String QUICKBOOKS = "quickbooks";
    public static final String HUBSPOT = "hubspot";
    public static final String SLACK = "slack";

    /** How long finished jobs are kept unless configured. */
    public static final Duration DEFAULT_JOB_RETENTION = Duration.ofDays(30);

    public ConnectorSettings {
        services = Map.copyOf(services);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("hub.connectors.timeout must be positive");
        }
        if (jobRetention.compareTo(Duration.ofDays(1)) < 0 || jobRetention.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException(
                    "hub.connectors.job-retention must be 1 to 365 days, not " + jobRetention);
        }
    }

    public ConnectorSettings(Map<String, Endpoints> services, Duration timeout) {
        this(services, timeout, DEFAULT_JOB_RETENTION);
    }

    /** These settings with finished jobs kept for {@code retention}. */
    public ConnectorSettings withJobRetention(Duration retention) {
        return new ConnectorSettings(services, timeout, retention);
    }

    /** The services' own addresses. */
    public static ConnectorSettings defaults() {
        return new ConnectorSettings(
                Map.of(
                        QUICKBOOKS,
                        new Endpoints(
                                URI.create("https://quickbooks.api.intuit.com"),
                                URI.create("https://appcenter.intuit.com/connect/oauth2"),
                                URI.create("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer")),
                        HUBSPOT,
                        new Endpoints(
                                URI.create("https://api.hubapi.com"),
                                URI.create("https://app.hubspot.com/oauth/authorize"),
                                URI.create("https://api.hubapi.com/oauth/v1/token")),
                        SLACK,
                        new Endpoints(
                                URI.create("https://slack.com/api"),
                                URI.create("https://slack.com/oauth/v2/authorize"),
                                URI.create("https://slack.com/api/oauth.v2.access"))),
                Duration.ofSeconds(30));
    }

    public Endpoints of(String service) {
        return Optional.ofNullable(services.get(service))
                .orElseThrow(() -> new IllegalArgumentException("no endpoints for connector " + service));
    }

    /**
     * These settings with {@code service} reached at {@code base} instead: its API at {@code base} (plus
     * the service's usual path prefix), its OAuth2 pages at the paths the service uses, on the same host.
     */
    public ConnectorSettings withBase(String service, URI base) {
        String root = base.toString().replaceAll("/+$", "");
        Endpoints endpoints =
                switch (service) {
                    case QUICKBOOKS ->
                        new Endpoints(
                                URI.create(root),
                                URI.create(root + "/connect/oauth2"),
                                URI.create(root + "/oauth2/v1/tokens/bearer"));
                    case HUBSPOT ->
                        new Endpoints(
                                URI.create(root),
                                URI.create(root + "/oauth/authorize"),
                                URI.create(root + "/oauth/v1/token"));
                    case SLACK ->
                        new Endpoints(
                                URI.create(root + "/api"),
                                URI.create(root + "/oauth/v2/authorize"),
                                URI.create(root + "/api/oauth.v2.access"));
                    default -> throw new IllegalArgumentException("no connector " + service);
                };
        java.util.Map<String, Endpoints> changed = new java.util.HashMap<>(services);
        changed.put(service, endpoints);
        return new ConnectorSettings(changed, timeout, jobRetention);
    }
}
