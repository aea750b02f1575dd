package dev.gatehouse.protocol.sign;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sync batches, snapshot chunks and commands change what doors do, so an edge must accept them only
 * when the hub signed them for this site: every forged, altered, misaddressed or expired token is
 * refused with a {@link ProtocolException} whose code tells the technician what happened.
 */
class SignedMessagesTest {
    private static final String TENANT = "acme-coworking";
    private static final String SITE = "hq-berlin";
    private static final String OTHER_SITE = "annex-munich";
    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    private static final Instant COMMAND_EXPIRES = NOW.plusSeconds(60);

    /** The hub's signing key, made fresh for each run: no key material is committed. */
    private static final ECKey HUB_KEY = SigningKeys.generate("hub-1");

    private static final KeySet KEYS = KeySet.of(HUB_KEY);

    private static final String HEADER = "{\"alg\":\"ES256\",\"kid\":\"hub-1\"}";

    private static Envelope batch(String site) {
        return new Envelope(
                "batch-0042",
                NOW,
                new SyncBatch(
                        TENANT,
                        site,
                        42,
                        43,
                        List.of(
                                new Change.Upsert(
                                        new Member(MemberId.of("m-1042"), MemberStatus.SUSPENDED, Set.of("member"))),
                                new Change.Remove(EntityKind.CREDENTIAL, "card-7"))));
    }

    private static Envelope command(String site) {
        return new Envelope(
                "cmd-0007",
                NOW,
                new Command(
                        TENANT,
                        site,
                        COMMAND_EXPIRES,
                        new CommandAction.UnlockOnce(DoorId.of("front"), Duration.ofSeconds(5))));
    }

    private static Envelope snapshotChunk() {
        return new Envelope(
                "snap-0001-0",
                NOW,
                new SnapshotChunk(
                        TENANT,
                        SITE,
                        "snap-0001",
                        43,
                        0,
                        1,
                        List.of(new Member(MemberId.of("m-1042"), MemberStatus.ACTIVE, Set.of("member")))));
    }

    private static Envelope accessEvent() {
        return new Envelope(
                "evt-0001",
                NOW,
                new AccessEvent(
                        SITE,
                        DoorId.of("front"),
                        PresentedKind.NFC_CARD,
                        Optional.of("ab".repeat(32)),
                        Optional.empty(),
                        Optional.of(MemberId.of("m-1042")),
                        Optional.empty(),
                        true,
                        Optional.of(GrantBasis.MEMBER_GRANT),
                        Optional.empty(),
                        ClockStatus.TRUSTED));
    }

    private static Envelope commandAck() {
        return new Envelope("ack-0007", NOW, new CommandAck("cmd-0007", CommandStatus.DONE, Optional.empty()));
    }

    private static Envelope syncRequest() {
        return new Envelope("req-0001", NOW, new SyncRequest(SITE, 41));
    }

    private static Envelope verify(String token) {
        return SignedMessages.verify(token, KEYS, TENANT, SITE, NOW, ClockStatus.TRUSTED);
    }

    /** The code of the {@link ProtocolException} thrown; fails the test if anything else (or nothing) is thrown. */
    private static ProtocolError rejection(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("the exception thrown").isInstanceOf(ProtocolException.class);
        return ((ProtocolException) thrown).error();
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String b64(String text) {
        return b64(text.getBytes(UTF_8));
    }

    private static byte[] unb64(String part) {
        return Base64.getUrlDecoder().decode(part);
    }

    private static String[] parts(String compact) {
        String[] parts = compact.split("\\.", -1);
        assertThat(parts).hasSize(3);
        return parts;
    }

    /**
     * A compact JWS with any header, signed ES256 through the JDK directly, independently of
     * {@link Jws#sign}: hostile tokens carry a genuine signature, so the header is what must stop them.
     */
    private static String es256(ECKey key, String headerJson, byte[] payload) {
        String signingInput = b64(headerJson) + "." + b64(payload);
        try {
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(key.toECPrivateKey());
            signature.update(signingInput.getBytes(US_ASCII));
            return signingInput + "." + b64(signature.sign());
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String withSignature(String compact, byte[] signature) {
        String[] parts = parts(compact);
        return parts[0] + "." + parts[1] + "." + b64(signature);
    }

    private static String withPayload(String compact, String payloadJson) {
        String[] parts = parts(compact);
        return parts[0] + "." + b64(payloadJson) + "." + parts[2];
    }

    private static String payloadJson(String compact) {
        return new String(unb64(parts(compact)[1]), UTF_8);
    }

    @Nested
    class GenuineMessages {
        @Test
        void aSignedSyncBatchVerifiesAndDecodesToTheSameEnvelope() {
            Envelope batch = batch(SITE);

            assertThat(verify(SignedMessages.sign(batch, HUB_KEY))).isEqualTo(batch);
        }

        @Test
        void aSignedCommandVerifiesAndDecodesToTheSameEnvelope() {
            Envelope command = command(SITE);

            assertThat(verify(SignedMessages.sign(command, HUB_KEY))).isEqualTo(command);
        }

        @Test
        void aSignedSnapshotChunkVerifiesAndDecodesToTheSameEnvelope() {
            Envelope chunk = snapshotChunk();

            assertThat(verify(SignedMessages.sign(chunk, HUB_KEY))).isEqualTo(chunk);
        }

        @Test
        void aTokenSignedIndependentlyThroughTheJdkVerifies() {
            // The hostile tokens below are built with the same helper; this proves that when they are
            // refused it is for what was changed, not because the helper signs differently.
            Envelope batch = batch(SITE);

            assertThat(verify(es256(HUB_KEY, HEADER, MessageCodec.encode(batch))))
                    .isEqualTo(batch);
        }

        @Test
        void theTokenCarriesOnlyAlgAndKidInItsHeader() {
            String header = new String(unb64(parts(SignedMessages.sign(batch(SITE), HUB_KEY))[0]), UTF_8);

            assertThat(header).isEqualTo(HEADER);
        }
    }

    @Nested
    class AlgorithmConfusion {
        private static final byte[] PAYLOAD = MessageCodec.encode(batch(SITE));

        @ParameterizedTest(name = "signature \"{0}\"")
        @ValueSource(strings = {"", "Z2FyYmFnZQ", "AAAA"})
        void anAlgNoneTokenIsRefused(String signature) {
            // alg none means "no signature": accepting it would let anyone write sync batches.
            String token = b64("{\"alg\":\"none\"}") + "." + b64(PAYLOAD) + "." + signature;

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.ALGORITHM_NOT_ALLOWED);
        }

        @Test
        void anAlgNoneTokenNamingATrustedKeyIsRefused() {
            String token = b64("{\"alg\":\"none\",\"kid\":\"hub-1\"}") + "." + b64(PAYLOAD) + ".";

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.ALGORITHM_NOT_ALLOWED);
        }

        static Stream<Arguments> publicKeyBytes() throws JOSEException {
            return Stream.of(
                    Arguments.of(
                            "public JWK JSON",
                            HUB_KEY.toPublicJWK().toJSONString().getBytes(UTF_8)),
                    Arguments.of("key set JSON", KEYS.toJson().getBytes(UTF_8)),
                    Arguments.of(
                            "X.509 SubjectPublicKeyInfo",
                            HUB_KEY.toECPublicKey().getEncoded()));
        }

        @ParameterizedTest(name = "HMAC secret: {0}")
        @MethodSource("publicKeyBytes")
        void anHs256TokenKeyedWithThePublicKeyIsRefused(String what, byte[] secret) throws Exception {
            // The public key is public: a verifier that let the token pick HMAC would check an HMAC
            // keyed with it, which anyone can compute.
            String signingInput = b64("{\"alg\":\"HS256\",\"kid\":\"hub-1\"}") + "." + b64(PAYLOAD);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String token = signingInput + "." + b64(mac.doFinal(signingInput.getBytes(US_ASCII)));

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.ALGORITHM_NOT_ALLOWED);
        }

        @ParameterizedTest(name = "alg {0}")
        @ValueSource(strings = {"RS256", "ES384", "ES512", "ES256K", "EdDSA", "PS256", "HS256", "es256", "ES256 "})
        void anyAlgorithmButEs256IsRefusedEvenWithAGenuineSignature(String alg) {
            // The signature below is a valid ES256 signature by the trusted key; only the alg differs,
            // so the refusal can only come from the algorithm allow-list.
            String token = es256(HUB_KEY, "{\"alg\":\"" + alg + "\",\"kid\":\"hub-1\"}", PAYLOAD);

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.ALGORITHM_NOT_ALLOWED);
        }

        @ParameterizedTest(name = "header {0}")
        @ValueSource(strings = {"{\"kid\":\"hub-1\"}", "{\"alg\":null,\"kid\":\"hub-1\"}", "{\"alg\":[\"ES256\"]}"})
        void aHeaderWithoutATextualAlgIsMalformed(String header) {
            String token = es256(HUB_KEY, header, PAYLOAD);

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }
    }

    @Nested
    class KeyIds {
        @Test
        void aTokenSignedWithAKeyOutsideTheSetIsAnUnknownKey() {
            String token = SignedMessages.sign(batch(SITE), SigningKeys.generate("hub-9"));

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.UNKNOWN_KEY);
        }

        @ParameterizedTest(name = "header {0}")
        @ValueSource(
                strings = {"{\"alg\":\"ES256\"}", "{\"alg\":\"ES256\",\"kid\":1}", "{\"alg\":\"ES256\",\"kid\":null}"})
        void aTokenThatNamesNoKeyIdIsAnUnknownKey(String header) {
            // Without a kid the verifier would have to try every key, and a fallback key is how
            // confusion attacks start.
            String token = es256(HUB_KEY, header, MessageCodec.encode(batch(SITE)));

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.UNKNOWN_KEY);
        }

        @Test
        void anImpostorKeyClaimingATrustedKeyIdHasABadSignature() {
            // The kid is only a hint: an attacker can write any kid, so the signature must decide.
            ECKey impostor = SigningKeys.generate("hub-1");

            String token = SignedMessages.sign(batch(SITE), impostor);

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.BAD_SIGNATURE);
        }
    }

    @Nested
    class Tampering {
        private final String token = SignedMessages.sign(batch(SITE), HUB_KEY);

        @Test
        void reinstatingASuspendedMemberInThePayloadBreaksTheSignature() {
            String original = payloadJson(token);
            String tampered = original.replace("\"status\":\"suspended\"", "\"status\":\"active\"");

            // The altered payload is itself a valid batch: only the signature can catch it.
            assertThat(tampered).isNotEqualTo(original);
            assertThat(MessageCodec.decode(tampered.getBytes(UTF_8)).payload())
                    .isEqualTo(new SyncBatch(
                            TENANT,
                            SITE,
                            42,
                            43,
                            List.of(
                                    new Change.Upsert(
                                            new Member(MemberId.of("m-1042"), MemberStatus.ACTIVE, Set.of("member"))),
                                    new Change.Remove(EntityKind.CREDENTIAL, "card-7"))));
            assertThat(rejection(() -> verify(withPayload(token, tampered)))).isEqualTo(ProtocolError.BAD_SIGNATURE);
        }

        @Test
        void movingTheBatchToOtherSequenceNumbersBreaksTheSignature() {
            // A batch replayed at another seq would make the edge skip or repeat changes.
            String original = payloadJson(token);
            String tampered = original.replace("\"fromSeq\":42,\"toSeq\":43", "\"fromSeq\":1,\"toSeq\":2");

            assertThat(tampered).isNotEqualTo(original);
            assertThat(MessageCodec.decode(tampered.getBytes(UTF_8))
                            .payloadAs(SyncBatch.class)
                            .fromSeq())
                    .isEqualTo(1);
            assertThat(rejection(() -> verify(withPayload(token, tampered)))).isEqualTo(ProtocolError.BAD_SIGNATURE);
        }

        @Test
        void readdressingTheBatchToAnotherSiteBreaksTheSignature() {
            String tampered =
                    payloadJson(token).replace("\"site\":\"" + SITE + "\"", "\"site\":\"" + OTHER_SITE + "\"");

            assertThat(rejection(() -> SignedMessages.verify(
                            withPayload(token, tampered), KEYS, TENANT, OTHER_SITE, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.BAD_SIGNATURE);
        }

        @ParameterizedTest(name = "byte {0}")
        @ValueSource(ints = {0, 17, 31, 32, 50, 63})
        void flippingABitOfTheSignatureIsABadSignature(int index) {
            // Bytes 0-31 are r and 32-63 are s: a change in either must be caught.
            byte[] signature = unb64(parts(token)[2]);
            signature[index] ^= 0x01;

            assertThat(rejection(() -> verify(withSignature(token, signature)))).isEqualTo(ProtocolError.BAD_SIGNATURE);
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {1, 32, 63, 65, 72, 128})
        void aSignatureOfTheWrongLengthIsABadSignature(int length) {
            byte[] signature = Arrays.copyOf(unb64(parts(token)[2]), length);

            assertThat(rejection(() -> verify(withSignature(token, signature)))).isEqualTo(ProtocolError.BAD_SIGNATURE);
        }

        @Test
        void anEmptySignatureIsMalformed() {
            String unsigned = token.substring(0, token.lastIndexOf('.') + 1);

            assertThat(rejection(() -> verify(unsigned))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        static Stream<Arguments> degenerateSignatures() {
            byte[] order = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)
                    .toByteArray();
            byte[] n = Arrays.copyOfRange(order, order.length - 32, order.length);
            byte[] zeros = new byte[64];
            byte[] nn = new byte[64];
            System.arraycopy(n, 0, nn, 0, 32);
            System.arraycopy(n, 0, nn, 32, 32);
            byte[] ones = new byte[64];
            Arrays.fill(ones, (byte) 0xFF);
            return Stream.of(
                    Arguments.of("r = s = 0", zeros), Arguments.of("r = s = n", nn), Arguments.of("all ones", ones));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("degenerateSignatures")
        void aDegenerateSignatureIsABadSignature(String what, byte[] signature) {
            // r = s = 0 verified anything on JDK 15-18 (CVE-2022-21449, "psychic signatures").
            assertThat(rejection(() -> verify(withSignature(token, signature)))).isEqualTo(ProtocolError.BAD_SIGNATURE);
        }

        @Test
        void anotherGenuineTokensSignatureDoesNotFitThisPayload() {
            String command = SignedMessages.sign(command(SITE), HUB_KEY);

            String spliced = withSignature(token, unb64(parts(command)[2]));

            assertThat(rejection(() -> verify(spliced))).isEqualTo(ProtocolError.BAD_SIGNATURE);
        }

        @Test
        void theSignatureRespelledWithOtherUnusedBitsIsRefused() {
            // 64 bytes take 86 base64url characters, the last of which carries 2 bits and 4 unused
            // ones. A lenient decoder reads 15 other spellings as the same signature, so one signed
            // message would have 16 texts: a replay check keyed on the text would let 15 through.
            String[] parts = parts(token);
            String signature = parts[2];
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            int last = alphabet.indexOf(signature.charAt(signature.length() - 1));
            assertThat(last & 0x0F)
                    .as("the canonical spelling leaves the unused bits zero")
                    .isZero();

            for (int unused = 1; unused < 16; unused++) {
                String respelled = signature.substring(0, signature.length() - 1) + alphabet.charAt(last | unused);
                assertThat(unb64(respelled)).isEqualTo(unb64(signature));
                String variant = parts[0] + "." + parts[1] + "." + respelled;

                assertThat(rejection(() -> verify(variant)))
                        .as("signature spelled %s", respelled)
                        .isEqualTo(ProtocolError.MALFORMED_TOKEN);
            }
        }
    }

    @Nested
    class MalformedTokens {
        private final String token = SignedMessages.sign(batch(SITE), HUB_KEY);

        @Test
        void aTokenCutInHalfIsMalformed() {
            assertThat(rejection(() -> verify(token.substring(0, token.length() / 2))))
                    .isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @Test
        void aTokenCutBeforeItsSignatureIsMalformed() {
            assertThat(rejection(() -> verify(token.substring(0, token.lastIndexOf('.')))))
                    .isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @Test
        void aTokenCutInsideItsHeaderIsMalformed() {
            assertThat(rejection(() -> verify(token.substring(0, 10)))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @Test
        void aTokenWithTwoPartsIsMalformed() {
            String[] parts = parts(token);

            assertThat(rejection(() -> verify(parts[0] + "." + parts[1]))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @ParameterizedTest(name = "suffix \"{0}\"")
        @ValueSource(strings = {".", ".AAAA", "." + "QUFB"})
        void aTokenWithFourPartsIsMalformed(String suffix) {
            // Four parts could be read as JWE or as a JWS with a trailing smuggled part.
            assertThat(rejection(() -> verify(token + suffix))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @ParameterizedTest(name = "token \"{0}\"")
        @ValueSource(strings = {"", ".", "..", "...", "not-a-token", "a.b.c"})
        void textThatIsNoJwsIsMalformed(String text) {
            assertThat(rejection(() -> verify(text))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @Test
        void aMissingTokenIsMalformed() {
            assertThat(rejection(() -> verify(null))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @ParameterizedTest(name = "character U+{0}")
        @ValueSource(ints = {'+', '/', '=', ' ', '\n', '%', '*', 0xE9, 0})
        void aNonBase64urlCharacterInAnyPartIsMalformed(int character) {
            String[] parts = parts(token);
            String c = Character.toString(character);
            List<String> variants = List.of(
                    parts[0] + c + "." + parts[1] + "." + parts[2],
                    parts[0] + "." + parts[1].substring(0, 20) + c + parts[1].substring(20) + "." + parts[2],
                    parts[0] + "." + parts[1] + "." + parts[2] + c);

            for (String variant : variants) {
                assertThat(rejection(() -> verify(variant))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
            }
        }

        @Test
        void standardBase64WithPaddingIsMalformed() {
            // Base64url in JWS is unpadded; a padded part is not what any conforming signer writes.
            String[] parts = parts(token);
            String padded = parts[0] + "." + parts[1] + "." + parts[2] + "==";

            assertThat(rejection(() -> verify(padded))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @Test
        void aTokenLongerThanTheLimitIsTooLarge() {
            String[] parts = parts(token);
            String huge = parts[0] + "." + "A".repeat(Jws.MAX_LENGTH) + "." + parts[2];

            assertThat(rejection(() -> verify(huge))).isEqualTo(ProtocolError.TOO_LARGE);
        }

        static Stream<Arguments> headersWithExtraFields() {
            ECKey attacker = SigningKeys.generate("hub-1");
            String attackerJwk = attacker.toPublicJWK().toJSONString();
            return Stream.of(
                    Arguments.of("jwk", "{\"alg\":\"ES256\",\"kid\":\"hub-1\",\"jwk\":" + attackerJwk + "}", attacker),
                    Arguments.of(
                            "jku",
                            "{\"alg\":\"ES256\",\"kid\":\"hub-1\",\"jku\":\"https://attacker.example/jwks.json\"}",
                            HUB_KEY),
                    Arguments.of(
                            "x5u",
                            "{\"alg\":\"ES256\",\"kid\":\"hub-1\",\"x5u\":\"https://attacker.example/cert.pem\"}",
                            HUB_KEY),
                    Arguments.of("x5c", "{\"alg\":\"ES256\",\"kid\":\"hub-1\",\"x5c\":[\"MIIB\"]}", HUB_KEY),
                    Arguments.of(
                            "crit", "{\"alg\":\"ES256\",\"kid\":\"hub-1\",\"crit\":[\"b64\"],\"b64\":false}", HUB_KEY),
                    Arguments.of("crit alone", "{\"alg\":\"ES256\",\"kid\":\"hub-1\",\"crit\":[\"exp\"]}", HUB_KEY),
                    Arguments.of("zip", "{\"alg\":\"ES256\",\"kid\":\"hub-1\",\"zip\":\"DEF\"}", HUB_KEY));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("headersWithExtraFields")
        void aHeaderWithFieldsBeyondAlgKidAndTypIsMalformed(String what, String header, ECKey signer) {
            // jwk/jku/x5u/x5c let the token bring its own key; crit demands processing the edge does
            // not do. Each is refused even when the signature is genuine.
            String token = es256(signer, header, MessageCodec.encode(batch(SITE)));

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @ParameterizedTest(name = "header {0}")
        @ValueSource(strings = {"[]", "\"ES256\"", "42"})
        void aHeaderThatIsNoJsonObjectIsMalformed(String header) {
            String token = es256(HUB_KEY, header, MessageCodec.encode(batch(SITE)));

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @Test
        void aHeaderWithADuplicateAlgIsRefusedByTheStrictParser() {
            // Two alg fields are read differently by different parsers (first wins or last wins);
            // the codec refuses duplicate keys outright.
            String token = es256(
                    HUB_KEY,
                    "{\"alg\":\"ES256\",\"alg\":\"none\",\"kid\":\"hub-1\"}",
                    MessageCodec.encode(batch(SITE)));

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.MALFORMED_JSON);
        }
    }

    @Nested
    class Addressing {
        @ParameterizedTest(name = "now = expiresAt {0}")
        @ValueSource(strings = {"-PT1M", "-PT1S", "-PT0.000000001S"})
        void aCommandVerifiesUntilJustBeforeItExpires(String offset) {
            Instant now = COMMAND_EXPIRES.plus(Duration.parse(offset));

            assertThat(SignedMessages.verify(
                            SignedMessages.sign(command(SITE), HUB_KEY), KEYS, TENANT, SITE, now, ClockStatus.TRUSTED))
                    .isEqualTo(command(SITE));
        }

        @ParameterizedTest(name = "now = expiresAt + {0}")
        @ValueSource(strings = {"PT0S", "PT0.000000001S", "PT1S", "P1D"})
        void aCommandAtOrAfterItsExpiryIsExpired(String offset) {
            // An unlock command delayed in a queue must not open a door minutes later.
            Instant now = COMMAND_EXPIRES.plus(Duration.parse(offset));
            String token = SignedMessages.sign(command(SITE), HUB_KEY);

            assertThat(rejection(() -> SignedMessages.verify(token, KEYS, TENANT, SITE, now, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.EXPIRED);
        }

        @Test
        void aBatchForSiteAVerifiedAtSiteBIsTheWrongAudience() {
            // Both sites trust the same tenant key; only the site inside the payload tells them apart.
            String token = SignedMessages.sign(batch(SITE), HUB_KEY);

            assertThat(rejection(
                            () -> SignedMessages.verify(token, KEYS, TENANT, OTHER_SITE, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.WRONG_AUDIENCE);
        }

        @Test
        void aCommandForSiteAVerifiedAtSiteBIsTheWrongAudience() {
            String token = SignedMessages.sign(command(SITE), HUB_KEY);

            assertThat(rejection(
                            () -> SignedMessages.verify(token, KEYS, TENANT, OTHER_SITE, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.WRONG_AUDIENCE);
        }
    }

    @Nested
    class SignedTypes {
        static Stream<Envelope> unsignedEnvelopes() {
            return Stream.of(accessEvent(), commandAck(), syncRequest());
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("unsignedEnvelopes")
        void signingATypeTheHubDoesNotSignIsRefused(Envelope envelope) {
            assertThat(rejection(() -> SignedMessages.sign(envelope, HUB_KEY))).isEqualTo(ProtocolError.BAD_VALUE);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("unsignedEnvelopes")
        void aSignedEnvelopeOfAnUnsignedTypeIsRefused(Envelope envelope) {
            // Edge-to-hub types have no business arriving signed on a hub-to-edge path; a genuine
            // signature over one (say, from a QR or a test tool) must not make it acceptable.
            String token = Jws.sign(HUB_KEY, MessageCodec.encode(envelope));

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.BAD_VALUE);
        }

        @Test
        void aQrTokenSignedWithTheHubKeyIsNoSignedMessage() {
            // QR tokens and signed messages share keys and format; their strict schemas keep them apart.
            String qrClaims = "{\"t\":\"" + TENANT + "\",\"s\":[\"" + SITE
                    + "\"],\"k\":\"m\",\"sub\":\"m-1042\",\"c\":\"qr-1042\",\"nbf\":1772441970,\"exp\":1772442030,\"jti\":\"AAAAAAAAAAAAAAAA\"}";
            String token = Jws.sign(HUB_KEY, qrClaims.getBytes(UTF_8));

            assertThat(rejection(() -> verify(token))).isEqualTo(ProtocolError.MISSING_FIELD);
        }
    }

    @Nested
    class InboundRead {
        private static Topic topic(Channel channel) {
            return Topic.of(TENANT, SITE, "edge-1", channel);
        }

        private static byte[] signed(Envelope envelope) {
            return SignedMessages.sign(envelope, HUB_KEY).getBytes(US_ASCII);
        }

        @Test
        void aSignedBatchOnTheSyncChannelIsRead() {
            assertThat(Inbound.read(topic(Channel.SYNC), signed(batch(SITE)), KEYS, NOW, ClockStatus.TRUSTED))
                    .isEqualTo(batch(SITE));
        }

        @Test
        void aSignedCommandOnTheCommandsChannelIsRead() {
            assertThat(Inbound.read(topic(Channel.COMMANDS), signed(command(SITE)), KEYS, NOW, ClockStatus.TRUSTED))
                    .isEqualTo(command(SITE));
        }

        @Test
        void plainJsonOnASignedChannelIsRefused() {
            // Anyone who can publish on the broker can publish plain JSON; only the hub can sign.
            byte[] plainBatch = MessageCodec.encode(batch(SITE));
            byte[] plainCommand = MessageCodec.encode(command(SITE));

            assertThat(rejection(() -> Inbound.read(topic(Channel.SYNC), plainBatch, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.MALFORMED_TOKEN);
            assertThat(rejection(
                            () -> Inbound.read(topic(Channel.COMMANDS), plainCommand, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.MALFORMED_TOKEN);
        }

        @Test
        void aSignedCommandReplayedOnTheSyncChannelIsRefused() {
            assertThat(rejection(() ->
                            Inbound.read(topic(Channel.SYNC), signed(command(SITE)), KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.BAD_VALUE);
        }

        @Test
        void aSignedBatchOnTheTopicOfAnotherSiteIsTheWrongAudience() {
            Topic otherSite = Topic.of(TENANT, OTHER_SITE, "edge-1", Channel.SYNC);

            assertThat(rejection(() -> Inbound.read(otherSite, signed(batch(SITE)), KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.WRONG_AUDIENCE);
        }

        @Test
        void aMissingOrOversizedSignedPayloadIsTooLarge() {
            byte[] huge = new byte[Jws.MAX_LENGTH + 1];
            Arrays.fill(huge, (byte) 'A');

            assertThat(rejection(() -> Inbound.read(topic(Channel.SYNC), null, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.TOO_LARGE);
            assertThat(rejection(() -> Inbound.read(topic(Channel.SYNC), huge, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.TOO_LARGE);
        }

        @Test
        void aMessageTypeOfAnotherChannelOnAPlainChannelIsABadValue() {
            byte[] syncRequest = MessageCodec.encode(syncRequest());

            assertThat(rejection(
                            () -> Inbound.read(topic(Channel.EVENTS), syncRequest, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.BAD_VALUE);
        }

        @Test
        void aSignedTypeSentUnsignedOnAPlainChannelIsABadValue() {
            // A plain command on the events channel must not slip in through the unsigned path.
            byte[] plainCommand = MessageCodec.encode(command(SITE));
            byte[] plainBatch = MessageCodec.encode(batch(SITE));

            assertThat(rejection(
                            () -> Inbound.read(topic(Channel.EVENTS), plainCommand, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.BAD_VALUE);
            assertThat(rejection(() ->
                            Inbound.read(topic(Channel.SYNC_REQUEST), plainBatch, KEYS, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.BAD_VALUE);
        }

        @Test
        void aValidEventOnThePlainEventsChannelIsRead() {
            byte[] event = MessageCodec.encode(accessEvent());

            assertThat(Inbound.read(topic(Channel.EVENTS), event, KEYS, NOW, ClockStatus.TRUSTED))
                    .isEqualTo(accessEvent());
        }
    }

    @Nested
    class KeyRotation {
        private final ECKey newKey = SigningKeys.generate("hub-2");

        @Test
        void aSetWithTheNewKeyVerifiesTokensOfBothOldAndNewKeys() {
            KeySet rotated = KEYS.with(KeySet.of(newKey));
            String old = SignedMessages.sign(batch(SITE), HUB_KEY);
            String fresh = SignedMessages.sign(command(SITE), newKey);

            assertThat(SignedMessages.verify(old, rotated, TENANT, SITE, NOW, ClockStatus.TRUSTED))
                    .isEqualTo(batch(SITE));
            assertThat(SignedMessages.verify(fresh, rotated, TENANT, SITE, NOW, ClockStatus.TRUSTED))
                    .isEqualTo(command(SITE));
            assertThat(rotated.keyIds()).containsExactlyInAnyOrder("hub-1", "hub-2");
        }

        @Test
        void theOldSetAloneDoesNotKnowTheNewKey() {
            String fresh = SignedMessages.sign(command(SITE), newKey);

            assertThat(rejection(() -> SignedMessages.verify(fresh, KEYS, TENANT, SITE, NOW, ClockStatus.TRUSTED)))
                    .isEqualTo(ProtocolError.UNKNOWN_KEY);
        }

        @Test
        void aKeySetHoldsNoPrivateKeyMaterial() {
            // The key set is published and sent to every edge; the private part must never ride along.
            String json = KEYS.toJson();

            assertThat(json).doesNotContain("\"d\"");
            assertThat(KEYS.key("hub-1").orElseThrow().isPrivate()).isFalse();
            assertThat(KEYS.toSigningKeys())
                    .allSatisfy(key -> assertThat(key.jwk()).doesNotContainKey("d"));
        }

        @Test
        void theSetsJwkJsonParsesBackIntoASetThatVerifies() {
            KeySet parsed = KeySet.parse(KEYS.with(KeySet.of(newKey)).toJson());

            assertThat(verify(SignedMessages.sign(batch(SITE), HUB_KEY), parsed))
                    .isEqualTo(batch(SITE));
            assertThat(verify(SignedMessages.sign(batch(SITE), newKey), parsed)).isEqualTo(batch(SITE));
        }

        @Test
        void signingKeysFromSyncRoundTripIntoASetThatVerifies() {
            KeySet roundTripped = KeySet.fromSigningKeys(KEYS.toSigningKeys());

            assertThat(roundTripped.keyIds()).containsExactly("hub-1");
            assertThat(verify(SignedMessages.sign(batch(SITE), HUB_KEY), roundTripped))
                    .isEqualTo(batch(SITE));
            assertThat(rejection(() ->
                            verify(SignedMessages.sign(batch(SITE), SigningKeys.generate("hub-1")), roundTripped)))
                    .isEqualTo(ProtocolError.BAD_SIGNATURE);
        }

        private static Envelope verify(String token, KeySet keys) {
            return SignedMessages.verify(token, keys, TENANT, SITE, NOW, ClockStatus.TRUSTED);
        }

        @Test
        void aJwkSetWithAnRsaKeyIsABadKey() throws JOSEException {
            // An RSA key in the set is not skipped: a set the edge cannot fully use is a provisioning error.
            JWK rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate().toPublicJWK();
            String onlyRsa = new JWKSet(rsa).toString();
            String mixed = new JWKSet(List.of(HUB_KEY.toPublicJWK(), rsa)).toString();

            assertThat(rejection(() -> KeySet.parse(onlyRsa))).isEqualTo(ProtocolError.BAD_KEY);
            assertThat(rejection(() -> KeySet.parse(mixed))).isEqualTo(ProtocolError.BAD_KEY);
        }

        @Test
        void aJwkSetWithASymmetricKeyIsABadKey() throws JOSEException {
            // A shared secret in the key set would make every edge able to sign.
            JWK oct = new OctetSequenceKeyGenerator(256).keyID("hub-1").generate();

            assertThat(rejection(() -> KeySet.parse(new JWKSet(oct).toString(false))))
                    .isEqualTo(ProtocolError.BAD_KEY);
        }

        @Test
        void anEcKeyOnAnotherCurveIsABadKey() throws JOSEException {
            ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("hub-384").generate();

            assertThat(rejection(() -> KeySet.parse(new JWKSet(p384.toPublicJWK()).toString())))
                    .isEqualTo(ProtocolError.BAD_KEY);
            assertThat(rejection(() -> KeySet.of(p384))).isEqualTo(ProtocolError.BAD_KEY);
        }

        @Test
        void aKeyWithoutAKidIsABadKey() throws JOSEException {
            ECKey anonymous = new ECKeyGenerator(Curve.P_256).generate();

            assertThat(rejection(() -> KeySet.of(anonymous))).isEqualTo(ProtocolError.BAD_KEY);
        }

        @Test
        void twoKeysWithOneKidAreABadKey() {
            assertThat(rejection(() -> KeySet.of(HUB_KEY, SigningKeys.generate("hub-1"))))
                    .isEqualTo(ProtocolError.BAD_KEY);
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"", "{}", "[]", "{\"keys\":{}}", "not json"})
        void textThatIsNoJwkSetIsABadKey(String text) {
            assertThat(rejection(() -> KeySet.parse(text))).isEqualTo(ProtocolError.BAD_KEY);
        }
    }

    @Nested
    class RandomMutations {
        private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        private static final String STRANGE = "+/=. \n\t\u00e9\u0000\"{}";

        @Test
        void noMutationOfASignedBatchVerifiesAndEveryFailureIsAProtocolException() {
            // Whatever the broker delivers, the edge must answer with a coded refusal: never an
            // unexpected exception that kills the sync loop, and never an accepted altered batch.
            String original = SignedMessages.sign(batch(SITE), HUB_KEY);
            String donor = SignedMessages.sign(command(SITE), HUB_KEY);
            Random random = new Random(0x6A7E_4005EL);
            Map<ProtocolError, Integer> refusals = new EnumMap<>(ProtocolError.class);
            List<String> problems = new ArrayList<>();
            int tried = 0;

            for (int i = 0; i < 2_000; i++) {
                String mutated = original;
                int rounds = 1 + random.nextInt(3);
                for (int round = 0; round < rounds; round++) {
                    mutated = mutate(mutated, donor, random);
                }
                if (mutated.equals(original) || mutated.equals(donor)) {
                    // Splicing can rebuild the donor whole: a genuine token, rightly accepted.
                    continue;
                }
                tried++;
                try {
                    verify(mutated);
                    problems.add("iteration " + i + " verified: " + mutated);
                } catch (ProtocolException e) {
                    refusals.merge(e.error(), 1, Integer::sum);
                } catch (RuntimeException | StackOverflowError e) {
                    problems.add("iteration " + i + " threw " + e + " for: " + mutated);
                }
            }

            assertThat(problems.subList(0, Math.min(problems.size(), 10))).isEmpty();
            assertThat(tried).isGreaterThan(1_900);
            assertThat(refusals).containsKeys(ProtocolError.BAD_SIGNATURE, ProtocolError.MALFORMED_TOKEN);
        }

        private static String mutate(String token, String donor, Random random) {
            if (token.isEmpty()) {
                return Character.toString(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            int at = random.nextInt(token.length());
            String[] parts = token.split("\\.", -1);
            return switch (random.nextInt(8)) {
                case 0 -> replaceAt(token, at, (char) ((token.charAt(at) ^ (1 << random.nextInt(8))) & 0xFF));
                case 1 -> replaceAt(token, at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 2 -> token.substring(0, at);
                case 3 -> {
                    if (parts.length < 2) {
                        yield token + "." + token;
                    }
                    int a = random.nextInt(parts.length);
                    int b = (a + 1 + random.nextInt(parts.length - 1)) % parts.length;
                    String swap = parts[a];
                    parts[a] = parts[b];
                    parts[b] = swap;
                    yield String.join(".", parts);
                }
                case 4 -> token.substring(0, at) + token.substring(at + 1);
                case 5 ->
                    token.substring(0, at) + ALPHABET.charAt(random.nextInt(ALPHABET.length())) + token.substring(at);
                case 6 -> {
                    String[] donorParts = donor.split("\\.", -1);
                    int part = random.nextInt(Math.min(parts.length, donorParts.length));
                    parts[part] = donorParts[part];
                    yield String.join(".", parts);
                }
                default -> replaceAt(token, at, STRANGE.charAt(random.nextInt(STRANGE.length())));
            };
        }

        private static String replaceAt(String text, int at, char c) {
            return text.substring(0, at) + c + text.substring(at + 1);
        }
    }
}
