package dev.gatehouse.sim.site;

import com.pi4j.context.Context;
import dev.gatehouse.sim.camera.QrFrames;
import dev.gatehouse.sim.camera.SimulatedCamera;
import dev.gatehouse.sim.gpio.RelayHistory;
import dev.gatehouse.sim.gpio.SimulatedGpio;
import dev.gatehouse.sim.serial.Pn532Emulator;
import dev.gatehouse.sim.serial.PseudoTerminal;
import dev.gatehouse.sim.serial.QrScannerEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole simulated site for tests, demos and integrators: doors wired to a simulated GPIO header,
 * NFC readers and QR scanners behind real pseudo-terminals, and door cameras. Register the hardware,
 * point the agent at {@link #gpio()}'s context and {@link #devicePath(String)}, then tap cards, scan
 * codes, open doors and press REX buttons, and read back what each relay did. Thread-safe.
 */
public final class SimulatedSite implements AutoCloseable {
    /**
     * The pins of one door and how each is wired: the relay board's polarity, the door contact and
     * the request-to-exit button as switches to a rail ({@link SimulatedGpio.SwitchWiring}).
     */
    public record DoorWiring(
            int relayPin,
            boolean relayActiveLow,
            Optional<Integer> contactPin,
            SimulatedGpio.SwitchWiring contact,
            Optional<Integer> rexPin,
            SimulatedGpio.SwitchWiring rex) {
        /** A normally-closed contact and a normally-open button, both to ground; the board as given. */
        public static DoorWiring toGround(
                int relayPin, boolean relayActiveLow, Optional<Integer> contactPin, Optional<Integer> rexPin) {
            return new DoorWiring(
                    relayPin,
                    relayActiveLow,
                    contactPin,
                    new SimulatedGpio.SwitchWiring(true, SimulatedGpio.Rail.GROUND),
                    rexPin,
                    new SimulatedGpio.SwitchWiring(false, SimulatedGpio.Rail.GROUND));
        }
    }

    private final SimulatedGpio gpio;
    private final Path deviceDir;
    private final Map<String, DoorWiring> doors = new LinkedHashMap<>();
    private final Map<String, Integer> fireReleases = new LinkedHashMap<>();
    private final Map<String, Pn532Emulator> nfcReaders = new LinkedHashMap<>();
    private final Map<String, QrScannerEmulator> qrScanners = new LinkedHashMap<>();
    private final Map<String, SimulatedCamera> cameras = new LinkedHashMap<>();
    private final List<dev.gatehouse.sim.av.SimRoomController> roomControllers = new ArrayList<>();

    private SimulatedSite(SimulatedGpio gpio, Path deviceDir) {
        this.gpio = gpio;
        this.deviceDir = deviceDir;
    }

    /** A site whose serial devices appear as stable links under {@code deviceDir}. */
    public static SimulatedSite start(Path deviceDir, Clock clock) {
        try {
            Files.createDirectories(deviceDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the simulated device directory " + deviceDir, e);
        }
        return new SimulatedSite(SimulatedGpio.create(clock), deviceDir);
    }

    public SimulatedGpio gpio() {
        return gpio;
    }

    public Context gpioContext() {
        return gpio.context();
    }

    /** Wires a door, shut and at rest; call before the agent creates its relay and inputs. */
    public synchronized void addDoor(String doorId, DoorWiring wiring) {
        if (doors.putIfAbsent(doorId, wiring) != null) {
            throw new IllegalArgumentException("door " + doorId + " is already wired");
        }
        gpio.wireRelay(wiring.relayPin(), wiring.relayActiveLow());
        wiring.contactPin().ifPresent(pin -> gpio.wireSwitch(pin, wiring.contact()));
        wiring.rexPin().ifPresent(pin -> gpio.wireSwitch(pin, wiring.rex()));
    }

    /**
     * Wires a fire-release input {@code id} (the fire panel's alarm contact) to {@code bcmPin}; at rest
     * the alarm is off.
     */
    public synchronized void addFireRelease(String id, int bcmPin, SimulatedGpio.SwitchWiring wiring) {
        if (fireReleases.putIfAbsent(id, bcmPin) != null) {
            throw new IllegalArgumentException("fire-release input " + id + " is already wired");
        }
        gpio.wireSwitch(bcmPin, wiring);
    }

    /** The fire panel turns its alarm on or off: the input {@code id}'s switch is actuated or released. */
    public void fireAlarm(String id, boolean on) {
        int pin = firePin(id);
        if (on) {
            gpio.pressRex(pin); // a switch actuated and held, whatever it is called on a door
        } else {
            gpio.releaseRex(pin);
        }
    }

    /** Cuts the cable of the fire-release input {@code id}. */
    public void cutFireReleaseWire(String id) {
        gpio.cutWire(firePin(id));
    }

    private synchronized int firePin(String id) {
        Integer pin = fireReleases.get(id);
        if (pin == null) {
            throw new IllegalArgumentException(
                    "no fire-release input " + id + " (wired: " + fireReleases.keySet() + ")");
        }
        return pin;
    }

    /** Cuts the cable of the door's contact (it no longer conducts, until mended). */
    public void cutContactWire(String doorId) {
        gpio.cutWire(contactPin(doorId));
    }

    /** Mends the cable of the door's contact. */
    public void mendContactWire(String doorId) {
        gpio.mendWire(contactPin(doorId));
    }

    /** A PN532 NFC reader; its device path is {@code <deviceDir>/<readerId>}. */
    public synchronized Path addNfcReader(String readerId) {
        Pn532Emulator emulator = Pn532Emulator.start(PseudoTerminal.open(deviceDir.resolve(readerId)));
        nfcReaders.put(readerId, emulator);
        return emulator.devicePath();
    }

    /** A serial QR scanner; its device path is {@code <deviceDir>/<readerId>}. */
    public synchronized Path addQrScanner(String readerId, QrScannerEmulator.LineEnding lineEnding) {
        QrScannerEmulator scanner =
                QrScannerEmulator.start(PseudoTerminal.open(deviceDir.resolve(readerId)), lineEnding);
        qrScanners.put(readerId, scanner);
        return scanner.devicePath();
    }

    /** A door camera delivering 640×480 frames. */
    public synchronized SimulatedCamera addCamera(String readerId) {
        SimulatedCamera camera = new SimulatedCamera(640, 480);
        cameras.put(readerId, camera);
        return camera;
    }

    public synchronized Path devicePath(String readerId) {
        if (nfcReaders.containsKey(readerId)) {
            return nfcReaders.get(readerId).devicePath();
        }
        if (qrScanners.containsKey(readerId)) {
            return qrScanners.get(readerId).devicePath();
        }
        throw new IllegalArgumentException(
                "no serial reader " + readerId + " (serial readers: " + serialReaders() + ")");
    }

    public synchronized Optional<SimulatedCamera> camera(String readerId) {
        return Optional.ofNullable(cameras.get(readerId));
    }

    /** Holds a card to an NFC reader; it stays in the field until {@link #removeCard}. */
    public void holdCard(String readerId, byte[] uid) {
        nfc(readerId).holdCard(uid);
    }

    public void removeCard(String readerId) {
        nfc(readerId).removeCard();
    }

    public synchronized Pn532Emulator nfc(String readerId) {
        Pn532Emulator emulator = nfcReaders.get(readerId);
        if (emulator == null) {
            throw new IllegalArgumentException(
                    "no NFC reader " + readerId + " (NFC readers: " + nfcReaders.keySet() + ")");
        }
        return emulator;
    }

    /** Scans {@code text} at a QR scanner, or holds it up to a camera. */
    public synchronized void scanCode(String readerId, String text) {
        if (qrScanners.containsKey(readerId)) {
            qrScanners.get(readerId).scan(text);
        } else if (cameras.containsKey(readerId)) {
            cameras.get(readerId).show(text, QrFrames.Placement.STRAIGHT);
        } else {
            throw new IllegalArgumentException("no QR scanner or camera " + readerId);
        }
    }

    public synchronized QrScannerEmulator qrScanner(String readerId) {
        QrScannerEmulator scanner = qrScanners.get(readerId);
        if (scanner == null) {
            throw new IllegalArgumentException("no QR scanner " + readerId);
        }
        return scanner;
    }

    public void openDoor(String doorId) {
        gpio.openDoor(contactPin(doorId));
    }

    public void closeDoor(String doorId) {
        gpio.closeDoor(contactPin(doorId));
    }

    public void pressRex(String doorId) {
        gpio.pressRex(rexPin(doorId));
    }

    public void releaseRex(String doorId) {
        gpio.releaseRex(rexPin(doorId));
    }

    /** Every transition of the door's lock relay, with its time. */
    public RelayHistory relay(String doorId) {
        return gpio.relay(wiring(doorId).relayPin());
    }

    public synchronized List<String> doors() {
        return List.copyOf(doors.keySet());
    }

    private synchronized List<String> serialReaders() {
        List<String> ids = new ArrayList<>(nfcReaders.keySet());
        ids.addAll(qrScanners.keySet());
        return ids;
    }

    private synchronized DoorWiring wiring(String doorId) {
        DoorWiring wiring = doors.get(doorId);
        if (wiring == null) {
            throw new IllegalArgumentException("no door " + doorId + " (doors: " + doors.keySet() + ")");
        }
        return wiring;
    }

    private int contactPin(String doorId) {
        return wiring(doorId)
                .contactPin()
                .orElseThrow(() -> new IllegalArgumentException("door " + doorId + " has no contact"));
    }

    private int rexPin(String doorId) {
        return wiring(doorId)
                .rexPin()
                .orElseThrow(() -> new IllegalArgumentException("door " + doorId + " has no REX button"));
    }

    /**
     * A room controller (a real OPC UA server) on {@code host:port} with a standard room per id, as a
     * site's configuration names it; the rooms' node ids are the documented default mapping.
     */
    public synchronized dev.gatehouse.sim.av.SimRoomController addRoomController(
            String host, int port, List<String> roomIds) {
        dev.gatehouse.sim.av.SimRoomController controller = dev.gatehouse.sim.av.SimRoomController.start(
                host,
                port,
                roomIds.stream().map(dev.gatehouse.sim.av.SimRoom::standard).toList());
        roomControllers.add(controller);
        return controller;
    }

    /** The simulated controller that hosts {@code roomId}, if one does. */
    public synchronized Optional<dev.gatehouse.sim.av.SimRoomController> roomController(String roomId) {
        return roomControllers.stream()
                .filter(controller ->
                        controller.rooms().stream().anyMatch(room -> room.id().equals(roomId)))
                .findFirst();
    }

    @Override
    public synchronized void close() {
        roomControllers.forEach(dev.gatehouse.sim.av.SimRoomController::close);
        nfcReaders.values().forEach(Pn532Emulator::close);
        qrScanners.values().forEach(QrScannerEmulator::close);
        gpio.close();
    }
}
