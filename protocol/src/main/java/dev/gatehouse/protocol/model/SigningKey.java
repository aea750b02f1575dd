package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;
import java.util.Map;

/**
 * A public key the hub signs QR tokens and commands with, as a JWK ({@code kty EC}, {@code crv P-256}).
 * Sync delivers new keys before they are used, so that key rotation needs no site visit. The
 * codec checks that {@code jwk} is a public P-256 key whose {@code kid} matches.
 */
public record SigningKey(String kid, Map<String, String> jwk) implements Entity {
    public SigningKey {
        Ids.require(kid, "signing key kid");
        jwk = Map.copyOf(Checks.present(jwk, "signing key " + kid + " jwk"));
        if (jwk.containsKey("d")) {
            throw Checks.bad("signing key " + kid + " contains a private key part 'd'; publish public keys only");
        }
        if (!"EC".equals(jwk.get("kty"))
                || !"P-256".equals(jwk.get("crv"))
                || !jwk.containsKey("x")
                || !jwk.containsKey("y")) {
            throw Checks.bad("signing key " + kid + " must be an EC P-256 public key (kty EC, crv P-256, x, y)");
        }
        for (String field : jwk.keySet()) {
            if (!java.util.Set.of("kty", "crv", "x", "y", "kid", "use", "alg").contains(field)) {
                throw Checks.bad("signing key " + kid + " jwk has field '" + field
                        + "'; allowed: kty, crv, x, y, kid, use, alg");
            }
        }
        if (!kid.equals(jwk.get("kid"))) {
            throw Checks.bad("signing key " + kid + " has a jwk whose kid is '" + jwk.get("kid") + "'");
        }
    }

    @Override
    public EntityKind kind() {
        return EntityKind.SIGNING_KEY;
    }

    @Override
    public String key() {
        return kid;
    }
}
