package dev.gatehouse.sim.serial;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A serial (USB CDC or UART) barcode scanner in "keyboard-less" mode behind a real
 * {@link PseudoTerminal}: each decoded code is written as its text followed by the configured line
 * ending. Faults: garbage bytes, a partial line (a code cut before its line ending), unplug and
 * replug. It only writes, so it needs no thread; every method is thread-safe.
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

    /** Closes the terminal (the device disappears). */
    @Override
    public void close() {
        terminal.close();
    }
}
