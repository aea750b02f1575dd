package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.CredentialViews.CredentialView;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.projection.SiteProjection;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The member's phone pass: their member-QR credential, for which the hub signs a fresh short-lived
 * QR token each time the portal asks ({@link CredentialStore#MEMBER_TOKEN_LIFETIME}), exactly as the
 * API's qr-token route does. An active member who has no member-QR credential at all gets one on
 * their first visit, recorded in the audit log as done by the member; a member whose member-QR
 * credential was suspended, lost or revoked by an operator gets no new one here (the front desk
 * decides), and a member who is not active gets no token.
 */
record MemberPass(Database database, CredentialStore credentials, Audit audit) {
    static final String LABEL = "Phone pass (member portal)";

    /** How often the page fetches a new code: a third of a code's life, so the one shown is always valid. */
    static final Duration REFRESH = CredentialStore.MEMBER_TOKEN_LIFETIME.dividedBy(3);

    /** The member's member-QR credential that can show a code now, making the first one if they have none. */
    Optional<String> credential(ServerRequest req, MemberSession member) {
        List<Credential> qr =
                database
                        .read(c -> SiteProjection.credentials(c, member.tenantId(), Optional.of(member.memberId())))
                        .stream()
                        .filter(credential -> credential.type() == CredentialType.MEMBER_QR)
                        .toList();
        Optional<String> active = qr.stream()
                .filter(credential -> credential.status() == CredentialStatus.ACTIVE)
                .map(credential -> credential.id().value())
                .findFirst();
        if (active.isPresent() || !qr.isEmpty() || !member.active()) {
            return active;
        }
        StoreResult<CredentialView> enrolled = credentials.enroll(
                member.tenantId(),
                member.memberId(),
                new CredentialStore.Enrollment(
                        CredentialType.MEMBER_QR,
                        Optional.empty(),
                        Optional.of(LABEL),
                        Optional.empty(),
                        Optional.empty()));
        if (enrolled instanceof StoreResult.Found<CredentialView>(CredentialView created)) {
            audit.record(
                    req, member.auditCaller(), "credential.enroll", "credential", created.id(), null, null, created);
            return Optional.of(created.id());
        }
        return Optional.empty();
    }

    /** A signed QR token for the member's pass, valid at every site of the tenant; empty when it may not be shown. */
    Optional<QrToken> token(MemberSession member, String credentialId) {
        return credentials.issueToken(member.tenantId(), credentialId, Optional.empty())
                        instanceof StoreResult.Found<QrToken>(QrToken token)
                ? Optional.of(token)
                : Optional.empty();
    }
}
