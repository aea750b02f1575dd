package dev.gatehouse.protocol.qr;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.policy.Presented;
import java.time.Instant;
import java.util.Set;

/**
 * The claims of a QR token. {@code sites} empty means every site of the tenant. A member token names
 * the member-QR credential it was issued under ({@code subject}; the cache knows whose it is); a
 * visitor token names its pass ({@code subject}) and may be single-use. Times are whole seconds
 * (JWT NumericDate).
 */
public record QrClaims(
        String tenant,
        Set<String> sites,
        QrKind kind,
        String subject,
        boolean singleUse,
        Instant notBefore,
        Instant expiresAt,
        String tokenId) {
    public QrClaims {
        Ids.require(tenant, "QR tenant");
        sites = Set.copyOf(Checks.present(sites, "QR sites"));
        sites.forEach(site -> Ids.require(site, "QR site"));
        Checks.present(kind, "QR kind");
        Ids.require(subject, "QR subject");
        Checks.present(notBefore, "QR notBefore");
        Checks.present(expiresAt, "QR expiresAt");
        Ids.require(tokenId, "QR token id");
        if (!expiresAt.isAfter(notBefore)) {
            throw Checks.bad("QR token expires at " + expiresAt + ", not after its start " + notBefore);
        }
        if (singleUse && kind != QrKind.VISITOR) {
            throw Checks.bad("only visitor QR tokens can be single-use");
        }
    }

    /** What the policy engine decides on. */
    public Presented presented() {
        return switch (kind) {
            case MEMBER -> new Presented.MemberCode(CredentialId.of(subject));
            case VISITOR -> new Presented.VisitorCode(PassId.of(subject), singleUse);
        };
    }
}
