package dev.gatehouse.protocol.model;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.Ids;
import java.text.ParseException;
import java.util.Map;
import java.util.Set;

/**
 * A public key the hub signs QR tokens and commands with, as a JWK ({@code kty EC}, {@code crv P-256}).
 * Sync delivers new keys before they are used, so that key rotation needs no site visit. The
 * codec checks that {@code jwk} is a public P-256 key whose {@code kid} matches.
 */
public record SigningKey(String kid, Map<String, String> jwk) implements Entity {
    private static final Set<String> FIELDS = Set.of("kty", "crv", "x", "y", "kid", "use", "alg");

    public SigningKey {
        Ids.require(kid, "signing key kid");
        jwk = Map.copyOf(Checks.present(jwk, "signing key " + kid + " jwk"));
        if (jwk.containsKey("d")) {
            throw Checks.bad("signing key " + kid + " contains a private key part 'd'; publish public keys only");
        }
        for (String field : jwk.keySet()) {
            if (!FIELDS.contains(field)) {
                throw Checks.bad("signing key " + kid + " jwk has field '" + field
                        + "'; allowed: kty, crv, x, y, kid, use, alg");
            }
        }
        if (!"EC".equals(jwk.get("kty")) || !"P-256".equals(jwk.get("crv"))) {
            throw Checks.bad("signing key " + kid + " must be an EC P-256 public key (kty EC, crv P-256)");
        }
        if (jwk.containsKey("alg") && !"ES256".equals(jwk.get("alg"))) {
            throw Checks.bad("signing key " + kid + " has alg '" + jwk.get("alg") + "'; only ES256 keys are used");
        }
        if (jwk.containsKey("use") && !"sig".equals(jwk.get("use"))) {
            throw Checks.bad("signing key " + kid + " has use '" + jwk.get("use") + "'; signing keys have use 'sig'");
        }
        if (!kid.equals(jwk.get("kid"))) {
            throw Checks.bad("signing key " + kid + " has a jwk whose kid is '" + jwk.get("kid") + "'");
        }
        try {
            // Parses the coordinates and checks that the point lies on P-256: one unusable key must be
            // refused with its batch, not break verification of everything after it.
            ECKey.parse(Map.<String, Object>copyOf(jwk));
        } catch (ParseException | RuntimeException e) {
            throw Checks.bad("signing key " + kid + " is not a valid P-256 public key: " + e.getMessage());
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
