package dev.gatehouse.hub.bench;

import dev.gatehouse.protocol.sign.KeySet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One process of the fleet benchmark's simulated edges ({@link FleetEdge}): it reads its edges from a
 * file (one line each: tenant slug, site, device, MQTT password, the tenant's public keys as a JWK
 * set), and takes commands on its standard input, one a line, answering each on its standard output
 * (the {@link FleetBenchmark} that started it reads them). Between answers it prints {@code seen}
 * lines: an edge applied a batch carrying a watched member, with {@code System.nanoTime()} (one
 * monotonic clock for every process of the machine). Besides the commands it does what an agent does
 * on its own: a {@code sync.request} heartbeat every 30 s per edge (spread over the 30 s), and events
 * sent again after the ack timeout.
 *
 * <p>Commands: {@code watch M…}, {@code connect}, {@code load PER_SECOND}, {@code drain SECONDS},
 * {@code counts}, {@code outage}, {@code queue N EVERY}, {@code reconnect SECONDS}, {@code bare N},
 * {@code quit}.
 */
public final class FleetEdges {
    private static final int HEARTBEAT_SECONDS = 30;
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    private final List<FleetEdge> edges = new ArrayList<>();
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
    private final AtomicLong problems = new AtomicLong();
    private volatile double rate;
    private final int window;

    private FleetEdges(int window) {
        this.window = window;
    }

    public static void main(String[] args) throws Exception {
        Path spec = Path.of(args[0]);
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        int window = Integer.parseInt(args[3]);
        FleetEdges process = new FleetEdges(window);
        process.load(spec, host, port);
        process.startTimers();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.strip().split(" ");
            try {
                if (!process.command(words)) {
                    break;
                }
            } catch (Exception e) {
                say("error " + words[0] + ": " + e);
            }
        }
        System.exit(0);
    }

    private static synchronized void say(String line) {
        OUT.println(line);
    }

    private void load(Path spec, String host, int port) throws IOException {
        Map<String, KeySet> keysByTenant = new HashMap<>();
        FleetEdge.Listener listener = new FleetEdge.Listener() {
            @Override
            public void seen(FleetEdge edge, String member, String status, long nanos) {
                say("seen " + member + " " + status + " " + edge.site + " " + nanos);
            }

            @Override
            public void problem(FleetEdge edge, String what) {
                if (problems.incrementAndGet() <= 20) {
                    say("problem " + edge.device + " " + what.replace('\n', ' '));
                }
            }
        };
        for (String line : Files.readAllLines(spec)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            KeySet keys = keysByTenant.computeIfAbsent(f[0], t -> KeySet.parse(f[4]));
            edges.add(new FleetEdge(host, port, f[0], f[1], f[2], f[3], keys, watched, window, listener));
        }
    }

    private void startTimers() {
        AtomicLong tick = new AtomicLong();
        timers.scheduleAtFixedRate(
                () -> {
                    long now = System.nanoTime();
                    long t = tick.getAndIncrement();
                    for (int i = 0; i < edges.size(); i++) {
                        FleetEdge edge = edges.get(i);
                        if (i % HEARTBEAT_SECONDS == t % HEARTBEAT_SECONDS) {
                            edge.requestSync();
                        }
                        edge.resendOverdue(now);
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        double[] owed = new double[1];
        timers.scheduleAtFixedRate(
                () -> {
                    owed[0] += rate / 50;
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (owed[0] >= 1) {
                        owed[0] -= 1;
                        edges.get(random.nextInt(edges.size())).emit(1);
                    }
                },
                20,
                20,
                TimeUnit.MILLISECONDS);
    }

    private boolean command(String[] words) throws Exception {
        switch (words[0]) {
            case "watch" -> {
                watched.addAll(Arrays.asList(words).subList(1, words.length));
                say("watching " + watched.size());
            }
            case "connect" -> {
                // At most 64 connections being made at once, as a fleet coming up over minutes would.
                Semaphore opening = new Semaphore(64);
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (FleetEdge edge : edges) {
                    opening.acquire();
                    all.add(edge.connect().whenComplete((ok, failure) -> opening.release()));
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
                say("connected " + edges.size() + " " + System.nanoTime());
                awaitSynced(600);
                say("synced " + System.nanoTime());
            }
            case "load" -> {
                rate = Double.parseDouble(words[1]);
                say("loading " + rate);
            }
            case "drain" -> say(awaitDrained(Integer.parseInt(words[1])));
            case "counts" -> say(counts());
            case "outage" -> {
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (FleetEdge edge : edges) {
                    all.add(edge.disconnect());
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
                say("down " + System.nanoTime());
            }
            case "queue" -> {
                int copies = 0;
                for (FleetEdge edge : edges) {
                    copies += edge.queue(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                }
                say("queued " + copies);
            }
            case "reconnect" -> {
                // Every edge at once: the region's network is back.
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (FleetEdge edge : edges) {
                    all.add(edge.connect());
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
                say("reconnected " + System.nanoTime() + " " + FleetEdge.retries.get());
                say(awaitDrained(Integer.parseInt(words[1])));
            }
            case "bare" -> say(bare(Integer.parseInt(words[1])));
            case "quit" -> {
                rate = 0;
                timers.shutdownNow();
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (FleetEdge edge : edges) {
                    all.add(edge.disconnect().exceptionally(failure -> null));
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                say("bye");
                return false;
            }
            default -> say("error unknown command " + words[0]);
        }
        return true;
    }

    private void awaitSynced(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (edges.stream().anyMatch(edge -> !edge.synced())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        edges.stream().filter(edge -> !edge.synced()).count() + " edges never synced");
            }
            Thread.sleep(20);
        }
    }

    private String awaitDrained(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (edges.stream().anyMatch(edge -> !edge.drained())) {
            if (System.nanoTime() > deadline) {
                return "error not drained: "
                        + edges.stream().mapToInt(FleetEdge::pending).sum() + " events unacknowledged";
            }
            Thread.sleep(10);
        }
        return "drained " + System.nanoTime();
    }

    private String counts() {
        long[] sums = new long[9];
        for (FleetEdge edge : edges) {
            synchronized (edge) {
                long[] mine = {
                    edge.emitted,
                    edge.published,
                    edge.resent,
                    edge.acked,
                    edge.unknownAcks,
                    edge.batches,
                    edge.gaps,
                    edge.rejected,
                    edge.duplicates
                };
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += mine[i];
                }
            }
        }
        StringBuilder line = new StringBuilder("counts");
        for (long sum : sums) {
            line.append(' ').append(sum);
        }
        return line.append(' ').append(problems.get()).toString();
    }

    /**
     * The broker alone: every edge publishes {@code n} messages of an event's size on its own
     * {@code bench} topic, QoS 1, at most the window unacknowledged (by the broker's PUBACK).
     */
    private String bare(int n) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(edges.size() * n);
        AtomicInteger failed = new AtomicInteger();
        for (FleetEdge edge : edges) {
            byte[] sample = edge.sampleEvent();
            AtomicInteger left = new AtomicInteger(n);
            for (int lane = 0; lane < Math.min(window, n); lane++) {
                sendBare(edge, sample, left, done, failed);
            }
        }
        if (!done.await(30, TimeUnit.MINUTES)) {
            return "error bare: " + done.getCount() + " not acknowledged by the broker";
        }
        return "bare-done " + System.nanoTime() + " " + failed.get();
    }

    private static void sendBare(
            FleetEdge edge, byte[] sample, AtomicInteger left, CountDownLatch done, AtomicInteger failed) {
        if (left.getAndDecrement() <= 0) {
            return;
        }
        edge.publishBare(sample).whenComplete((result, failure) -> {
            if (failure != null || result.getError().isPresent()) {
                failed.incrementAndGet(); // lost, or refused by the broker (a PUBACK with an error reason)
            }
            done.countDown();
            sendBare(edge, sample, left, done, failed);
        });
    }
}
