package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.Checks;
import java.util.Map;
import java.util.TreeMap;

/**
 * A visitor's signature of the site's visitor agreement at a kiosk, carried by the sign-in's
 * {@link KioskEvent}: the published version ({@code agreement}, {@code version}, its {@code sha256}),
 * the hash of the text the visitor read and signed ({@code renderedSha256}, {@link
 * Agreement#renderedSha256}), the name they typed ({@code signer}) and the values the text was
 * rendered with ({@link Agreement#VARIABLES}), so the hub can render the published version again and
 * check the hash.
 */
public record KioskSignature(
        String agreement,
        int version,
        String sha256,
        String renderedSha256,
        String signer,
        Map<String, String> variables) {
    /** The longest value of a variable (a site's or a person's name, a date). */
    public static final int MAX_VARIABLE = 200;

    public KioskSignature {
        Ids.require(agreement, "kiosk signature agreement");
        if (version < 1) {
            throw Checks.bad("kiosk signature version is " + version + "; versions start at 1");
        }
        if (!Agreement.isHash(sha256)) {
            throw Checks.bad("kiosk signature sha256 is not 64 lowercase hex digits");
        }
        if (!Agreement.isHash(renderedSha256)) {
            throw Checks.bad("kiosk signature renderedSha256 is not 64 lowercase hex digits");
        }
        Checks.text(signer, KioskEvent.MAX_NAME, "kiosk signature signer");
        if (signer.isBlank()) {
            throw Checks.bad("kiosk signature signer is blank");
        }
        Checks.present(variables, "kiosk signature variables");
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            if (!Agreement.VARIABLES.contains(variable.getKey())) {
                throw Checks.bad("kiosk signature variable '" + Ids.printable(variable.getKey()) + "' is not one of "
                        + Agreement.VARIABLES);
            }
            Checks.text(variable.getValue(), MAX_VARIABLE, "kiosk signature variable " + variable.getKey());
        }
        variables = java.util.Collections.unmodifiableMap(new TreeMap<>(variables));
    }
}
