package dev.gatehouse.sim.serial;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A serial (USB CDC or UART) barcode scanner in "keyboard-less" mode behind a real
 * {@link PseudoTerminal}: each decoded code is written as its text followed by the configured line
 * ending. Faults: garbage bytes, a partial line (a code cut before its line ending), unplug and
 * replug. It only writes, so it needs no thread, unless it is told to answer a liveness query
 * ({@link #answerQueries}): then one daemon thread reads what the agent sends. Every method is
 * thread-safe.
 */
public final class QrScannerEmulator implements AutoCloseable {
    /** The suffix a scanner appends to every code; scanners ship configured with any of these. */
    public enum LineEnding {
        CR("\r"),
        LF("\n"),
        CRLF("\r\n");

        private final String characters;

        LineEnding(String characters) {
            this.characters = characters;
        }

        public String characters() {
            return characters;
        }
    }

    private final PseudoTerminal terminal;
    private volatile LineEnding lineEnding;
    private volatile byte[] query = new byte[0];
    private volatile byte[] reply = new byte[0];
    private volatile boolean answering;
    private final AtomicInteger queriesAnswered = new AtomicInteger();
    private volatile Thread listener;
    private volatile boolean closed;

    private QrScannerEmulator(PseudoTerminal terminal, LineEnding lineEnding) {
        this.terminal = Objects.requireNonNull(terminal, "terminal");
        this.lineEnding = Objects.requireNonNull(lineEnding, "lineEnding");
    }

    /** A scanner on {@code terminal} ending each code with {@code lineEnding}. It owns the terminal from now on. */
    public static QrScannerEmulator start(PseudoTerminal terminal, LineEnding lineEnding) {
        return new QrScannerEmulator(terminal, lineEnding);
    }

    /** The stable device path to configure in the agent (a link that survives replugs). */
    public Path devicePath() {
        return terminal.stablePath();
    }

    public PseudoTerminal terminal() {
        return terminal;
    }

    public void setLineEnding(LineEnding lineEnding) {
        this.lineEnding = Objects.requireNonNull(lineEnding, "lineEnding");
    }

    /**
     * Sends one decoded code: its UTF-8 bytes and the line ending. Returns false when nothing could be
     * delivered (the scanner is unplugged).
     */
    public boolean scan(String text) {
        byte[] bytes = (text + lineEnding.characters()).getBytes(StandardCharsets.UTF_8);
        return terminal.write(bytes) == bytes.length;
    }

    /** Sends the text of a code without its line ending, as a scanner cut off mid-transfer. */
    public void sendPartialLine(String text) {
        terminal.write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends these bytes as they are (line noise, a misconfigured scanner). */
    public void sendGarbage(byte[] bytes) {
        terminal.write(bytes.clone());
    }

    /** Pulls the scanner's cable: the device goes away. */
    public void unplug() {
        terminal.unplug();
    }

    /** Plugs the scanner back in: a new device behind the same {@link #devicePath()}. */
    public void replug() {
        terminal.replug();
    }

    /**
     * From now on answers every {@code query} the agent sends with {@code reply} (as a scanner answers
     * a revision request). Bytes in between are ignored.
     */
    public synchronized void answerQueries(byte[] query, byte[] reply) {
        this.query = query.clone();
        this.reply = reply.clone();
        this.answering = true;
        if (listener == null) {
            listener = Thread.ofPlatform().name("qr-scanner-sim").daemon().start(this::listen);
        }
    }

    /** Stops answering queries, as a scanner that hung while still plugged in. */
    public void stopAnswering() {
        answering = false;
    }

    /** How many queries were answered so far. */
    public int queriesAnswered() {
        return queriesAnswered.get();
    }

    private void listen() {
        byte[] buffer = new byte[256];
        int matched = 0;
        while (!closed) {
            int count;
            try {
                count = terminal.read(buffer, Duration.ofMillis(50));
            } catch (SerialSimException e) {
                return; // closed
            }
            for (int i = 0; i < count; i++) {
                byte[] expected = query;
                matched = buffer[i] == expected[matched] ? matched + 1 : (buffer[i] == expected[0] ? 1 : 0);
                if (matched == expected.length) {
                    matched = 0;
                    if (answering && terminal.write(reply) == reply.length) {
                        queriesAnswered.incrementAndGet();
                    }
                }
            }
        }
    }

    /** Closes the terminal (the device disappears). */
    @Override
    public void close() {
        closed = true;
        terminal.close();
        Thread running = listener;
        if (running != null) {
            try {
                running.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
