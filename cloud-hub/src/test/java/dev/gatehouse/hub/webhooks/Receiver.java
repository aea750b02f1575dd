package dev.gatehouse.hub.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on a real local HTTP server (port 0): it keeps every request it gets and answers
 * the status the test sets (200 unless told otherwise), optionally asking the hub to stop retrying.
 */
public final class Receiver implements AutoCloseable {
    /** One request as it arrived: its headers (names in lower case) and its body. */
    public record Received(Map<String, String> headers, byte[] body, long arrivedNanos, String path) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicBoolean abort = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicReference<String> holdPrefix =
            new java.util.concurrent.atomic.AtomicReference<>();
    private volatile java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(0);

    public Receiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            String path = exchange.getRequestURI().getPath();
            received.add(new Received(headers, body, System.nanoTime(), path));
            String held = holdPrefix.get();
            if (held != null && path.startsWith(held)) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (abort.get()) {
                exchange.getResponseHeaders().add("webhook-delivery", "abort-message");
            }
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
    }

    /** The URL of this receiver's {@code path}: http on loopback, which the test hub allows. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void answer(int code) {
        status.set(code);
    }

    /** Keeps every request to a path under {@code prefix} waiting (a hanging receiver) until {@link #release}. */
    public void hold(String prefix) {
        release = new java.util.concurrent.CountDownLatch(1);
        holdPrefix.set(prefix);
    }

    /** Answers the held requests and holds no more. */
    public void release() {
        holdPrefix.set(null);
        release.countDown();
    }

    /** How many requests arrived for paths under {@code prefix}. */
    public long count(String prefix) {
        return received.stream().filter(r -> r.path().startsWith(prefix)).count();
    }

    public void abortMessages(boolean on) {
        abort.set(on);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public int count() {
        return received.size();
    }

    public void clear() {
        received.clear();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
