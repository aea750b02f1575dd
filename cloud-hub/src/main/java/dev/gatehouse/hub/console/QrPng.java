package dev.gatehouse.hub.console;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * QR codes as PNG images, drawn on the hub (ZXing) so no script or third party sees the token: a
 * member's rotating code and a visitor's pass, on screen, printed or attached to an e-mail.
 */
public final class QrPng {
    private static final int SIZE = 320;

    private QrPng() {}

    /** {@code text} (a signed QR token) as a PNG, with a quiet zone, error correction M. */
    public static byte[] png(String text) {
        return png(text, SIZE);
    }

    /** {@code text} as a PNG of {@code size} pixels square. */
    public static byte[] png(String text, int size) {
        return dev.gatehouse.hub.web.QrPng.render(text, size);
    }

    /** Sends the PNG, never cached: the token inside is a credential. */
    static void send(ServerResponse res, byte[] png) {
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(png);
    }
}
