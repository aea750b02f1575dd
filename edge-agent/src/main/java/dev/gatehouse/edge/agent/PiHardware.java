package dev.gatehouse.edge.agent;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import dev.gatehouse.edge.camera.CommandFrameSource;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.reader.CameraQrReader;
import dev.gatehouse.edge.reader.Pn532SerialReader;
import dev.gatehouse.edge.reader.Reader;
import dev.gatehouse.edge.reader.SerialQrReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A Raspberry Pi: GPIO through Pi4J's auto-detected platform (pi4j-plugin-raspberrypi,
 * pi4j-plugin-gpiod and pi4j-plugin-linuxfs on the class path; never Pi4J's mock, which the simulator
 * brings along and which {@link #PiHardware()} refuses), serial readers on their configured ports, cameras through
 * their capture command.
 */
public final class PiHardware implements Hardware {
    private final Context context;

    /**
     * Opens the Pi's GPIO through Pi4J's auto-detected platform.
     *
     * @throws IllegalStateException when Pi4J found no real GPIO provider, only its mock: relays would
     *     then move in memory only (a strike never opens, a maglock whose relay must be energised to
     *     lock stays open), so the agent must not start
     */
    public PiHardware() {
        this.context = Pi4J.newAutoContext();
        try {
            requireRealGpio(context);
        } catch (RuntimeException e) {
            context.shutdown();
            throw e;
        }
    }

    /** Refuses a context whose digital output or input provider is Pi4J's mock. */
    static void requireRealGpio(Context context) {
        String output = providerId(() -> context.dout().id());
        String input = providerId(() -> context.din().id());
        if (output.startsWith("mock") || input.startsWith("mock") || output.isEmpty() || input.isEmpty()) {
            throw new IllegalStateException("no real GPIO on this machine: Pi4J found only "
                    + (output.isEmpty() ? "no digital output provider" : "'" + output + "'") + " and "
                    + (input.isEmpty() ? "no digital input provider" : "'" + input + "'")
                    + ", so no relay would move. On a Raspberry Pi: check that /dev/gpiochip0 exists and that"
                    + " the agent's user is in the gpio group. Elsewhere: run with --simulate for the simulated"
                    + " hardware");
        }
    }

    private static String providerId(java.util.function.Supplier<String> id) {
        try {
            return id.get();
        } catch (RuntimeException e) {
            return ""; // Pi4J throws when no provider of the kind is loaded
        }
    }

    @Override
    public Context gpio() {
        return context;
    }

    @Override
    public Reader reader(EdgeConfig.Reader reader) {
        return switch (reader.type()) {
            case PN532 ->
                Pn532SerialReader.create(reader.id(), Path.of(reader.port().orElseThrow()));
            case SERIAL_QR ->
                SerialQrReader.create(reader.id(), Path.of(reader.port().orElseThrow()), SerialQrSettings.of(reader));
            case CAMERA_QR ->
                new CameraQrReader(
                        reader.id(),
                        CommandFrameSource.of(reader.captureCommand().orElseThrow(), 10_000),
                        reader.frameInterval(),
                        Duration.ofSeconds(3),
                        Clock.systemUTC());
        };
    }

    /** systemd-timesyncd creates this file once it has synchronised the clock since boot. */
    private static final Path TIMESYNC_FLAG = Path.of("/run/systemd/timesync/synchronized");

    @Override
    public boolean clockSynchronised() {
        return Files.exists(TIMESYNC_FLAG);
    }

    @Override
    public String clockSyncSource() {
        return "systemd-timesyncd (" + TIMESYNC_FLAG + ")";
    }

    @Override
    public String kind() {
        return "raspberry-pi";
    }

    @Override
    public void close() {
        context.shutdown();
    }
}
