package dev.gatehouse.protocol;

import java.util.regex.Pattern;

/** Validation shared by every identifier on the wire: topic levels, entity ids, message ids. */
public final class Ids {
    /** Identifiers are 1–64 characters of {@code A-Z a-z 0-9 _ -}: safe in a topic level, a URL and a file name. */
    public static final int MAX_LENGTH = 64;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private Ids() {}

    public static boolean isValid(String value) {
        return value != null && ID.matcher(value).matches();
    }

    /** Returns {@code value} or throws {@link ProtocolException} ({@code BAD_VALUE}) naming {@code what}. */
    public static String require(String value, String what) {
        if (value == null) {
            throw new ProtocolException(ProtocolError.MISSING_FIELD, what + " is missing");
        }
        if (!isValid(value)) {
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE,
                    what + " '" + printable(value) + "' is not a valid id: use 1-" + MAX_LENGTH
                            + " characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        return value;
    }

    /** A short, printable rendering of untrusted text for error messages. */
    public static String printable(String value) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(value.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (value.length() > limit) {
            out.append("…(").append(value.length()).append(" chars)");
        }
        return out.toString();
    }
}
