package dev.gatehouse.hub.credentials;

import java.util.List;

/** How credentials, visitor passes and QR tokens look in the API. Absent values are null and left out. */
public final class CredentialViews {
    private CredentialViews() {}

    /** A credential; an NFC card shows its keyed hash (as in access events), never its UID. */
    public record CredentialView(
            String id,
            String memberId,
            String type,
            String cardHash,
            String label,
            String status,
            String validFrom,
            String validUntil,
            String createdAt,
            String updatedAt) {}

    public record PassView(
            String id,
            String siteId,
            String visitorName,
            String visitorEmail,
            String hostMemberId,
            List<String> doorGroupIds,
            List<String> doorIds,
            String validFrom,
            String validUntil,
            boolean singleUse,
            String status,
            String createdAt,
            String updatedAt,
            String usedAt,
            int uses) {}

    /** A signed QR token (the QR code's content); {@code sites} absent means every site of the tenant. */
    public record QrToken(String token, List<String> sites, String notBefore, String expiresAt, String tokenId) {}
}
