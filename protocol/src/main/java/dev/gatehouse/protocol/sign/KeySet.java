package dev.gatehouse.protocol.sign;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.model.SigningKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The public keys a receiver trusts, by key id: P-256 EC keys only. An edge is given its tenant's
 * key set at provisioning and receives rotated keys through sync (signed by a key it already trusts).
 * Immutable and safe to share between threads.
 */
public final class KeySet {
    private final Map<String, ECKey> keys;
    private final Map<String, ECDSAVerifier> verifiers;

    private KeySet(Map<String, ECKey> keys) {
        this.keys = Map.copyOf(keys);
        Map<String, ECDSAVerifier> made = new LinkedHashMap<>();
        keys.forEach((kid, key) -> {
            try {
                made.put(kid, new ECDSAVerifier(key));
            } catch (JOSEException e) {
                throw new ProtocolException(
                        ProtocolError.BAD_KEY, "key " + kid + " cannot verify ES256: " + e.getMessage(), e);
            }
        });
        this.verifiers = Map.copyOf(made);
    }

    /** A key set of these keys (private parts, if any, are dropped). */
    public static KeySet of(Collection<ECKey> keys) {
        Map<String, ECKey> byKid = new LinkedHashMap<>();
        for (ECKey key : keys) {
            ECKey publicKey = checked(key);
            if (byKid.put(publicKey.getKeyID(), publicKey) != null) {
                throw new ProtocolException(ProtocolError.BAD_KEY, "key id " + publicKey.getKeyID() + " appears twice");
            }
        }
        return new KeySet(byKid);
    }

    public static KeySet of(ECKey... keys) {
        return of(List.of(keys));
    }

    /** Parses a JWK set ({@code {"keys":[…]}}); every key must be an EC P-256 key with a {@code kid}. */
    public static KeySet parse(String jwkSetJson) {
        JWKSet set;
        try {
            set = JWKSet.parse(jwkSetJson);
        } catch (ParseException | RuntimeException e) {
            throw new ProtocolException(
                    ProtocolError.BAD_KEY, "the key set is not a JWK set ({\"keys\":[…]}): " + e.getMessage(), e);
        }
        List<ECKey> ecKeys = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            if (!(jwk instanceof ECKey ecKey)) {
                throw new ProtocolException(
                        ProtocolError.BAD_KEY,
                        "key " + jwk.getKeyID() + " is " + jwk.getKeyType() + "; only EC P-256 keys are used");
            }
            ecKeys.add(ecKey);
        }
        return of(ecKeys);
    }

    /** The key set made of signing keys received through sync. */
    public static KeySet fromSigningKeys(Collection<SigningKey> signingKeys) {
        List<ECKey> ecKeys = new ArrayList<>();
        for (SigningKey signingKey : signingKeys) {
            try {
                ecKeys.add(ECKey.parse(Map.<String, Object>copyOf(signingKey.jwk())));
            } catch (ParseException | RuntimeException e) {
                throw new ProtocolException(
                        ProtocolError.BAD_KEY,
                        "signing key " + signingKey.kid() + " is not a valid EC JWK: " + e.getMessage(),
                        e);
            }
        }
        return of(ecKeys);
    }

    /** This set plus {@code other}'s keys (for rotation: old and new keys side by side). */
    public KeySet with(KeySet other) {
        Map<String, ECKey> merged = new LinkedHashMap<>(keys);
        merged.putAll(other.keys);
        return new KeySet(merged);
    }

    public Optional<ECKey> key(String kid) {
        return Optional.ofNullable(keys.get(kid));
    }

    Optional<ECDSAVerifier> verifier(String kid) {
        return Optional.ofNullable(verifiers.get(kid));
    }

    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The public JWK set JSON. */
    public String toJson() {
        return new JWKSet(new ArrayList<JWK>(keys.values())).toString(true);
    }

    /** Each key as a sync {@link SigningKey} entity. */
    public List<SigningKey> toSigningKeys() {
        List<SigningKey> out = new ArrayList<>();
        keys.forEach((kid, key) -> {
            Map<String, String> jwk = new LinkedHashMap<>();
            key.toJSONObject().forEach((name, value) -> jwk.put(name, String.valueOf(value)));
            out.add(new SigningKey(kid, jwk));
        });
        return out;
    }

    static ECKey checked(ECKey key) {
        if (key.getKeyID() == null || !Ids.isValid(key.getKeyID())) {
            throw new ProtocolException(
                    ProtocolError.BAD_KEY, "every key needs a kid of 1-64 characters of A-Z, a-z, 0-9, '_', '-'");
        }
        if (!Curve.P_256.equals(key.getCurve())) {
            throw new ProtocolException(
                    ProtocolError.BAD_KEY,
                    "key " + key.getKeyID() + " is on curve " + key.getCurve() + "; ES256 needs P-256");
        }
        return key.toPublicJWK();
    }
}
