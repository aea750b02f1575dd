package dev.gatehouse.protocol.card;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The card hash is what the cache, the sync log and the event log store instead of a card's UID: it
 * must be stable (the same card always finds its credential), keyed per tenant (a leaked log reveals
 * no UIDs and means nothing to another tenant) and exactly the documented HMAC, so that the hub and
 * every edge compute the same value.
 */
class CardHasherTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A public test vector key (bytes 0x00..0x1f), not a secret: the answers below are for the spec. */
    private static final byte[] VECTOR_KEY = vectorKey();

    private static byte[] vectorKey() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        return key;
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    private static byte[] uid(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static ProtocolError rejection(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("the exception thrown").isInstanceOf(ProtocolException.class);
        return ((ProtocolException) thrown).error();
    }

    /** HMAC-SHA256(key, "gh-card-v1:" || uid), computed here with the JDK, not with CardHasher. */
    private static String independentHash(byte[] key, byte[] uid) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update("gh-card-v1:".getBytes(US_ASCII));
        return HexFormat.of().formatHex(mac.doFinal(uid));
    }

    @Nested
    class TheHash {
        @Test
        void theSameUidAndKeyGiveTheSame64HexDigitHash() {
            byte[] key = randomKey();

            String first = new CardHasher(key).hash(uid("04a22b1c5d8000"));
            String second = new CardHasher(key).hash(uid("04a22b1c5d8000"));

            assertThat(first).matches("[0-9a-f]{64}").isEqualTo(second);
        }

        @Test
        void differentTenantKeysGiveDifferentHashesForTheSameCard() {
            // A card used at two operators must not be linkable across their logs.
            byte[] card = uid("04a22b1c5d8000");

            assertThat(new CardHasher(randomKey()).hash(card)).isNotEqualTo(new CardHasher(randomKey()).hash(card));
        }

        @Test
        void differentCardsGiveDifferentHashes() {
            CardHasher hasher = new CardHasher(randomKey());

            assertThat(hasher.hash(uid("04a22b1c5d8000"))).isNotEqualTo(hasher.hash(uid("04a22b1c5d8001")));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "04:A2:2B:1C:5D:80:00",
                    "04:a2:2b:1c:5d:80:00",
                    "04 A2 2B 1C 5D 80 00",
                    "04a22b1c5d8000",
                    "04A22B1C5D8000",
                    "04-A2-2B-1C-5D-80-00",
                    "  04A22B1C5D8000\n"
                })
        void everyWayOfWritingAUidInHexGivesTheSameHash(String written) {
            // Readers, enrolment screens and CSV imports write UIDs differently; all must match.
            CardHasher hasher = new CardHasher(randomKey());

            assertThat(hasher.hashHex(written)).isEqualTo(hasher.hash(uid("04a22b1c5d8000")));
        }

        @Test
        void theHashNeverContainsTheUidInHex() {
            // The point of hashing: a leaked cache or event log must not show the UID, in either case.
            CardHasher hasher = new CardHasher(randomKey());
            Random uids = new Random(14443);

            for (int i = 0; i < 3_000; i++) {
                byte[] card = new byte[new int[] {4, 7, 10}[i % 3]];
                uids.nextBytes(card);
                String hash = hasher.hash(card);
                String hex = HexFormat.of().formatHex(card);

                assertThat(hash).doesNotContainIgnoringCase(hex);
            }
        }

        @Test
        void changingTheKeyArrayAfterConstructionDoesNotChangeTheHash() {
            // Callers may wipe their copy of the key; the hasher must have taken its own.
            byte[] key = randomKey();
            CardHasher hasher = new CardHasher(key);
            String before = hasher.hash(uid("04a22b1c5d8000"));

            Arrays.fill(key, (byte) 0);

            assertThat(hasher.hash(uid("04a22b1c5d8000"))).isEqualTo(before);
        }

        @Test
        void aHashDoesNotDependOnTheCardHashedBeforeIt() {
            // The hasher reuses its Mac per thread: a leftover of one card must not leak into the next.
            CardHasher hasher = new CardHasher(randomKey());
            String alone = hasher.hash(uid("deadbeef"));

            hasher.hash(uid("0102030405060708090a"));

            assertThat(hasher.hash(uid("deadbeef"))).isEqualTo(alone);
        }

        @Test
        void sameComparesHashes() {
            CardHasher hasher = new CardHasher(randomKey());
            String hash = hasher.hash(uid("deadbeef"));

            assertThat(CardHasher.same(hash, hasher.hash(uid("deadbeef")))).isTrue();
            assertThat(CardHasher.same(hash, hasher.hash(uid("deadbeee")))).isFalse();
        }
    }

    @Nested
    class KnownAnswers {
        @ParameterizedTest(name = "uid {0}")
        @ValueSource(strings = {"deadbeef", "04a22b1c5d8000", "0102030405060708090a"})
        void theHashIsHmacSha256OfTheDomainAndTheUid(String uidHex) throws Exception {
            byte[] key = randomKey();

            assertThat(new CardHasher(key).hash(uid(uidHex))).isEqualTo(independentHash(key, uid(uidHex)));
        }

        @ParameterizedTest(name = "uid {0}")
        @CsvSource({
            "deadbeef,             9dbb2bbca9760efd847be589362ddc732a4ad9b5d0fb7041f22c921bbb10fbd9",
            "04a22b1c5d8000,       33861f2f239b6edf2dead5237f387d10f7bc39d1e08dc5e5c6bbdf6fa683b449",
            "0102030405060708090a, 6e2afd7a91704de6ae93f0decbc2d35151fbb4675dff39a8a352db89a64739b5"
        })
        void theHashMatchesTheSpecTestVectors(String uidHex, String expected) {
            // Computed outside Java (Python hmac) with key 00 01 .. 1f: the hub, the edge and any
            // third-party importer must agree on these exact values.
            assertThat(new CardHasher(VECTOR_KEY).hash(uid(uidHex))).isEqualTo(expected);
        }
    }

    @Nested
    class VisitorPins {
        @Test
        void aPinHashMatchesTheSpecTestVector() {
            // Computed outside Java (Python hmac) with key 00 01 .. 1f: the hub hashes, the edge checks.
            assertThat(new CardHasher(VECTOR_KEY).pinHash("hq-berlin", "418207"))
                    .isEqualTo("532f9d0db40aa61d2c900a782b9b5d7aea944ce4d1eb721918b8c76b80d35913");
        }

        @Test
        void theSamePinAtAnotherSiteOrAsACardHashesDifferently() {
            // The site and the domain are in the message: one site's PIN hash finds nothing at another.
            CardHasher hasher = new CardHasher(VECTOR_KEY);
            assertThat(hasher.pinHash("hq-berlin", "418207"))
                    .isNotEqualTo(hasher.pinHash("hq-munich", "418207"))
                    .isNotEqualTo(hasher.pinHash("hq-berlin", "418208"));
        }

        @ParameterizedTest(name = "pin \"{0}\"")
        @ValueSource(strings = {"", "12345", "1234567", "12a456", " 123456", "١٢٣٤٥٦"})
        void anythingButSixAsciiDigitsIsABadValue(String pin) {
            assertThatThrownBy(() -> new CardHasher(VECTOR_KEY).pinHash("hq-berlin", pin))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("6 digits");
        }
    }

    @Nested
    class Refusals {
        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {4, 7, 10})
        void uidsOfIsoSizesAreHashed(int length) {
            assertThat(new CardHasher(randomKey()).hash(new byte[length])).matches("[0-9a-f]{64}");
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {0, 1, 3, 5, 6, 8, 11, 16})
        void uidsOfOtherLengthsAreABadValue(int length) {
            // ISO/IEC 14443 UIDs are 4, 7 or 10 bytes; anything else is a reader glitch.
            CardHasher hasher = new CardHasher(randomKey());

            assertThat(rejection(() -> hasher.hash(new byte[length]))).isEqualTo(ProtocolError.BAD_VALUE);
        }

        @Test
        void aMissingUidIsABadValue() {
            CardHasher hasher = new CardHasher(randomKey());

            assertThat(rejection(() -> hasher.hash(null))).isEqualTo(ProtocolError.BAD_VALUE);
            assertThat(rejection(() -> hasher.hashHex(null))).isEqualTo(ProtocolError.BAD_VALUE);
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"", "04a22", "zz:zz:zz:zz", "04a22b1c5d80", "04a22b1c5d8000ff", "0x04a22b1c"})
        void hexThatIsNoUidIsABadValue(String written) {
            CardHasher hasher = new CardHasher(randomKey());

            assertThat(rejection(() -> hasher.hashHex(written))).isEqualTo(ProtocolError.BAD_VALUE);
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {0, 1, 16, 31})
        void aKeyShorterThan32BytesIsABadKey(int length) {
            // A short key can be brute-forced from a leaked hash and a guessed UID range.
            assertThat(rejection(() -> new CardHasher(new byte[length]))).isEqualTo(ProtocolError.BAD_KEY);
        }

        @Test
        void aMissingKeyIsABadKey() {
            assertThat(rejection(() -> new CardHasher(null))).isEqualTo(ProtocolError.BAD_KEY);
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {32, 64})
        void aKeyOf32BytesOrMoreIsAccepted(int length) {
            byte[] key = new byte[length];
            RANDOM.nextBytes(key);

            assertThat(new CardHasher(key).hash(uid("deadbeef"))).matches("[0-9a-f]{64}");
        }
    }

    @Nested
    class Threads {
        @Test
        void hashingFromManyThreadsGivesTheSameResultsAsOneThread() throws Exception {
            // Several readers hash cards at once on one edge; a shared, unsynchronised Mac would mix
            // their inputs and produce hashes that match no credential.
            CardHasher hasher = new CardHasher(randomKey());
            Random random = new Random(7);
            List<byte[]> cards = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                byte[] card = new byte[new int[] {4, 7, 10}[i % 3]];
                random.nextBytes(card);
                cards.add(card);
            }
            List<String> expected = cards.stream().map(hasher::hash).toList();

            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<List<String>>> results = new ArrayList<>();
                for (int task = 0; task < 32; task++) {
                    results.add(
                            pool.submit(() -> cards.stream().map(hasher::hash).toList()));
                }
                for (Future<List<String>> result : results) {
                    assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
