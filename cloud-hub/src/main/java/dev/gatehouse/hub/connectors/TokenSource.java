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
    private static final Duration EARLY = Duration.ofSeconds(60);

    private final ConnectorStore store;
    private final Connector connector;
    private final String tenantId;
    private final OAuth2 oauth;
    private final ConnectorSettings.Endpoints endpoints;
    private final Clock clock;
    private final Object lock;
    private Credentials credentials;

    TokenSource(
            ConnectorStore store,
            Connector connector,
            String tenantId,
            Credentials credentials,
            OAuth2 oauth,
            ConnectorSettings.Endpoints endpoints,
            Clock clock,
            Object lock) {
        this.store = store;
        this.connector = connector;
        this.tenantId = tenantId;
        this.credentials = credentials;
        this.oauth = oauth;
        this.endpoints = endpoints;
        this.clock = clock;
        this.lock = lock;
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
     * A new access token. Refreshes of one tenant's connector in this hub take turns ({@code lock}), and one
     * that finds a newer access token stored than the one it holds takes that instead: with rotating refresh
     * tokens, a second refresh with the old one would be refused.
     */
    synchronized String refresh() {
        synchronized (lock) {
            Optional<Credentials> stored =
                    store.config(tenantId, connector.name()).map(ConnectorStore.Config::credentials);
            Optional<String> newer = stored.flatMap(c -> c.get(Credentials.ACCESS_TOKEN))
                    .filter(token -> !token.equals(
                            credentials.get(Credentials.ACCESS_TOKEN).orElse("")));
            boolean fresh = stored.flatMap(Credentials::accessTokenExpiresAt)
                    .filter(at -> clock.instant().plus(EARLY).isBefore(at))
                    .isPresent();
            if (newer.isPresent() && fresh) {
                credentials = stored.get();
                return newer.get();
            }
            credentials = oauth.refresh(connector, endpoints.token(), stored.orElse(credentials));
            store.saveCredentials(tenantId, connector.name(), credentials);
            return credentials.get(Credentials.ACCESS_TOKEN).orElseThrow();
        }
    }
}
