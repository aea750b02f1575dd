package dev.gatehouse.edge.reader;

import dev.gatehouse.edge.reader.LineAssembler.Line;
import dev.gatehouse.edge.reader.LineAssembler.Overlong;
import dev.gatehouse.edge.reader.LineAssembler.Scanned;
import dev.gatehouse.edge.reader.LineAssembler.StrayLineFeed;
import dev.gatehouse.edge.reader.Presentation.QrText;
import dev.gatehouse.protocol.retry.Backoff;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * A serial barcode/QR scanner (USB CDC or UART, 8N1) that sends each decoded code as a line ended by
 * its configured {@link LineEnding}. Each line becomes a {@link QrText}; a line longer than
 * {@link Settings#maxLineLength()} bytes, a line that is not UTF-8 or holds control bytes other than
 * line breaks, and a line left without its ending for {@link Settings#partialLineTimeout()} are
 * discarded with a fault, which names the ending the bytes seem to use when it is not the configured
 * one. Reads on its one thread ({@code reader-<id>}) and reconnects like {@link Pn532SerialReader}.
 *
 * <p>A scanner is silent until someone shows it a code, so silence cannot tell a dead scanner from
 * an idle one. Two checks make a dead one noticed: while the line is quiet the device path is looked
 * at every {@link Settings#presenceCheck()} (an unplugged USB scanner's {@code /dev/serial/by-id/}
 * link vanishes, while the open port may report nothing until it is next read or written), and the
 * port is closed and reopened with backoff once it is gone or leads to another device node; and a
 * scanner that answers a query may get one whenever the line has been quiet for a while
 * ({@link Settings#probe()}, see {@link ScannerProbe}), a missing reply being a fault.
 */
public final class SerialQrReader implements Reader {
    /**
     * Settings of a serial scanner.
     *
     * @param baudRate the scanner's line speed (USB CDC scanners ignore it)
     * @param lineEnding the suffix the scanner is set to append to every code; lines split only there
     * @param maxLineLength the longest code accepted, in bytes
     * @param partialLineTimeout how long an unfinished line may wait for its line ending
     * @param presenceCheck how often the device path is checked while the line is quiet
     * @param probe the liveness query of a scanner that answers one; empty for a scanner that does not
     * @param reconnect the backoff between attempts to reopen a lost device
     */
    public record Settings(
            int baudRate,
            LineEnding lineEnding,
            int maxLineLength,
            Duration partialLineTimeout,
            Duration presenceCheck,
            Optional<Probe> probe,
            Backoff reconnect) {
        public Settings {
            if (baudRate <= 0) {
                throw new ReaderException(ReaderError.BAD_SETTING, "baud-rate must be positive, not " + baudRate);
            }
            Objects.requireNonNull(lineEnding, "lineEnding");
            if (maxLineLength <= 0) {
                throw new ReaderException(
                        ReaderError.BAD_SETTING, "max-line-length must be positive, not " + maxLineLength);
            }
            if (partialLineTimeout == null || !partialLineTimeout.isPositive()) {
                throw new ReaderException(
                        ReaderError.BAD_SETTING,
                        "partial-line-timeout must be a positive duration, not " + partialLineTimeout);
            }
            if (presenceCheck == null || !presenceCheck.isPositive()) {
                throw new ReaderException(
                        ReaderError.BAD_SETTING, "presence-check must be a positive duration, not " + presenceCheck);
            }
            Objects.requireNonNull(probe, "probe");
            Objects.requireNonNull(reconnect, "reconnect");
        }

        /**
         * 9600 baud, CR LF, lines up to 2,048 bytes, partial lines dropped after 500 ms, the device path
         * checked every second, no probe, default reconnect.
         */
        public static Settings defaults() {
            return new Settings(
                    9600,
                    LineEnding.CRLF,
                    2048,
                    Duration.ofMillis(500),
                    Duration.ofSeconds(1),
                    Optional.empty(),
                    ReaderLoop.DEFAULT_RECONNECT);
        }

        public Settings withBaudRate(int value) {
            return new Settings(value, lineEnding, maxLineLength, partialLineTimeout, presenceCheck, probe, reconnect);
        }

        public Settings withLineEnding(LineEnding value) {
            return new Settings(baudRate, value, maxLineLength, partialLineTimeout, presenceCheck, probe, reconnect);
        }

        public Settings withMaxLineLength(int value) {
            return new Settings(baudRate, lineEnding, value, partialLineTimeout, presenceCheck, probe, reconnect);
        }

        public Settings withPartialLineTimeout(Duration value) {
            return new Settings(baudRate, lineEnding, maxLineLength, value, presenceCheck, probe, reconnect);
        }

        public Settings withPresenceCheck(Duration value) {
            return new Settings(baudRate, lineEnding, maxLineLength, partialLineTimeout, value, probe, reconnect);
        }

        public Settings withProbe(Optional<Probe> value) {
            return new Settings(
                    baudRate, lineEnding, maxLineLength, partialLineTimeout, presenceCheck, value, reconnect);
        }

        public Settings withReconnect(Backoff value) {
            return new Settings(baudRate, lineEnding, maxLineLength, partialLineTimeout, presenceCheck, probe, value);
        }
    }

    /**
     * The liveness query of a scanner that answers one.
     *
     * @param query the bytes sent (from the scanner's manual: a revision or status request)
     * @param replyPrefix how every reply begins; choose bytes no code begins with
     * @param every how long the line must be quiet before the query is sent
     * @param timeout how long the reply may take before the scanner is reported as not answering
     */
    public record Probe(byte[] query, byte[] replyPrefix, Duration every, Duration timeout) {
        public Probe {
            query = new ScannerProbe.Query(query, replyPrefix, every, timeout).query();
            replyPrefix = replyPrefix.clone();
        }

        @Override
        public byte[] query() {
            return query.clone();
        }

        @Override
        public byte[] replyPrefix() {
            return replyPrefix.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Probe that
                    && Arrays.equals(query, that.query)
                    && Arrays.equals(replyPrefix, that.replyPrefix)
                    && every.equals(that.every)
                    && timeout.equals(that.timeout);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(query), Arrays.hashCode(replyPrefix), every, timeout);
        }

        @Override
        public String toString() {
            HexFormat hex = HexFormat.ofDelimiter(" ");
            return "Probe[" + hex.formatHex(query) + " -> " + hex.formatHex(replyPrefix) + "…, every " + every
                    + ", timeout " + timeout + "]";
        }

        ScannerProbe.Query toQuery() {
            return new ScannerProbe.Query(query, replyPrefix, every, timeout);
        }
    }

    private final String id;
    private final Settings settings;
    private final ReaderLoop loop;

    private SerialQrReader(String id, Path device, Settings settings) {
        this.id = Objects.requireNonNull(id, "id");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.loop = new ReaderLoop(id, device, settings.baudRate(), settings.reconnect(), this::session);
    }

    /** A scanner {@code id} on the serial device at {@code device}; nothing is opened before {@link #start}. */
    public static SerialQrReader create(String id, Path device, Settings settings) {
        return new SerialQrReader(id, device, settings);
    }

    /** A scanner with default settings. */
    public static SerialQrReader create(String id, Path device) {
        return create(id, device, Settings.defaults());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void start(ReaderListener listener) {
        loop.start(listener);
    }

    @Override
    public void close() {
        loop.close();
    }

    private void session(SerialLink link, ReaderHealth health, BooleanSupplier running) {
        long opened = System.nanoTime();
        Optional<ScannerProbe> probe =
                settings.probe().map(p -> new ScannerProbe(p.toQuery(), settings.lineEnding(), opened));
        if (probe.isEmpty()) {
            health.working(); // a scanner that answers nothing proves itself by opening
        }
        LineAssembler lines = new LineAssembler(settings.lineEnding(), settings.maxLineLength());
        byte[] buffer = new byte[512];
        long lastByte = opened;
        long lastPresenceCheck = opened;
        while (running.getAsBoolean()) {
            int count = link.read(buffer);
            long now = System.nanoTime();
            if (count == 0) {
                if (now - lastPresenceCheck >= settings.presenceCheck().toNanos()) {
                    lastPresenceCheck = now;
                    checkPresent(link);
                }
                long quietSince = lastByte;
                IntConsumer toLines = b -> lines.accept((byte) b).ifPresent(s -> handle(s, quietSince, health));
                if (probe.isPresent()) {
                    ask(probe.get(), link, health, now, toLines);
                }
                if (lines.hasPartialLine()
                        && now - lastByte >= settings.partialLineTimeout().toNanos()) {
                    health.fault(partialLineFault(lines.discardPartialLine()));
                }
                continue;
            }
            lastByte = now;
            lastPresenceCheck = now; // bytes arriving prove the device is there
            IntConsumer toLines = b -> lines.accept((byte) b).ifPresent(s -> handle(s, now, health));
            for (int i = 0; i < count; i++) {
                if (probe.isEmpty()) {
                    toLines.accept(buffer[i]);
                } else if (probe.get().accept(buffer[i], !lines.hasPartialLine(), now, toLines)) {
                    health.working();
                }
            }
        }
    }

    /** Sends the probe's query when due; reports a scanner that let it time out. */
    private void ask(ScannerProbe probe, SerialLink link, ReaderHealth health, long now, IntConsumer toLines) {
        switch (probe.quiet(now, toLines)) {
            case NOTHING -> {}
            case SEND -> {
                link.write(probe.query().query());
                probe.sent(now);
            }
            case TIMED_OUT ->
                health.fault("scanner " + id + " did not answer its probe ("
                        + probe.query().hex() + ") within "
                        + probe.query().timeout().toMillis() + " ms: it is hung or off, or probe/probe-reply do"
                        + " not match its manual");
        }
    }

    /** Ends the session (the loop then reopens with backoff) when the device path is gone or re-pointed. */
    private void checkPresent(SerialLink link) {
        Optional<Path> now = link.currentNode();
        if (now.isEmpty()) {
            throw new ReaderException(
                    ReaderError.DEVICE_MISSING,
                    "scanner " + id + " gone from " + link.device()
                            + ": unplugged, or its cable or USB hub failed; it is reopened when it is back");
        }
        if (!now.get().equals(link.node())) {
            throw new ReaderException(
                    ReaderError.DEVICE_MISSING,
                    "scanner " + id + " at " + link.device() + " was replugged (now " + now.get() + "): reopening it");
        }
    }

    private String partialLineFault(LineAssembler.Discarded discarded) {
        String start = "discarded " + discarded.bytes() + " bytes that had no "
                + settings.lineEnding().label() + " line ending after "
                + settings.partialLineTimeout().toMillis() + " ms";
        return discarded
                .endingsSeen()
                .filter(seen -> seen != settings.lineEnding())
                .map(seen -> start + "; saw " + seen.label() + " line ends: the scanner or `line-ending` ("
                        + wire(settings.lineEnding()) + ") is set wrong")
                .orElse(start + " (a code cut short, or line noise)");
    }

    private static String wire(LineEnding ending) {
        return ending.name().toLowerCase(Locale.ROOT);
    }

    /** A line (or an overlong one) whose last byte was read at {@code arrivedNanos}. */
    private void handle(Scanned scanned, long arrivedNanos, ReaderHealth health) {
        switch (scanned) {
            case Overlong overlong ->
                health.fault("discarded a line longer than " + overlong.limit() + " bytes (max-line-length)");
            case StrayLineFeed stray ->
                health.fault("the scanner ends its codes with CR LF, but `line-ending` is cr: set one to match"
                        + " the other");
            case Line line -> {
                try {
                    String text = StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(line.bytes()))
                            .toString();
                    if (text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r')) {
                        health.fault("discarded a line with control bytes in it (line noise?)");
                        return;
                    }
                    if (line.endedWith() != settings.lineEnding()) {
                        health.fault("the scanner ends its codes with "
                                + line.endedWith().label()
                                + ", but `line-ending` is " + wire(settings.lineEnding())
                                + ": set one to match the other (this code was read)");
                    } else {
                        health.working();
                    }
                    health.presented(new QrText(text, arrivedNanos));
                } catch (CharacterCodingException e) {
                    health.fault("discarded a line that is not UTF-8 (line noise, or the scanner's code page)");
                }
            }
        }
    }
}
