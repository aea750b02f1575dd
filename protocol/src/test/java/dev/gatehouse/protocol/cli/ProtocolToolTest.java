package dev.gatehouse.protocol.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tool technicians and integrators reach for when something does not verify: it must say what is
 * wrong in one line and exit non-zero, and it must agree with the library about what is valid.
 */
class ProtocolToolTest {
    private static final Instant NOW = Instant.parse("2026-11-23T08:00:00Z");
    private static final String TENANT = "acme";

    @TempDir
    Path dir;

    private ECKey key;
    private Path privateKey;
    private Path publicKeys;

    /** One run of the tool: exit code and what it wrote. */
    private record Run(int exit, String out, String err) {}

    private Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new ProtocolTool(
                        new ByteArrayInputStream(stdin.getBytes(UTF_8)),
                        new PrintStream(out, true, UTF_8),
                        new PrintStream(err, true, UTF_8),
                        NOW)
                .run(args);
        return new Run(exit, out.toString(UTF_8), err.toString(UTF_8));
    }

    @BeforeEach
    void makeKeys() throws IOException {
        key = SigningKeys.generate("k1");
        privateKey = Files.writeString(dir.resolve("hub.jwk"), key.toJSONString());
        Run publicSet = run(key.toJSONString(), "public-keys");
        assertThat(publicSet.exit()).isZero();
        assertThat(publicSet.out()).contains("\"kid\":\"k1\"").doesNotContain("\"d\"");
        publicKeys = Files.writeString(dir.resolve("hub-public.json"), publicSet.out());
    }

    private String signedUnlock(Instant expiresAt) {
        return SignedMessages.sign(
                new Envelope(
                        "cmd-1",
                        NOW.minusSeconds(5),
                        new Command(
                                TENANT,
                                "hq-berlin",
                                expiresAt,
                                new CommandAction.UnlockOnce(DoorId.of("main-entrance"), Duration.ofSeconds(5)))),
                key);
    }

    @Nested
    class Inspect {
        @Test
        void aSignedCommandVerifiesAndIsPrinted() {
            Run run = run(signedUnlock(NOW.plusSeconds(30)), "inspect", "--keys", publicKeys.toString());

            assertThat(run.exit()).isZero();
            assertThat(run.out())
                    .startsWith("valid signed command for acme/hq-berlin, key k1")
                    .contains("unlock-once");
            assertThat(run.err()).isEmpty();
        }

        @Test
        void anExpiredCommandIsInvalidWithOneLineSayingSo() {
            Run run = run(
                    signedUnlock(NOW.plusSeconds(30)),
                    "inspect",
                    "--keys",
                    publicKeys.toString(),
                    "--at",
                    "2026-11-23T08:00:30Z");

            assertThat(run.exit()).isEqualTo(ProtocolTool.INVALID);
            assertThat(run.err().strip())
                    .startsWith("gatehouse: invalid: EXPIRED: command cmd-1 expired")
                    .doesNotContain("\n");
            assertThat(run.out()).isEmpty();
        }

        @Test
        void aCommandSignedByAnotherKeyIsABadSignature() {
            String forged = SignedMessages.sign(
                    MessageCodec.decode(new String(
                            java.util.Base64.getUrlDecoder()
                                    .decode(signedUnlock(NOW.plusSeconds(30)).split("\\.")[1]),
                            UTF_8)),
                    SigningKeys.generate("k1"));

            Run run = run(forged, "inspect", "--keys", publicKeys.toString());

            assertThat(run.exit()).isEqualTo(ProtocolTool.INVALID);
            assertThat(run.err()).startsWith("gatehouse: invalid: BAD_SIGNATURE:");
        }

        @Test
        void aPlainEventIsDecodedAndNamedWithItsChannel() throws IOException {
            String event = Files.readString(Path.of("src/test/resources/golden/event.door.json"));

            Run run = run(event, "inspect", "--keys", publicKeys.toString());

            assertThat(run.exit()).isZero();
            assertThat(run.out()).startsWith("valid event.door (plain JSON; travels on channel 'events')");
        }

        @Test
        void aSignedTypeSentAsPlainJsonIsRefused() throws IOException {
            String batch = Files.readString(Path.of("src/test/resources/golden/sync.batch.json"));

            Run run = run(batch, "inspect", "--keys", publicKeys.toString());

            assertThat(run.exit()).isEqualTo(ProtocolTool.INVALID);
            assertThat(run.err()).contains("must be signed by the hub");
        }

        @Test
        void aQrTokenIssuedByTheToolVerifiesForItsTenantAndSite() {
            Run issued = run(
                    "",
                    "qr",
                    "--key",
                    privateKey.toString(),
                    "--tenant",
                    "acme",
                    "--site",
                    "hq-berlin",
                    "--credential",
                    "qr-1042");
            assertThat(issued.exit()).isZero();

            Run run = run(
                    issued.out(),
                    "inspect",
                    "--keys",
                    publicKeys.toString(),
                    "--tenant",
                    "acme",
                    "--site",
                    "hq-berlin");

            assertThat(run.exit()).isZero();
            assertThat(run.out()).startsWith("valid member QR token").contains("credential  qr-1042");
        }

        @Test
        void aQrTokenForAnotherSiteIsRejectedWithTheOperatorSentence() {
            Run issued = run(
                    "",
                    "qr",
                    "--key",
                    privateKey.toString(),
                    "--tenant",
                    "acme",
                    "--site",
                    "hq-berlin",
                    "--pass",
                    "visit-1",
                    "--single-use");

            Run run = run(
                    issued.out(), "inspect", "--keys", publicKeys.toString(), "--tenant", "acme", "--site", "annex");

            assertThat(run.exit()).isEqualTo(ProtocolTool.INVALID);
            assertThat(run.err())
                    .startsWith("gatehouse: invalid: QR_WRONG_SITE: The QR code is not valid at this site.");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   ", "hello", "a.b", "{", "{\"v\":1}", "\u0000\u0001\u0002", "x.y.z"})
        void garbageGetsOneLineAndExitOne(String input) {
            Run run = run(input, "inspect", "--keys", publicKeys.toString());

            assertThat(run.exit()).isEqualTo(ProtocolTool.INVALID);
            assertThat(run.err()).startsWith("gatehouse: invalid: ");
            assertThat(run.err().strip().lines().count()).isEqualTo(1);
        }
    }

    @Nested
    class Usage {
        @Test
        void missingKeysIsAUsageErrorNamingTheOption() {
            Run run = run("{}", "inspect");

            assertThat(run.exit()).isEqualTo(ProtocolTool.USAGE);
            assertThat(run.err()).startsWith("gatehouse: missing option --keys");
        }

        @Test
        void anUnreadableKeyFileSaysWhichFile() {
            Run run = run("{}", "inspect", "--keys", dir.resolve("nope.json").toString());

            assertThat(run.exit()).isEqualTo(ProtocolTool.INVALID);
            assertThat(run.err()).contains("cannot read key file").contains("nope.json");
        }

        @Test
        void aPublicKeyCannotSign() throws IOException {
            Run run = run("{}", "sign", "--key", publicKeys.toString());

            assertThat(run.exit()).isEqualTo(ProtocolTool.INVALID);
            assertThat(run.err()).startsWith("gatehouse: invalid: BAD_KEY:");
        }

        @Test
        void anUnknownCommandIsAUsageError() {
            Run run = run("", "frobnicate");

            assertThat(run.exit()).isEqualTo(ProtocolTool.USAGE);
            assertThat(run.err()).startsWith("gatehouse: unknown command 'frobnicate'");
        }
    }

    @Test
    void signThenInspectRoundTripsAGoldenBatch() throws IOException {
        String batch = Files.readString(Path.of("src/test/resources/golden/sync.batch.json"));
        Run signed = run(batch, "sign", "--key", privateKey.toString());
        assertThat(signed.exit()).isZero();

        Run run = run(signed.out(), "inspect", "--keys", publicKeys.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("valid signed sync.batch for acme/hq-berlin");
    }

    @Test
    void cardHashMatchesTheSpecificationExample() {
        Run run = run(
                "",
                "card-hash",
                "--key-hex",
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "04:A2:2B:1C:5D:80:00");

        assertThat(run.exit()).isZero();
        assertThat(run.out().strip()).isEqualTo("33861f2f239b6edf2dead5237f387d10f7bc39d1e08dc5e5c6bbdf6fa683b449");
    }

    @Test
    void theDemoShowsGrantsAndDenialsWithReasonsAndRejectsTheTamperedBatch() {
        Run run = run("", "demo");

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("rejected a tampered copy: BAD_SIGNATURE")
                .containsPattern("alice taps her card, Monday 09:00 +main-entrance +GRANTED")
                .contains("DENIED  MEMBER_SUSPENDED")
                .contains("DENIED  QR_BAD_SIGNATURE")
                .contains("DENIED  VISITOR_PASS_USED")
                .contains("DENIED  OFFLINE_TOO_LONG")
                .doesNotContain("ACCEPTED");
    }
}
