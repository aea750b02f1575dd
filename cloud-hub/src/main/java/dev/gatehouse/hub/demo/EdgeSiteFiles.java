package dev.gatehouse.hub.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the files a simulated edge agent runs from, given a provisioning bundle from the hub: the
 * card key, the trusted keys and the MQTT password (each 0600, as {@code gatehouse edge provision}
 * writes them) and a config whose doors are wired to
 * the hardware simulator's pins and readers. The demo and the end-to-end tests use it; on a real Pi
 * a technician runs {@code gatehouse-edge provision} and wires the doors to their own pins.
 */
public final class EdgeSiteFiles {
    /** The simulated wiring of one door: relay, contact and REX pins and the readers at it. */
    public record SimDoor(String id, String name, int relayPin, int contactPin, int rexPin, List<SimReader> readers) {}

    /** A simulated reader: {@code pn532} (NFC) or {@code serial-qr}, on a made-up port the simulator maps to a pty. */
    public record SimReader(String id, String type, String port) {}

    private EdgeSiteFiles() {}

    /**
     * Writes {@code dir/gatehouse.yaml} and its key files from {@code bundle}; answers the config
     * file. {@code reconnectMax} bounds the agent's reconnect backoff (short in tests).
     */
    public static Path write(JsonNode bundle, Path dir, List<SimDoor> doors, String reconnectMax) throws IOException {
        Files.createDirectories(dir);
        DemoSecrets.writeOwnerOnly(
                dir.resolve("card.key"), bundle.get("cardKey").asText() + "\n");
        DemoSecrets.writeOwnerOnly(
                dir.resolve("trusted-keys.json"), bundle.get("trustedKeys").toString() + "\n");
        DemoSecrets.writeOwnerOnly(
                dir.resolve("mqtt-password"), bundle.at("/mqtt/password").asText() + "\n");
        StringBuilder yaml = new StringBuilder()
                .append("# Written from the hub's provisioning bundle for the simulated site.\n")
                .append("site:\n")
                .append("  tenant: ")
                .append(bundle.get("tenant").asText())
                .append('\n')
                .append("  id: ")
                .append(bundle.get("site").asText())
                .append('\n')
                .append("  device: ")
                .append(bundle.get("device").asText())
                .append('\n')
                .append("  zone: ")
                .append(bundle.get("zone").asText())
                .append('\n')
                .append("data-dir: data\n")
                .append("card-key-file: card.key\n")
                .append("trusted-keys-file: trusted-keys.json\n")
                .append("hub:\n")
                .append("  mqtt-url: ")
                .append(bundle.at("/mqtt/url").asText())
                .append('\n')
                .append("  password-file: mqtt-password\n")
                .append("  reconnect-min: 200ms\n")
                .append("  reconnect-max: ")
                .append(reconnectMax)
                .append('\n')
                .append("doors:\n");
        for (SimDoor door : doors) {
            yaml.append("  - id: ")
                    .append(door.id())
                    .append('\n')
                    .append("    name: \"")
                    .append(door.name().replace("\"", "'"))
                    .append("\"\n")
                    .append("    lock: fail-secure\n")
                    .append("    relay-pin: ")
                    .append(door.relayPin())
                    .append('\n')
                    .append("    contact-pin: ")
                    .append(door.contactPin())
                    .append('\n')
                    .append("    rex-pin: ")
                    .append(door.rexPin())
                    .append('\n')
                    .append("    unlock-pulse: 3s\n")
                    .append("    held-open-after: 30s\n")
                    .append("    readers: [")
                    .append(String.join(
                            ", ", door.readers().stream().map(SimReader::id).toList()))
                    .append("]\n");
        }
        yaml.append("readers:\n");
        for (SimDoor door : doors) {
            for (SimReader reader : door.readers()) {
                yaml.append("  - id: ")
                        .append(reader.id())
                        .append('\n')
                        .append("    type: ")
                        .append(reader.type())
                        .append('\n')
                        .append("    port: ")
                        .append(reader.port())
                        .append('\n');
            }
        }
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, yaml.toString());
        return config;
    }
}
