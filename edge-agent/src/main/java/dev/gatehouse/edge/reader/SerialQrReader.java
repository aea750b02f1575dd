package dev.gatehouse.edge.reader;

import dev.gatehouse.edge.reader.LineAssembler.Line;
import dev.gatehouse.edge.reader.LineAssembler.Overlong;
import dev.gatehouse.edge.reader.LineAssembler.Scanned;
import dev.gatehouse.edge.reader.Presentation.QrText;
import dev.gatehouse.protocol.retry.Backoff;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A serial barcode/QR scanner (USB CDC or UART, 8N1) that sends each decoded code as a line ended by
 * CR, LF or CR LF. Each line becomes a {@link QrText}; a line longer than
 * {@link Settings#maxLineLength()} bytes, a line that is not UTF-8 or holds control bytes, and a line
 * left without its ending for {@link Settings#partialLineTimeout()} are discarded with a fault. Reads
 * on its one thread ({@code reader-<id>}) and reconnects like {@link Pn532SerialReader}.
 */
public final class SerialQrReader implements Reader {
    /**
     * Settings of a serial scanner.
     *
     * @param baudRate the scanner's line speed (USB CDC scanners ignore it)
     * @param maxLineLength the longest code accepted, in bytes
     * @param partialLineTimeout how long an unfinished line may wait for its line ending
     * @param reconnect the backoff between attempts to reopen a lost device
     */
    public record Settings(int baudRate, int maxLineLength, Duration partialLineTimeout, Backoff reconnect) {
        public Settings {
            if (baudRate <= 0) {
                throw new ReaderException(ReaderError.BAD_SETTING, "baud-rate must be positive, not " + baudRate);
            }
            if (maxLineLength <= 0) {
                throw new ReaderException(
                        ReaderError.BAD_SETTING, "max-line-length must be positive, not " + maxLineLength);
            }
            if (partialLineTimeout == null || partialLineTimeout.isNegative() || partialLineTimeout.isZero()) {
                throw new ReaderException(
                        ReaderError.BAD_SETTING,
                        "partial-line-timeout must be a positive duration, not " + partialLineTimeout);
            }
            Objects.requireNonNull(reconnect, "reconnect");
        }

        /** 9600 baud, lines up to 2,048 bytes, partial lines dropped after 500 ms, default reconnect. */
        public static Settings defaults() {
            return new Settings(9600, 2048, Duration.ofMillis(500), ReaderLoop.DEFAULT_RECONNECT);
        }

        public Settings withBaudRate(int value) {
            return new Settings(value, maxLineLength, partialLineTimeout, reconnect);
        }

        public Settings withMaxLineLength(int value) {
            return new Settings(baudRate, value, partialLineTimeout, reconnect);
        }

        public Settings withPartialLineTimeout(Duration value) {
            return new Settings(baudRate, maxLineLength, value, reconnect);
        }

        public Settings withReconnect(Backoff value) {
            return new Settings(baudRate, maxLineLength, partialLineTimeout, value);
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
        health.working();
        LineAssembler lines = new LineAssembler(settings.maxLineLength());
        byte[] buffer = new byte[512];
        long lastByte = System.nanoTime();
        while (running.getAsBoolean()) {
            int count = link.read(buffer);
            if (count == 0) {
                if (lines.hasPartialLine()
                        && System.nanoTime() - lastByte
                                >= settings.partialLineTimeout().toNanos()) {
                    int dropped = lines.discardPartialLine();
                    health.fault("discarded " + dropped + " bytes that had no line ending after "
                            + settings.partialLineTimeout().toMillis() + " ms (a code cut short, or line noise)");
                }
                continue;
            }
            lastByte = System.nanoTime();
            for (int i = 0; i < count; i++) {
                Optional<Scanned> scanned = lines.accept(buffer[i]);
                if (scanned.isPresent()) {
                    handle(scanned.get(), lastByte, health);
                }
            }
        }
    }

    /** A line (or an overlong one) whose last byte was read at {@code arrivedNanos}. */
    private void handle(Scanned scanned, long arrivedNanos, ReaderHealth health) {
        switch (scanned) {
            case Overlong overlong ->
                health.fault("discarded a line longer than " + overlong.limit() + " bytes (max-line-length)");
            case Line line -> {
                try {
                    String text = StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(line.bytes()))
                            .toString();
                    if (text.chars().anyMatch(Character::isISOControl)) {
                        health.fault("discarded a line with control bytes in it (line noise?)");
                        return;
                    }
                    health.working();
                    health.presented(new QrText(text, arrivedNanos));
                } catch (CharacterCodingException e) {
                    health.fault("discarded a line that is not UTF-8 (line noise, or the scanner's code page)");
                }
            }
        }
    }
}
