package dev.gatehouse.sim.serial;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads the bytes a host controller sends to the PN532, one byte at a time, the way the chip's
 * firmware does: any number of preamble bytes, the start code {@code 00 FF}, then the length and its
 * checksum, the data and the data checksum. A wake-up byte {@code 0x55} outside a frame is reported
 * (it wakes the chip from power-down). A frame whose checksums do not add up is dropped with a reason:
 * the chip does not acknowledge it, and the host's ACK timeout takes over.
 */
final class HostFrameParser {
    /** What one byte completed. */
    sealed interface Parsed permits Wake, Ack, Nack, Command, Dropped {}

    /** A {@code 0x55} wake-up byte arrived between frames. */
    record Wake() implements Parsed {}

    /** The host sent an ACK frame (abort the command in progress). */
    record Ack() implements Parsed {}

    /** The host sent a NACK frame (send the last response again). */
    record Nack() implements Parsed {}

    /** A well-formed information frame; {@code data} starts at PD0, the command code. */
    record Command(int tfi, byte[] data) implements Parsed {
        Command {
            data = data.clone();
        }

        int code() {
            return data.length == 0 ? -1 : data[0] & 0xFF;
        }
    }

    /** A frame that failed a check and was thrown away. */
    record Dropped(String reason) implements Parsed {}

    private enum State {
        SEEK_ZERO,
        SEEK_FF,
        LENGTH,
        LENGTH_CHECKSUM,
        DATA,
        DATA_CHECKSUM
    }

    private State state = State.SEEK_ZERO;
    private int length;
    private int sum;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /** Feeds one byte; returns what it completed, if anything. */
    Optional<Parsed> accept(byte value) {
        int b = value & 0xFF;
        return switch (state) {
            case SEEK_ZERO -> {
                if (b == 0x00) {
                    state = State.SEEK_FF;
                }
                yield b == 0x55 ? Optional.of(new Wake()) : Optional.empty();
            }
            case SEEK_FF -> {
                if (b == 0xFF) {
                    state = State.LENGTH;
                } else if (b != 0x00) {
                    state = State.SEEK_ZERO;
                    if (b == 0x55) {
                        yield Optional.of(new Wake());
                    }
                }
                yield Optional.empty();
            }
            case LENGTH -> {
                length = b;
                state = State.LENGTH_CHECKSUM;
                yield Optional.empty();
            }
            case LENGTH_CHECKSUM -> lengthChecksum(b);
            case DATA -> {
                data.write(b);
                sum += b;
                if (data.size() == length) {
                    state = State.DATA_CHECKSUM;
                }
                yield Optional.empty();
            }
            case DATA_CHECKSUM -> {
                state = State.SEEK_ZERO;
                if (((sum + b) & 0xFF) != 0) {
                    yield Optional.of(new Dropped("data checksum does not add up"));
                }
                byte[] frame = data.toByteArray();
                yield Optional.of(new Command(frame[0] & 0xFF, Arrays.copyOfRange(frame, 1, frame.length)));
            }
        };
    }

    /** Forgets a frame in progress (the chip was powered off). */
    void reset() {
        state = State.SEEK_ZERO;
        data.reset();
    }

    private Optional<Parsed> lengthChecksum(int b) {
        state = State.SEEK_ZERO;
        if (length == 0x00 && b == 0xFF) {
            return Optional.of(new Ack());
        }
        if (length == 0xFF && b == 0x00) {
            return Optional.of(new Nack());
        }
        if (length == 0xFF && b == 0xFF) {
            return Optional.of(new Dropped("extended information frames are not supported by this emulator"));
        }
        if (((length + b) & 0xFF) != 0) {
            return Optional.of(new Dropped("length checksum does not add up"));
        }
        if (length == 0) {
            return Optional.of(new Dropped("zero-length information frame"));
        }
        data.reset();
        sum = 0;
        state = State.DATA;
        return Optional.empty();
    }
}
