package dev.gatehouse.sim.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of a broker (or any server) that a test or a demo steers, on loopback: {@link
 * #holdReplies} stops passing what the broker sends (its PUBACKs wait, so the client's publishes stay
 * in flight), {@link #release} passes it again, {@link #cut} closes every connection at once, as a
 * broker restart does, and lets later connections through again. A connection the target refuses is
 * closed on the client's side at once.
 */
public final class Relay implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean holding;
    /** Connections accepted so far. */
    private volatile int accepted;

    private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();

    /** Listens on a free loopback port and relays each connection to {@code target} on loopback. */
    public Relay(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted;
    }

    /** Bytes passed from clients to the target so far. */
    public long sent() {
        return sent.get();
    }

    /** {@code tcp://127.0.0.1:<port>}: where clients connect instead of the target. */
    public String url() {
        return "tcp://127.0.0.1:" + listener.getLocalPort();
    }

    /** From now on the broker's bytes wait here until {@link #release} or {@link #cut}. */
    public void holdReplies() {
        holding = true;
    }

    /** Passes what the broker sends again, what was held first. */
    public void release() {
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    /** Closes every connection (what was held is dropped) and passes everything again. */
    public void cut() throws IOException {
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return; // the relay was closed
            }
            try {
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                open.add(client);
                open.add(broker);
                accepted++; // this thread only
                Thread.ofVirtual().start(() -> pump(client, broker, false));
                Thread.ofVirtual().start(() -> pump(broker, client, true));
            } catch (IOException refused) {
                try {
                    client.close(); // the target is down: so is this connection
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromBroker) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (fromBroker) {
                    synchronized (gate) {
                        while (holding && !to.isClosed()) {
                            gate.wait(50);
                        }
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
                if (!fromBroker) {
                    sent.addAndGet(n);
                }
            }
        } catch (IOException | InterruptedException e) {
            // one side went away: so does the other
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
    }
}
