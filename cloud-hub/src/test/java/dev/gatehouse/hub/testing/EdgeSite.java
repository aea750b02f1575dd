package dev.gatehouse.hub.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.hub.demo.EdgeSiteFiles;
import dev.gatehouse.sim.site.SimulatedSite;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One simulated site: the edge agent on the hardware simulator, provisioned from the hub's bundle
 * and written by the demo's own {@link EdgeSiteFiles}, with one door, an NFC reader and a QR scanner.
 */
public final class EdgeSite implements AutoCloseable {
    public static final String NFC = "nfc-1";
    public static final String QR = "qr-1";

    public final String door;
    public final Path dir;
    public final Path config;
    private final SimulatedHardware hardware;
    public final EdgeAgent agent;
    public final List<Decided> decisions = new CopyOnWriteArrayList<>();

    private EdgeSite(String door, Path dir, Path config, SimulatedHardware hardware, EdgeAgent agent) {
        this.door = door;
        this.dir = dir;
        this.config = config;
        this.hardware = hardware;
        this.agent = agent;
        agent.onDecision(decisions::add);
    }

    /** Writes the site's files from {@code bundle} and starts its agent. */
    public static EdgeSite start(JsonNode bundle, String door, Path dir) throws Exception {
        Path config = EdgeSiteFiles.write(
                bundle,
                dir,
                List.of(new EdgeSiteFiles.SimDoor(
                        door,
                        "Front door",
                        17,
                        27,
                        22,
                        List.of(
                                new EdgeSiteFiles.SimReader(NFC, "pn532", "/dev/ttyS0"),
                                new EdgeSiteFiles.SimReader(QR, "serial-qr", "/dev/ttyUSB0")))),
                "1s");
        return startAgain(door, dir, config);
    }

    /** Starts an agent over files written before (a restart keeps the cache and outbox). */
    public static EdgeSite startAgain(String door, Path dir, Path config) {
        EdgeConfig loaded = EdgeConfigLoader.load(config);
        SimulatedHardware hardware = SimulatedHardware.forConfig(loaded, dir.resolve("dev"), Clock.systemUTC());
        EdgeAgent agent = EdgeAgent.start(loaded, hardware, Clock.systemUTC());
        return new EdgeSite(door, dir, config, hardware, agent);
    }

    public SimulatedSite simulator() {
        return hardware.site();
    }

    /** Holds {@code uid} to the reader until the agent decided, then takes it away. */
    public Decided tap(String uid) {
        int before = decisions.size();
        hardware.site().holdCard(NFC, HexFormat.of().parseHex(uid));
        await().atMost(Duration.ofSeconds(15)).until(() -> decisions.size() > before);
        hardware.site().removeCard(NFC);
        return decisions.get(before);
    }

    public long outboxDepth() {
        return agent.cache().outbox().depth();
    }

    public long seq() {
        return agent.cache().seq();
    }

    public boolean relayEnergised() {
        return hardware.site().relay(door).energised();
    }

    public int relayTransitions() {
        return hardware.site().relay(door).transitions().size();
    }

    @Override
    public void close() {
        agent.close();
        hardware.close();
    }
}
