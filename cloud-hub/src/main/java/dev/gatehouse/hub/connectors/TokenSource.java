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
    private Credentials credentials;

    TokenSource(
            ConnectorStore store,
            Connector connector,
            String tenantId,
            Credentials credentials,
            OAuth2 oauth,
            ConnectorSettings.Endpoints endpoints,
            Clock clock) {
        this.store = store;
        this.connector = connector;
        this.tenantId = tenantId;
        this.credentials = credentials;
        this.oauth = oauth;
        this.endpoints = endpoints;
        this.clock = clock;
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

    synchronized String refresh() {
        credentials = oauth.refresh(connector, endpoints.token(), credentials);
        store.saveCredentials(tenantId, connector.name(), credentials);
        return credentials.get(Credentials.ACCESS_TOKEN).orElseThrow();
    }
}
