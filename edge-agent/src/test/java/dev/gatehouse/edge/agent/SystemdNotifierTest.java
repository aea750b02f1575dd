package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sd_notify datagrams, read from a socket the test binds itself (systemd is not init on the build
 * machines): systemd parses them byte for byte, so a wrong field or a stray line break means a unit
 * that never becomes ready, or a watchdog that kills a healthy agent.
 */
class SystemdNotifierTest {
    private static final Duration PATIENCE = Duration.ofSeconds(5);
    private static final long PID = 4242;

    @Nested
    class Datagrams {
        @Test
        void everyMessageIsOneDatagramInSystemdsFormat(@TempDir Path dir) throws Exception {
            try (NotifySocket socket = NotifySocket.atPath(dir.resolve("notify"))) {
                SystemdNotifier notifier = new SystemdNotifier(Optional.of(socket.name()), Optional.empty());

                notifier.ready("running: 3 doors");
                notifier.status("stuck: door main");
                notifier.watchdog();
                notifier.stopping("stopping: driving 3 doors locked");

                assertThat(socket.receive(PATIENCE)).contains("READY=1\nSTATUS=running: 3 doors");
                assertThat(socket.receive(PATIENCE)).contains("STATUS=stuck: door main");
                assertThat(socket.receive(PATIENCE)).contains("WATCHDOG=1");
                assertThat(socket.receive(PATIENCE)).contains("STOPPING=1\nSTATUS=stopping: driving 3 doors locked");
                assertThat(socket.receiveNow()).isEmpty();
            }
        }

        @Test
        void aStatusKeepsToOneLine(@TempDir Path dir) throws Exception {
            // A problem message with a line break would otherwise smuggle in a second field (or READY=1).
            try (NotifySocket socket = NotifySocket.atPath(dir.resolve("notify"))) {
                SystemdNotifier notifier = new SystemdNotifier(Optional.of(socket.name()), Optional.empty());

                notifier.status("cannot start: card-key-file\nREADY=1\r\n");

                assertThat(socket.receive(PATIENCE)).contains("STATUS=cannot start: card-key-file READY=1");
            }
        }

        @Test
        void anAbstractSocketIsReachedByItsAtName() throws Exception {
            // systemd may hand out "@name" sockets (no file): '@' stands for the leading NUL of the address.
            try (NotifySocket socket = NotifySocket.abstractNamed("gatehouse-test-" + UUID.randomUUID())) {
                SystemdNotifier notifier = new SystemdNotifier(Optional.of(socket.name()), Optional.empty());

                notifier.watchdog();

                assertThat(socket.receive(PATIENCE)).contains("WATCHDOG=1");
            }
        }

        @Test
        void aSocketThatIsGoneIsNoReasonToThrow(@TempDir Path dir) {
            // systemd restarted, or the socket was never there: the doors matter more than the report.
            SystemdNotifier notifier = new SystemdNotifier(
                    Optional.of(dir.resolve("no-such-socket").toString()), Optional.of(Duration.ofSeconds(10)));

            notifier.ready("running: 1 doors");
            notifier.watchdog();
            notifier.stopping("stopping");

            assertThat(notifier.enabled()).isTrue();
        }

        @Test
        void aNameThatIsNoSocketAddressSendsNothing() {
            assertThat(new SystemdNotifier(Optional.of("relative/notify"), Optional.empty()).enabled())
                    .isFalse();
            assertThat(new SystemdNotifier(
                                    Optional.of("/" + "x".repeat(SystemdNotifier.SUN_PATH_MAX)), Optional.empty())
                            .enabled())
                    .isFalse();
        }
    }

    @Nested
    class Environment {
        @Test
        void withoutNotifySocketNothingIsSent() {
            // Run by hand or by the test suite: no systemd, no JNA call, no warning.
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "10000000"), PID);

            notifier.ready("running");
            notifier.watchdog();

            assertThat(notifier.enabled()).isFalse();
        }

        @Test
        void theWatchdogIntervalIsReadFromWatchdogUsec() {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                    Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "10000000"), PID);

            assertThat(notifier.enabled()).isTrue();
            assertThat(notifier.watchdogInterval()).contains(Duration.ofSeconds(10));
        }

        @Test
        void theWatchdogIsOursOnlyWhenWatchdogPidIsOurPid() {
            // A process the agent starts inherits its environment; it must not ping for the agent.
            Map<String, String> ours =
                    Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "4242");
            Map<String, String> another =
                    Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "1");

            assertThat(SystemdNotifier.fromEnvironment(ours, PID).watchdogInterval())
                    .contains(Duration.ofSeconds(3));
            assertThat(SystemdNotifier.fromEnvironment(another, PID).watchdogInterval())
                    .isEmpty();
        }

        @Test
        void noWatchdogWithoutAUsableWatchdogUsec() {
            for (String usec : new String[] {"", "0", "-5", "ten seconds"}) {
                assertThat(SystemdNotifier.fromEnvironment(
                                        Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", usec), PID)
                                .watchdogInterval())
                        .as("WATCHDOG_USEC=%s", usec)
                        .isEmpty();
            }
            assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"), PID)
                            .watchdogInterval())
                    .isEmpty();
        }
    }
}
