package dev.gatehouse.protocol.qr;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.EncodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.Result;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import com.google.zxing.qrcode.encoder.QRCode;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.policy.Presented;
import dev.gatehouse.protocol.sign.Jws;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A QR code opens a door without a network round trip, so the edge must accept exactly the codes the
 * hub issued for this tenant and site, in their validity window; anything else becomes a
 * {@link QrResult.Rejected} that the door logs like any other denial (never an exception).
 */
class QrTokensTest {
    private static final String TENANT = "acme-coworking";
    private static final String SITE = "hq-berlin";
    private static final Instant ISSUED = Instant.parse("2026-03-02T09:00:00Z");
    private static final Instant NBF = ISSUED;
    private static final Instant EXP = ISSUED.plusSeconds(60);

    /** Made fresh for each run: no key material is committed. */
    private static final ECKey HUB_KEY = SigningKeys.generate("hub-1");

    private static final KeySet KEYS = KeySet.of(HUB_KEY);

    private static QrClaims member(String tenant, Set<String> sites) {
        return new QrClaims(tenant, sites, QrKind.MEMBER, "qr-000123", false, NBF, EXP, QrTokens.newTokenId());
    }

    private static QrClaims member() {
        return member(TENANT, Set.of(SITE));
    }

    private static QrClaims visitor() {
        return new QrClaims(
                TENANT,
                Set.of(SITE),
                QrKind.VISITOR,
                "v-000456",
                true,
                NBF,
                ISSUED.plus(Duration.ofHours(10)),
                QrTokens.newTokenId());
    }

    private static QrResult verify(String token) {
        return QrTokens.verify(token, KEYS, TENANT, SITE, ISSUED.plusSeconds(10));
    }

    private static DenyReason rejection(QrResult result) {
        assertThat(result).isInstanceOf(QrResult.Rejected.class);
        return ((QrResult.Rejected) result).reason();
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String[] parts(String token) {
        String[] parts = token.split("\\.", -1);
        assertThat(parts).hasSize(3);
        return parts;
    }

    private static String claimsJson(String token) {
        return new String(Base64.getUrlDecoder().decode(parts(token)[1]), UTF_8);
    }

    private static String withClaims(String token, String claimsJson) {
        String[] parts = parts(token);
        return parts[0] + "." + b64(claimsJson.getBytes(UTF_8)) + "." + parts[2];
    }

    @Nested
    class GenuineCodes {
        @Test
        void aMemberTokenVerifiesWithTheClaimsItWasIssuedWith() {
            QrClaims claims = member();

            assertThat(verify(QrTokens.issue(claims, HUB_KEY))).isEqualTo(new QrResult.Valid(claims));
        }

        @Test
        void aVisitorTokenVerifiesWithTheClaimsItWasIssuedWith() {
            QrClaims claims = visitor();

            assertThat(verify(QrTokens.issue(claims, HUB_KEY))).isEqualTo(new QrResult.Valid(claims));
        }

        @Test
        void aMemberTokenIsPresentedAsTheMembersCode() {
            QrResult result = verify(QrTokens.issue(member(), HUB_KEY));

            assertThat(result.presented()).isEqualTo(new Presented.MemberCode(CredentialId.of("qr-000123")));
        }

        @Test
        void aVisitorTokenIsPresentedAsItsPassWithTheSingleUseFlag() {
            // The single-use flag travels in the token so that the door can burn the pass offline.
            QrResult result = verify(QrTokens.issue(visitor(), HUB_KEY));

            assertThat(result.presented()).isEqualTo(new Presented.VisitorCode(PassId.of("v-000456"), true));
        }

        @Test
        void aRejectedCodeIsPresentedAsARejectionWithItsReason() {
            // The policy engine logs a bad code like any denial, with the reason the verifier found.
            QrResult result = verify("not a code");

            assertThat(result.presented()).isEqualTo(new Presented.Rejected(DenyReason.QR_MALFORMED));
        }

        @Test
        void aTokenWithoutSitesIsValidAtEverySiteOfTheTenant() {
            QrClaims claims = member(TENANT, Set.of());
            String token = QrTokens.issue(claims, HUB_KEY);

            assertThat(claimsJson(token)).doesNotContain("\"s\"");
            assertThat(QrTokens.verify(token, KEYS, TENANT, SITE, ISSUED)).isEqualTo(new QrResult.Valid(claims));
            assertThat(QrTokens.verify(token, KEYS, TENANT, "annex-munich", ISSUED))
                    .isEqualTo(new QrResult.Valid(claims));
        }

        @Test
        void aTokenForSeveralSitesIsValidAtEachOfThem() {
            QrClaims claims = member(TENANT, Set.of(SITE, "annex-munich"));
            String token = QrTokens.issue(claims, HUB_KEY);

            assertThat(QrTokens.verify(token, KEYS, TENANT, SITE, ISSUED)).isInstanceOf(QrResult.Valid.class);
            assertThat(QrTokens.verify(token, KEYS, TENANT, "annex-munich", ISSUED))
                    .isInstanceOf(QrResult.Valid.class);
        }

        @Test
        void whitespaceAScannerAddsAroundTheCodeIsIgnored() {
            // Keyboard-wedge scanners end each read with CR LF.
            String token = QrTokens.issue(member(), HUB_KEY);

            assertThat(verify(" " + token + "\r\n")).isInstanceOf(QrResult.Valid.class);
        }

        @Test
        void tokenIdsAreRandomAndTwelveBase64urlCharacters() {
            String first = QrTokens.newTokenId();
            String second = QrTokens.newTokenId();

            assertThat(first).matches("[A-Za-z0-9_-]{12}");
            assertThat(second).matches("[A-Za-z0-9_-]{12}").isNotEqualTo(first);
        }
    }

    @Nested
    class ForgedAndAlteredCodes {
        @Test
        void aCodeSignedByAnotherKeyUnderTheSameKidHasABadSignature() {
            String forged = QrTokens.issue(member(), SigningKeys.generate("hub-1"));

            assertThat(rejection(verify(forged))).isEqualTo(DenyReason.QR_BAD_SIGNATURE);
        }

        @Test
        void aCodeWhoseMemberWasChangedHasABadSignature() {
            String token = QrTokens.issue(member(), HUB_KEY);
            String claims = claimsJson(token);
            String altered = claims.replace("\"c\":\"qr-000123\"", "\"c\":\"qr-000001\"");

            assertThat(altered).isNotEqualTo(claims);
            assertThat(rejection(verify(withClaims(token, altered)))).isEqualTo(DenyReason.QR_BAD_SIGNATURE);
        }

        @Test
        void aCodeWhoseExpiryWasExtendedHasABadSignature() {
            // A screenshot of a member code must not be made to last by editing exp.
            String token = QrTokens.issue(member(), HUB_KEY);
            String claims = claimsJson(token);
            String altered = claims.replace(
                    "\"exp\":" + EXP.getEpochSecond(),
                    "\"exp\":" + EXP.plus(Duration.ofDays(365)).getEpochSecond());

            assertThat(altered).isNotEqualTo(claims);
            assertThat(rejection(verify(withClaims(token, altered)))).isEqualTo(DenyReason.QR_BAD_SIGNATURE);
        }

        @Test
        void aCodeSignedWithAKeyTheSiteDoesNotKnowIsAnUnknownKey() {
            String token = QrTokens.issue(member(), SigningKeys.generate("hub-9"));

            assertThat(rejection(verify(token))).isEqualTo(DenyReason.QR_UNKNOWN_KEY);
        }

        @Test
        void anAlgNoneCodeHasABadSignature() {
            String token = QrTokens.issue(member(), HUB_KEY);
            String unsigned = b64("{\"alg\":\"none\",\"kid\":\"hub-1\"}".getBytes(UTF_8)) + "." + parts(token)[1] + ".";

            assertThat(rejection(verify(unsigned))).isEqualTo(DenyReason.QR_BAD_SIGNATURE);
        }

        @Test
        void anHs256CodeKeyedWithThePublicKeyHasABadSignature() throws Exception {
            String signingInput = b64("{\"alg\":\"HS256\",\"kid\":\"hub-1\"}".getBytes(UTF_8)) + "."
                    + parts(QrTokens.issue(member(), HUB_KEY))[1];
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(HUB_KEY.toPublicJWK().toJSONString().getBytes(UTF_8), "HmacSHA256"));
            String token = signingInput + "." + b64(mac.doFinal(signingInput.getBytes(US_ASCII)));

            assertThat(rejection(verify(token))).isEqualTo(DenyReason.QR_BAD_SIGNATURE);
        }

        @Test
        void aCodeRespelledWithOtherUnusedSignatureBitsIsMalformed() {
            // A single-use visitor code must have one text only: a second spelling of the same
            // signature could slip past a replay check that remembers texts.
            String token = QrTokens.issue(visitor(), HUB_KEY);
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            int last = alphabet.indexOf(token.charAt(token.length() - 1));
            String respelled = token.substring(0, token.length() - 1) + alphabet.charAt(last ^ 0x01);
            assertThat(Base64.getUrlDecoder().decode(parts(respelled)[2]))
                    .as("both spellings carry the same signature bytes")
                    .isEqualTo(Base64.getUrlDecoder().decode(parts(token)[2]));

            assertThat(rejection(verify(respelled))).isEqualTo(DenyReason.QR_MALFORMED);
        }

        @Test
        void aSignedCommandShownAsAQrCodeIsMalformed() {
            // QR tokens and signed messages share the hub key; the strict claim set keeps a captured
            // command from passing as a door code.
            Envelope command = new Envelope(
                    "cmd-1",
                    ISSUED,
                    new Command(
                            TENANT,
                            SITE,
                            EXP,
                            new CommandAction.UnlockOnce(DoorId.of("front"), Duration.ofSeconds(5))));

            assertThat(rejection(verify(SignedMessages.sign(command, HUB_KEY)))).isEqualTo(DenyReason.QR_MALFORMED);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "{\"t\":\"acme-coworking\",\"c\":\"qr-1\",\"nbf\":1772442000,\"exp\":1772442060,\"jti\":\"j1\",\"adm\":true}",
                    "{\"t\":\"acme-coworking\",\"c\":\"qr-1\",\"nbf\":1772442000,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"c\":\"qr-1\",\"nbf\":1772442000,\"exp\":\"1772442060\",\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"c\":\"qr-1\",\"p\":\"v-1\",\"nbf\":1772442000,\"exp\":1772442060,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"s\":[],\"c\":\"qr-1\",\"nbf\":1772442000,\"exp\":1772442060,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"s\":\"hq-berlin\",\"c\":\"qr-1\",\"nbf\":1772442000,\"exp\":1772442060,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"c\":\"qr-1\",\"nbf\":1772442060,\"exp\":1772442000,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"nbf\":1772442000,\"exp\":1772442060,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"c\":\"qr-1\",\"su\":1,\"nbf\":1772442000,\"exp\":1772442060,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"p\":\"v-1\",\"su\":2,\"nbf\":1772442000,\"exp\":1772442060,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"c\":\"qr 1\",\"nbf\":1772442000,\"exp\":1772442060,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"c\":\"qr-1\",\"nbf\":-1,\"exp\":1772442060,\"jti\":\"j1\"}",
                    "{\"t\":\"acme-coworking\",\"c\":\"qr-1\",\"nbf\":1772442000,\"exp\":1e10,\"jti\":\"j1\"}",
                    "[\"acme-coworking\"]"
                })
        void genuinelySignedClaimsOutsideTheSchemaAreMalformed(String claims) {
            // Even the hub's own signature does not make a claim set the door does not understand
            // acceptable: an unknown claim might be a restriction the door would silently ignore.
            String token = Jws.sign(HUB_KEY, claims.getBytes(UTF_8));

            assertThat(rejection(QrTokens.verify(token, KEYS, TENANT, SITE, Instant.ofEpochSecond(1772442010L))))
                    .isEqualTo(DenyReason.QR_MALFORMED);
        }
    }

    @Nested
    class CodesThatAreNotOurs {
        @ParameterizedTest(name = "\"{0}\"")
        @NullAndEmptySource
        @ValueSource(
                strings = {
                    "hello",
                    "https://acme-coworking.example/welcome?ref=door-3",
                    "WIFI:T:WPA;S:acme-guest;P:coffee123;;",
                    "a.b.c",
                    "..",
                    "\u0000\u0001\u0002",
                    "eyJ.eyJ.eyJ"
                })
        void textThatIsNoGatehouseTokenIsMalformed(String text) {
            assertThat(rejection(verify(text))).isEqualTo(DenyReason.QR_MALFORMED);
        }

        @Test
        void aTwoKilobyteCodeIsMalformed() {
            assertThat(rejection(verify("A".repeat(2048)))).isEqualTo(DenyReason.QR_MALFORMED);
            assertThat(rejection(verify("eyJ".repeat(700) + "." + "A".repeat(10) + "." + "A".repeat(86))))
                    .isEqualTo(DenyReason.QR_MALFORMED);
        }

        @Test
        void aCodeOfAnotherTenantIsTheWrongTenant() {
            // Two operators may share a hub key in a hosted setup; the tenant claim keeps them apart.
            String token = QrTokens.issue(member("other-space", Set.of(SITE)), HUB_KEY);

            assertThat(rejection(verify(token))).isEqualTo(DenyReason.QR_WRONG_TENANT);
        }

        @Test
        void aCodeForOtherSitesIsTheWrongSite() {
            String token = QrTokens.issue(member(TENANT, Set.of("annex-munich", "loft-hamburg")), HUB_KEY);

            assertThat(rejection(verify(token))).isEqualTo(DenyReason.QR_WRONG_SITE);
        }
    }

    @Nested
    class ValidityWindow {
        private static String outcome(QrResult result) {
            return switch (result) {
                case QrResult.Valid valid -> "VALID";
                case QrResult.Rejected rejected -> rejected.reason().name();
            };
        }

        @ParameterizedTest(name = "now = {0} {1}, leeway {2} -> {3}")
        @CsvSource({
            "nbf, -PT30S,            default, VALID",
            "nbf, -PT30.000000001S,  default, QR_NOT_YET_VALID",
            "nbf, -PT31S,            default, QR_NOT_YET_VALID",
            "exp, PT29S,             default, VALID",
            "exp, PT29.999999999S,   default, VALID",
            "exp, PT30S,             default, QR_EXPIRED",
            "exp, PT1H,              default, QR_EXPIRED",
            "nbf, PT0S,              PT0S,    VALID",
            "nbf, -PT0.000000001S,   PT0S,    QR_NOT_YET_VALID",
            "exp, -PT0.000000001S,   PT0S,    VALID",
            "exp, PT0S,              PT0S,    QR_EXPIRED",
            "nbf, -PT2M,             PT2M,    VALID",
            "exp, PT2M,              PT2M,    QR_EXPIRED"
        })
        void theCodeIsValidFromNbfMinusLeewayUntilJustBeforeExpPlusLeeway(
                String anchor, String offset, String leeway, String expected) {
            // Phones and door controllers disagree on the time by some seconds; the leeway absorbs
            // that without letting an expired code live on.
            String token = QrTokens.issue(member(), HUB_KEY);
            Instant now = ("nbf".equals(anchor) ? NBF : EXP).plus(Duration.parse(offset));

            QrResult result = "default".equals(leeway)
                    ? QrTokens.verify(token, KEYS, TENANT, SITE, now)
                    : QrTokens.verify(token, KEYS, TENANT, SITE, now, Duration.parse(leeway));

            assertThat(outcome(result)).isEqualTo(expected);
        }
    }

    @Nested
    class PrintedCodes {
        /** Version 12 (65×65 modules) is what the format reaches today; a larger code is a regression. */
        private static final int MAX_QR_VERSION = 12;

        private static final int MAX_TOKEN_CHARS = 300;

        private static final int QUIET_ZONE_MODULES = 4;
        private static final int PIXELS_PER_MODULE = 4;

        @Test
        void aMemberTokenFitsASmallQrCodeAndScansBackToAValidCode() throws Exception {
            QrClaims claims = member();
            String token = QrTokens.issue(claims, HUB_KEY);

            QRCode code = encode(token);
            System.out.printf(
                    "QR member token: %d chars, QR version %d (ECC M)%n",
                    token.length(), code.getVersion().getVersionNumber());

            String scanned = scan(code);
            assertThat(scanned).isEqualTo(token);
            assertThat(verify(scanned)).isEqualTo(new QrResult.Valid(claims));
            assertThat(code.getVersion().getVersionNumber()).isLessThanOrEqualTo(MAX_QR_VERSION);
            assertThat(token.length()).isLessThanOrEqualTo(MAX_TOKEN_CHARS);
        }

        @Test
        void aSingleUseVisitorTokenFitsASmallQrCodeAndScansBackToAValidCode() throws Exception {
            QrClaims claims = visitor();
            String token = QrTokens.issue(claims, HUB_KEY);

            QRCode code = encode(token);
            System.out.printf(
                    "QR visitor token: %d chars, QR version %d (ECC M)%n",
                    token.length(), code.getVersion().getVersionNumber());

            String scanned = scan(code);
            assertThat(scanned).isEqualTo(token);
            assertThat(verify(scanned)).isEqualTo(new QrResult.Valid(claims));
            assertThat(code.getVersion().getVersionNumber()).isLessThanOrEqualTo(MAX_QR_VERSION);
            assertThat(token.length()).isLessThanOrEqualTo(MAX_TOKEN_CHARS);
        }

        private static QRCode encode(String token) throws Exception {
            return Encoder.encode(token, ErrorCorrectionLevel.M, Map.<EncodeHintType, Object>of());
        }

        /** Renders the code as a scanner would see it and reads it with ZXing's QR reader. */
        private static String scan(QRCode code) throws Exception {
            ByteMatrix matrix = code.getMatrix();
            int modules = matrix.getWidth() + 2 * QUIET_ZONE_MODULES;
            int size = modules * PIXELS_PER_MODULE;
            byte[] pixels = new byte[size * size];
            Arrays.fill(pixels, (byte) 0xFF);
            for (int y = 0; y < matrix.getHeight(); y++) {
                for (int x = 0; x < matrix.getWidth(); x++) {
                    if (matrix.get(x, y) == 1) {
                        int left = (x + QUIET_ZONE_MODULES) * PIXELS_PER_MODULE;
                        int top = (y + QUIET_ZONE_MODULES) * PIXELS_PER_MODULE;
                        for (int dy = 0; dy < PIXELS_PER_MODULE; dy++) {
                            Arrays.fill(
                                    pixels,
                                    (top + dy) * size + left,
                                    (top + dy) * size + left + PIXELS_PER_MODULE,
                                    (byte) 0);
                        }
                    }
                }
            }
            Result result =
                    new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new GreyImage(pixels, size, size))));
            return result.getText();
        }
    }

    /** An 8-bit grey image (0 black, 255 white), since ZXing's javase module is not on the classpath. */
    private static final class GreyImage extends LuminanceSource {
        private final byte[] pixels;

        GreyImage(byte[] pixels, int width, int height) {
            super(width, height);
            this.pixels = pixels;
        }

        @Override
        public byte[] getRow(int y, byte[] row) {
            byte[] out = row != null && row.length >= getWidth() ? row : new byte[getWidth()];
            System.arraycopy(pixels, y * getWidth(), out, 0, getWidth());
            return out;
        }

        @Override
        public byte[] getMatrix() {
            return pixels;
        }
    }
}
