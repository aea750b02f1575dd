package dev.gatehouse.protocol.sign;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

/**
 * Compact JWS with exactly one algorithm, ES256. The header is read strictly before any
 * cryptography: {@code alg} must be {@code ES256} (so {@code none} and HMAC-with-a-public-key
 * confusion never reach a verifier), {@code kid} must name a key of the set, and no other header
 * field but {@code typ} is accepted (no {@code jwk}, {@code jku}, {@code x5u} or {@code crit}).
 */
public final class Jws {
    /** Longest compact JWS accepted: a full message plus its base64url overhead. */
    public static final int MAX_LENGTH = MessageCodec.MAX_BYTES * 4 / 3 + 1024;

    private static final Set<String> HEADER_FIELDS = Set.of("alg", "kid", "typ");

    private Jws() {}

    /** Signs {@code payload} with ES256 under the key's {@code kid}. */
    public static String sign(ECKey privateKey, byte[] payload) {
        try {
            ECDSASigner signer = new ECDSASigner(privateKey);
            String header = Base64URL.encode(
                            ("{\"alg\":\"ES256\",\"kid\":\"" + Ids.require(privateKey.getKeyID(), "kid") + "\"}")
                                    .getBytes(StandardCharsets.UTF_8))
                    .toString();
            String body = Base64URL.encode(payload).toString();
            byte[] signingInput = (header + "." + body).getBytes(StandardCharsets.US_ASCII);
            JWSHeader jwsHeader = new JWSHeader.Builder(JWSAlgorithm.ES256)
                    .keyID(privateKey.getKeyID())
                    .build();
            return header + "." + body + "." + signer.sign(jwsHeader, signingInput);
        } catch (JOSEException e) {
            throw new ProtocolException(
                    ProtocolError.BAD_KEY,
                    "could not sign with key " + privateKey.getKeyID() + ": " + e.getMessage(),
                    e);
        }
    }

    /** Verifies a compact JWS against the key set and returns its payload bytes. */
    public static byte[] verify(String compact, KeySet keys) {
        return verify(compact, keys, MAX_LENGTH);
    }

    static byte[] verify(String compact, KeySet keys, int maxLength) {
        if (compact == null || compact.isEmpty()) {
            throw malformed("the token is empty");
        }
        if (compact.length() > maxLength) {
            throw new ProtocolException(
                    ProtocolError.TOO_LARGE,
                    "the token is " + compact.length() + " characters; the limit is " + maxLength);
        }
        int firstDot = compact.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : compact.indexOf('.', firstDot + 1);
        if (firstDot < 0 || secondDot < 0 || compact.indexOf('.', secondDot + 1) >= 0) {
            throw malformed("the token is not a compact JWS (three base64url parts separated by '.')");
        }
        String headerPart = compact.substring(0, firstDot);
        String payloadPart = compact.substring(firstDot + 1, secondDot);
        String signaturePart = compact.substring(secondDot + 1);

        JsonNode header = MessageCodec.parse(base64url(headerPart, "header"), "the token header");
        if (!header.isObject()) {
            throw malformed("the token header is not a JSON object");
        }
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual()) {
            throw malformed("the token header has no alg");
        }
        if (!JWSAlgorithm.ES256.getName().equals(alg.textValue())) {
            throw new ProtocolException(
                    ProtocolError.ALGORITHM_NOT_ALLOWED,
                    "the token uses alg '" + Ids.printable(alg.textValue()) + "'; only ES256 is accepted");
        }
        Iterator<String> names = header.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!HEADER_FIELDS.contains(name)) {
                throw malformed(
                        "the token header field '" + Ids.printable(name) + "' is not accepted (only alg, kid, typ)");
            }
        }
        JsonNode kidNode = header.get("kid");
        if (kidNode == null || !kidNode.isTextual()) {
            throw new ProtocolException(ProtocolError.UNKNOWN_KEY, "the token header names no key id (kid)");
        }
        String kid = kidNode.textValue();
        ECDSAVerifier verifier = keys.verifier(kid)
                .orElseThrow(() -> new ProtocolException(
                        ProtocolError.UNKNOWN_KEY,
                        "the token is signed with key '" + Ids.printable(kid) + "', which is not in the key set "
                                + keys.keyIds()));
        byte[] payload = base64url(payloadPart, "payload");
        byte[] signature = base64url(signaturePart, "signature");
        if (signature.length != 64) {
            throw new ProtocolException(
                    ProtocolError.BAD_SIGNATURE,
                    "the signature is " + signature.length + " bytes; ES256 signatures are 64");
        }
        boolean valid;
        try {
            JWSHeader jwsHeader =
                    new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build();
            valid = verifier.verify(
                    jwsHeader,
                    compact.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII),
                    Base64URL.encode(signature));
        } catch (JOSEException | RuntimeException e) {
            throw new ProtocolException(
                    ProtocolError.BAD_SIGNATURE, "the signature could not be checked: " + e.getMessage(), e);
        }
        if (!valid) {
            throw new ProtocolException(
                    ProtocolError.BAD_SIGNATURE,
                    "the signature does not match key '" + kid
                            + "': the content was altered or signed by someone else");
        }
        return payload;
    }

    private static byte[] base64url(String part, String what) {
        if (part.isEmpty()) {
            throw malformed("the token " + what + " is empty");
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            boolean ok =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                throw malformed("the token " + what + " is not base64url (character " + (int) c + " at " + i + ")");
            }
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw malformed("the token " + what + " is not valid base64url: " + e.getMessage());
        }
        // The JDK decoder ignores the unused low bits of the last character ("QQ" and "QR" both read
        // as "A"), so one signature would have several spellings; accept only the canonical one so
        // that a signed token has exactly one text.
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part)) {
            throw malformed(
                    "the token " + what + " is not canonical base64url (unused bits of its last character are set)");
        }
        return bytes;
    }

    private static ProtocolException malformed(String message) {
        return new ProtocolException(ProtocolError.MALFORMED_TOKEN, message);
    }
}
