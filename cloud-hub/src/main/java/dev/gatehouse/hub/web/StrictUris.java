package dev.gatehouse.hub.web;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * Refuses, before any route, a path or query whose percent-escapes are not UTF-8 text or that holds a
 * control character. The web server decodes escapes leniently ({@code %C0%AF} became U+FFFD and
 * matched, {@code %00} reached PostgreSQL, which cannot store it): the routes read what it decoded, so
 * the raw URI is checked here once, with the same strict decoder as every body.
 */
public final class StrictUris implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        try {
            check(req.path().rawPath(), "the path");
            check(req.query().rawValue(), "the query");
        } catch (ApiException e) {
            Problems.send(req, res, e);
            return;
        }
        chain.proceed();
    }

    private static void check(String raw, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()
                        || !HexFormat.isHexDigit(raw.charAt(i + 1))
                        || !HexFormat.isHexDigit(raw.charAt(i + 2))) {
                    throw ApiException.badRequest(what + " has a malformed percent-escape at character " + i
                            + ": write each byte as % and two hex digits (%25 for '%' itself)");
                }
                bytes.write(HexFormat.fromHexDigits(raw, i + 1, i + 3));
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                throw ApiException.badRequest(what + " holds a character outside US-ASCII at character " + i
                        + ": percent-encode the UTF-8 bytes of each such character");
            }
        }
        String text = Utf8.decode(
                bytes.toByteArray(),
                what + " after percent-decoding",
                "percent-encode the UTF-8 bytes of each character");
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw ApiException.badRequest(what + " holds the control character U+"
                        + HexFormat.of().withUpperCase().toHexDigits(text.charAt(i))
                        + " after percent-decoding: leave control characters out of URIs");
            }
        }
    }
}
