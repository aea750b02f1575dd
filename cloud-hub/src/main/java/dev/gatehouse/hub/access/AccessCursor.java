package dev.gatehouse.hub.access;

import dev.gatehouse.protocol.Ids;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a page of the access log ended: the (at, id) of its last event. Opaque on the wire: base64url
 * of {@code "at:id"}. The next page holds the events strictly older in (at, id) order, so events with
 * the same timestamp are neither skipped nor repeated.
 */
public record AccessCursor(long at, String id) {
    public AccessCursor {
        Ids.require(id, "cursor event id");
    }

    public String encode() {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((at + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** The cursor, or empty when {@code text} is not one this API wrote. */
    public static Optional<AccessCursor> decode(String text) {
        if (text.length() > 120) {
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
            return Optional.of(new AccessCursor(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
