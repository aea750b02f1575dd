package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The common part of the services' stand-ins: a real HTTP server on a loopback port, every request
 * logged (method, path, bearer token, body), and JSON or form answers. Each stand-in answers in its
 * service's documented shapes; answers are made one at a time, as the state is plain maps. A test may
 * hold requests before they are answered ({@link #holdNext}: a slow service, while other requests go
 * on) and drop the answer to requests after they were carried out ({@link #loseNextAnswers}: the
 * connection breaks, the change is made).
 */
public abstract class StandIn implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    /** One request as it arrived. */
    public record Request(
            String method, String path, Map<String, String> query, String bearer, String body, long arrivedNanos) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** One answer: status, headers, body (JSON text or a form). */
    public record Answer(int status, Map<String, String> headers, String body) {
        public static Answer json(int status, Object body) {
            try {
                return new Answer(
                        status,
                        Map.of("content-type", "application/json"),
                        body instanceof String text ? text : JSON.writeValueAsString(body));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Object answering = new Object();
    private final List<Hold> holds = new CopyOnWriteArrayList<>();
    private final List<Lose> losses = new CopyOnWriteArrayList<>();

    /** Requests held until released: those matching, at most {@code remaining} more of them. */
    public static final class Hold {
        private final java.util.function.Predicate<Request> matches;
        private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.atomic.AtomicInteger remaining;
        private final java.util.concurrent.atomic.AtomicInteger waiting =
                new java.util.concurrent.atomic.AtomicInteger();

        private Hold(java.util.function.Predicate<Request> matches, int count) {
            this.matches = matches;
            this.remaining = new java.util.concurrent.atomic.AtomicInteger(count);
        }

        /** How many requests wait at this hold now. */
        public int waiting() {
            return waiting.get();
        }

        /** Lets the held requests (and any later match) be answered. */
        public void release() {
            release.countDown();
        }
    }

    private record Lose(
            java.util.function.Predicate<Request> matches, java.util.concurrent.atomic.AtomicInteger remaining) {}

    protected StandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::exchange);
        server.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void exchange(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String authorization = exchange.getRequestHeaders().getFirst("authorization");
        String bearer = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
        Request request = new Request(
                exchange.getRequestMethod().toUpperCase(Locale.ROOT),
                exchange.getRequestURI().getPath(),
                query,
                bearer,
                body,
                System.nanoTime());
        requests.add(request);
        for (Hold hold : holds) {
            if (hold.matches.test(request) && hold.remaining.getAndDecrement() > 0) {
                hold.waiting.incrementAndGet();
                try {
                    hold.release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    hold.waiting.decrementAndGet();
                }
            }
        }
        Answer answer;
        synchronized (answering) {
            try {
                answer = answer(request, authorization == null ? "" : authorization);
            } catch (RuntimeException e) {
                answer = Answer.json(500, Map.of("error", e.toString()));
            }
        }
        for (Lose lose : losses) {
            if (lose.matches().test(request) && lose.remaining().getAndDecrement() > 0) {
                // The request was carried out; its answer never reaches the caller.
                exchange.close(); // no headers sent: the server closes the connection
                return;
            }
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    /**
     * Holds the next {@code count} requests that match until the hold is released (or a minute passed),
     * before they are answered; other requests are answered meanwhile.
     */
    public Hold holdNext(int count, java.util.function.Predicate<Request> matches) {
        Hold hold = new Hold(matches, count);
        holds.add(hold);
        return hold;
    }

    /** Carries out the next {@code count} requests that match and then breaks the connection unanswered. */
    public void loseNextAnswers(int count, java.util.function.Predicate<Request> matches) {
        losses.add(new Lose(matches, new java.util.concurrent.atomic.AtomicInteger(count)));
    }

    /** The service's answer to {@code request}; {@code authorization} is the raw header. */
    protected abstract Answer answer(Request request, String authorization);

    public static Map<String, String> form(String raw) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return fields;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            fields.put(name, value);
        }
        return fields;
    }

    /** How many requests arrived so far; {@link #request(int)} reads one without copying the log. */
    public int count() {
        return requests.size();
    }

    public Request request(int index) {
        return requests.get(index);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String method, String pathEnd) {
        return requests.stream()
                .filter(r -> r.method().equals(method) && r.path().endsWith(pathEnd))
                .toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
