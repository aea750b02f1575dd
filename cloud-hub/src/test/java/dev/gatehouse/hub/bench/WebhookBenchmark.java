package dev.gatehouse.hub.bench;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.hub.webhooks.Receiver;
import dev.gatehouse.hub.webhooks.StandardWebhooks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Webhook delivery from the change to the receiver, with real parts: a hub (per store), a real HTTP
 * receiver on this machine, an endpoint taking {@code member.created}. Latency: one member at a time
 * is created through the API and timed from the call's start to the signed delivery's arrival at the
 * receiver (outbox row in the member's transaction, fan-out, claim, signing, POST). Rate: a burst of
 * members created from 8 client threads, timed from the first call to the last arrival. Beside each,
 * the bare limit measured in the same run: the same body POSTed straight to the same receiver by a
 * plain JDK HttpClient (one at a time for latency, from 8 threads for the rate), and the ratio.
 *
 * <p>Run: {@code ./gatehouse bench webhooks [--rounds 200] [--burst 500] [--stores sqlite,postgresql]}.
 * Not a test: nothing is asserted.
 */
public final class WebhookBenchmark {
    private static final int THREADS = 8;
    /** How long the last burst's calls themselves took (the API's member creates, or the bare POSTs). */
    private static long lastCallsNanos;

    private WebhookBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options =
                new LinkedHashMap<>(Map.of("--rounds", "200", "--burst", "500", "--stores", "sqlite"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println(
                        "usage: ./gatehouse bench webhooks [--rounds 200] [--burst 500] [--stores sqlite,postgresql]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        int rounds = Integer.parseInt(options.get("--rounds"));
        int burst = Integer.parseInt(options.get("--burst"));
        HubBenchmark.quietLogs();
        System.out.printf(
                "Gatehouse webhook benchmark — %s %s, %d cores%n%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        for (String name : options.get("--stores").split(",")) {
            StoreKind kind = StoreKind.valueOf(name.strip().toUpperCase(Locale.ROOT));
            try (TestHub hub = TestHub.start(kind);
                    Receiver receiver = new Receiver();
                    HttpClient client = HttpClient.newHttpClient()) {
                run(kind, hub, receiver, client, rounds, burst);
            }
        }
    }

    private static void run(StoreKind kind, TestHub hub, Receiver receiver, HttpClient client, int rounds, int burst)
            throws Exception {
        TestHub.Tenant tenant = hub.newTenant("bench");
        var created = hub.api()
                .post(
                        "/api/v1/webhook-endpoints",
                        tenant.token(),
                        "{\"url\":\"" + receiver.url("/bench") + "\",\"eventTypes\":[\"member.created\"]}");
        String secret = created.json().get("secret").asText();
        // Warm up both paths, and keep one real delivery as the bare side's message.
        for (int i = 0; i < 50; i++) {
            createMember(hub, tenant, "warm" + i);
        }
        until(() -> receiver.count() >= 50);
        Receiver.Received sample = receiver.received().getFirst();
        for (int i = 0; i < 50; i++) {
            bare(client, receiver, sample);
        }

        long[] hubLatency = new long[rounds];
        long[] bareLatency = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            receiver.clear();
            long start = System.nanoTime();
            createMember(hub, tenant, "lat" + i);
            until(() -> receiver.count() == 1);
            hubLatency[i] = receiver.received().getFirst().arrivedNanos() - start;
            receiver.clear();
            start = System.nanoTime();
            bare(client, receiver, sample);
            bareLatency[i] = receiver.received().getFirst().arrivedNanos() - start;
        }

        receiver.clear();
        long hubRate = burst(burst, i -> createMember(hub, tenant, "burst" + i), receiver);
        long creates = lastCallsNanos;
        receiver.clear();
        long bareRate = burst(burst, i -> bare(client, receiver, sample), receiver);

        HubBenchmark.Stats hub99 = HubBenchmark.Stats.of(hubLatency, 0);
        HubBenchmark.Stats bare99 = HubBenchmark.Stats.of(bareLatency, 0);
        System.out.printf("== %s: member created through the API → signed delivery at the receiver%n", kind.label());
        System.out.printf("  %-44s %10s %10s %10s %7s%n", "", "p50", "p99", "max", "n");
        System.out.println(hub99.line("change → receiver (one at a time)"));
        System.out.println(bare99.line("  bare: HTTP POST of the same body"));
        System.out.printf(
                "  %-44s %9.1f× %9.1f×%n",
                "  ratio webhook / bare", hub99.p50() / bare99.p50(), hub99.p99() / bare99.p99());
        double hubPerSecond = burst / (hubRate / 1e9);
        double barePerSecond = burst / (bareRate / 1e9);
        System.out.printf(
                "  rate, %d members from %d threads: %,.0f deliveries/s (bare %,.0f POSTs/s, ratio %.2f)%n",
                burst, THREADS, hubPerSecond, barePerSecond, hubPerSecond / barePerSecond);
        System.out.printf(
                "  (the API's member creates alone ran at %,.0f/s: the rate is bounded by the changes made)%n",
                burst / (creates / 1e9));
        System.out.printf(
                "  (the receiver checked the signature of the sample: %s)%n%n",
                StandardWebhooks.verify(secret, sample.headers(), sample.body(), java.time.Instant.now())
                                instanceof StandardWebhooks.Verified
                        ? "valid"
                        : "INVALID");
    }

    private interface Call {
        void run(int i) throws Exception;
    }

    /** Runs {@code calls} calls from {@link #THREADS} threads; answers nanoseconds from the first to the last arrival. */
    private static long burst(int calls, Call call, Receiver receiver) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            long start = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int n = i;
                sent.add(pool.submit(() -> {
                    call.run(n);
                    return null;
                }));
            }
            for (Future<?> future : sent) {
                future.get();
            }
            lastCallsNanos = System.nanoTime() - start;
            until(() -> receiver.count() >= calls);
            return receiver.received().getLast().arrivedNanos() - start;
        } finally {
            pool.shutdown();
        }
    }

    private static void createMember(TestHub hub, TestHub.Tenant tenant, String name) {
        var answer = hub.api()
                .post(
                        "/api/v1/members",
                        tenant.token(),
                        "{\"email\":\"" + name + "@bench.example\",\"fullName\":\"" + name + "\"}");
        if (answer.status() != 201) {
            throw new IllegalStateException("member not created: " + answer);
        }
    }

    /** The bare limit: the same body and headers POSTed straight to the receiver. */
    private static void bare(HttpClient client, Receiver receiver, Receiver.Received sample) throws Exception {
        HttpResponse<Void> answer = client.send(
                HttpRequest.newBuilder(URI.create(receiver.url("/bare")))
                        .timeout(Duration.ofSeconds(15))
                        .header("content-type", "application/json")
                        .header(StandardWebhooks.ID, sample.header(StandardWebhooks.ID))
                        .header(StandardWebhooks.TIMESTAMP, sample.header(StandardWebhooks.TIMESTAMP))
                        .header(StandardWebhooks.SIGNATURE, sample.header(StandardWebhooks.SIGNATURE))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(sample.body()))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("the receiver answered " + answer.statusCode());
        }
    }

    /** Polls every 0.2 ms until {@code condition} holds (at most 60 s). */
    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nothing came within 60 s");
            }
            Thread.sleep(0, 200_000);
        }
    }
}
