package dev.gatehouse.hub.store;

import dev.gatehouse.protocol.Ids;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a page of a keyset-paged list ended: the sort key (a time in epoch milliseconds, or 0 for
 * lists ordered by id alone) and the id of its last row. Opaque on the wire: base64url, unpadded, of
 * {@code "key:id"}, so clients only pass {@code nextCursor} back and the order can change. {@link
 * #decode} refuses anything this codec did not write, so no list accepts a made-up cursor.
 */
public record Cursor(long key, String id) {
    private static final int MAX_LENGTH = 120;

    /** Why a list refuses a cursor (a 422 naming {@code cursor}); the same words on every list. */
    public static final String REFUSED = "is not a cursor this list returned; pass nextCursor unchanged";

    public Cursor {
        Ids.require(id, "cursor row id");
    }

    public String encode() {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((key + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** The cursor, or empty when {@code text} is not one {@link #encode} wrote. */
    public static Optional<Cursor> decode(String text) {
        if (text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = plain.indexOf(':');
        if (colon < 1 || !Ids.isValid(plain.substring(colon + 1))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Cursor(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
