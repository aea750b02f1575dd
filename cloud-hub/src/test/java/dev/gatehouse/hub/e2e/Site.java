package dev.gatehouse.hub.e2e;

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
final class Site implements AutoCloseable {
    static final String NFC = "nfc-1";
    static final String QR = "qr-1";

    final String door;
    final Path dir;
    final Path config;
    private final SimulatedHardware hardware;
    final EdgeAgent agent;
    final List<Decided> decisions = new CopyOnWriteArrayList<>();

    private Site(String door, Path dir, Path config, SimulatedHardware hardware, EdgeAgent agent) {
        this.door = door;
        this.dir = dir;
        this.config = config;
        this.hardware = hardware;
        this.agent = agent;
        agent.onDecision(decisions::add);
    }

    /** Writes the site's files from {@code bundle} and starts its agent. */
    static Site start(JsonNode bundle, String door, Path dir) throws Exception {
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
    static Site startAgain(String door, Path dir, Path config) {
        EdgeConfig loaded = EdgeConfigLoader.load(config);
        SimulatedHardware hardware = SimulatedHardware.forConfig(loaded, dir.resolve("dev"), Clock.systemUTC());
        EdgeAgent agent = EdgeAgent.start(loaded, hardware, Clock.systemUTC());
        return new Site(door, dir, config, hardware, agent);
    }

    SimulatedSite simulator() {
        return hardware.site();
    }

    /** Holds {@code uid} to the reader until the agent decided, then takes it away. */
    Decided tap(String uid) {
        int before = decisions.size();
        hardware.site().holdCard(NFC, HexFormat.of().parseHex(uid));
        await().atMost(Duration.ofSeconds(15)).until(() -> decisions.size() > before);
        hardware.site().removeCard(NFC);
        return decisions.get(before);
    }

    long outboxDepth() {
        return agent.cache().outbox().depth();
    }

    long seq() {
        return agent.cache().seq();
    }

    boolean relayEnergised() {
        return hardware.site().relay(door).energised();
    }

    int relayTransitions() {
        return hardware.site().relay(door).transitions().size();
    }

    @Override
    public void close() {
        agent.close();
        hardware.close();
    }
}
