package dev.gatehouse.protocol.codec;

import java.util.Locale;

/** Enum names on the wire: lowercase kebab-case ({@code NFC_CARD} ↔ {@code "nfc-card"}). */
public final class Wire {
    private Wire() {}

    public static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The wire names of every constant, for error messages. */
    public static String names(Class<? extends Enum<?>> type) {
        StringBuilder out = new StringBuilder();
        for (Enum<?> constant : type.getEnumConstants()) {
            if (!out.isEmpty()) {
                out.append(", ");
            }
            out.append(name(constant));
        }
        return out.toString();
    }
}
