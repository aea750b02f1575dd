package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrTokens;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;

/**
 * Signs QR tokens with the tenant's active key. The {@code t} claim is the tenant's slug: the
 * protocol names the operator by slug in QR tokens and topics, and an edge is configured with it
 * ({@code site.tenant}). A slug never changes, so tokens and edges agree for the tenant's life.
 */
final class QrIssuer {
    private QrIssuer() {}

    static QrToken issue(
            Connection c,
            MasterKey masterKey,
            String tenantId,
            QrKind kind,
            String subject,
            Set<String> sites,
            boolean singleUse,
            Instant notBefore,
            Instant expiresAt)
            throws SQLException {
        String tokenId = QrTokens.newTokenId();
        QrClaims claims =
                new QrClaims(slug(c, tenantId), sites, kind, subject, singleUse, notBefore, expiresAt, tokenId);
        String token = QrTokens.issue(claims, TenantStore.activeSigningKey(c, masterKey, tenantId));
        return new QrToken(
                token,
                sites.isEmpty() ? null : sites.stream().sorted().toList(),
                Times.iso(notBefore),
                Times.iso(expiresAt),
                tokenId);
    }

    private static String slug(Connection c, String tenantId) throws SQLException {
        return Sql.one(c, "SELECT slug FROM tenants WHERE id = ?", Sql.STRING, tenantId)
                .orElseThrow(() -> new SQLException("tenant " + tenantId + " does not exist"));
    }

    /** {@code instant} rounded up to a whole second (QR times are whole seconds). */
    static Instant ceilSecond(Instant instant) {
        Instant floor = instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return floor.equals(instant) ? floor : floor.plusSeconds(1);
    }
}
