package dev.gatehouse.hub.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** TOTP as every authenticator app computes it: RFC 6238 with SHA-1, six digits, 30-second steps. */
class TotpTest {
    /** The RFC's SHA-1 seed, the ASCII of "12345678901234567890", in base32. */
    static final String RFC_SECRET = Totp.base32("12345678901234567890".getBytes(StandardCharsets.US_ASCII));

    @Test
    void theRfcSeedIsWrittenAsAppsExpect() {
        assertThat(RFC_SECRET).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    /** RFC 6238 appendix B, SHA1 column, reduced to the last six of its eight digits. */
    @ParameterizedTest
    @CsvSource({
        "59, 287082",
        "1111111109, 081804",
        "1111111111, 050471",
        "1234567890, 005924",
        "2000000000, 279037",
        "20000000000, 353130",
    })
    void theRfcTestVectorsHold(long seconds, String code) {
        assertThat(Totp.codeAt(RFC_SECRET, Instant.ofEpochSecond(seconds))).isEqualTo(code);
        assertThat(Totp.verify(RFC_SECRET, code, Instant.ofEpochSecond(seconds)))
                .isTrue();
    }

    /** A phone a little fast or slow, or a code typed as it turned over, still works; older ones do not. */
    @Test
    void theStepBeforeAndAfterAreAcceptedAndNoMore() {
        Instant now = Instant.ofEpochSecond(1_111_111_111);
        String secret = Totp.newSecret();

        assertThat(Totp.verify(secret, Totp.codeAt(secret, now.minusSeconds(30)), now))
                .isTrue();
        assertThat(Totp.verify(secret, Totp.codeAt(secret, now.plusSeconds(30)), now))
                .isTrue();
        assertThat(Totp.verify(secret, Totp.codeAt(secret, now.minusSeconds(60)), now))
                .isFalse();
        assertThat(Totp.verify(secret, Totp.codeAt(secret, now.plusSeconds(60)), now))
                .isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"05047", "0504711", " 050471", "050471 ", "o50471", "５０４７１"})
    void anythingButSixDigitsIsRefused(String code) {
        assertThat(Totp.verify(RFC_SECRET, code, Instant.ofEpochSecond(1_111_111_111)))
                .isFalse();
    }

    @Test
    void aNewSecretIs160BitsInBase32AndRoundTrips() {
        String secret = Totp.newSecret();

        assertThat(secret).matches("[A-Z2-7]{32}").isNotEqualTo(Totp.newSecret());
        assertThat(Totp.base32(Totp.base32Decode(secret))).isEqualTo(secret);
        assertThat(Totp.base32Decode(secret.toLowerCase())).hasSize(20);
    }

    /** RFC 4648 section 10: lengths that end mid-quantum encode without padding. */
    @ParameterizedTest
    @CsvSource({"f, MY", "fo, MZXQ", "foo, MZXW6", "foob, MZXW6YQ", "fooba, MZXW6YTB", "foobar, MZXW6YTBOI"})
    void base32FollowsTheRfcVectors(String text, String base32) {
        assertThat(Totp.base32(text.getBytes(StandardCharsets.US_ASCII))).isEqualTo(base32);
        assertThat(new String(Totp.base32Decode(base32), StandardCharsets.US_ASCII))
                .isEqualTo(text);
    }

    @Test
    void aSecretThatIsNotBase32IsRefused() {
        assertThatThrownBy(() -> Totp.codeAt("GEZD1NBV", Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base32");
    }

    @Test
    void theUriCarriesIssuerAccountAndSecretEncoded() {
        assertThat(Totp.otpauthUri("Gatehouse Acme", "ada@example.com", "GEZDGNBV"))
                .isEqualTo("otpauth://totp/Gatehouse%20Acme:ada%40example.com?secret=GEZDGNBV"
                        + "&issuer=Gatehouse%20Acme&algorithm=SHA1&digits=6&period=30");
    }
}
