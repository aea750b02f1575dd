package dev.gatehouse.edge.kiosk;

import static dev.gatehouse.edge.agent.DemoSite.DOOR;

import dev.gatehouse.edge.agent.DemoSite;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.edge.console.ConsolePassword;
import dev.gatehouse.edge.console.TechConsole;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.sign.SignedMessages;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kiosk tests' site: the demo site's agent on simulated hardware with a technician console and the
 * kiosk on it, its hub unreachable (a closed port), its cache fed by batches signed with the demo hub's
 * key, the guest Wi-Fi network named {@code HQ Guest}.
 */
final class KioskFixture implements AutoCloseable {
    static final String PASSWORD = "plant-room correct horse";

    final DemoSite site;
    final SimulatedHardware hardware;
    final EdgeAgent agent;
    final TechConsole console;
    final Kiosk kiosk;
    private final MutableClock clock;
    private long seq;

    KioskFixture(Path dir, MutableClock clock, Duration pinWait) throws IOException {
        this.clock = clock;
        site = new DemoSite(dir);
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_unused");
        Files.writeString(
                site.configFile,
                Files.readString(site.configFile)
                                .replace("zone: Europe/Berlin", "zone: Europe/Berlin\n  guest-wifi: HQ Guest")
                        + """
                local-console:
                  listen: 127.0.0.1:0
                  password-file: console-password
                hub:
                  mqtt-url: tcp://127.0.0.1:%d
                  password-file: mqtt-password
                """.formatted(closedPort()));
        ConsolePassword.write(dir.resolve("console-password"), PASSWORD);
        hardware = SimulatedHardware.forConfig(site.config(), dir.resolve("dev"), Clock.systemUTC());
        agent = EdgeAgent.start(site.config(), hardware, clock);
        List<Change> changes = new ArrayList<>();
        for (Entity entity : site.entitlements(clock.instant())) {
            changes.add(new Change.Upsert(named(entity)));
        }
        sync(changes);
        console = TechConsole.start(
                agent, site.configFile, agent.config().localConsole().orElseThrow(), clock);
        kiosk = Kiosk.attach(agent, console, clock, pinWait);
    }

    /** Where the console (and the kiosk under {@code kiosk/}) is served. */
    String base() {
        return console.address().toString();
    }

    /** The demo's members with display names, as a hub sends them to an edge reporting member-names. */
    private static Entity named(Entity entity) {
        if (entity instanceof Member member) {
            String name =
                    switch (member.id().value()) {
                        case "ada" -> "Ada Lovelace";
                        case "bob" -> "Bob Adams"; // suspended: never offered as a host
                        default -> "Dee " + member.id().value();
                    };
            return new Member(member.id(), member.status(), member.roles(), Optional.of(name));
        }
        return entity;
    }

    /** Applies {@code changes} as the next signed batch. */
    void sync(List<Change> changes) {
        long from = seq + 1;
        seq += changes.size();
        agent.applySigned(SignedMessages.sign(
                new Envelope(
                        "batch-" + from,
                        clock.instant(),
                        new SyncBatch(DemoSite.TENANT, DemoSite.SITE, from, seq, changes)),
                site.hubKey));
    }

    /** A pass for the main entrance with this PIN, hosted by Ada, valid from 15 minutes ago for {@code validFor}. */
    void invite(String passId, String pin, boolean singleUse, Duration validFor) {
        sync(List.of(new Change.Upsert(new VisitorPass(
                PassId.of(passId),
                Optional.of(MemberId.of("ada")),
                Set.of(),
                Set.of(DoorId.of(DOOR)),
                clock.instant().minus(Duration.ofMinutes(15)),
                clock.instant().plus(validFor),
                singleUse,
                PassStatus.ACTIVE,
                Optional.of(site.cards.pinHash(DemoSite.SITE, pin))))));
    }

    /** The kiosk events in the outbox, oldest first. */
    List<KioskEvent> kioskEvents() {
        return agent.cache().outbox().peek(1000).stream()
                .filter(e -> e.payload() instanceof KioskEvent)
                .map(e -> e.payloadAs(KioskEvent.class))
                .toList();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        try (var k = kiosk;
                var c = console;
                var a = agent;
                var h = hardware) {
            // closed in reverse order, each even if another fails
        }
    }
}
