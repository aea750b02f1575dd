package dev.gatehouse.edge.agent;

import com.pi4j.context.Context;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.door.InputWiring;
import dev.gatehouse.edge.reader.CameraQrReader;
import dev.gatehouse.edge.reader.Pn532SerialReader;
import dev.gatehouse.edge.reader.Reader;
import dev.gatehouse.edge.reader.SerialQrReader;
import dev.gatehouse.sim.gpio.SimulatedGpio;
import dev.gatehouse.sim.serial.QrScannerEmulator;
import dev.gatehouse.sim.site.SimulatedSite;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured site on the hardware simulator: every door wired to the simulated GPIO header,
 * every serial reader an emulator behind a real pseudo-terminal (the configured port is replaced by
 * the emulator's path), every camera a simulated one. The agent's production adapters run on it
 * unchanged.
 */
public final class SimulatedHardware implements Hardware {
    private final SimulatedSite site;

    private SimulatedHardware(SimulatedSite site) {
        this.site = site;
    }

    /** Builds the simulated devices for {@code config}; serial devices appear under {@code deviceDir}. */
    public static SimulatedHardware forConfig(EdgeConfig config, Path deviceDir, Clock clock) {
        SimulatedSite site = SimulatedSite.start(deviceDir, clock);
        for (EdgeConfig.Door door : config.doors()) {
            site.addDoor(
                    door.id(),
                    new SimulatedSite.DoorWiring(
                            door.relayPin(),
                            door.relayActiveLow(),
                            door.contactPin(),
                            copper(door.contact()),
                            door.rexPin(),
                            copper(door.rex())));
        }
        for (EdgeConfig.FireRelease input : config.fireReleases()) {
            site.addFireRelease(input.id(), input.pin(), copper(input.wiring()));
        }
        for (EdgeConfig.Reader reader : config.readers()) {
            switch (reader.type()) {
                case PN532 -> site.addNfcReader(reader.id());
                case SERIAL_QR ->
                    site.addQrScanner(
                            reader.id(),
                            switch (reader.lineEnding()) {
                                case CR -> QrScannerEmulator.LineEnding.CR;
                                case LF -> QrScannerEmulator.LineEnding.LF;
                                case CRLF -> QrScannerEmulator.LineEnding.CRLF;
                            });
                case CAMERA_QR -> site.addCamera(reader.id());
            }
        }
        // Rooms whose controller is on this machine at the simulator's path get a simulated controller
        // there (a real OPC UA server) unless one already answers on that port; any other controller is a
        // real one and is used as it is.
        Map<java.net.URI, List<String>> simulatedControllers = new LinkedHashMap<>();
        for (EdgeConfig.Room room : config.rooms()) {
            java.net.URI uri = java.net.URI.create(room.controller());
            if (("127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost()))
                    && dev.gatehouse.sim.av.SimRoomController.PATH.equals(uri.getPath())
                    && uri.getPort() > 0
                    && !listening(uri.getHost(), uri.getPort())) {
                simulatedControllers
                        .computeIfAbsent(uri, u -> new ArrayList<>())
                        .add(room.id());
            }
        }
        try {
            simulatedControllers.forEach((uri, rooms) -> site.addRoomController(uri.getHost(), uri.getPort(), rooms));
        } catch (RuntimeException e) {
            site.close();
            throw e;
        }
        return new SimulatedHardware(site);
    }

    /** Whether something already takes connections there (a controller a test or a person started). */
    private static boolean listening(String host, int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The switch the technician wired, as the configuration describes it: the simulator then reads
     * the pin from the switch and the pull the agent asks for, so a configuration that does not match
     * its own wiring misbehaves here as it would on copper.
     */
    private static SimulatedGpio.SwitchWiring copper(InputWiring wiring) {
        return new SimulatedGpio.SwitchWiring(
                wiring.circuit() == InputWiring.Circuit.NORMALLY_CLOSED,
                wiring.rail() == InputWiring.Rail.GROUND ? SimulatedGpio.Rail.GROUND : SimulatedGpio.Rail.SUPPLY);
    }

    public SimulatedSite site() {
        return site;
    }

    @Override
    public Context gpio() {
        return site.gpioContext();
    }

    @Override
    public Reader reader(EdgeConfig.Reader reader) {
        return switch (reader.type()) {
            case PN532 -> Pn532SerialReader.create(reader.id(), site.devicePath(reader.id()));
            case SERIAL_QR ->
                SerialQrReader.create(reader.id(), site.devicePath(reader.id()), SerialQrSettings.of(reader));
            case CAMERA_QR ->
                new CameraQrReader(
                        reader.id(),
                        () -> site.camera(reader.id()).flatMap(camera -> camera.frame()),
                        reader.frameInterval(),
                        Duration.ofSeconds(3),
                        Clock.systemUTC());
        };
    }

    @Override
    public boolean clockSynchronised() {
        return true;
    }

    @Override
    public String clockSyncSource() {
        return "the simulated hardware (it runs on the host's clock)";
    }

    @Override
    public String kind() {
        return "simulated";
    }

    @Override
    public void close() {
        site.close();
    }
}
