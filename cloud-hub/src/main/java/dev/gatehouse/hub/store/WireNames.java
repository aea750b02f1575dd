package dev.gatehouse.hub.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one conversion between Java enum names and their names on the wire: {@code NFC_CARD} ⇄
 * {@code nfc-card}. The API writes the wire name and reads either form ({@code nfc-card},
 * {@code NFC_CARD}, {@code Nfc-Card}); the store keeps the Java name.
 */
public final class WireNames {
    private WireNames() {}

    /** {@code MEMBER_GRANT} → {@code member-grant}. */
    public static String wire(Enum<?> value) {
        return wire(value.name());
    }

    /** An enum's Java name as stored ({@code REVOKED}) → its wire name ({@code revoked}). */
    public static String wire(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant whose wire or Java name is {@code text}, ignoring case; empty when none is. */
    public static <E extends Enum<E>> Optional<E> parse(Class<E> type, String text) {
        String name = text.replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(name)) {
                return Optional.of(constant);
            }
        }
        return Optional.empty();
    }

    /** Like {@link #parse}, for a value read back from the store: a miss is a corrupt row. */
    public static <E extends Enum<E>> E of(Class<E> type, String text) {
        return parse(type, text)
                .orElseThrow(() -> new IllegalStateException(
                        "'" + text + "' is not a " + type.getSimpleName() + "; one of " + choices(type)));
    }

    /** Every wire name of {@code type}, comma-separated, for error messages: "active, suspended, cancelled". */
    public static <E extends Enum<E>> String choices(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(wire(constant));
        }
        return String.join(", ", names);
    }
}
