package dev.gatehouse.hub.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * haproxy from Debian in front of hub replicas for tests: HTTP on a free port, round robin over the
 * replicas (so consecutive requests of one browser session land on different replicas), a replica
 * that refuses connections or fails {@code /health} taken out within about a second (a slow answer is
 * not a failure: this machine is shared), a request that finds a
 * dead replica sent to another one. It appends the client's address to {@code X-Forwarded-For}
 * ({@code option forwardfor}), which the replicas read ({@code hub.trusted-proxies: [127.0.0.1]}). Long timeouts for the live feeds' server-sent events.
 */
public final class Haproxy implements AutoCloseable {
    private static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/bin/haproxy"));
    private final int port;
    private final Process process;

    private Haproxy(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    public static Optional<Path> binary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst();
    }

    public static Haproxy start(Path dir, List<Integer> backends) throws IOException, InterruptedException {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("haproxy is not installed"));
        Files.createDirectories(dir);
        int port = HubReplica.freePort();
        String servers = backends.stream()
                .map(p -> "    server hub" + p + " 127.0.0.1:" + p + " check inter 500ms fall 2 rise 1")
                .collect(Collectors.joining("\n"));
        Path config = Files.writeString(dir.resolve("haproxy.cfg"), """
                global
                    maxconn 256
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 1h
                    timeout server 1h
                    timeout check 10s
                    retries 3
                    option redispatch
                    option forwardfor
                frontend hub
                    bind 127.0.0.1:%d
                    default_backend replicas
                backend replicas
                    balance roundrobin
                    option httpchk
                    http-check send meth GET uri /health ver HTTP/1.1 hdr Host localhost
                %s
                """.formatted(port, servers));
        Process process = new ProcessBuilder(binary.toString(), "-f", config.toString(), "-db")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile())
                .start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return new Haproxy(port, process);
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException("haproxy did not start: " + Files.readString(dir.resolve("haproxy.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
