package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.model.ClockStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Pi has no real-time clock: until something sets it, it may read any time, and a time-bound grant
 * decided on it would be wrong. These are the rules for believing it, on a manual wall clock and a
 * manual monotonic clock that the tests move apart, a real flag file and a real command.
 */
class AgentClockTrustTest {
    private static final Instant T = Instant.parse("2026-03-02T09:00:00Z");
    private static final Duration TOLERANCE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T);
    private long nanos = 1_000_000_000L;
    private Optional<Instant> highWater = Optional.empty();
    private boolean systemSynchronised;
    private final AtomicInteger systemLookups = new AtomicInteger();

    private AgentClockTrust trust(Optional<String> command) {
        return new AgentClockTrust(
                clock,
                () -> nanos,
                TOLERANCE,
                () -> highWater,
                () -> {
                    systemLookups.incrementAndGet();
                    return systemSynchronised;
                },
                "systemd-timesyncd",
                command);
    }

    /** Real time passes: both clocks move. */
    private void elapse(Duration duration) {
        nanos += duration.toNanos();
        clock.advance(duration);
    }

    @Nested
    class HubTime {
        @Test
        void aClockBehindTheNewestHubTimeEverSeenIsUntrustedWhateverTheSystemSays() {
            // Why: after a reboot a Pi may come up with last week's time; the hub's time from the
            // cache proves it wrong even when a time daemon claims otherwise.
            highWater = Optional.of(T.plus(Duration.ofHours(1)));
            systemSynchronised = true;

            AgentClockTrust.Verdict verdict = trust(Optional.empty()).verdict();

            assertThat(verdict.status()).isEqualTo(ClockStatus.UNTRUSTED);
            assertThat(verdict.reason()).startsWith("untrusted: ").contains("behind the hub's time");
        }

        @Test
        void aClockThatAgreesWithASignedHubTimeCarriedForwardIsTrusted() {
            // Why: a site without NTP still has the hub: its signed time, plus the time elapsed since
            // it arrived, is as good as a time server.
            AgentClockTrust trust = trust(Optional.empty());
            trust.hubTimeReceived(T.minusSeconds(1));
            elapse(Duration.ofMinutes(30));

            AgentClockTrust.Verdict verdict = trust.verdict();

            assertThat(verdict.status()).isEqualTo(ClockStatus.TRUSTED);
            assertThat(verdict.reason()).contains("agrees within 5.0 s").contains("received 30 min ago");
        }

        @Test
        void aClockThatFellBehindTheHubTimeCarriedForwardIsUntrusted() {
            // Why: the true time is at least the hub's time plus what has elapsed since; a clock
            // behind that was set back, whatever else claims it is synchronised.
            systemSynchronised = true;
            AgentClockTrust trust = trust(Optional.empty());
            trust.hubTimeReceived(T);
            nanos += Duration.ofMinutes(10).toNanos();
            clock.advance(Duration.ofMinutes(1)); // the wall clock was set back by 9 minutes

            AgentClockTrust.Verdict verdict = trust.verdict();

            assertThat(verdict.status()).isEqualTo(ClockStatus.UNTRUSTED);
            assertThat(verdict.reason()).contains("9 min behind the hub's signed time");
        }

        @Test
        void aClockAheadOfTheHubTimeIsLeftToTheOtherSources() {
            // Why: a sync batch may sit in the broker for a while, so a clock ahead of its time
            // proves nothing either way.
            AgentClockTrust trust = trust(Optional.empty());
            trust.hubTimeReceived(T.minus(Duration.ofMinutes(3)));

            assertThat(trust.verdict().status()).isEqualTo(ClockStatus.UNTRUSTED);
            assertThat(trust.verdict().reason()).contains("ahead of the hub's signed time");
            systemSynchronised = true;
            assertThat(trust(Optional.empty()).verdict().status()).isEqualTo(ClockStatus.TRUSTED);
        }

        @Test
        void aClockAheadOfTheHubsAnswerIsUntrustedEvenWhenTheSystemSaysSynchronised() {
            // Why: a hub.time answers a request of ours, so the hub signed it after the request went
            // out: a clock ahead of that plus the time since is wrong (as filed, a clock far ahead
            // was never distrusted, and office hours followed it).
            systemSynchronised = true;
            AgentClockTrust trust = trust(Optional.empty());
            long sent = nanos;
            elapse(Duration.ofMillis(200));
            trust.hubTimeAnswered(T.minus(Duration.ofMinutes(3)), sent);

            AgentClockTrust.Verdict verdict = trust.verdict();

            assertThat(verdict.status()).isEqualTo(ClockStatus.UNTRUSTED);
            assertThat(verdict.reason()).contains("ahead of the hub's signed time");
        }

        @Test
        void anAnswerThatAgreesMakesTheClockTrustedAgainWithNoBatch() {
            // Why: trust must be able to come back without an entitlement change to carry a batch.
            AgentClockTrust trust = trust(Optional.empty());
            assertThat(trust.verdict().status()).isEqualTo(ClockStatus.UNTRUSTED);
            long sent = nanos;
            elapse(Duration.ofMillis(300));
            trust.hubTimeAnswered(T.minus(Duration.ofMillis(100)), sent);

            assertThat(trust.verdict().status()).isEqualTo(ClockStatus.TRUSTED);
            elapse(Duration.ofMinutes(10));
            assertThat(trust.verdict().status()).isEqualTo(ClockStatus.TRUSTED);
        }

        @Test
        void anEmergencyReleaseIsJudgedByTheHubsTime() {
            // Why: under an untrusted clock a release must still run, but a recorded old one must not.
            AgentClockTrust trust = trust(Optional.empty());
            assertThat(trust.refuseByHubTime(T, T.plusSeconds(300)))
                    .hasValueSatisfying(why -> assertThat(why).contains("no hub time"));
            clock.set(T.minus(Duration.ofDays(400))); // the wall clock is far off: it plays no part
            trust.hubTimeReceived(T);
            elapse(Duration.ofSeconds(20));

            assertThat(trust.refuseByHubTime(T.plusSeconds(15), T.plusSeconds(315)))
                    .isEmpty();
            assertThat(trust.refuseByHubTime(T.minusSeconds(60), T.plusSeconds(240)))
                    .hasValueSatisfying(why -> assertThat(why).contains("before the newest hub time"));
            assertThat(trust.refuseByHubTime(T.plusSeconds(1), T.plusSeconds(10)))
                    .hasValueSatisfying(why -> assertThat(why).contains("expired"));
        }

        @Test
        void aRepeatedOldBatchDoesNotReplaceTheNewerHubTime() {
            // Why: a replayed or repeated batch carries an old time; taken as the latest, it would
            // make a right clock look ahead and throw away the evidence that it is right.
            AgentClockTrust trust = trust(Optional.empty());
            trust.hubTimeReceived(T);
            highWater = Optional.of(T);
            elapse(Duration.ofMinutes(1));

            trust.hubTimeReceived(T.minus(Duration.ofDays(1)));

            assertThat(trust.verdict().status()).isEqualTo(ClockStatus.TRUSTED);
        }
    }

    @Nested
    class SystemFlag {
        @Test
        void theFlagIsBelievedOnceSeenAndLookedForAtMostOnceASecondUntilThen() throws IOException {
            // Why: systemd-timesyncd writes its flag once per boot; status runs on every decision,
            // so the file must not be looked for on each one.
            Path flag = dir.resolve("synchronized");
            AgentClockTrust trust = new AgentClockTrust(
                    clock,
                    () -> nanos,
                    TOLERANCE,
                    () -> highWater,
                    () -> {
                        systemLookups.incrementAndGet();
                        return Files.exists(flag);
                    },
                    "systemd-timesyncd (" + flag + ")",
                    Optional.empty());

            assertThat(trust.verdict().reason()).contains("systemd-timesyncd (" + flag + ") does not report it");
            Files.writeString(flag, "");
            for (int i = 0; i < 100; i++) {
                assertThat(trust.status()).isEqualTo(ClockStatus.UNTRUSTED);
            }
            assertThat(systemLookups).hasValue(1);

            elapse(Duration.ofSeconds(1));
            assertThat(trust.verdict())
                    .isEqualTo(new AgentClockTrust.Verdict(
                            ClockStatus.TRUSTED,
                            "trusted: systemd-timesyncd (" + flag + ") reports the clock synchronised"));
            Files.delete(flag);
            elapse(Duration.ofMinutes(5));
            assertThat(trust.status()).isEqualTo(ClockStatus.TRUSTED);
            assertThat(systemLookups).hasValue(2);
        }
    }

    @Nested
    class TrustedSourceCommand {
        private Path script(int exitCode) throws IOException {
            Path script = dir.resolve("clock-synced");
            Files.writeString(script, "#!/bin/sh\nexit " + exitCode + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            return script;
        }

        @Test
        void aCommandThatExitsZeroMakesTheClockTrustedAndANonZeroExitTakesItBack() throws IOException {
            // Why: chrony and ntpd keep no flag file; their own tools (chronyc waitsync, ntpstat)
            // answer with their exit code.
            Path script = script(0);
            AgentClockTrust trust = trust(Optional.of(script + " --quiet"));
            assertThat(trust.verdict().reason()).contains("has not answered yet");

            trust.checkSource();
            assertThat(trust.verdict())
                    .isEqualTo(new AgentClockTrust.Verdict(
                            ClockStatus.TRUSTED, "trusted: '" + script + " --quiet' says the clock is synchronised"));

            script(1);
            trust.checkSource();
            assertThat(trust.verdict().status()).isEqualTo(ClockStatus.UNTRUSTED);
            assertThat(trust.verdict().reason()).contains("exited with 1 (not synchronised)");
        }

        @Test
        void anAnswerIsBelievedForTenMinutesOnly() throws IOException {
            // Why: if the command stops running (its timer died), an old "yes" must not last forever.
            AgentClockTrust trust = trust(Optional.of(script(0).toString()));
            trust.checkSource();
            elapse(AgentClockTrust.SOURCE_VALID_FOR);
            assertThat(trust.status()).isEqualTo(ClockStatus.TRUSTED);

            elapse(Duration.ofSeconds(1));
            assertThat(trust.status()).isEqualTo(ClockStatus.UNTRUSTED);
        }

        @Test
        void aCommandThatCannotRunIsNamedInTheReason() {
            // Why: a technician who mistyped the command must see it in status, not a bare "untrusted".
            AgentClockTrust trust = trust(Optional.of(dir.resolve("no-such-tool") + " tracking"));
            trust.checkSource();

            assertThat(trust.verdict().status()).isEqualTo(ClockStatus.UNTRUSTED);
            assertThat(trust.verdict().reason()).contains("no-such-tool tracking' cannot be run");
        }
    }

    @Test
    void withNoEvidenceTheReasonSaysWhatWasMissing() {
        // Why: "untrusted" alone sends a technician guessing; the sentence names every source.
        AgentClockTrust.Verdict verdict = trust(Optional.empty()).verdict();

        assertThat(verdict.status()).isEqualTo(ClockStatus.UNTRUSTED);
        assertThat(verdict.reason())
                .isEqualTo("untrusted: nothing shows the clock is right (no signed hub time has arrived since start,"
                        + " systemd-timesyncd does not report it synchronised, no clock-trusted-source is configured)");
    }
}
