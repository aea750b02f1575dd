package dev.gatehouse.protocol.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Values that look almost right must be refused where they enter, not where they would do harm later. */
class StrictValuesTest {
    private static Map<String, String> publicJwk() {
        ECKey key = SigningKeys.generate("k9");
        Map<String, String> jwk =
                new HashMap<>(KeySet.of(key).toSigningKeys().get(0).jwk());
        return jwk;
    }

    @Test
    void aGenuinePublicKeyIsAccepted() {
        assertThat(new SigningKey("k9", publicJwk()).kid()).isEqualTo("k9");
    }

    @Test
    void aKeyWhosePointIsNotOnTheCurveIsRefusedWithItsBatch() {
        // One unusable key accepted into the cache would make every later verification fail,
        // including the batch that would remove it.
        Map<String, String> jwk = publicJwk();
        jwk.put("y", publicJwk().get("y"));

        assertThatThrownBy(() -> new SigningKey("k9", jwk))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_VALUE))
                .hasMessageContaining("not a valid P-256 public key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alg=HS256", "alg=ES384", "use=enc", "kty=RSA", "crv=P-384", "d=AAAA", "x5u=https://x"})
    void keysForAnythingButEs256SignaturesAreRefused(String field) {
        Map<String, String> jwk = publicJwk();
        String[] parts = field.split("=", 2);
        jwk.put(parts[0], parts[1]);

        assertThatThrownBy(() -> new SigningKey("k9", jwk)).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0660\u0668:\u0660\u0660", "08:0\u0661", "８:00", "8:00", "08.00", "24:01", "25:00"})
    void localTimesAreAsciiHhMm(String text) {
        assertThatThrownBy(() -> TimeWindow.parse(text, "start"))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_VALUE));
    }

    @Test
    void midnightAndEndOfDayParse() {
        assertThat(TimeWindow.parse("00:00", "start")).isZero();
        assertThat(TimeWindow.parse("24:00", "end")).isEqualTo(1440);
    }
}
