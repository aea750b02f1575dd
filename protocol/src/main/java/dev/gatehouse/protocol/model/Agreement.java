package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The visitor agreement a site's kiosk shows now: one published version of an agreement (the site's
 * own, or the tenant's when the site has none), immutable once published. {@code sha256} is the hash
 * of its canonical text ({@link #sha256(String, String)}), which a signature records; the edge and
 * the hub compute it, and the rendered text's hash ({@link #render}), with this same code. Only edges
 * that report {@link #FEATURE} read it.
 */
public record Agreement(String id, int version, String title, String body, String siteName, String sha256)
        implements Entity {
    /** What an edge lists in its features when it reads {@code agreement} and {@code wifi-voucher} entities. */
    public static final String FEATURE = "kiosk-supplies";

    public static final int MAX_TITLE = 200;
    public static final int MAX_BODY = 20_000;
    public static final int MAX_SITE_NAME = 200;

    /** The variables a body may use, written {@code {name}}; the kiosk fills them in when it shows it. */
    public static final List<String> VARIABLES = List.of("visitorName", "hostName", "siteName", "date");

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z]+)}");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    public Agreement {
        Checks.text(id, 64, "agreement id");
        if (!Ids.isValid(id)) {
            throw Checks.bad("agreement id '" + Ids.printable(id) + "' is not a valid id");
        }
        if (version < 1) {
            throw Checks.bad("agreement " + id + " version is " + version + "; versions start at 1");
        }
        Checks.text(title, MAX_TITLE, "agreement " + id + " title");
        if (title.isBlank()) {
            throw Checks.bad("agreement " + id + " title is blank");
        }
        bodyProblem(body).ifPresent(problem -> {
            throw Checks.bad("agreement " + id + " body " + problem);
        });
        Checks.text(siteName, MAX_SITE_NAME, "agreement " + id + " siteName");
        Checks.present(sha256, "agreement " + id + " sha256");
        if (!sha256.equals(sha256(title, body))) {
            // The hash is what a signature records: one that does not match the text would let a kiosk
            // record a signature of a text nobody published.
            throw Checks.bad("agreement " + id + " version " + version + " sha256 does not match its title and body");
        }
    }

    /**
     * What is wrong with a body, if anything: blank, too long, a control character other than a line
     * break, or a variable not in {@link #VARIABLES}.
     */
    public static Optional<String> bodyProblem(String body) {
        if (body == null || body.isBlank()) {
            return Optional.of("is blank");
        }
        if (body.length() > MAX_BODY) {
            return Optional.of("is " + body.length() + " characters long; the limit is " + MAX_BODY);
        }
        for (int i = 0; i < body.length(); i++) {
            char ch = body.charAt(i);
            if (Character.isISOControl(ch) && ch != '\n' && ch != '\r' && ch != '\t') {
                return Optional.of("contains a control character at position " + i);
            }
        }
        TreeSet<String> unknown = new TreeSet<>();
        Matcher matcher = VARIABLE.matcher(body);
        while (matcher.find()) {
            if (!VARIABLES.contains(matcher.group(1))) {
                unknown.add("{" + matcher.group(1) + "}");
            }
        }
        if (!unknown.isEmpty()) {
            return Optional.of("uses " + String.join(", ", unknown) + "; the variables are {"
                    + String.join("}, {", VARIABLES) + "}");
        }
        return Optional.empty();
    }

    /**
     * The canonical text of a version: the title, a blank line, the body; Unicode NFC, line breaks as
     * {@code \n}, trailing blanks of each line and trailing blank lines removed. Two texts that look
     * the same have the same canonical text, so the same hash.
     */
    public static String canonical(String title, String body) {
        String text = title.strip() + "\n\n" + body;
        text = Normalizer.normalize(text.replace("\r\n", "\n").replace('\r', '\n'), Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(text.length());
        for (String line : text.split("\n", -1)) {
            out.append(line.stripTrailing()).append('\n');
        }
        return out.toString().stripTrailing() + "\n";
    }

    /** Lowercase hex SHA-256 of the UTF-8 of {@link #canonical}: the version's hash. */
    public static String sha256(String title, String body) {
        return hex(canonical(title, body));
    }

    /**
     * The canonical text with each variable filled in from {@code values} (a variable without a value
     * stays as written); what the visitor reads and signs. Values are single lines: control characters
     * become spaces.
     */
    public String render(Map<String, String> values) {
        Matcher matcher = VARIABLE.matcher(canonical(title, body));
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = VARIABLES.contains(matcher.group(1)) ? values.get(matcher.group(1)) : null;
            String replacement = value == null ? matcher.group() : value.replaceAll("\\p{Cntrl}", " ");
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** Lowercase hex SHA-256 of the UTF-8 of a rendered text: what a signature keeps as the signed document's hash. */
    public static String renderedSha256(String rendered) {
        return hex(rendered);
    }

    /** Whether {@code value} is 64 lowercase hex digits. */
    public static boolean isHash(String value) {
        return value != null && HASH.matcher(value).matches();
    }

    private static String hex(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public EntityKind kind() {
        return EntityKind.AGREEMENT;
    }

    @Override
    public String key() {
        return id;
    }
}
