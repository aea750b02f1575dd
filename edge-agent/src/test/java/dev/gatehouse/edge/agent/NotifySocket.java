package dev.gatehouse.edge.agent;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The receiving end of {@code sd_notify}, as systemd holds it: a datagram UNIX socket bound at a path
 * (or an abstract name), owned by the test, so the agent's messages can be read exactly as systemd
 * would read them, without systemd running as init. The JDK has no datagram UNIX sockets, so this calls
 * the C library through JNA, as the notifier does.
 */
final class NotifySocket implements AutoCloseable {
    private static final short AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final short POLLIN = 0x1;
    private static final int EAGAIN = 11;

    interface LibC extends Library {
        LibC C = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int addressLength);

        NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

        int poll(byte[] fds, NativeLong count, int timeoutMillis);

        int close(int fd);

        String strerror(int errno);
    }

    private final int fd;
    /** What goes into {@code $NOTIFY_SOCKET}: the path, or {@code @name}. */
    private final String name;

    private NotifySocket(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** A socket bound at {@code path}, which must not exist yet. */
    static NotifySocket atPath(Path path) {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        return bind(address(bytes, false), path.toString());
    }

    /** A socket in the abstract namespace: {@code @name} in {@code $NOTIFY_SOCKET}, no file anywhere. */
    static NotifySocket abstractNamed(String name) {
        return bind(address(name.getBytes(StandardCharsets.UTF_8), true), "@" + name);
    }

    private static byte[] address(byte[] name, boolean isAbstract) {
        ByteBuffer address = ByteBuffer.allocate(2 + 1 + name.length).order(ByteOrder.nativeOrder());
        address.putShort(AF_UNIX);
        if (isAbstract) {
            address.put((byte) 0).put(name);
        } else {
            address.put(name).put((byte) 0);
        }
        return address.array();
    }

    private static NotifySocket bind(byte[] address, String name) {
        int fd = LibC.C.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        check(fd, "socket");
        int bound = LibC.C.bind(fd, address, address.length);
        if (bound < 0) {
            IllegalStateException failure = failure("bind " + name);
            LibC.C.close(fd);
            throw failure;
        }
        return new NotifySocket(fd, name);
    }

    String name() {
        return name;
    }

    /** The next datagram, waiting for it up to {@code patience}; empty if none came. */
    Optional<String> receive(Duration patience) {
        ByteBuffer pollfd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        pollfd.putInt(fd).putShort(POLLIN).putShort((short) 0);
        int ready = LibC.C.poll(pollfd.array(), new NativeLong(1), Math.toIntExact(patience.toMillis()));
        check(ready, "poll");
        return ready == 0 ? Optional.empty() : receiveNow();
    }

    /**
     * A datagram already queued, without waiting. The notifier sends synchronously, so once a call
     * that sends has returned, what it sent is here: an empty answer means nothing was sent.
     */
    Optional<String> receiveNow() {
        byte[] buffer = new byte[4096];
        long length = LibC.C
                .recv(fd, buffer, new NativeLong(buffer.length), MSG_DONTWAIT)
                .longValue();
        if (length < 0) {
            if (Native.getLastError() == EAGAIN) {
                return Optional.empty();
            }
            throw failure("recv");
        }
        return Optional.of(new String(buffer, 0, (int) length, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        LibC.C.close(fd);
        if (name.startsWith("/")) {
            Files.deleteIfExists(Path.of(name));
        }
    }

    private static void check(int result, String call) {
        if (result < 0) {
            throw failure(call);
        }
    }

    private static IllegalStateException failure(String call) {
        int errno = Native.getLastError();
        return new IllegalStateException(call + ": " + LibC.C.strerror(errno) + " (errno " + errno + ")");
    }
}
