package dev.gatehouse.edge.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * The agent's configuration, read from a YAML file by {@link EdgeConfigLoader}. Every key and its
 * default are documented in {@code edge-agent/README.md}.
 */
public record EdgeConfig(
        Site site,
        Path dataDir,
        Path cardKeyFile,
        Path trustedKeysFile,
        Duration clockTolerance,
        Optional<String> clockTrustedSource,
        List<Door> doors,
        List<Reader> readers) {

    public EdgeConfig {
        doors = List.copyOf(doors);
        readers = List.copyOf(readers);
    }

    /** Which tenant, site and device this agent is, and the site's time zone. */
    public record Site(String tenant, String id, String device, ZoneId zone) {}

    /** How the lock behaves when unpowered. */
    public enum Lock {
        /** A maglock: unlocked when unpowered, so the relay is energised to lock. */
        FAIL_SAFE,
        /** An electric strike: locked when unpowered, so the relay is energised to unlock. */
        FAIL_SECURE
    }

    /** One weekly unlock window (office hours) in the site's zone. */
    public record UnlockWindow(List<java.time.DayOfWeek> days, String from, String to) {
        public UnlockWindow {
            days = List.copyOf(days);
        }
    }

    public record Door(
            String id,
            String name,
            Lock lock,
            int relayPin,
            Optional<Integer> contactPin,
            boolean contactNormallyClosed,
            Optional<Integer> rexPin,
            Duration unlockPulse,
            Duration heldOpenAfter,
            List<UnlockWindow> unlockWindows,
            List<String> readers) {
        public Door {
            unlockWindows = List.copyOf(unlockWindows);
            readers = List.copyOf(readers);
        }
    }

    /** Kinds of reader the agent drives. */
    public enum ReaderType {
        /** A PN532 NFC reader on a serial port (HSU). */
        PN532,
        /** A serial QR/barcode scanner that sends each code as a line. */
        SERIAL_QR,
        /** A camera whose frames are scanned for QR codes. */
        CAMERA_QR
    }

    /** Line endings a serial QR scanner may send. */
    public enum LineEnding {
        CR,
        LF,
        CRLF
    }

    public record Reader(
            String id,
            ReaderType type,
            Optional<String> port,
            LineEnding lineEnding,
            Optional<String> captureCommand,
            Duration frameInterval) {}

    public Optional<Door> door(String id) {
        return doors.stream().filter(door -> door.id().equals(id)).findFirst();
    }
}
