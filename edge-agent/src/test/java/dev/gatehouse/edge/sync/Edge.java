package dev.gatehouse.edge.sync;

import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.agent.DemoSite;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.sim.site.SimulatedSite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/** A demo site's agent on simulated hardware with a hub section pointing at a {@link HubDouble}. */
final class Edge implements AutoCloseable {
    final DemoSite site;
    final String device;
    final EdgeConfig config;
    SimulatedHardware hardware;
    EdgeAgent agent;
    final List<Decided> decisions = new CopyOnWriteArrayList<>();

    Edge(Path dir, String device, String brokerUrl, UnaryOperator<EdgeConfig.Hub> tune) throws Exception {
        this(dir, device, brokerUrl, tune, "");
    }

    /** @param moreConfig YAML appended to the demo site's config, e.g. a {@code rooms} section */
    Edge(Path dir, String device, String brokerUrl, UnaryOperator<EdgeConfig.Hub> tune, String moreConfig)
            throws Exception {
        this.site = new DemoSite(dir);
        this.device = device;
        Files.writeString(
                site.configFile,
                Files.readString(site.configFile).replace("device: pi-1", "device: " + device) + moreConfig);
        Path password = SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_test\n");
        EdgeConfig.Hub hub = new EdgeConfig.Hub(
                brokerUrl,
                password,
                Duration.ofSeconds(30),
                Duration.ofDays(1),
                Duration.ofMillis(200),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                32,
                Duration.ofSeconds(30),
                Optional.empty());
        this.config = site.config().withHub(Optional.of(tune.apply(hub)));
        start();
    }

    void start() {
        hardware = SimulatedHardware.forConfig(config, site.dir.resolve("dev"), Clock.systemUTC());
        agent = EdgeAgent.start(config, hardware, Clock.systemUTC());
        agent.onDecision(decisions::add);
    }

    void restart() {
        stop();
        start();
    }

    SyncClient sync() {
        return agent.sync().orElseThrow();
    }

    SimulatedSite sim() {
        return hardware.site();
    }

    /** Taps a card at the demo door and returns the decision. */
    Decided tap(byte[] uid) {
        int before = decisions.size();
        sim().holdCard(DemoSite.NFC, uid);
        await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > before);
        sim().removeCard(DemoSite.NFC);
        return decisions.get(before);
    }

    void stop() {
        if (agent != null) {
            agent.close();
            agent = null;
        }
        if (hardware != null) {
            hardware.close();
            hardware = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
