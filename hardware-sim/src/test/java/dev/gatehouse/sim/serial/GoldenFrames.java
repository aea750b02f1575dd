package dev.gatehouse.sim.serial;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The golden PN532 frames in {@code src/test/resources/pn532/frames.properties}. */
final class GoldenFrames {
    private static final Properties FRAMES = load();

    private GoldenFrames() {}

    static byte[] frame(String name) {
        String hex = FRAMES.getProperty(name);
        if (hex == null) {
            throw new IllegalArgumentException("no golden frame named " + name);
        }
        return Hex.parse(hex);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private static Properties load() {
        try (InputStream in = GoldenFrames.class.getResourceAsStream("/pn532/frames.properties")) {
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
