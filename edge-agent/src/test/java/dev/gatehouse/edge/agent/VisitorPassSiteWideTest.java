package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.QR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.SignedMessages;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Visitor passes at an edge whose hub is unreachable, on the simulator with the real cache: a pass
 * the hub reports used (spent at another edge of the site) is refused here though this edge never
 * saw it used, and a visitor's typed PIN is checked offline against the pass's PIN hash and spends
 * a single-use pass as its QR code would.
 */
class VisitorPassSiteWideTest {
    private static final String PIN = "418207";
    private static final PassId INVITED = PassId.of("visit-pin");

    @TempDir
    Path dir;

    private DemoSite demo;
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private SimulatedHardware hardware;
    private EdgeAgent agent;
    private final List<Decided> decisions = new CopyOnWriteArrayList<>();
    private long seq;

    @BeforeEach
    void site() throws Exception {
        demo = new DemoSite(dir);
        SecretFiles.writeOwnerOnly(dir.resolve("mqtt-password"), "ghd_unused");
        Files.writeString(demo.configFile, Files.readString(demo.configFile) + """
                hub:
                  mqtt-url: tcp://127.0.0.1:%d
                  password-file: mqtt-password
                """.formatted(closedPort()));
        hardware = SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC());
        agent = EdgeAgent.start(demo.config(), hardware, clock);
        agent.onDecision(decisions::add);
        List<Change> changes = new java.util.ArrayList<>(demo.entitlements(clock.instant()).stream()
                .<Change>map(Change.Upsert::new)
                .toList());
        changes.add(new Change.Upsert(invited(PassStatus.ACTIVE, true)));
        sync(changes);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        hardware.close();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A single-use pass for the main entrance with PIN 418207 (its hash, as the hub sends it). */
    private VisitorPass invited(PassStatus status, boolean withPin) {
        return new VisitorPass(
                INVITED,
                Optional.of(MemberId.of("ada")),
                Set.of(),
                Set.of(DoorId.of(DOOR)),
                clock.instant().minus(Duration.ofMinutes(15)),
                clock.instant().plus(Duration.ofHours(4)),
                true,
                status,
                withPin ? Optional.of(demo.cards.pinHash(DemoSite.SITE, PIN)) : Optional.empty());
    }

    private void sync(List<Change> changes) {
        long from = seq + 1;
        seq += changes.size();
        agent.applySigned(SignedMessages.sign(
                new Envelope(
                        "batch-" + from,
                        clock.instant(),
                        new SyncBatch(DemoSite.TENANT, DemoSite.SITE, from, seq, changes)),
                demo.hubKey));
    }

    private Decided scan(String code) {
        int before = decisions.size();
        hardware.site().scanCode(QR, code);
        await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > before);
        return decisions.get(before);
    }

    private Decided pin(String typed) throws Exception {
        return agent.admitByPin(DOOR, typed).get(10, TimeUnit.SECONDS);
    }

    private String invitedCode() {
        return QrTokens.issue(
                new QrClaims(
                        DemoSite.TENANT,
                        Set.of(DemoSite.SITE),
                        QrKind.VISITOR,
                        INVITED.value(),
                        true,
                        clock.instant().minusSeconds(5),
                        clock.instant().plus(Duration.ofHours(4)),
                        QrTokens.newTokenId()),
                demo.hubKey);
    }

    private static Decision.Granted byPass(String pass) {
        return new Decision.Granted(Duration.ofSeconds(1), GrantBasis.VISITOR_PASS, Optional.of(pass));
    }

    @Test
    void aPassTheHubReportsUsedIsRefusedThoughThisEdgeNeverSawItUsed() {
        // Why: another edge of the site admitted the visitor; the hub tells every edge at once.
        assertThat(agent.sync().orElseThrow().connected()).isFalse();
        VisitorPass demoPass = agent.cache().visitorPass(PassId.of("visit-1")).orElseThrow();
        sync(List.of(new Change.Upsert(demoPass.withStatus(PassStatus.USED))));

        Decided refused = scan(demo.visitorCode(clock.instant()));

        assertThat(refused.decision()).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
        assertThat(agent.cache().visitorPassUsed(PassId.of("visit-1")))
                .as("no use of its own is recorded")
                .isFalse();
    }

    @Test
    void aTypedPinAdmitsTheVisitorOnceOfflineAndIsRecordedAsAPin() throws Exception {
        Decided first = pin(PIN);
        assertThat(first.decision()).isEqualTo(byPass(INVITED.value()));
        assertThat(first.event().payload()).isInstanceOfSatisfying(AccessEvent.class, event -> {
            assertThat(event.presented()).isEqualTo(PresentedKind.VISITOR_PIN);
            assertThat(event.pass()).contains(INVITED);
            assertThat(event.cardHash())
                    .as("neither the PIN nor its hash leaves the edge")
                    .isEmpty();
        });
        assertThat(agent.cache().visitorPassUsed(INVITED)).isTrue();

        // Single use: the same PIN again, and the pass's QR code, are refused.
        assertThat(pin(PIN).decision()).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
        assertThat(scan(invitedCode()).decision()).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
    }

    @Test
    void theQrCodeSpendsThePinToo() throws Exception {
        // One pass, two ways in: whichever comes first spends it for both.
        assertThat(scan(invitedCode()).decision()).isEqualTo(byPass(INVITED.value()));

        assertThat(pin(PIN).decision()).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));
    }

    @Test
    void aWrongOrMalformedPinIsAnUnknownCredentialAndOpensNothing() throws Exception {
        for (String typed : List.of("418208", "000000", "41820", "41a207", "")) {
            Decided decided = pin(typed);
            assertThat(decided.decision())
                    .as("PIN '%s'", typed)
                    .isEqualTo(new Decision.Denied(DenyReason.UNKNOWN_CREDENTIAL));
            assertThat(((AccessEvent) decided.event().payload()).presented()).isEqualTo(PresentedKind.VISITOR_PIN);
        }
        assertThat(agent.cache().visitorPassUsed(INVITED)).isFalse();
        // Five wrong PINs at the door lock it for PINs: even the right one is not looked up meanwhile.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pin(PIN))
                .hasMessageContaining("too many wrong PINs at door " + DOOR);
        assertThat(agent.cache().visitorPassUsed(INVITED)).isFalse();
        clock.advance(dev.gatehouse.edge.access.PinThrottle.LOCK);
        assertThat(pin(PIN).decision()).isEqualTo(byPass(INVITED.value()));
    }

    @Test
    void aPassTheHubSendsWithoutItsPinNoLongerOpensByPin() throws Exception {
        // A revoked or ended pass comes without its PIN hash: the PIN is free for another pass.
        sync(List.of(new Change.Upsert(invited(PassStatus.REVOKED, false))));

        assertThat(pin(PIN).decision()).isEqualTo(new Decision.Denied(DenyReason.UNKNOWN_CREDENTIAL));
    }
}
