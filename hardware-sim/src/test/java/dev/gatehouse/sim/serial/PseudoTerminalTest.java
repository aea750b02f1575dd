package dev.gatehouse.sim.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pseudo-terminal is the device boundary every serial test stands on: if it cooked, echoed or
 * dropped a byte, a frame test could pass or fail for the wrong reason, and if unplug did not look
 * like a USB reader vanishing, the agent's reconnect logic would be tested against a fiction.
 */
class PseudoTerminalTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path links;

    private PseudoTerminal pty;

    @BeforeEach
    void open() {
        pty = PseudoTerminal.open(links.resolve("ttyNFC0"));
    }

    @AfterEach
    void close() {
        pty.close();
    }

    private static byte[] allByteValues() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private byte[] readFromMaster(int count) {
        byte[] received = new byte[count];
        byte[] chunk = new byte[count];
        int total = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (total < count && System.nanoTime() < deadline) {
            int read = pty.read(chunk, Duration.ofMillis(100));
            int take = Math.min(read, count - total);
            System.arraycopy(chunk, 0, received, total, take);
            total += take;
        }
        assertThat(total).as("bytes read from the master").isEqualTo(count);
        return received;
    }

    @Nested
    class Bytes {
        @Test
        void everyByteValueReachesTheSlaveUnchanged() {
            // Why: PN532 frames contain 0x00, 0xFF, 0x0D, 0x11 and 0x13; a cooked tty would rewrite them.
            try (SlaveEnd slave = SlaveEnd.open(pty.stablePath())) {
                assertThat(pty.write(allByteValues())).isEqualTo(256);

                assertThat(slave.readExactly(256, WAIT)).isEqualTo(allByteValues());
            }
        }

        @Test
        void everyByteValueReachesTheMasterUnchangedAndIsNotEchoed() {
            // Why: an echo would make the emulator read its own responses back as host commands.
            try (SlaveEnd slave = SlaveEnd.open(pty.stablePath())) {
                slave.write(allByteValues());

                assertThat(readFromMaster(256)).isEqualTo(allByteValues());
                byte[] nothing = new byte[16];
                assertThat(slave.readOnce(nothing))
                        .as("bytes echoed back to the slave")
                        .isZero();
            }
        }

        @Test
        void bytesWrittenBeforeTheSlaveIsOpenedArriveRaw() {
            // Why: a scanner may send before the agent opens the port; raw mode is set at creation.
            pty.write(new byte[] {0x0D, 0x0A, 0x03, 0x7F});

            try (SlaveEnd slave = SlaveEnd.open(pty.stablePath())) {
                assertThat(slave.readExactly(4, WAIT)).containsExactly(0x0D, 0x0A, 0x03, 0x7F);
            }
        }
    }

    @Nested
    class StablePath {
        @Test
        void theStableLinkPointsAtTheCurrentSlave() throws Exception {
            // Why: the agent's config names a stable path (udev style), never a /dev/pts number.
            assertThat(Files.isSymbolicLink(pty.stablePath())).isTrue();
            assertThat(Files.readSymbolicLink(pty.stablePath()))
                    .isEqualTo(pty.slavePath().orElseThrow());
            assertThat(pty.slavePath().orElseThrow().toString()).startsWith("/dev/pts/");
        }

        @Test
        void openWithoutADirectoryMakesATemporaryLinkAndRemovesItOnClose() {
            // Why: demos and quick tests should not need to manage a directory.
            Path link;
            try (PseudoTerminal temporary = PseudoTerminal.open()) {
                link = temporary.stablePath();
                assertThat(Files.isSymbolicLink(link)).isTrue();
            }
            assertThat(link.getParent()).doesNotExist();
        }
    }

    @Nested
    class UnplugAndReplug {
        @Test
        void unplugMakesTheOpenSlaveFailAndRemovesTheLink() {
            // Why: this is how a pulled USB reader looks to the agent: reads fail, the device node is gone.
            try (SlaveEnd slave = SlaveEnd.open(pty.stablePath())) {
                Path slavePath = pty.slavePath().orElseThrow();

                pty.unplug();

                assertThat(pty.plugged()).isFalse();
                assertThat(pty.slavePath()).isEmpty();
                assertThat(pty.stablePath()).doesNotExist();
                assertThat(Files.isSymbolicLink(pty.stablePath())).isFalse();
                assertThat(slave.readOnce(new byte[8]))
                        .as("read on a hung-up slave")
                        .isEqualTo(-1);
                await().atMost(WAIT).untilAsserted(() -> assertThat(slavePath).doesNotExist());
            }
        }

        @Test
        void writesWhileUnpluggedGoNowhere() {
            // Why: the emulator keeps running while unplugged; its bytes must not surface after replug.
            pty.unplug();

            assertThat(pty.write(new byte[] {1, 2, 3})).isZero();
            assertThat(pty.read(new byte[8], Duration.ofMillis(10))).isZero();
        }

        @Test
        void replugMakesANewSlaveBehindTheSameStablePath() throws Exception {
            // Why: the agent reconnects by the stable path and must find a working device there.
            pty.unplug();
            pty.replug();

            assertThat(Files.readSymbolicLink(pty.stablePath()))
                    .isEqualTo(pty.slavePath().orElseThrow());
            try (SlaveEnd slave = SlaveEnd.open(pty.stablePath())) {
                pty.write(new byte[] {0x55, 0x00, (byte) 0xFF});
                assertThat(slave.readExactly(3, WAIT)).containsExactly(0x55, 0x00, 0xFF);
                slave.write(new byte[] {0x42});
                assertThat(readFromMaster(1)).containsExactly(0x42);
            }
        }

        @Test
        void aReadWaitingWhileUnpluggedReturnsWhenReplugged() throws Exception {
            // Why: the emulator's reading thread must neither spin nor miss the replug.
            pty.unplug();
            Thread replugger = Thread.ofPlatform().start(pty::replug);
            replugger.join(WAIT.toMillis());

            assertThat(pty.read(new byte[8], Duration.ofMillis(50))).isZero();
            assertThat(pty.plugged()).isTrue();
        }
    }

    @Test
    void usingAClosedTerminalIsAnErrorWithACode() {
        // Why: a test that writes to a closed device has a bug; it should say so, not pass silently.
        pty.close();

        assertThat(catchThrowableOfType(SerialSimException.class, () -> pty.write(new byte[] {1}))
                        .error())
                .isEqualTo(SerialSimError.CLOSED);
    }
}
