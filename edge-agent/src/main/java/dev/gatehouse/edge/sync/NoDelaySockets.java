package dev.gatehouse.edge.sync;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;
import java.util.Optional;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets for Paho with {@code TCP_NODELAY} set. Paho leaves Nagle's algorithm on, so a
 * small packet (an event, a PUBACK, a command ack) sent while an earlier one is
 * unacknowledged waits for the peer's delayed ACK, up to 40 ms on Linux: an event or a command
 * ack would wait behind the previous one. The hub has the same class for its link (the modules share
 * no I/O code).
 */
final class NoDelaySockets extends SocketFactory {
    private static final NoDelaySockets INSTANCE = new NoDelaySockets();

    private NoDelaySockets() {}

    /**
     * The factory for a {@code tcp://} broker URL; empty for any other scheme ({@code ssl://} keeps
     * Paho's own TLS factory).
     */
    static Optional<SocketFactory> forUrl(String url) {
        return url.toLowerCase(Locale.ROOT).startsWith("tcp://") ? Optional.of(INSTANCE) : Optional.empty();
    }

    /** The one Paho calls: an unconnected socket, which it then connects. */
    @Override
    public Socket createSocket() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return open(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return open(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return open(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return open(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket open(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = createSocket();
        if (local != null) {
            socket.bind(local);
        }
        socket.connect(remote);
        return socket;
    }
}
