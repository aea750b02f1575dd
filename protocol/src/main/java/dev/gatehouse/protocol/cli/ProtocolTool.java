package dev.gatehouse.protocol.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrResult;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The protocol tool for integrators and technicians: decode and verify a message or QR token from
 * standard input, make keys, sign test messages, issue QR tokens, hash card UIDs, and run the
 * end-to-end demo. This package is the only part of the protocol module that does I/O.
 *
 * <p>Exit codes: 0 valid / done, 1 the input is invalid (one line on stderr says why), 2 usage error.
 */
public final class ProtocolTool {
    static final int OK = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            usage: gatehouse tool COMMAND [OPTIONS]
              inspect --keys FILE [--tenant T] [--site S] [--at INSTANT]
                      read one message (plain JSON or signed JWS) or QR token from stdin, verify it, print it
              keygen --kid KID        print a new private P-256 signing key (JWK); keep it secret
              public-keys             read private JWKs or a JWK set from stdin, print the public JWK set
              sign --key FILE         read an envelope JSON from stdin, print it signed (sync batches, snapshots, commands)
              qr --key FILE --tenant T [--site S] (--credential C | --pass P [--single-use]) [--ttl 60s]
                                      print a QR token
              card-hash --key-hex HEX UID
                                      print the lookup key (keyed hash) of a card UID
              demo                    a site's whole decision path, end to end, with generated keys
            """;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Instant now;

    ProtocolTool(InputStream in, PrintStream out, PrintStream err, Instant now) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.now = now;
    }

    public static void main(String[] args) {
        int code = new ProtocolTool(System.in, System.out, System.err, Instant.now()).run(args);
        System.exit(code);
    }

    int run(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        try {
            Map<String, String> options = options(args);
            return switch (args[0]) {
                case "inspect" -> inspect(options);
                case "keygen" -> keygen(options);
                case "public-keys" -> publicKeys();
                case "sign" -> sign(options);
                case "qr" -> qr(options);
                case "card-hash" -> cardHash(options, args);
                case "demo" -> new Demo(out).run();
                default -> usage("unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (ProtocolException e) {
            err.println("gatehouse: invalid: " + e.error() + ": " + oneLine(e.getMessage()));
            return INVALID;
        } catch (IOException e) {
            err.println("gatehouse: " + oneLine(e.getMessage()));
            return INVALID;
        }
    }

    private int usage(String message) {
        err.println("gatehouse: " + message);
        err.print(USAGE_TEXT);
        return USAGE;
    }

    private int inspect(Map<String, String> options) throws IOException {
        KeySet keys = readKeySet(required(options, "keys"));
        Instant at = options.containsKey("at") ? instant(options.get("at")) : now;
        String input = readStdin().strip();
        if (input.isEmpty()) {
            throw new ProtocolException(
                    ProtocolError.MALFORMED_JSON, "standard input is empty; pipe a message or QR token in");
        }
        if (input.startsWith("{")) {
            Envelope envelope = MessageCodec.decode(input);
            if (envelope.type().signed()) {
                throw new ProtocolException(
                        ProtocolError.BAD_SIGNATURE,
                        envelope.type().wireName() + " must be signed by the hub; this one is plain JSON");
            }
            out.println("valid " + envelope.type().wireName() + " (plain JSON; travels on channel '"
                    + envelope.type().channel().level() + "')");
            out.println(pretty(MessageCodec.encodeToString(envelope)));
            return OK;
        }
        JsonNode payload = peekPayload(input);
        if (payload.has("type")) {
            String tenant = options.getOrDefault(
                    "tenant", payload.path("payload").path("tenant").asText(""));
            String site = options.getOrDefault(
                    "site", payload.path("payload").path("site").asText(""));
            Envelope envelope = SignedMessages.verify(input, keys, tenant, site, at, ClockStatus.TRUSTED);
            out.println("valid signed " + envelope.type().wireName() + " for " + tenant + "/" + site + ", key "
                    + peekKid(input) + ", checked at " + at);
            out.println(pretty(MessageCodec.encodeToString(envelope)));
            return OK;
        }
        String tenant = options.getOrDefault("tenant", payload.path("t").asText(""));
        String site = options.getOrDefault("site", payload.path("s").path(0).asText("any-site"));
        QrResult result = QrTokens.verify(input, keys, tenant, site, at);
        return switch (result) {
            case QrResult.Valid valid -> {
                QrClaims claims = valid.claims();
                out.println("valid " + (claims.kind() == QrKind.MEMBER ? "member" : "visitor") + " QR token ("
                        + input.length() + " characters), key " + peekKid(input) + ", checked at " + at);
                out.println("  tenant      " + claims.tenant());
                out.println("  sites       "
                        + (claims.sites().isEmpty()
                                ? "all of the tenant's sites"
                                : claims.sites().stream().sorted().toList()));
                out.println(
                        "  " + (claims.kind() == QrKind.MEMBER ? "credential  " : "pass        ") + claims.subject());
                out.println("  single use  " + claims.singleUse());
                out.println("  valid       " + claims.notBefore() + " .. " + claims.expiresAt());
                out.println("  token id    " + claims.tokenId());
                if (!options.containsKey("tenant") || !options.containsKey("site")) {
                    out.println(
                            "  note        tenant and site were taken from the token; pass --tenant and --site to check them");
                }
                yield OK;
            }
            case QrResult.Rejected rejected -> {
                err.println("gatehouse: invalid: " + rejected.reason() + ": "
                        + rejected.reason().sentence() + " (" + oneLine(rejected.detail()) + ")");
                yield INVALID;
            }
        };
    }

    private int keygen(Map<String, String> options) {
        ECKey key = SigningKeys.generate(required(options, "kid"));
        out.println(key.toJSONString());
        return OK;
    }

    private int publicKeys() throws IOException {
        out.println(readKeySet(readStdin()).toJson());
        return OK;
    }

    private int sign(Map<String, String> options) throws IOException {
        ECKey key = SigningKeys.parsePrivate(readFile(required(options, "key")));
        Envelope envelope = MessageCodec.decode(readStdin().strip());
        out.println(SignedMessages.sign(envelope, key));
        return OK;
    }

    private int qr(Map<String, String> options) throws IOException {
        ECKey key = SigningKeys.parsePrivate(readFile(required(options, "key")));
        Duration ttl = duration(options.getOrDefault("ttl", "60s"));
        Set<String> sites = options.containsKey("site") ? Set.of(options.get("site")) : Set.of();
        Instant notBefore = now.minusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        QrClaims claims;
        if (options.containsKey("pass")) {
            claims = new QrClaims(
                    required(options, "tenant"),
                    sites,
                    QrKind.VISITOR,
                    options.get("pass"),
                    options.containsKey("single-use"),
                    notBefore,
                    notBefore.plus(ttl),
                    QrTokens.newTokenId());
        } else {
            claims = new QrClaims(
                    required(options, "tenant"),
                    sites,
                    QrKind.MEMBER,
                    required(options, "credential"),
                    false,
                    notBefore,
                    notBefore.plus(ttl),
                    QrTokens.newTokenId());
        }
        out.println(QrTokens.issue(claims, key));
        return OK;
    }

    private int cardHash(Map<String, String> options, String[] args) {
        String keyHex = required(options, "key-hex");
        String uid = args[args.length - 1];
        if (uid.startsWith("--") || uid.equals(keyHex)) {
            throw new UsageException("card-hash needs the card UID as its last argument");
        }
        byte[] key;
        try {
            key = HexFormat.of().parseHex(keyHex);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--key-hex must be hex digits");
        }
        out.println(new CardHasher(key).hashHex(uid));
        return OK;
    }

    private KeySet readKeySet(String source) throws IOException {
        String text = source.strip().startsWith("{") ? source : readFile(source);
        text = text.strip();
        if (text.contains("\"keys\"")) {
            return KeySet.parse(text);
        }
        List<ECKey> keys = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                try {
                    keys.add(ECKey.parse(line.strip()));
                } catch (java.text.ParseException e) {
                    throw new ProtocolException(ProtocolError.BAD_KEY, "not a JWK or JWK set: " + e.getMessage());
                }
            }
        }
        return KeySet.of(keys);
    }

    private String readFile(String path) throws IOException {
        Path file = Path.of(path);
        if (!Files.isReadable(file)) {
            throw new IOException("cannot read key file '" + path + "'");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private String readStdin() throws IOException {
        byte[] bytes = in.readNBytes(MessageCodec.MAX_BYTES * 2 + 1);
        if (bytes.length > MessageCodec.MAX_BYTES * 2) {
            throw new ProtocolException(ProtocolError.TOO_LARGE, "standard input is larger than any message can be");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static JsonNode peekPayload(String compact) {
        String[] parts = compact.split("\\.", -1);
        if (parts.length != 3) {
            throw new ProtocolException(
                    ProtocolError.MALFORMED_TOKEN,
                    "input is neither JSON nor a compact JWS / QR token (three '.'-separated parts)");
        }
        try {
            return MessageCodec.parse(Base64.getUrlDecoder().decode(parts[1]), "the token payload");
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ProtocolError.MALFORMED_TOKEN, "the token payload is not base64url");
        }
    }

    private static String peekKid(String compact) {
        try {
            JsonNode header = MessageCodec.parse(
                    Base64.getUrlDecoder().decode(compact.substring(0, compact.indexOf('.'))), "header");
            return header.path("kid").asText("?");
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String pretty(String json) {
        try {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            return mapper.writeValueAsString(mapper.readTree(json));
        } catch (IOException e) {
            return json;
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                continue;
            }
            String name = arg.substring(2);
            if (name.equals("single-use")) {
                options.put(name, "true");
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new UsageException("option --" + name + " needs a value");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new UsageException("missing option --" + name);
        }
        return value;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new UsageException("--at '" + text + "' is not an instant like 2026-11-21T09:00:00Z");
        }
    }

    private static Duration duration(String text) {
        try {
            if (text.endsWith("s") && !text.startsWith("P")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new UsageException("--ttl '" + text + "' is not a duration like 60s or PT1M");
        }
    }

    private static String oneLine(String message) {
        String text = String.valueOf(message).replace('\n', ' ').replace('\r', ' ');
        StringBuilder clean = new StringBuilder();
        text.codePoints().limit(300).forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return clean.toString();
    }

    /** A command-line mistake: exit 2 with the usage text. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
