package dev.gatehouse.protocol.qr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.sign.Jws;
import dev.gatehouse.protocol.sign.KeySet;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * QR credentials: a compact ES256 JWS with short claim names so that the code stays small enough
 * for door scanners to read at a glance. The format and measured sizes are in
 * {@code protocol/README.md} ("QR tokens").
 *
 * <pre>{"t":"acme","s":["hq-berlin"],"c":"qr-1042","nbf":1795420740,"exp":1795420800,"jti":"hT3yq8Zk0b1P"}</pre>
 */
public final class QrTokens {
    /** Clock-skew leeway applied to {@code nbf} and {@code exp} unless the caller gives another. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);

    /** Longest token accepted: anything longer is not ours and is not worth a signature check. */
    public static final int MAX_LENGTH = 1024;

    private static final Set<String> CLAIMS = Set.of("t", "s", "c", "p", "su", "nbf", "exp", "jti");
    private static final SecureRandom RANDOM = new SecureRandom();

    private QrTokens() {}

    /** A fresh random token id: 9 bytes (72 bits), 12 base64url characters. */
    public static String newTokenId() {
        byte[] bytes = new byte[9];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Signs the claims into a token string (the QR code's content). */
    public static String issue(QrClaims claims, ECKey privateKey) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("t", claims.tenant());
        if (!claims.sites().isEmpty()) {
            ArrayNode sites = node.putArray("s");
            claims.sites().stream().sorted().forEach(sites::add);
        }
        node.put(claims.kind() == QrKind.MEMBER ? "c" : "p", claims.subject());
        if (claims.singleUse()) {
            node.put("su", 1);
        }
        node.put("nbf", claims.notBefore().getEpochSecond());
        node.put("exp", claims.expiresAt().getEpochSecond());
        node.put("jti", claims.tokenId());
        return Jws.sign(privateKey, node.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Verifies with the default 30 s leeway. */
    public static QrResult verify(String token, KeySet keys, String tenant, String site, Instant now) {
        return verify(token, keys, tenant, site, now, DEFAULT_LEEWAY);
    }

    /**
     * Checks a scanned token for {@code tenant} and {@code site} as of {@code now}: signature,
     * claims, tenant, site, {@code nbf - leeway <= now < exp + leeway}. Never throws for bad input:
     * everything wrong with the token is a {@link QrResult.Rejected}.
     */
    public static QrResult verify(String token, KeySet keys, String tenant, String site, Instant now, Duration leeway) {
        if (token == null || token.length() > MAX_LENGTH) {
            return new QrResult.Rejected(
                    DenyReason.QR_MALFORMED, "the code is empty or longer than " + MAX_LENGTH + " characters");
        }
        QrClaims claims;
        try {
            claims = readClaims(MessageCodec.parse(Jws.verify(token.strip(), keys), "the QR claims"));
        } catch (ProtocolException e) {
            DenyReason reason =
                    switch (e.error()) {
                        case BAD_SIGNATURE, ALGORITHM_NOT_ALLOWED -> DenyReason.QR_BAD_SIGNATURE;
                        case UNKNOWN_KEY -> DenyReason.QR_UNKNOWN_KEY;
                        default -> DenyReason.QR_MALFORMED;
                    };
            return new QrResult.Rejected(reason, e.getMessage());
        }
        if (!claims.tenant().equals(tenant)) {
            return new QrResult.Rejected(
                    DenyReason.QR_WRONG_TENANT, "the code is for operator '" + claims.tenant() + "'");
        }
        if (!claims.sites().isEmpty() && !claims.sites().contains(site)) {
            return new QrResult.Rejected(
                    DenyReason.QR_WRONG_SITE,
                    "the code is for sites " + claims.sites().stream().sorted().toList());
        }
        if (now.isBefore(claims.notBefore().minus(leeway))) {
            return new QrResult.Rejected(DenyReason.QR_NOT_YET_VALID, "the code is valid from " + claims.notBefore());
        }
        if (!now.isBefore(claims.expiresAt().plus(leeway))) {
            return new QrResult.Rejected(DenyReason.QR_EXPIRED, "the code expired at " + claims.expiresAt());
        }
        return new QrResult.Valid(claims);
    }

    private static QrClaims readClaims(JsonNode node) {
        if (!node.isObject()) {
            throw malformed("the claims are not a JSON object");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!CLAIMS.contains(name)) {
                throw malformed("unknown claim '" + Ids.printable(name) + "'");
            }
        }
        if (node.has("c") == node.has("p")) {
            throw malformed("a token names exactly one of c (a member's credential) or p (a visitor pass)");
        }
        QrKind kind = node.has("c") ? QrKind.MEMBER : QrKind.VISITOR;
        Set<String> sites = new HashSet<>();
        JsonNode sitesNode = node.get("s");
        if (sitesNode != null) {
            if (!sitesNode.isArray() || sitesNode.isEmpty()) {
                throw malformed("claim s must be a non-empty array of site ids");
            }
            for (JsonNode site : sitesNode) {
                if (!site.isTextual()) {
                    throw malformed("claim s must hold strings");
                }
                sites.add(site.textValue());
            }
        }
        boolean singleUse = false;
        JsonNode su = node.get("su");
        if (su != null) {
            if (!su.isIntegralNumber() || su.longValue() != 1) {
                throw malformed("claim su must be 1 when present");
            }
            singleUse = true;
        }
        return new QrClaims(
                text(node, "t"),
                sites,
                kind,
                text(node, kind == QrKind.MEMBER ? "c" : "p"),
                singleUse,
                Instant.ofEpochSecond(seconds(node, "nbf")),
                Instant.ofEpochSecond(seconds(node, "exp")),
                text(node, "jti"));
    }

    private static String text(JsonNode node, String claim) {
        JsonNode value = node.get(claim);
        if (value == null || !value.isTextual()) {
            throw malformed("claim " + claim + " must be a string");
        }
        return value.textValue();
    }

    private static long seconds(JsonNode node, String claim) {
        JsonNode value = node.get(claim);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw malformed("claim " + claim + " must be a whole number of seconds");
        }
        long seconds = value.longValue();
        if (seconds < 0 || seconds > 253_402_300_799L) {
            throw malformed("claim " + claim + " is out of range");
        }
        return seconds;
    }

    private static ProtocolException malformed(String message) {
        return new ProtocolException(ProtocolError.MALFORMED_TOKEN, message);
    }
}
