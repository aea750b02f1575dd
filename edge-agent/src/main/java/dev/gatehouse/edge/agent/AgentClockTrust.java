package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.access.ClockTrust;
import dev.gatehouse.protocol.model.ClockStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether the agent may trust its wall clock, and why (a Pi has no real-time clock: it boots with a
 * stale time until something sets it). The rules, first match wins:
 *
 * <ol>
 *   <li>Behind the newest hub time ever seen (kept in the cache across restarts) by more than the
 *       tolerance: untrusted. The hub's time only moves forward, so such a clock is wrong.
 *   <li>A signed hub time received since start, carried forward with the monotonic clock: the wall
 *       clock within the tolerance of it is trusted; behind it by more is untrusted (the hub's time
 *       was already past when it arrived, so the true time is at least that). Ahead of it by more
 *       is untrusted when it answered a request of ours ({@code hub.time}): the hub signed it after the
 *       request went out, so the true time is at most that plus the time since. Ahead of a batch's
 *       time proves nothing (the batch may have been delayed), and the next rules decide.
 *   <li>The system says its clock is synchronised (on a Pi: systemd-timesyncd's flag file, which
 *       stays until the next boot once written, so it is believed once seen).
 *   <li>The configured {@code clock-trusted-source} command (e.g. {@code chronyc waitsync 1} or
 *       {@code ntpstat} for chrony or ntpd) exited 0 when last run: {@link #checkSource()} runs it,
 *       from a timer, never from a decision.
 *   <li>Otherwise untrusted: nothing shows the clock is right.
 * </ol>
 *
 * <p>{@link #status()} runs on every decision: it reads memory and at most one file a second.
 */
final class AgentClockTrust implements ClockTrust {
    /** How long a command's answer is believed without a newer one. */
    static final Duration SOURCE_VALID_FOR = Duration.ofMinutes(10);
    /** How long the command may take. */
    static final Duration SOURCE_TIMEOUT = Duration.ofSeconds(5);
    /** The system's flag is looked for at most this often while it is absent. */
    private static final long SYSTEM_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The verdict and its reason, one sentence for a technician. */
    record Verdict(ClockStatus status, String reason) {}

    /**
     * A signed hub time, the monotonic time it arrived at and, when it answered a request of ours,
     * when that request went out: the hub signed it in between.
     */
    private record HubTime(Instant signed, long receivedNanos, OptionalLong requestSentNanos) {}

    /** The last answer of the trusted-source command. */
    private record SourceAnswer(boolean synchronised, String detail, long atNanos) {}

    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Duration tolerance;
    private final Supplier<Optional<Instant>> hubTimeHighWater;
    private final BooleanSupplier systemSynchronised;
    private final String systemSource;
    private final Optional<List<String>> sourceCommand;
    private volatile Optional<HubTime> hubTime = Optional.empty();
    private volatile boolean systemSeen;
    private volatile long systemCheckedNanos;
    private volatile boolean systemChecked;
    private volatile Optional<SourceAnswer> sourceAnswer = Optional.empty();

    /**
     * @param systemSynchronised whether the system says its clock is synchronised
     * @param systemSource what {@code systemSynchronised} asks, as status names it
     * @param sourceCommand the {@code clock-trusted-source} command line, split on whitespace
     */
    AgentClockTrust(
            Clock clock,
            LongSupplier nanoTime,
            Duration tolerance,
            Supplier<Optional<Instant>> hubTimeHighWater,
            BooleanSupplier systemSynchronised,
            String systemSource,
            Optional<String> sourceCommand) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
        this.hubTimeHighWater = Objects.requireNonNull(hubTimeHighWater, "hubTimeHighWater");
        this.systemSynchronised = Objects.requireNonNull(systemSynchronised, "systemSynchronised");
        this.systemSource = Objects.requireNonNull(systemSource, "systemSource");
        this.sourceCommand = sourceCommand
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .map(line -> List.of(line.split("\\s+")));
    }

    @Override
    public ClockStatus status() {
        return verdict().status();
    }

    /**
     * A signed message from the hub (a sync batch or snapshot chunk that verified) carried the hub's
     * time {@code signed}; noted if it is the newest hub time seen.
     */
    void hubTimeReceived(Instant signed) {
        received(signed, OptionalLong.empty());
    }

    /**
     * The hub's {@code hub.time} answer to the sync request sent at {@code requestSentNanos}
     * (monotonic) carried the hub's time {@code signed}: the true time is bounded on both sides, so a
     * clock ahead of it can be told too.
     */
    void hubTimeAnswered(Instant signed, long requestSentNanos) {
        received(signed, OptionalLong.of(requestSentNanos));
    }

    private void received(Instant signed, OptionalLong requestSentNanos) {
        Optional<Instant> newest = newestHubTime();
        if (newest.isPresent() && signed.isBefore(newest.get().minus(tolerance))) {
            return; // an old message (a replay, a repeat, one delayed): it says nothing about now
        }
        hubTime = Optional.of(new HubTime(signed, nanoTime.getAsLong(), requestSentNanos));
    }

    /** The newest hub time seen: in a batch (persisted) or since start. */
    Optional<Instant> newestHubTime() {
        Optional<Instant> highWater = hubTimeHighWater.get();
        Optional<Instant> received = hubTime.map(HubTime::signed);
        if (highWater.isEmpty()) {
            return received;
        }
        if (received.isEmpty()) {
            return highWater;
        }
        return Optional.of(received.get().isAfter(highWater.get()) ? received.get() : highWater.get());
    }

    /**
     * Whether a signed emergency release may run while the wall clock is untrusted, judged by the
     * hub's time instead: it must be no older than the newest hub time seen (minus the tolerance),
     * so a recorded release replayed later is refused, and not expired by the hub's time carried
     * forward with the monotonic clock. Empty when it may run, else why not.
     */
    Optional<String> refuseByHubTime(Instant signedAt, Instant expiresAt) {
        Optional<Instant> newest = newestHubTime();
        if (newest.isEmpty()) {
            return Optional.of("no hub time has been seen to judge it by");
        }
        if (signedAt.isBefore(newest.get().minus(tolerance))) {
            return Optional.of("it was signed at " + signedAt + ", before the newest hub time seen " + newest.get()
                    + " (an old command replayed?)");
        }
        Instant hubNow = hubTime.filter(time -> !time.signed().isBefore(newest.get()))
                .map(time -> time.signed().plusNanos(nanoTime.getAsLong() - time.receivedNanos()))
                .orElse(newest.get());
        if (!hubNow.isBefore(expiresAt)) {
            return Optional.of("it expired at " + expiresAt + ", and the hub's time is at least " + hubNow);
        }
        return Optional.empty();
    }

    /** Runs the {@code clock-trusted-source} command, if one is configured, and keeps its answer. */
    void checkSource() {
        if (sourceCommand.isEmpty()) {
            return;
        }
        List<String> command = sourceCommand.get();
        String name = "'" + String.join(" ", command) + "'";
        SourceAnswer answer;
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(SOURCE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                answer = new SourceAnswer(
                        false,
                        name + " did not answer within " + SOURCE_TIMEOUT.toSeconds() + " s",
                        nanoTime.getAsLong());
            } else if (process.exitValue() == 0) {
                answer = new SourceAnswer(true, name + " says the clock is synchronised", nanoTime.getAsLong());
            } else {
                answer = new SourceAnswer(
                        false,
                        name + " exited with " + process.exitValue() + " (not synchronised)",
                        nanoTime.getAsLong());
            }
        } catch (IOException e) {
            answer = new SourceAnswer(false, name + " cannot be run: " + e.getMessage(), nanoTime.getAsLong());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        sourceAnswer = Optional.of(answer);
    }

    /** Whether the clock is trusted now, and why. */
    Verdict verdict() {
        Instant now = clock.instant();
        Optional<Instant> highWater = hubTimeHighWater.get();
        if (highWater.isPresent() && now.isBefore(highWater.get().minus(tolerance))) {
            return new Verdict(
                    ClockStatus.UNTRUSTED,
                    "untrusted: the clock reads " + now + ", behind the hub's time " + highWater.get()
                            + " already seen in sync (more than the " + seconds(tolerance) + " tolerance)");
        }
        Optional<HubTime> received = hubTime;
        if (received.isPresent()) {
            long elapsedNanos = nanoTime.getAsLong() - received.get().receivedNanos();
            Instant expected = received.get().signed().plusNanos(elapsedNanos);
            Duration ago = Duration.ofNanos(elapsedNanos);
            if (now.isBefore(expected.minus(tolerance))) {
                return new Verdict(
                        ClockStatus.UNTRUSTED,
                        "untrusted: the clock is " + seconds(Duration.between(now, expected))
                                + " behind the hub's signed time received " + seconds(ago) + " ago");
            }
            if (received.get().requestSentNanos().isPresent()) {
                // The hub signed it after our request went out: the true time is at most this.
                Instant latest = received.get()
                        .signed()
                        .plusNanos(nanoTime.getAsLong()
                                - received.get().requestSentNanos().getAsLong());
                if (now.isAfter(latest.plus(tolerance))) {
                    return new Verdict(
                            ClockStatus.UNTRUSTED,
                            "untrusted: the clock is " + seconds(Duration.between(latest, now))
                                    + " ahead of the hub's signed time received " + seconds(ago) + " ago");
                }
            }
            if (!now.isAfter(expected.plus(tolerance))) {
                return new Verdict(
                        ClockStatus.TRUSTED,
                        "trusted: the clock agrees within " + seconds(tolerance)
                                + " with the hub's signed time received " + seconds(ago) + " ago");
            }
        }
        if (systemSynchronised()) {
            return new Verdict(ClockStatus.TRUSTED, "trusted: " + systemSource + " reports the clock synchronised");
        }
        Optional<SourceAnswer> answer = sourceAnswer.filter(this::fresh);
        if (answer.isPresent() && answer.get().synchronised()) {
            return new Verdict(ClockStatus.TRUSTED, "trusted: " + answer.get().detail());
        }
        String source = sourceCommand.isEmpty()
                ? "no clock-trusted-source is configured"
                : answer.map(SourceAnswer::detail).orElse("clock-trusted-source has not answered yet");
        String hub = received.isPresent()
                ? "the clock is ahead of the hub's signed time by more than " + seconds(tolerance)
                : "no signed hub time has arrived since start";
        return new Verdict(
                ClockStatus.UNTRUSTED,
                "untrusted: nothing shows the clock is right (" + hub + ", " + systemSource
                        + " does not report it synchronised, " + source + ")");
    }

    private boolean fresh(SourceAnswer answer) {
        return nanoTime.getAsLong() - answer.atNanos() <= SOURCE_VALID_FOR.toNanos();
    }

    private boolean systemSynchronised() {
        if (systemSeen) {
            return true;
        }
        long now = nanoTime.getAsLong();
        if (systemChecked && now - systemCheckedNanos < SYSTEM_RECHECK_NANOS) {
            return false;
        }
        boolean synchronised = systemSynchronised.getAsBoolean();
        systemCheckedNanos = now;
        systemChecked = true;
        systemSeen = synchronised;
        return synchronised;
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 10_000) {
            return String.format("%.1f s", millis / 1000.0);
        }
        if (millis < 120_000) {
            return (millis / 1000) + " s";
        }
        if (millis < 7_200_000) {
            return (millis / 60_000) + " min";
        }
        return (millis / 3_600_000) + " h";
    }
}
