package dev.gatehouse.protocol.sign;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import java.text.ParseException;

/** Making and reading ES256 signing keys. */
public final class SigningKeys {
    private SigningKeys() {}

    /** A fresh P-256 key pair with this key id. */
    public static ECKey generate(String kid) {
        Ids.require(kid, "key id");
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .generate();
        } catch (JOSEException e) {
            throw new ProtocolException(ProtocolError.BAD_KEY, "could not generate a P-256 key: " + e.getMessage(), e);
        }
    }

    /** Reads one private JWK (as written by {@code ECKey.toJSONString()}). */
    public static ECKey parsePrivate(String jwkJson) {
        ECKey key;
        try {
            key = ECKey.parse(jwkJson);
        } catch (ParseException | RuntimeException e) {
            throw new ProtocolException(ProtocolError.BAD_KEY, "not an EC JWK: " + e.getMessage(), e);
        }
        if (!key.isPrivate()) {
            throw new ProtocolException(
                    ProtocolError.BAD_KEY,
                    "key " + key.getKeyID() + " has no private part 'd'; signing needs the private key");
        }
        KeySet.checked(key);
        return key;
    }
}
