package dev.gatehouse.sim.serial;

import java.util.HexFormat;

/** Hex for frames in tests and golden files: "00 00 FF 00 FF 00". */
final class Hex {
    private static final HexFormat SPACED = HexFormat.ofDelimiter(" ").withUpperCase();

    private Hex() {}

    static String of(byte[] bytes) {
        return SPACED.formatHex(bytes);
    }

    static byte[] parse(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }
}
