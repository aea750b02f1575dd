package dev.gatehouse.protocol.enroll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.sign.Jws;
import dev.gatehouse.protocol.sign.KeySet;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Enrolling a device with a one-time code: the code's format, and the request a device sends to
 * {@code POST /api/v1/enroll}.
 *
 * <p>A code is {@link #CODE_LENGTH} characters of {@link #ALPHABET} (32 symbols without 0/O and 1/I,
 * so 60 bits), written in groups of four ({@code K7QM-3XRA-9PLD}); spaces, dashes and case do not
 * matter when it is typed. The request is JSON:
 *
 * <pre>
 * {"code": "K7QM3XRA9PLD", "publicKey": {public P-256 JWK with a kid}, "agentVersion": "1.2.0",
 *  "proof": compact ES256 JWS by that key over {"purpose":"gatehouse-enroll","code":"K7QM3XRA9PLD"}}
 * </pre>
 *
 * The proof shows the device holds the private key of the public key it registers; the private key
 * never leaves the device.
 */
public final class Enrollment {
    /** The code's symbols: digits and capitals without 0, O, 1 and I, which are misread. */
    public static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    public static final int CODE_LENGTH = 12;

    static final String PURPOSE = "gatehouse-enroll";

    /** The longest request body accepted (a JWK, a proof, a version). */
    public static final int MAX_REQUEST_BYTES = 4096;

    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z.+_\\-]{1,40}");
    private static final Set<String> FIELDS = Set.of("code", "publicKey", "agentVersion", "proof");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Enrollment() {}

    /** What a verified request holds. */
    public record Request(String code, ECKey publicKey, String agentVersion) {}

    /** A fresh random code, normalised (no dashes). */
    public static String newCode() {
        StringBuilder code = new StringBuilder(CODE_LENGTH);
        for (int i = 0; i < CODE_LENGTH; i++) {
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /**
     * The code as typed, normalised: upper case, without spaces and dashes. Throws {@link
     * ProtocolException} (BAD_VALUE) with what a code looks like when it is not one.
     */
    public static String normalize(String typed) {
        if (typed == null) {
            throw badCode("no code was given");
        }
        StringBuilder code = new StringBuilder(CODE_LENGTH);
        for (int i = 0; i < typed.length() && code.length() <= CODE_LENGTH; i++) {
            char c = Character.toUpperCase(typed.charAt(i));
            if (c == '-' || c == ' ') {
                continue;
            }
            if (ALPHABET.indexOf(c) < 0) {
                throw badCode("'" + printable(c) + "' is not a character of an enrollment code");
            }
            code.append(c);
        }
        if (code.length() != CODE_LENGTH) {
            throw badCode("it has " + (code.length() > CODE_LENGTH ? "more than " + CODE_LENGTH : code.length())
                    + " characters");
        }
        return code.toString();
    }

    /** The code in groups of four, as the console shows it. */
    public static String format(String code) {
        String normal = normalize(code);
        return normal.substring(0, 4) + "-" + normal.substring(4, 8) + "-" + normal.substring(8);
    }

    /** The request body a device sends: its public key, and a proof made with its private key. */
    public static String request(String code, ECKey deviceKey, String agentVersion) {
        String normal = normalize(code);
        if (!deviceKey.isPrivate()) {
            throw new ProtocolException(ProtocolError.BAD_KEY, "the device key has no private part to sign with");
        }
        if (!VERSION.matcher(agentVersion).matches()) {
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE, "agentVersion '" + agentVersion + "' is not a version");
        }
        ObjectNode proof = JSON.createObjectNode();
        proof.put("purpose", PURPOSE);
        proof.put("code", normal);
        ObjectNode body = JSON.createObjectNode();
        body.put("code", normal);
        try {
            body.set("publicKey", JSON.readTree(deviceKey.toPublicJWK().toJSONString()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        body.put("agentVersion", agentVersion);
        body.put("proof", Jws.sign(deviceKey, proof.toString().getBytes(StandardCharsets.UTF_8)));
        return body.toString();
    }

    /**
     * Reads and verifies a request: every field present and well formed, the public key a P-256 key
     * with an id, and the proof signed by it over this code. Throws {@link ProtocolException} naming
     * the field otherwise.
     */
    public static Request parse(String json) {
        if (json.length() > MAX_REQUEST_BYTES) {
            throw new ProtocolException(
                    ProtocolError.TOO_LARGE,
                    "the request is " + json.length() + " characters; the limit is " + MAX_REQUEST_BYTES);
        }
        JsonNode root = MessageCodec.parse(json.getBytes(StandardCharsets.UTF_8), "the enrollment request");
        if (!root.isObject()) {
            throw new ProtocolException(ProtocolError.WRONG_TYPE, "the enrollment request must be a JSON object");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new ProtocolException(
                        ProtocolError.UNKNOWN_FIELD, name + ": is not a field of an enrollment request");
            }
        }
        String code = normalize(text(root, "code"));
        JsonNode keyNode = root.get("publicKey");
        if (keyNode == null || !keyNode.isObject()) {
            throw new ProtocolException(
                    keyNode == null ? ProtocolError.MISSING_FIELD : ProtocolError.WRONG_TYPE,
                    "publicKey: must be the device's public P-256 JWK");
        }
        if (keyNode.has("d")) {
            throw new ProtocolException(
                    ProtocolError.BAD_KEY, "publicKey: holds a private part 'd'; send only the public key");
        }
        KeySet keys;
        try {
            keys = KeySet.parse("{\"keys\":[" + keyNode + "]}");
        } catch (ProtocolException e) {
            throw new ProtocolException(e.error(), "publicKey: " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            // A JWK set ignores a key whose kty it does not know (RFC 7517 §5): here it is the only key.
            throw new ProtocolException(
                    ProtocolError.BAD_KEY,
                    "publicKey: has an unknown kty; send the device's public P-256 JWK (kty EC)");
        }
        String kid = keys.keyIds().getFirst();
        String version = text(root, "agentVersion");
        if (!VERSION.matcher(version).matches()) {
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE, "agentVersion: '" + printable(version) + "' is not a version");
        }
        String proofText = text(root, "proof");
        byte[] proofPayload;
        try {
            proofPayload = Jws.verify(proofText, keys);
        } catch (ProtocolException e) {
            throw new ProtocolException(e.error(), "proof: " + e.getMessage(), e);
        }
        JsonNode proof = MessageCodec.parse(proofPayload, "the proof");
        if (!PURPOSE.equals(proof.path("purpose").asText(null))
                || !code.equals(proof.path("code").asText(null))) {
            throw new ProtocolException(ProtocolError.BAD_SIGNATURE, "proof: is not signed over this enrollment code");
        }
        return new Request(code, keys.key(kid).orElseThrow(), version);
    }

    private static String text(JsonNode root, String name) {
        JsonNode value = root.get(name);
        if (value == null || value.isNull()) {
            throw new ProtocolException(ProtocolError.MISSING_FIELD, name + ": is missing");
        }
        if (!value.isTextual()) {
            throw new ProtocolException(ProtocolError.WRONG_TYPE, name + ": must be text");
        }
        return value.textValue();
    }

    private static ProtocolException badCode(String why) {
        return new ProtocolException(
                ProtocolError.BAD_VALUE,
                "code: not an enrollment code (" + why + "); a code is " + CODE_LENGTH
                        + " letters and digits such as K7QM-3XRA-9PLD, from the hub's console");
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().limit(40).forEach(c -> out.append(printable((char) c)));
        return out.toString();
    }
}
