package dev.gatehouse.sim.serial;

import dev.gatehouse.sim.serial.HostFrameParser.Ack;
import dev.gatehouse.sim.serial.HostFrameParser.Command;
import dev.gatehouse.sim.serial.HostFrameParser.Dropped;
import dev.gatehouse.sim.serial.HostFrameParser.Nack;
import dev.gatehouse.sim.serial.HostFrameParser.Parsed;
import dev.gatehouse.sim.serial.HostFrameParser.Wake;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PN532 NFC reader on its high-speed UART (HSU), behind a real {@link PseudoTerminal}: the agent's
 * production adapter opens the slave path and talks to it as to the chip.
 *
 * <p>It speaks the host-interface frame protocol (UM0701-02 §6.2): it answers a well-formed command
 * frame with an ACK frame then a response frame, resends its last response on a NACK, drops frames
 * with bad checksums without a word (as the chip does), answers an unknown command with the syntax
 * error frame, and ignores everything until a {@code 0x55} wake-up byte arrives after power-up (the
 * chip starts in power-down and an HSU host must wake it). Commands: GetFirmwareVersion (IC 0x32,
 * firmware 1.6), SAMConfiguration (normal mode), RFConfiguration (accepted, no effect) and
 * InListPassiveTarget for one ISO/IEC 14443 type A target at 106 kbps, answered with the UID of the
 * card held to the reader, or with no target after the no-card timeout (the chip's passive
 * activation retries, kept short here).
 *
 * <p>Test hooks: {@link #holdCard(byte[])}, {@link #removeCard()}; faults {@link #sendGarbage(byte[])},
 * {@link #sendTruncatedFrame()}, {@link #setResponseDelay(Duration)}, {@link #unplug()} and
 * {@link #replug()}. One thread ({@code pn532-emulator}) serves the host; the hooks are thread-safe.
 */
public final class Pn532Emulator implements AutoCloseable {
    private volatile long lastTargetWrittenNanos;
    /** The default time InListPassiveTarget takes to report that no card is in the field. */
    public static final Duration DEFAULT_NO_CARD_TIMEOUT = Duration.ofMillis(100);

    private static final Logger log = LoggerFactory.getLogger(Pn532Emulator.class);
    private static final Duration READ_SLICE = Duration.ofMillis(50);
    private static final byte[] FIRMWARE = {0x32, 0x01, 0x06, 0x07};
    /**
     * The first 8 bytes of the InListPassiveTarget response for a card DE AD BE EF
     * ({@code 00 00 FF 0C F4 D5 4B 01 | 01 00 04 08 04 DE AD BE EF 96 00}): the UID is never sent.
     */
    private static final byte[] TRUNCATED = HexFormat.of().parseHex("0000FF0CF4D54B01");

    private final PseudoTerminal terminal;
    private final Duration noCardTimeout;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong pollsAnswered = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private final HostFrameParser parser = new HostFrameParser();

    // guarded by lock
    private byte[] heldUid;
    private Duration responseDelay = Duration.ZERO;
    private boolean running = true;

    private volatile boolean awake;
    private volatile boolean powerCycled;
    private byte[] lastResponse = new byte[0];

    private Pn532Emulator(PseudoTerminal terminal, Duration noCardTimeout) {
        this.terminal = Objects.requireNonNull(terminal, "terminal");
        this.noCardTimeout = requireNonNegative(noCardTimeout, "noCardTimeout");
        this.thread = Thread.ofPlatform().name("pn532-emulator").daemon().unstarted(this::serve);
    }

    /** Starts an emulator on {@code terminal} with the default no-card timeout. It owns the terminal from now on. */
    public static Pn532Emulator start(PseudoTerminal terminal) {
        return start(terminal, DEFAULT_NO_CARD_TIMEOUT);
    }

    /**
     * Starts an emulator on {@code terminal}; InListPassiveTarget reports "no target" after
     * {@code noCardTimeout} when no card is held. It owns the terminal from now on.
     */
    public static Pn532Emulator start(PseudoTerminal terminal, Duration noCardTimeout) {
        Pn532Emulator emulator = new Pn532Emulator(terminal, noCardTimeout);
        emulator.thread.start();
        return emulator;
    }

    /** The stable device path to configure in the agent (a link that survives replugs). */
    public Path devicePath() {
        return terminal.stablePath();
    }

    public PseudoTerminal terminal() {
        return terminal;
    }

    /**
     * {@link System#nanoTime()} just before the first InListPassiveTarget response that reported the card
     * held now was handed to the serial line (0 until then): where tap-to-relay latency starts.
     */
    public long lastTargetWrittenNanos() {
        return lastTargetWrittenNanos;
    }

    /** Puts a card with this UID (4, 7 or 10 bytes) in the field, replacing any card held. */
    public void holdCard(byte[] uid) {
        if (uid == null || (uid.length != 4 && uid.length != 7 && uid.length != 10)) {
            throw new SerialSimException(
                    SerialSimError.BAD_ARGUMENT,
                    "an ISO/IEC 14443 type A UID has 4, 7 or 10 bytes, not " + (uid == null ? 0 : uid.length));
        }
        withLock(() -> {
            heldUid = uid.clone();
            lastTargetWrittenNanos = 0;
        });
    }

    /** Takes the card out of the field. */
    public void removeCard() {
        withLock(() -> heldUid = null);
    }

    /** The UID of the card in the field, if any. */
    public Optional<byte[]> heldCard() {
        lock.lock();
        try {
            return Optional.ofNullable(heldUid).map(byte[]::clone);
        } finally {
            lock.unlock();
        }
    }

    /** Makes the chip slow: every response frame (not the ACK) is sent this much later. */
    public void setResponseDelay(Duration delay) {
        Duration checked = requireNonNegative(delay, "delay");
        withLock(() -> responseDelay = checked);
    }

    /** Writes these bytes to the host now, as line noise would. */
    public void sendGarbage(byte[] bytes) {
        terminal.write(bytes.clone());
    }

    /**
     * Writes the first 8 bytes of an InListPassiveTarget response (for a card DE AD BE EF) and nothing
     * more, as a frame cut by a glitch. The UID bytes are never sent, so a host that reports this card
     * accepted bytes that never formed a frame.
     */
    public void sendTruncatedFrame() {
        terminal.write(TRUNCATED.clone());
    }

    /** Pulls the reader's USB cable: the device goes away and the chip loses power (it will need waking). */
    public void unplug() {
        awake = false;
        powerCycled = true;
        terminal.unplug();
    }

    /** Plugs the reader back in: a new device behind the same {@link #devicePath()}; the chip starts asleep. */
    public void replug() {
        awake = false;
        powerCycled = true;
        terminal.replug();
    }

    /** Whether a host has woken the chip since it was powered up. */
    public boolean awake() {
        return awake;
    }

    /** How many InListPassiveTarget commands have been answered (with or without a target). */
    public long pollsAnswered() {
        return pollsAnswered.get();
    }

    /** How many frames from the host were dropped for bad checksums or unsupported forms. */
    public long framesDropped() {
        return framesDropped.get();
    }

    /** Stops the emulator and closes its terminal (the device disappears). */
    @Override
    public void close() {
        withLock(() -> running = false);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminal.close();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (isRunning()) {
            int count;
            try {
                count = terminal.read(buffer, READ_SLICE);
            } catch (SerialSimException e) {
                if (isRunning()) {
                    log.warn("PN532 emulator stopped reading: {}", e.getMessage());
                }
                return;
            }
            if (powerCycled) {
                powerCycled = false;
                parser.reset();
                lastResponse = new byte[0];
            }
            for (int i = 0; i < count; i++) {
                Optional<Parsed> parsed = parser.accept(buffer[i]);
                if (parsed.isPresent()) {
                    handle(parsed.get());
                }
            }
        }
    }

    private void handle(Parsed parsed) {
        switch (parsed) {
            case Wake wake -> awake = true;
            case Ack ack -> log.debug("host sent ACK (abort); nothing in progress");
            case Nack nack -> {
                if (awake && lastResponse.length > 0) {
                    terminal.write(lastResponse);
                }
            }
            case Dropped dropped -> {
                framesDropped.incrementAndGet();
                log.debug("dropped a frame from the host: {}", dropped.reason());
            }
            case Command command -> {
                if (!awake) {
                    log.debug("asleep: ignored command 0x{}", Integer.toHexString(command.code()));
                } else if (command.tfi() != Pn532Frames.HOST_TO_PN532 || command.code() < 0) {
                    framesDropped.incrementAndGet();
                } else {
                    terminal.write(Pn532Frames.ack());
                    byte[] response = respond(command);
                    awaitResponseDelay();
                    lastResponse = response;
                    boolean target = command.code() == Pn532Frames.IN_LIST_PASSIVE_TARGET
                            && response.length > 8
                            && response[7] == 0x01;
                    long handedOver = System.nanoTime();
                    terminal.write(response);
                    if (target && lastTargetWrittenNanos == 0) {
                        // Stamped before the write (on a busy machine the host may finish with the frame
                        // before the write call returns here), and only for the first response that
                        // reported the card now held: later polls while it stays in the field don't count.
                        lastTargetWrittenNanos = handedOver;
                    }
                }
            }
        }
    }

    private byte[] respond(Command command) {
        byte[] data = command.data();
        return switch (command.code()) {
            case Pn532Frames.GET_FIRMWARE_VERSION -> Pn532Frames.response(Pn532Frames.GET_FIRMWARE_VERSION, FIRMWARE);
            case Pn532Frames.SAM_CONFIGURATION ->
                data.length >= 2 && data[1] >= 1 && data[1] <= 4
                        ? Pn532Frames.response(Pn532Frames.SAM_CONFIGURATION)
                        : Pn532Frames.error();
            case Pn532Frames.RF_CONFIGURATION ->
                data.length >= 2 ? Pn532Frames.response(Pn532Frames.RF_CONFIGURATION) : Pn532Frames.error();
            case Pn532Frames.IN_LIST_PASSIVE_TARGET -> inListPassiveTarget(data);
            default -> Pn532Frames.error();
        };
    }

    private byte[] inListPassiveTarget(byte[] data) {
        if (data.length < 3 || data[1] < 1 || data[1] > 2) {
            return Pn532Frames.error();
        }
        boolean typeA = data[2] == 0x00;
        Optional<byte[]> uid = typeA ? awaitCard() : Optional.empty();
        pollsAnswered.incrementAndGet();
        if (uid.isEmpty()) {
            return Pn532Frames.response(Pn532Frames.IN_LIST_PASSIVE_TARGET, (byte) 0x00);
        }
        byte[] card = uid.get();
        byte[] parameters = new byte[6 + card.length];
        parameters[0] = 0x01; // NbTg
        parameters[1] = 0x01; // Tg
        parameters[2] = 0x00; // SENS_RES (ATQA), UID size in bits 7-6
        parameters[3] = (byte) (card.length == 4 ? 0x04 : card.length == 7 ? 0x44 : 0x84);
        parameters[4] = (byte) (card.length == 4 ? 0x08 : 0x00); // SEL_RES (SAK): no ISO/IEC 14443-4, so no ATS follows
        parameters[5] = (byte) card.length; // NFCIDLength
        System.arraycopy(card, 0, parameters, 6, card.length);
        return Pn532Frames.response(Pn532Frames.IN_LIST_PASSIVE_TARGET, parameters);
    }

    /** Waits up to the no-card timeout for a card to be in the field, as the chip's activation retries do. */
    private Optional<byte[]> awaitCard() {
        lock.lock();
        try {
            long remaining = noCardTimeout.toNanos();
            while (heldUid == null && running && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            return Optional.ofNullable(heldUid).map(byte[]::clone);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private void awaitResponseDelay() {
        lock.lock();
        try {
            long remaining = responseDelay.toNanos();
            while (running && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private boolean isRunning() {
        lock.lock();
        try {
            return running && !Thread.currentThread().isInterrupted();
        } finally {
            lock.unlock();
        }
    }

    private void withLock(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static Duration requireNonNegative(Duration duration, String name) {
        if (duration == null || duration.isNegative()) {
            throw new SerialSimException(
                    SerialSimError.BAD_ARGUMENT, name + " must be zero or positive, not " + duration);
        }
        return duration;
    }
}
