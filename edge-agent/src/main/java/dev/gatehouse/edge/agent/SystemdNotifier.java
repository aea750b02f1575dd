package dev.gatehouse.edge.agent;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the agent is doing ({@code sd_notify(3)}): {@code READY=1}, {@code STATUS=…},
 * {@code WATCHDOG=1}, {@code STOPPING=1}, each one datagram to the UNIX socket named by
 * {@code $NOTIFY_SOCKET}. The JDK opens no datagram UNIX sockets, so this calls the C library through
 * JNA (loaded only when there is a socket to send to); shelling out to {@code systemd-notify} instead
 * would send from a child process, which {@code NotifyAccess=main} rejects.
 *
 * <p>Reporting to systemd must never take the agent down: without a socket every call does nothing,
 * and a send that fails is logged once and otherwise ignored.
 */
final class SystemdNotifier {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);
    /** {@code sun_path} in Linux's {@code struct sockaddr_un}, its terminating NUL included. */
    static final int SUN_PATH_MAX = 108;

    private final Optional<byte[]> address;
    private final Optional<Duration> watchdogInterval;
    private final String socketName;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * A notifier sending to {@code socket} ({@code /path}, or {@code @name} for an abstract socket), or
     * doing nothing when it is empty; {@code watchdogInterval} is how often systemd wants
     * {@code WATCHDOG=1}, empty when it wants none.
     */
    SystemdNotifier(Optional<String> socket, Optional<Duration> watchdogInterval) {
        this.socketName = socket.orElse("");
        this.address = socket.flatMap(SystemdNotifier::sockaddr);
        this.watchdogInterval = watchdogInterval;
    }

    /** The notifier systemd set up for this process through its environment. */
    static SystemdNotifier fromEnvironment() {
        return fromEnvironment(System.getenv(), ProcessHandle.current().pid());
    }

    /**
     * The notifier that {@code env} describes for the process {@code pid}: {@code NOTIFY_SOCKET}, and
     * {@code WATCHDOG_USEC} unless {@code WATCHDOG_PID} names another process (a child that inherited
     * the environment must not ping for its parent).
     */
    static SystemdNotifier fromEnvironment(Map<String, String> env, long pid) {
        Optional<String> socket = Optional.ofNullable(env.get("NOTIFY_SOCKET")).filter(value -> !value.isEmpty());
        return new SystemdNotifier(socket, watchdogInterval(env, pid));
    }

    private static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null || usec.isEmpty()) {
            return Optional.empty();
        }
        String watchdogPid = env.get("WATCHDOG_PID");
        if (watchdogPid != null && !watchdogPid.isEmpty() && !watchdogPid.equals(Long.toString(pid))) {
            log.info("WATCHDOG_PID={} is not this process ({}): no watchdog pings", watchdogPid, pid);
            return Optional.empty();
        }
        try {
            long micros = Long.parseLong(usec);
            if (micros <= 0) {
                throw new NumberFormatException("not positive");
            }
            return Optional.of(Duration.ofNanos(Math.multiplyExact(micros, 1_000L)));
        } catch (NumberFormatException | ArithmeticException e) {
            log.warn("WATCHDOG_USEC={} is not a positive number of microseconds: no watchdog pings", usec);
            return Optional.empty();
        }
    }

    /** How often systemd wants {@code WATCHDOG=1}; empty when it runs no watchdog for the agent. */
    Optional<Duration> watchdogInterval() {
        return watchdogInterval;
    }

    /** Whether messages go anywhere: the agent runs under systemd with a notification socket. */
    boolean enabled() {
        return address.isPresent();
    }

    /** {@code READY=1} with a status line: the doors are claimed and in a known state. */
    void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    void status(String status) {
        send("STATUS=" + oneLine(status));
    }

    void watchdog() {
        send("WATCHDOG=1");
    }

    /** {@code STOPPING=1}: the stop is wanted, so systemd does not count the time it takes as a hang. */
    void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    /** Sends {@code message} as one datagram; never throws. */
    void send(String message) {
        if (address.isEmpty()) {
            return;
        }
        try {
            Datagrams.send(address.get(), message.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException | LinkageError e) {
            if (warned.compareAndSet(false, true)) {
                log.warn(
                        "cannot notify systemd at {}: {} (further failures are not logged; systemd's watchdog"
                                + " will restart the agent if it expects pings)",
                        socketName,
                        e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
    }

    /** STATUS= is one line of text: anything after a line break would be read as another field. */
    private static String oneLine(String text) {
        String line = text.replaceAll("[\\r\\n]+", " ").strip();
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    /**
     * {@code struct sockaddr_un} for {@code socket}, as many bytes as the kernel should read: an
     * abstract name ({@code @name}) is a leading NUL and exactly the name's bytes (no terminating NUL:
     * it would be part of the name); a path ends with its NUL.
     */
    static Optional<byte[]> sockaddr(String socket) {
        boolean isAbstract = socket.startsWith("@");
        if (!isAbstract && !socket.startsWith("/")) {
            log.warn("NOTIFY_SOCKET={} is neither a path nor an abstract socket: systemd is not told anything", socket);
            return Optional.empty();
        }
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        int pathLength = isAbstract ? name.length : name.length + 1;
        if (pathLength > SUN_PATH_MAX) {
            log.warn("NOTIFY_SOCKET={} is longer than a UNIX socket address: systemd is not told anything", socket);
            return Optional.empty();
        }
        ByteBuffer address = ByteBuffer.allocate(Short.BYTES + pathLength).order(ByteOrder.nativeOrder());
        address.putShort(AF_UNIX);
        if (isAbstract) {
            address.put((byte) 0).put(name, 1, name.length - 1);
        } else {
            address.put(name).put((byte) 0);
        }
        return Optional.of(address.array());
    }

    private static final short AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** A receiver that went away must not kill the agent with SIGPIPE. */
    private static final int MSG_NOSIGNAL = 0x4000;

    /** The C library calls (Linux values, the same on x86-64 and arm64). */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        NativeLong sendto(int fd, byte[] buffer, NativeLong length, int flags, byte[] address, int addressLength);

        int close(int fd);

        String strerror(int errno);
    }

    /** Sends datagrams; loaded on first use, so a run without systemd never loads JNA. */
    private static final class Datagrams {
        private static final LibC C = Native.load("c", LibC.class);

        /** One socket per message, as {@code sd_notify} does: nothing to keep open or to recover. */
        static void send(byte[] address, byte[] message) {
            int fd = C.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket");
            }
            try {
                long sent = C.sendto(fd, message, new NativeLong(message.length), MSG_NOSIGNAL, address, address.length)
                        .longValue();
                if (sent < 0) {
                    throw failure("sendto");
                }
                if (sent != message.length) {
                    throw new IllegalStateException("sendto sent " + sent + " of " + message.length + " bytes");
                }
            } finally {
                C.close(fd);
            }
        }

        private static IllegalStateException failure(String call) {
            int errno = Native.getLastError();
            return new IllegalStateException(call + ": " + C.strerror(errno) + " (errno " + errno + ")");
        }
    }
}
