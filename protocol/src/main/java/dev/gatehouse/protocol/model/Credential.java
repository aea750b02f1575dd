package dev.gatehouse.protocol.model;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One credential of a member. An NFC card is known only by {@code cardHash}, the keyed hash of its
 * UID (see {@code CardHasher}); a member QR credential is named by the tokens issued for it.
 */
public record Credential(
        CredentialId id,
        MemberId member,
        CredentialType type,
        Optional<String> cardHash,
        CredentialStatus status,
        Optional<Instant> validFrom,
        Optional<Instant> validUntil)
        implements Entity {

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    public Credential {
        Checks.present(id, "credential id");
        Checks.present(member, "credential member");
        Checks.present(type, "credential type");
        Checks.present(cardHash, "credential cardHash");
        Checks.present(status, "credential status");
        Checks.window(validFrom, validUntil, "credential " + id);
        switch (type) {
            case NFC_CARD -> {
                String hash = cardHash.orElseThrow(
                        () -> Checks.bad("credential " + id + " is an NFC card but has no cardHash"));
                if (!HASH.matcher(hash).matches()) {
                    throw Checks.bad(
                            "credential " + id
                                    + " cardHash must be 64 lowercase hex digits (HMAC-SHA256 of the card UID), never a raw UID");
                }
            }
            case MEMBER_QR -> {
                if (cardHash.isPresent()) {
                    throw Checks.bad("credential " + id + " is a member QR credential and must not carry a cardHash");
                }
            }
        }
    }

    @Override
    public EntityKind kind() {
        return EntityKind.CREDENTIAL;
    }

    @Override
    public String key() {
        return id.value();
    }
}
