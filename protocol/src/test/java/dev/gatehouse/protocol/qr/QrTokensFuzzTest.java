package dev.gatehouse.protocol.qr;

import static dev.gatehouse.protocol.FuzzKeys.KEY;
import static dev.gatehouse.protocol.FuzzKeys.KEYS;
import static dev.gatehouse.protocol.FuzzKeys.NOW;
import static dev.gatehouse.protocol.FuzzKeys.SITE;
import static dev.gatehouse.protocol.FuzzKeys.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.protocol.sign.Jws;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for {@link QrTokens#verify}: the text of every QR code a scanner or camera reads at a
 * door, member or visitor. Its documented contract is stronger than the codec's: it never throws
 * for bad input; everything wrong is a {@link QrResult.Rejected}, which a door decides as a denial.
 *
 * <ul>
 *   <li>{@code token}: the input is the scanned text itself (header, base64url, key and signature).
 *   <li>{@code claims}: the input is the claims JSON, signed by the target with the test key so that
 *       it reaches claim parsing and the tenant, site and time checks behind a valid signature (one
 *       ES256 sign and verify per input). A valid token's claims issue again to a token that verifies
 *       to the same claims.
 * </ul>
 */
class QrTokensFuzzTest {

    @FuzzTest
    void token(byte[] input) {
        check(new String(input, StandardCharsets.UTF_8));
    }

    @FuzzTest
    void claims(byte[] input) {
        QrResult result = check(Jws.sign(KEY, input));
        if (result instanceof QrResult.Valid valid) {
            QrResult again = QrTokens.verify(QrTokens.issue(valid.claims(), KEY), KEYS, TENANT, SITE, NOW);
            assertThat(again).isEqualTo(result);
        }
    }

    private static QrResult check(String token) {
        QrResult result = QrTokens.verify(token, KEYS, TENANT, SITE, NOW);
        assertThat(result.presented()).isNotNull();
        return result;
    }
}
