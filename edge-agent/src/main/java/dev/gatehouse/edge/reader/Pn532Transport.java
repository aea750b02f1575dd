package dev.gatehouse.edge.reader;

import dev.gatehouse.edge.reader.Pn532Decoder.Ack;
import dev.gatehouse.edge.reader.Pn532Decoder.Decoded;
import dev.gatehouse.edge.reader.Pn532Decoder.Discarded;
import dev.gatehouse.edge.reader.Pn532Decoder.Frame;
import dev.gatehouse.edge.reader.Pn532Decoder.Nack;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Command and response with a PN532 over one {@link SerialLink} (UM0701-02 §6.2.2 dialog): write the
 * command frame, wait for the ACK frame, then for the response frame whose code is the command's + 1.
 * Everything else that arrives on the way (garbage, cut frames, stale responses) is discarded and
 * reported through {@code discards}, never returned. Used by the reader thread only.
 */
final class Pn532Transport {
    static final int HOST_TO_PN532 = 0xD4;
    static final int PN532_TO_HOST = 0xD5;
    static final int ERROR_TFI = 0x7F;

    /** HSU wake-up: two 0x55 bytes and a long preamble, sent before the first command after power-up. */
    private static final byte[] WAKE_UP = {0x55, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private static final byte[] ACK = {0x00, 0x00, (byte) 0xFF, 0x00, (byte) 0xFF, 0x00};

    private final SerialLink link;
    private final Duration ackTimeout;
    private final Duration responseTimeout;
    private final Consumer<String> discards;
    private final BooleanSupplier running;
    private final Pn532Decoder decoder = new Pn532Decoder();
    private final byte[] readBuffer = new byte[256];
    private long lastReadNanos;

    Pn532Transport(
            SerialLink link,
            Duration ackTimeout,
            Duration responseTimeout,
            Consumer<String> discards,
            BooleanSupplier running) {
        this.link = link;
        this.ackTimeout = ackTimeout;
        this.responseTimeout = responseTimeout;
        this.discards = discards;
        this.running = running;
    }

    /**
     * {@link System#nanoTime()} when the last read that returned bytes came back: for the frame
     * {@link #exchange} just returned, the moment its last byte was in hand (a frame is only decoded
     * from bytes already read, and the port is read only when nothing decoded is left).
     */
    long lastReadNanos() {
        return lastReadNanos;
    }

    /** Sends the wake-up sequence (the next command must follow it). */
    void wakeUp() {
        link.write(WAKE_UP);
    }

    /**
     * Sends a command and returns the response parameters (the bytes after the response code).
     *
     * @throws ReaderException TIMEOUT when no ACK or response comes in time, CHIP_ERROR for the syntax
     *     error frame, or a connection error from the link
     */
    byte[] exchange(int command, byte... parameters) {
        link.write(commandFrame(command, parameters));
        awaitAck(command);
        return awaitResponse(command);
    }

    static byte[] commandFrame(int command, byte... parameters) {
        int length = parameters.length + 2;
        int sum = HOST_TO_PN532 + command;
        ByteArrayOutputStream frame = new ByteArrayOutputStream(length + 7);
        frame.writeBytes(new byte[] {0x00, 0x00, (byte) 0xFF, (byte) length, (byte) -length});
        frame.write(HOST_TO_PN532);
        frame.write(command);
        for (byte parameter : parameters) {
            frame.write(parameter);
            sum += parameter & 0xFF;
        }
        frame.write(-sum & 0xFF);
        frame.write(0x00);
        return frame.toByteArray();
    }

    private void awaitAck(int command) {
        long deadline = System.nanoTime() + ackTimeout.toNanos();
        while (true) {
            Optional<Decoded> next = nextDecoded(deadline);
            if (next.isEmpty()) {
                throw new ReaderException(
                        ReaderError.TIMEOUT,
                        "no ACK for " + name(command) + " within " + ackTimeout.toMillis() + " ms");
            }
            switch (next.get()) {
                case Ack ack -> {
                    return;
                }
                case Nack nack -> discards.accept("the reader sent a NACK frame, which a PN532 never sends");
                case Frame frame ->
                    discards.accept("discarded a frame that arrived before the ACK: " + describe(frame));
                case Discarded discarded -> discards.accept(discarded.reason());
            }
        }
    }

    private byte[] awaitResponse(int command) {
        long deadline = System.nanoTime() + responseTimeout.toNanos();
        while (true) {
            Optional<Decoded> next = nextDecoded(deadline);
            if (next.isEmpty()) {
                link.write(ACK); // aborts the command in the chip (§6.2.2), so the next one starts clean
                throw new ReaderException(
                        ReaderError.TIMEOUT,
                        "no response to " + name(command) + " within " + responseTimeout.toMillis() + " ms");
            }
            switch (next.get()) {
                case Frame frame
                when frame.tfi() == PN532_TO_HOST
                        && frame.data().length > 0
                        && (frame.data()[0] & 0xFF) == command + 1 -> {
                    byte[] data = frame.data();
                    return Arrays.copyOfRange(data, 1, data.length);
                }
                case Frame frame
                when frame.tfi() == ERROR_TFI && frame.data().length == 0 ->
                    throw new ReaderException(
                            ReaderError.CHIP_ERROR,
                            "the PN532 answered " + name(command) + " with its syntax error frame");
                case Frame frame -> discards.accept("discarded an unexpected frame: " + describe(frame));
                case Ack ack -> discards.accept("discarded a second ACK frame");
                case Nack nack -> discards.accept("the reader sent a NACK frame, which a PN532 never sends");
                case Discarded discarded -> discards.accept(discarded.reason());
            }
        }
    }

    /**
     * The next decoded item, reading the port as needed until {@code deadline}. A frame whose bytes stop
     * arriving for one read timeout is abandoned (reported as discarded) so that a real frame behind
     * it is found at once.
     */
    private Optional<Decoded> nextDecoded(long deadline) {
        while (true) {
            Optional<Decoded> decoded = decoder.next();
            if (decoded.isPresent()) {
                return decoded;
            }
            if (!running.getAsBoolean()) {
                throw new ReaderClosed();
            }
            if (System.nanoTime() - deadline > 0) {
                return Optional.empty();
            }
            int count = link.read(readBuffer);
            if (count > 0) {
                lastReadNanos = System.nanoTime();
            }
            if (count == 0 && decoder.hasPartialFrame()) {
                Optional<Decoded> abandoned = decoder.abandonPartialFrame();
                if (abandoned.isPresent()) {
                    return abandoned;
                }
            }
            decoder.feed(readBuffer, count);
        }
    }

    private static String describe(Frame frame) {
        byte[] data = frame.data();
        String code = data.length == 0 ? "none" : String.format("0x%02X", data[0] & 0xFF);
        return "TFI " + String.format("0x%02X", frame.tfi()) + ", code " + code + ", " + data.length + " bytes";
    }

    private static String name(int command) {
        return switch (command) {
            case Pn532SerialReader.GET_FIRMWARE_VERSION -> "GetFirmwareVersion";
            case Pn532SerialReader.SAM_CONFIGURATION -> "SAMConfiguration";
            case Pn532SerialReader.RF_CONFIGURATION -> "RFConfiguration";
            case Pn532SerialReader.IN_LIST_PASSIVE_TARGET -> "InListPassiveTarget";
            default -> "command 0x" + HexFormat.of().toHexDigits((byte) command);
        };
    }
}
