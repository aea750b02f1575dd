package dev.gatehouse.hub.connectors;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The bearer token of one tenant's connector: its static token where it uses one, else the OAuth2
 * access token, refreshed a minute before it expires or when the service refuses it, with the new
 * tokens (QuickBooks' rotating refresh token among them) sealed back into the store at once.
 */
final class TokenSource {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TokenSource.class.getName());
    private static final Duration EARLY = Duration.ofSeconds(60);
    /** How often (in real time) a replica waiting for another's refresh looks for the tokens it stored. */
    private static final Duration WAIT_FOR_OTHER = Duration.ofMillis(100);

    private final ConnectorStore store;
    private final Connector connector;
    private final String tenantId;
    private final OAuth2 oauth;
    private final ConnectorSettings.Endpoints endpoints;
    private final Clock clock;
    private final Object lock;
    private final String owner;
    private final Duration timeout;
    private Credentials credentials;

    TokenSource(
            ConnectorStore store,
            Connector connector,
            String tenantId,
            Credentials credentials,
            OAuth2 oauth,
            ConnectorSettings.Endpoints endpoints,
            Clock clock,
            Object lock,
            String owner,
            Duration timeout) {
        this.store = store;
        this.connector = connector;
        this.tenantId = tenantId;
        this.credentials = credentials;
        this.oauth = oauth;
        this.endpoints = endpoints;
        this.clock = clock;
        this.lock = lock;
        this.owner = owner;
        this.timeout = timeout;
    }

    synchronized String bearer() {
        Optional<String> fixed = connector.staticToken(credentials);
        if (fixed.isPresent()) {
            return fixed.get();
        }
        Optional<String> access = credentials.get(Credentials.ACCESS_TOKEN);
        boolean expired = credentials
                .accessTokenExpiresAt()
                .filter(at -> !clock.instant().plus(EARLY).isBefore(at))
                .isPresent();
        if (access.isEmpty() || expired) {
            if (credentials.get(Credentials.REFRESH_TOKEN).isEmpty()) {
                throw new ConnectorException(
                        ConnectorException.Kind.UNAUTHORIZED,
                        connector.title() + " is not connected: run the connect flow (POST …/connectors/"
                                + connector.name() + "/connect)");
            }
            return refresh();
        }
        return access.get();
    }

    synchronized boolean canRefresh() {
        return connector.staticToken(credentials).isEmpty()
                && credentials.get(Credentials.REFRESH_TOKEN).isPresent();
    }

    /**
     * A new access token. Refreshes of one tenant's connector take turns: in this hub through {@code lock},
     * across replicas through the database ({@link ConnectorStore#claimRefresh}: one replica at a time
     * spends the refresh token, the others wait for what it stores). One that finds a newer, fresh access
     * token stored than the one it holds takes that instead: with rotating refresh tokens, a second
     * refresh with the old one would be refused.
     */
    synchronized String refresh() {
        synchronized (lock) {
            long deadline = System.nanoTime() + timeout.multipliedBy(2).toNanos();
            boolean waited = false;
            while (true) {
                Optional<String> adopted = adoptStored();
                if (adopted.isPresent()) {
                    return adopted.get();
                }
                if (store.claimRefresh(tenantId, connector.name(), owner)) {
                    try {
                        // Another replica may have stored new tokens between the read above and the claim.
                        adopted = adoptStored();
                        if (adopted.isPresent()) {
                            return adopted.get();
                        }
                        Credentials stored = store.config(tenantId, connector.name())
                                .map(ConnectorStore.Config::credentials)
                                .orElse(credentials);
                        credentials = oauth.refresh(connector, endpoints.token(), stored);
                        store.saveCredentials(tenantId, connector.name(), credentials);
                        return credentials.get(Credentials.ACCESS_TOKEN).orElseThrow();
                    } finally {
                        store.releaseRefresh(tenantId, connector.name(), owner);
                    }
                }
                if (!waited) {
                    waited = true;
                    LOG.info("the " + connector.title() + " token refresh of tenant " + tenantId
                            + " waits for another replica's, which holds it");
                }
                if (System.nanoTime() > deadline) {
                    throw new ConnectorException(
                            ConnectorException.Kind.UNAVAILABLE,
                            "another hub replica is refreshing the " + connector.title()
                                    + " token and has not finished; the job tries again");
                }
                try {
                    Thread.sleep(WAIT_FOR_OTHER.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConnectorException(
                            ConnectorException.Kind.UNAVAILABLE, "the hub stopped during the call");
                }
            }
        }
    }

    /** The stored access token when it is newer than the one held and not about to expire. */
    private Optional<String> adoptStored() {
        Optional<Credentials> stored = store.config(tenantId, connector.name()).map(ConnectorStore.Config::credentials);
        Optional<String> newer = stored.flatMap(c -> c.get(Credentials.ACCESS_TOKEN))
                .filter(token ->
                        !token.equals(credentials.get(Credentials.ACCESS_TOKEN).orElse("")));
        boolean fresh = stored.flatMap(Credentials::accessTokenExpiresAt)
                .filter(at -> clock.instant().plus(EARLY).isBefore(at))
                .isPresent();
        if (newer.isPresent() && fresh) {
            credentials = stored.get();
            return newer;
        }
        return Optional.empty();
    }
}
