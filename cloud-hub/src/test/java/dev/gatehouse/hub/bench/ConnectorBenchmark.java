package dev.gatehouse.hub.bench;

import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.connectors.StandIn;
import dev.gatehouse.hub.connectors.hubspot.HubSpotStandIn;
import dev.gatehouse.hub.connectors.quickbooks.QuickBooksStandIn;
import dev.gatehouse.hub.connectors.slack.SlackStandIn;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Connector latency with real parts: a hub (per store) whose QuickBooks, HubSpot and Slack connectors
 * point at the tests' stand-ins of those services (real HTTP servers on this machine, speaking the
 * services' API shapes). For each connector, one member at a time is created through the API and timed
 * from the call's start to the arrival of the connector's write at the stand-in: QuickBooks' customer
 * create (after its query by display name), HubSpot's contact batch upsert, Slack's chat.postMessage.
 * That is the outbox row in the member's transaction, the drain into a job, the claim, the token, the
 * calls. Beside it, measured in the same run, the bare limit: the same body POSTed to the same URL of the
 * same stand-in with the same token by a plain JDK HttpClient, and the ratio. The issue's target is
 * p99 ≤ 60 s.
 *
 * <p>Run: {@code ./gatehouse bench connectors [--rounds 200] [--stores sqlite,postgresql]}. Not a test:
 * nothing is asserted.
 */
public final class ConnectorBenchmark {
    private ConnectorBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--rounds", "200", "--stores", "sqlite"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: ./gatehouse bench connectors [--rounds 200] [--stores sqlite,postgresql]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        int rounds = Integer.parseInt(options.get("--rounds"));
        HubBenchmark.quietLogs();
        System.out.printf(
                "Gatehouse connector benchmark — %s %s, %d cores%n%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        for (String name : options.get("--stores").split(",")) {
            StoreKind kind = StoreKind.valueOf(name.strip().toUpperCase(Locale.ROOT));
            try (QuickBooksStandIn qbo = new QuickBooksStandIn();
                    HubSpotStandIn hubspot = new HubSpotStandIn();
                    SlackStandIn slack = new SlackStandIn();
                    TestHub hub = TestHub.start(
                            kind,
                            Clock.systemUTC(),
                            Optional.empty(),
                            MqttSettings.disabled(),
                            config -> config.withConnectors(ConnectorSettings.defaults()
                                    .withBase(ConnectorSettings.QUICKBOOKS, qbo.base())
                                    .withBase(ConnectorSettings.HUBSPOT, hubspot.base())
                                    .withBase(ConnectorSettings.SLACK, slack.base())));
                    HttpClient client = HttpClient.newHttpClient()) {
                System.out.printf(
                        "== %s: member created through the API → the connector's write at the stand-in%n",
                        kind.label());
                System.out.printf("  %-44s %10s %10s %10s %7s%n", "", "p50", "p99", "max", "n");
                TestHub.Tenant books = hub.newTenant("bench-qbo");
                connectQuickBooks(hub, books, qbo);
                measure("QuickBooks customer", hub, books, qbo, client, rounds, r -> r.path()
                        .endsWith("/customer"));
                TestHub.Tenant crm = hub.newTenant("bench-crm");
                enable(hub, crm, "hubspot", "{\"privateAppToken\":\"" + HubSpotStandIn.PRIVATE_APP_TOKEN + "\"}");
                measure("HubSpot contact", hub, crm, hubspot, client, rounds, r -> r.path()
                        .endsWith("/batch/upsert"));
                TestHub.Tenant chat = hub.newTenant("bench-slack");
                slack.channel("C0BENCH", "bench", true, false);
                enable(hub, chat, "slack", "{\"channel\":\"C0BENCH\",\"botToken\":\"" + SlackStandIn.TOKEN + "\"}");
                measure("Slack message", hub, chat, slack, client, rounds, r -> r.path()
                        .endsWith("/chat.postMessage"));
                System.out.println();
            }
        }
    }

    private static void connectQuickBooks(TestHub hub, TestHub.Tenant tenant, QuickBooksStandIn qbo) {
        check(hub.api()
                .put(
                        "/api/v1/connectors/quickbooks",
                        tenant.token(),
                        "{\"clientId\":\"" + QuickBooksStandIn.CLIENT_ID + "\",\"clientSecret\":\""
                                + QuickBooksStandIn.CLIENT_SECRET + "\",\"itemId\":\"1\",\"taxCodeId\":\"TAX\"}"));
        Api.Response started = check(hub.api().post("/api/v1/connectors/quickbooks/connect", tenant.token(), ""));
        URI url = URI.create(started.json().get("authorizationUrl").asText());
        String state = StandIn.form(url.getRawQuery()).get("state");
        check(hub.api()
                .send(
                        "GET",
                        "/connectors/oauth/callback?code=" + qbo.issueCode() + "&state=" + state + "&realmId="
                                + QuickBooksStandIn.REALM,
                        null,
                        Optional.empty(),
                        Optional.empty()));
        check(hub.api().post("/api/v1/connectors/quickbooks/enable", tenant.token(), ""));
    }

    private static void enable(TestHub hub, TestHub.Tenant tenant, String connector, String json) {
        check(hub.api().put("/api/v1/connectors/" + connector, tenant.token(), json));
        check(hub.api().post("/api/v1/connectors/" + connector + "/enable", tenant.token(), ""));
    }

    private static Api.Response check(Api.Response response) {
        if (response.status() >= 300) {
            throw new IllegalStateException("the hub answered " + response);
        }
        return response;
    }

    private static void measure(
            String what,
            TestHub hub,
            TestHub.Tenant tenant,
            StandIn standIn,
            HttpClient client,
            int rounds,
            Predicate<StandIn.Request> write)
            throws Exception {
        int warm = Math.min(20, rounds);
        StandIn.Request sample = null;
        for (int i = 0; i < warm; i++) {
            String name = "warm" + i;
            sample = arrival(standIn, write, name + "@" + tenant.slug(), () -> member(hub, tenant, name));
        }
        long[] hubLatency = new long[rounds];
        long[] bareLatency = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            String email = "lat" + i + "@" + tenant.slug();
            int n = i;
            long start = System.nanoTime();
            hubLatency[i] = arrival(standIn, write, email, () -> member(hub, tenant, "lat" + n))
                            .arrivedNanos()
                    - start;
            StandIn.Request same = sample;
            start = System.nanoTime();
            bareLatency[i] = bare(client, standIn, same) - start;
        }
        HubBenchmark.Stats connector = HubBenchmark.Stats.of(hubLatency, 0);
        HubBenchmark.Stats bare = HubBenchmark.Stats.of(bareLatency, 0);
        System.out.println(connector.line(what + ": change → stand-in"));
        System.out.println(bare.line("  bare: HTTP POST of the same body"));
        System.out.printf(
                "  %-44s %9.1f× %9.1f×%n",
                "  ratio connector / bare", connector.p50() / bare.p50(), connector.p99() / bare.p99());
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void member(TestHub hub, TestHub.Tenant tenant, String prefix) {
        // A unique e-mail per call: the stand-in's request is found by it.
        String name = prefix;
        Api.Response answer = hub.api()
                .post(
                        "/api/v1/members",
                        tenant.token(),
                        "{\"email\":\"" + name + "@" + tenant.slug() + ".example\",\"fullName\":\"Member " + name + " "
                                + tenant.slug() + "\"}");
        if (answer.status() != 201) {
            throw new IllegalStateException("member not created: " + answer);
        }
    }

    /** Runs {@code action} and waits (polling every 0.2 ms, at most 90 s) for the write mentioning {@code email}. */
    private static StandIn.Request arrival(
            StandIn standIn, Predicate<StandIn.Request> write, String email, Action action) throws Exception {
        int from = standIn.count();
        action.run();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        int seen = from;
        while (System.nanoTime() < deadline) {
            int count = standIn.count();
            for (; seen < count; seen++) {
                StandIn.Request request = standIn.request(seen);
                if (write.test(request) && request.body().contains(email)) {
                    return request;
                }
            }
            Thread.sleep(0, 200_000);
        }
        throw new IllegalStateException("no write for " + email + " within 90 s");
    }

    /** The bare limit: the same body to the same URL with the same token; answers the arrival time. */
    private static long bare(HttpClient client, StandIn standIn, StandIn.Request sample) throws Exception {
        int from = standIn.count();
        HttpResponse<Void> answer = client.send(
                HttpRequest.newBuilder(URI.create(
                                standIn.base() + sample.path() + (sample.query().isEmpty() ? "" : "?minorversion=75")))
                        .timeout(Duration.ofSeconds(15))
                        .header("content-type", "application/json")
                        .header("authorization", "Bearer " + sample.bearer())
                        .POST(HttpRequest.BodyPublishers.ofString(sample.body()))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() >= 500) {
            throw new IllegalStateException("the stand-in answered " + answer.statusCode());
        }
        for (int i = from; i < standIn.count(); i++) {
            StandIn.Request request = standIn.request(i);
            if (request.body().equals(sample.body()) && request.bearer().equals(sample.bearer())) {
                return request.arrivedNanos();
            }
        }
        throw new IllegalStateException("the bare POST did not arrive");
    }
}
