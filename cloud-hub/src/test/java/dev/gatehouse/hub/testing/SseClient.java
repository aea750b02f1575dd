package dev.gatehouse.hub.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Reads a server-sent event stream in the background and collects its events. */
public final class SseClient implements AutoCloseable {
    /** One event: its id, name and data (null when absent). */
    public record Event(String id, String name, String data) {}

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile int status;
    private volatile Stream<String> lines;

    private SseClient(HttpRequest request) {
        response = CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        response.thenAcceptAsync(r -> {
            status = r.statusCode();
            lines = r.body();
            String[] current = new String[3];
            try {
                r.body().forEach(line -> {
                    if (line.isEmpty()) {
                        if (current[2] != null) {
                            events.add(new Event(current[0], current[1], current[2]));
                        }
                        current[0] = null;
                        current[1] = null;
                        current[2] = null;
                    } else if (line.startsWith("id:")) {
                        current[0] = line.substring(3).strip();
                    } else if (line.startsWith("event:")) {
                        current[1] = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        String data = line.substring(5).strip();
                        current[2] = current[2] == null ? data : current[2] + "\n" + data;
                    }
                });
            } catch (RuntimeException e) {
                // the stream was closed
            }
        });
    }

    public static SseClient open(int port, String path, String token, Optional<String> lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream");
        lastEventId.ifPresent(id -> request.header("Last-Event-ID", id));
        return new SseClient(request.GET().build());
    }

    /** A stream a browser session reads: its cookie instead of a token. */
    public static SseClient openWithCookie(int port, String path, String cookie) {
        return new SseClient(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Cookie", cookie)
                .header("Accept", "text/event-stream")
                .GET()
                .build());
    }

    /** The HTTP status once the response head arrived, 0 before. */
    public int status() {
        return status;
    }

    /** The events named {@code access} (the stream also sends ready and keep-alive events). */
    public List<Event> events() {
        return events.stream().filter(e -> "access".equals(e.name())).toList();
    }

    public List<Event> all() {
        return events;
    }

    @Override
    public void close() {
        Stream<String> current = lines;
        if (current != null) {
            current.close();
        }
        response.cancel(true);
    }
}
