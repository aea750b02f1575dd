package dev.gatehouse.edge.reader;

import dev.gatehouse.protocol.retry.Backoff;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * An NFC reader: a PN532 on its high-speed UART (a USB serial adapter or the Pi's UART), opened with
 * jSerialComm at 115200 8N1. On connect it wakes the chip, checks GetFirmwareVersion (IC 0x32),
 * configures the SAM in normal mode and bounds the passive activation retries (RFConfiguration), then
 * polls InListPassiveTarget for one ISO/IEC 14443 type A target in a loop on its one thread
 * ({@code reader-<id>}).
 *
 * <p>Frames are checked strictly (checksums, lengths, ACK before response, timeouts); garbage and cut
 * frames are discarded with a fault and the reader resynchronises on the next start code, so a bad
 * frame can never become a presentation. A card held in the field is reported once per tap (again
 * after it leaves, or after {@link Settings#representAfter()} held continuously). When the device
 * fails or vanishes the reader reports a fault once, reopens the same path with backoff, and reports
 * {@code restored} when the chip answers again.
 */
public final class Pn532SerialReader implements Reader {
    static final int GET_FIRMWARE_VERSION = 0x02;
    static final int SAM_CONFIGURATION = 0x14;
    static final int RF_CONFIGURATION = 0x32;
    static final int IN_LIST_PASSIVE_TARGET = 0x4A;

    /** The HSU speed of a PN532 out of reset. */
    static final int BAUD_RATE = 115_200;
    /** GetFirmwareVersion's IC byte for a PN532. */
    private static final int PN532_IC = 0x32;
    /** Timeouts in a row after which the chip is considered gone and the device is reopened. */
    private static final int TIMEOUTS_BEFORE_RECONNECT = 3;
    /** MxRtyPassiveActivation: the chip tries this many times more, then answers "no target". */
    private static final byte PASSIVE_ACTIVATION_RETRIES = 0x02;

    /**
     * Timing of a PN532 reader.
     *
     * @param ackTimeout how long to wait for the ACK frame after a command
     * @param responseTimeout how long to wait for the response frame after the ACK
     * @param representAfter how long a card held continuously waits before it is reported again
     * @param reconnect the backoff between attempts to reopen a lost device
     */
    public record Settings(Duration ackTimeout, Duration responseTimeout, Duration representAfter, Backoff reconnect) {
        public Settings {
            requirePositive(ackTimeout, "ack-timeout");
            requirePositive(responseTimeout, "response-timeout");
            requirePositive(representAfter, "represent-after");
            Objects.requireNonNull(reconnect, "reconnect");
        }

        /** ACK 500 ms, response 1 s, re-present after 2 s, reconnect 250 ms doubling to 5 s (with jitter). */
        public static Settings defaults() {
            return new Settings(
                    Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), ReaderLoop.DEFAULT_RECONNECT);
        }

        public Settings withAckTimeout(Duration value) {
            return new Settings(value, responseTimeout, representAfter, reconnect);
        }

        public Settings withResponseTimeout(Duration value) {
            return new Settings(ackTimeout, value, representAfter, reconnect);
        }

        public Settings withRepresentAfter(Duration value) {
            return new Settings(ackTimeout, responseTimeout, value, reconnect);
        }

        public Settings withReconnect(Backoff value) {
            return new Settings(ackTimeout, responseTimeout, representAfter, value);
        }
    }

    private final String id;
    private final Settings settings;
    private final CardDebouncer debouncer;
    private final ReaderLoop loop;

    private Pn532SerialReader(String id, Path device, Settings settings, Clock clock) {
        this.id = Objects.requireNonNull(id, "id");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.debouncer = new CardDebouncer(Objects.requireNonNull(clock, "clock"), settings.representAfter());
        this.loop = new ReaderLoop(id, device, BAUD_RATE, settings.reconnect(), this::session);
    }

    /** A reader {@code id} on the serial device at {@code device}; nothing is opened before {@link #start}. */
    public static Pn532SerialReader create(String id, Path device, Settings settings, Clock clock) {
        return new Pn532SerialReader(id, device, settings, clock);
    }

    /** A reader with default settings and the system clock. */
    public static Pn532SerialReader create(String id, Path device) {
        return create(id, device, Settings.defaults(), Clock.systemUTC());
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
        Pn532Transport chip =
                new Pn532Transport(link, settings.ackTimeout(), settings.responseTimeout(), health::fault, running);
        handshake(chip, link);
        health.working();
        debouncer.reset();
        int timeouts = 0;
        while (running.getAsBoolean()) {
            try {
                byte[] response = chip.exchange(IN_LIST_PASSIVE_TARGET, (byte) 0x01, (byte) 0x00);
                Optional<byte[]> uid = parseTarget(response);
                timeouts = 0;
                health.working();
                debouncer.seen(uid, chip.lastReadNanos()).ifPresent(health::presented);
            } catch (ReaderException e) {
                if (e.error().connectionLost()) {
                    throw e;
                }
                health.fault(e.getMessage());
                if (e.error() == ReaderError.TIMEOUT && ++timeouts >= TIMEOUTS_BEFORE_RECONNECT) {
                    throw new ReaderException(
                            ReaderError.NOT_RESPONDING,
                            "the PN532 on " + link.device() + " did not answer " + timeouts
                                    + " polls in a row; reopening it");
                }
            }
        }
    }

    private static void handshake(Pn532Transport chip, SerialLink link) {
        chip.wakeUp();
        byte[] firmware = chip.exchange(GET_FIRMWARE_VERSION);
        if (firmware.length != 4 || (firmware[0] & 0xFF) != PN532_IC) {
            throw new ReaderException(
                    ReaderError.NOT_A_PN532,
                    "the device on " + link.device() + " is not a PN532 (GetFirmwareVersion answered "
                            + Arrays.toString(firmware) + "); check the configured path");
        }
        chip.exchange(SAM_CONFIGURATION, (byte) 0x01, (byte) 0x14, (byte) 0x01);
        chip.exchange(RF_CONFIGURATION, (byte) 0x05, (byte) 0xFF, (byte) 0x01, PASSIVE_ACTIVATION_RETRIES);
    }

    /**
     * The UID in an InListPassiveTarget response for one type A target, checked field by field:
     * {@code NbTg [Tg SENS_RES(2) SEL_RES NFCIDLength NFCID1 [ATSLength ATS...]]}.
     */
    static Optional<byte[]> parseTarget(byte[] response) {
        if (response.length == 1 && response[0] == 0) {
            return Optional.empty();
        }
        if (response.length < 6 || response[0] != 1 || response[1] != 1) {
            throw malformed("expected no target or exactly target 1, got " + response.length + " bytes");
        }
        int uidLength = response[5] & 0xFF;
        if (uidLength != 4 && uidLength != 7 && uidLength != 10) {
            throw malformed("NFCIDLength " + uidLength + " is not 4, 7 or 10");
        }
        int rest = response.length - 6 - uidLength;
        if (rest < 0) {
            throw malformed("NFCIDLength " + uidLength + " runs past the end of the frame");
        }
        boolean iso14443Part4 = (response[4] & 0x20) != 0;
        if (rest > 0 && !(iso14443Part4 && (response[6 + uidLength] & 0xFF) == rest)) {
            throw malformed(rest + " bytes after the UID that are not an ATS");
        }
        return Optional.of(Arrays.copyOfRange(response, 6, 6 + uidLength));
    }

    private static ReaderException malformed(String detail) {
        return new ReaderException(ReaderError.MALFORMED_RESPONSE, "InListPassiveTarget response: " + detail);
    }

    private static void requirePositive(Duration value, String key) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ReaderException(ReaderError.BAD_SETTING, key + " must be a positive duration, not " + value);
        }
    }
}
