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

    /**
     * A meeting room whose A/V the agent runs: its doors, and the port of the simulated room controller
     * on this machine that {@code gatehouse-edge run --simulate} starts for it (the documented default
     * node mapping).
     */
    public record SimRoom(String id, String name, List<String> doors, int controllerPort) {}

    private EdgeSiteFiles() {}

    /**
     * Writes {@code dir/gatehouse.yaml} and its key files from {@code bundle}; answers the config
     * file. {@code reconnectMax} bounds the agent's reconnect backoff (short in tests).
     */
    public static Path write(JsonNode bundle, Path dir, List<SimDoor> doors, String reconnectMax) throws IOException {
        return write(bundle, dir, doors, List.of(), reconnectMax);
    }

    /** As {@link #write(JsonNode, Path, List, String)}, with meeting rooms and their simulated A/V. */
    public static Path write(JsonNode bundle, Path dir, List<SimDoor> doors, List<SimRoom> rooms, String reconnectMax)
            throws IOException {
        Files.createDirectories(dir);
        DemoSecrets.writeOwnerOnly(
                dir.resolve("card.key"), bundle.get("cardKey").asText() + "\n");
        DemoSecrets.writeOwnerOnly(
                dir.resolve("trusted-keys.json"), bundle.get("trustedKeys").toString() + "\n");
        DemoSecrets.writeOwnerOnly(
                dir.resolve("mqtt-password"), bundle.at("/mqtt/password").asText() + "\n");
        StringBuilder yaml = new StringBuilder("""
                # Written from the hub's provisioning bundle for the simulated site.
                site:
                  tenant: %s
                  id: %s
                  device: %s
                  zone: %s
                data-dir: data
                card-key-file: card.key
                trusted-keys-file: trusted-keys.json
                hub:
                  mqtt-url: %s
                  password-file: mqtt-password
                  reconnect-min: 200ms
                  reconnect-max: %s
                doors:
                """.formatted(
                        bundle.get("tenant").asText(),
                        bundle.get("site").asText(),
                        bundle.get("device").asText(),
                        bundle.get("zone").asText(),
                        bundle.at("/mqtt/url").asText(),
                        reconnectMax));
        for (SimDoor door : doors) {
            yaml.append("""
                      - id: %s
                        name: "%s"
                        lock: fail-secure
                        relay-pin: %s
                        relay-active: low
                        contact-pin: %s
                        contact-type: normally-closed
                        contact-wired-to: ground
                        rex-pin: %s
                        rex-type: normally-open
                        rex-wired-to: ground
                        unlock-pulse: 3s
                        held-open-after: 30s
                        readers: [%s]
                    """.formatted(
                    door.id(),
                    door.name().replace("\"", "'"),
                    door.relayPin(),
                    door.contactPin(),
                    door.rexPin(),
                    String.join(", ", door.readers().stream().map(SimReader::id).toList())));
        }
        yaml.append("readers:\n");
        for (SimDoor door : doors) {
            for (SimReader reader : door.readers()) {
                yaml.append("""
                          - id: %s
                            type: %s
                            port: %s
                        """.formatted(reader.id(), reader.type(), reader.port()));
            }
        }
        if (!rooms.isEmpty()) {
            yaml.append("rooms:\n");
        }
        for (SimRoom room : rooms) {
            yaml.append("""
                      - id: %1$s
                        name: "%2$s"
                        doors: [%3$s]
                        controller: opc.tcp://127.0.0.1:%4$d/rooms
                        nodes:
                          display-power: ns=2;s=%1$s/Display/Power
                          display-input: ns=2;s=%1$s/Display/Input
                          join-link: ns=2;s=%1$s/Display/JoinLink
                          lights-level: ns=2;s=%1$s/Lighting/Level
                          hvac-setpoint: ns=2;s=%1$s/Climate/Setpoint
                          presence: ns=2;s=%1$s/Sensors/Presence
                        scene:
                          warm-up: 5m
                          input: HDMI1
                          lights: 80
                          setpoint: 21.5
                    """.formatted(
                    room.id(), room.name().replace("\"", "'"), String.join(", ", room.doors()), room.controllerPort()));
        }
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, yaml.toString());
        return config;
    }
}
