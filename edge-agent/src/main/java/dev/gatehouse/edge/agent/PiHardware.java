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
 * A Raspberry Pi: GPIO through Pi4J's auto-detected platform (pi4j-plugin-raspberrypi and
 * pi4j-plugin-gpiod on the class path), serial readers on their configured ports, cameras through
 * their capture command.
 */
public final class PiHardware implements Hardware {
    private final Context context = Pi4J.newAutoContext();

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
