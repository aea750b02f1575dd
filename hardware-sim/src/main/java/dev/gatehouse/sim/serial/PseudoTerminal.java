package dev.gatehouse.sim.serial;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real pseudo-terminal pair made in Java (Linux): the simulated device holds the master side, and
 * the code under test opens the slave side ({@code /dev/pts/N}) exactly as it would open a USB serial
 * adapter. The slave is put in raw mode when the pair is created, so bytes pass unchanged whether or
 * not anyone has opened it yet.
 *
 * <p>A stable symbolic link ({@link #stablePath()}, e.g. {@code <dir>/ttyNFC0 -> /dev/pts/7}) stands
 * for the udev name a real reader keeps across replugs: {@link #unplug()} closes the master (the slave
 * hangs up, the link disappears) and {@link #replug()} makes a new pair and re-points the link.
 *
 * <p>Thread-safe: one thread may read while others write, unplug or replug.
 */
public final class PseudoTerminal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PseudoTerminal.class);
    private static final LibC C = LibC.INSTANCE;
    /** How long a write waits for a slow reader to drain the slave's buffer before dropping the rest. */
    private static final Duration WRITE_STALL_LIMIT = Duration.ofSeconds(2);

    private final Path stableLink;
    private final boolean ownsLinkDirectory;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Object writeOrder = new Object();
    private volatile Pair pair;
    private volatile CountDownLatch pluggedIn = new CountDownLatch(0);
    private volatile boolean closed;

    /** The open descriptors of one pair: the master, a slave kept open by us, and the slave's path. */
    private record Pair(int master, int keeper, Path slave) {}

    private PseudoTerminal(Path stableLink, boolean ownsLinkDirectory) {
        this.stableLink = stableLink;
        this.ownsLinkDirectory = ownsLinkDirectory;
        this.pair = createPair();
        try {
            pointLink(pair.slave());
        } catch (RuntimeException e) {
            closePair(pair);
            throw e;
        }
    }

    /**
     * Creates a pair and a stable link at {@code stableLink} (its directory must exist; an existing
     * link there is replaced).
     */
    public static PseudoTerminal open(Path stableLink) {
        return new PseudoTerminal(stableLink.toAbsolutePath(), false);
    }

    /** Creates a pair with its stable link {@code ttySIM0} in a new temporary directory (removed on close). */
    public static PseudoTerminal open() {
        try {
            Path directory = Files.createTempDirectory("gatehouse-pty");
            return new PseudoTerminal(directory.resolve("ttySIM0"), true);
        } catch (IOException e) {
            throw new SerialSimException(
                    SerialSimError.LINK_FAILED, "cannot create a temporary directory for the device link", e);
        }
    }

    /** The path that survives replugs (a symbolic link to the current slave); absent while unplugged. */
    public Path stablePath() {
        return stableLink;
    }

    /** The current slave device, {@code /dev/pts/N}; empty while unplugged or after close. */
    public Optional<Path> slavePath() {
        Pair current = pair;
        return current == null ? Optional.empty() : Optional.of(current.slave());
    }

    public boolean plugged() {
        return pair != null;
    }

    /**
     * Reads what the slave side wrote, waiting at most {@code timeout} for the first byte. Returns the
     * number of bytes read, 0 when nothing arrived in time or the device is unplugged.
     */
    public int read(byte[] buffer, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lifecycle.readLock().lock();
        try {
            checkOpen();
            Pair current = pair;
            if (current != null) {
                return readMaster(current, buffer, timeout);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        awaitPlugged(deadline);
        return 0;
    }

    /**
     * Writes bytes for the slave side to read. Returns how many were delivered: all of them, or fewer
     * when the device is unplugged (a device talking to no one) or the reader stopped draining.
     */
    public int write(byte[] bytes) {
        lifecycle.readLock().lock();
        try {
            checkOpen();
            Pair current = pair;
            if (current == null) {
                return 0;
            }
            synchronized (writeOrder) {
                return writeMaster(current, bytes);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Pulls the device: the master closes, the slave hangs up (its reads fail) and the link goes away. */
    public void unplug() {
        lifecycle.writeLock().lock();
        try {
            checkOpen();
            Pair current = pair;
            if (current == null) {
                return;
            }
            pair = null;
            pluggedIn = new CountDownLatch(1);
            deleteLink();
            closePair(current);
            log.debug("unplugged {} ({})", stableLink, current.slave());
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Plugs the device back in: a new pair, the stable link re-pointed to its slave. */
    public void replug() {
        lifecycle.writeLock().lock();
        try {
            checkOpen();
            if (pair != null) {
                return;
            }
            Pair fresh = createPair();
            try {
                pointLink(fresh.slave());
            } catch (RuntimeException e) {
                closePair(fresh);
                throw e;
            }
            pair = fresh;
            pluggedIn.countDown();
            log.debug("replugged {} -> {}", stableLink, fresh.slave());
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            Pair current = pair;
            pair = null;
            deleteLink();
            if (current != null) {
                closePair(current);
            }
            pluggedIn.countDown();
            if (ownsLinkDirectory) {
                Files.deleteIfExists(stableLink.getParent());
            }
        } catch (IOException e) {
            log.warn("could not remove the device link directory {}", stableLink.getParent(), e);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "PseudoTerminal[" + stableLink + " -> "
                + slavePath().map(Path::toString).orElse("unplugged") + "]";
    }

    private void checkOpen() {
        if (closed) {
            throw new SerialSimException(SerialSimError.CLOSED, "the pseudo-terminal " + stableLink + " is closed");
        }
    }

    private void awaitPlugged(long deadline) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return;
        }
        try {
            pluggedIn.await(remaining, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int readMaster(Pair current, byte[] buffer, Duration timeout) {
        int ready = pollMaster(current.master(), LibC.POLLIN, timeout);
        if (ready <= 0) {
            return 0;
        }
        long count =
                C.read(current.master(), buffer, new NativeLong(buffer.length)).longValue();
        if (count >= 0) {
            return (int) count;
        }
        int errno = Native.getLastError();
        if (errno == LibC.EAGAIN || errno == LibC.EINTR || errno == LibC.EIO) {
            return 0;
        }
        throw new SerialSimException(
                SerialSimError.IO_FAILED, "reading the pseudo-terminal master failed: " + C.strerror(errno));
    }

    private static int writeMaster(Pair current, byte[] bytes) {
        long stallDeadline = System.nanoTime() + WRITE_STALL_LIMIT.toNanos();
        int written = 0;
        while (written < bytes.length) {
            byte[] rest = written == 0 ? bytes : Arrays.copyOfRange(bytes, written, bytes.length);
            long count =
                    C.write(current.master(), rest, new NativeLong(rest.length)).longValue();
            if (count > 0) {
                written += (int) count;
                stallDeadline = System.nanoTime() + WRITE_STALL_LIMIT.toNanos();
                continue;
            }
            int errno = count < 0 ? Native.getLastError() : LibC.EAGAIN;
            if (errno != LibC.EAGAIN && errno != LibC.EINTR) {
                throw new SerialSimException(
                        SerialSimError.IO_FAILED, "writing the pseudo-terminal master failed: " + C.strerror(errno));
            }
            if (System.nanoTime() > stallDeadline) {
                log.warn(
                        "the reader of {} stopped draining: dropped {} bytes", current.slave(), bytes.length - written);
                return written;
            }
            pollMaster(current.master(), LibC.POLLOUT, Duration.ofMillis(20));
        }
        return written;
    }

    private static int pollMaster(int fd, short events, Duration timeout) {
        ByteBuffer pollFd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        pollFd.putInt(0, fd).putShort(4, events).putShort(6, (short) 0);
        int millis = (int) Math.max(0, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        int ready = C.poll(pollFd.array(), new NativeLong(1), millis);
        if (ready < 0 && Native.getLastError() != LibC.EINTR) {
            throw new SerialSimException(
                    SerialSimError.IO_FAILED, "poll on the pseudo-terminal master failed: " + lastError());
        }
        return Math.max(ready, 0);
    }

    private static Pair createPair() {
        int master = C.posix_openpt(LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
        if (master < 0) {
            throw new SerialSimException(
                    SerialSimError.PTY_CREATE_FAILED,
                    "posix_openpt failed (" + lastError() + "): is /dev/ptmx present and devpts mounted?");
        }
        int keeper = -1;
        try {
            if (C.grantpt(master) != 0 || C.unlockpt(master) != 0) {
                throw new SerialSimException(
                        SerialSimError.PTY_CREATE_FAILED, "grantpt/unlockpt failed: " + lastError());
            }
            byte[] name = new byte[128];
            if (C.ptsname_r(master, name, new NativeLong(name.length)) != 0) {
                throw new SerialSimException(SerialSimError.PTY_CREATE_FAILED, "ptsname_r failed: " + lastError());
            }
            Path slave = Path.of(cString(name));
            // Holding the slave open ourselves keeps the master readable (no hang-up) while the code
            // under test has not opened it yet or is between reconnects, and lets us set raw mode now.
            keeper = C.open(slave.toString(), LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
            if (keeper < 0) {
                throw new SerialSimException(
                        SerialSimError.PTY_CREATE_FAILED, "cannot open " + slave + ": " + lastError());
            }
            makeRaw(keeper, slave);
            int flags = C.fcntl(master, LibC.F_GETFL, 0);
            if (flags < 0 || C.fcntl(master, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0) {
                throw new SerialSimException(
                        SerialSimError.PTY_CONFIGURE_FAILED, "cannot make the master non-blocking: " + lastError());
            }
            return new Pair(master, keeper, slave);
        } catch (RuntimeException e) {
            if (keeper >= 0) {
                C.close(keeper);
            }
            C.close(master);
            throw e;
        }
    }

    private static void makeRaw(int fd, Path slave) {
        byte[] termios = new byte[LibC.TERMIOS_BUFFER];
        if (C.tcgetattr(fd, termios) != 0) {
            throw new SerialSimException(
                    SerialSimError.PTY_CONFIGURE_FAILED, "tcgetattr on " + slave + " failed: " + lastError());
        }
        C.cfmakeraw(termios);
        if (C.tcsetattr(fd, LibC.TCSANOW, termios) != 0) {
            throw new SerialSimException(
                    SerialSimError.PTY_CONFIGURE_FAILED,
                    "tcsetattr (raw mode) on " + slave + " failed: " + lastError());
        }
    }

    private static void closePair(Pair pair) {
        C.close(pair.master());
        C.close(pair.keeper());
    }

    private void pointLink(Path slave) {
        Path temporary = stableLink.resolveSibling("." + stableLink.getFileName() + ".new");
        try {
            Files.deleteIfExists(temporary);
            Files.createSymbolicLink(temporary, slave);
            Files.move(temporary, stableLink, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UncheckedIOException e) {
            throw new SerialSimException(
                    SerialSimError.LINK_FAILED,
                    "cannot point the device link " + stableLink + " at " + slave + " (is the directory writable?)",
                    e);
        }
    }

    private void deleteLink() {
        try {
            Files.deleteIfExists(stableLink);
        } catch (IOException e) {
            log.warn("could not remove the device link {}", stableLink, e);
        }
    }

    private static String lastError() {
        int errno = Native.getLastError();
        return C.strerror(errno) + " (errno " + errno + ")";
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }
}
