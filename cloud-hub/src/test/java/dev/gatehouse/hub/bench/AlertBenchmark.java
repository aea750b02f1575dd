package dev.gatehouse.hub.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.accounts.MailSettings;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.LiveSite;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Alert latency with real parts: a hub with its embedded broker, an edge agent on simulated hardware,
 * GreenMail as the SMTP server. Each round forces the simulated door open and times, from that moment:
 * the door event stored at the hub (the bare part: the edge's detection, MQTT and ingest), the alert
 * open in the store (what the Alerts page and {@code GET /api/v1/alerts} read; the page itself polls
 * every 2 s on top), and the alert mail received by the SMTP server. Then the door closes and the
 * round waits for the "Resolved" mail.
 *
 * <p>Run: {@code ./gatehouse bench alerts [--rounds 20]}. Not a test: nothing is asserted.
 */
public final class AlertBenchmark {
    private AlertBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--rounds", "20"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: ./gatehouse bench alerts [--rounds 20]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        int rounds = Integer.parseInt(options.get("--rounds"));
        HubBenchmark.quietLogs();
        System.out.printf(
                "Gatehouse alert benchmark — %s %s, %d cores%n%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try (LiveSite site = LiveSite.start(
                StoreKind.SQLITE,
                config -> config.withMail(new MailSettings(
                        MailSettings.Mode.SMTP,
                        config.dataDir().resolve("mail"),
                        "alerts@gatehouse.example",
                        Optional.of("127.0.0.1"),
                        smtp.getSmtp().getPort(),
                        Optional.empty(),
                        Optional.empty(),
                        false)))) {
            site.api().put("/api/v1/alert-settings", site.token(), "{\"emails\":[\"ops@bench.example\"]}");
            long[] stored = new long[rounds];
            long[] alerted = new long[rounds];
            long[] mailed = new long[rounds];
            for (int i = -2; i < rounds; i++) { // two warm-up rounds
                int mailsBefore = smtp.getReceivedMessages().length;
                long eventsBefore = count(site, "SELECT COUNT(*) FROM door_events WHERE kind = 'FORCED_OPEN'");
                long alertsBefore = count(site, "SELECT COUNT(*) FROM alerts WHERE kind = 'DOOR_FORCED_OPEN'");
                long start = System.nanoTime();
                site.edge.simulator().openDoor(site.door);
                long s = HubBenchmark.until(() ->
                        count(site, "SELECT COUNT(*) FROM door_events WHERE kind = 'FORCED_OPEN'") > eventsBefore);
                long a = HubBenchmark.until(() ->
                        count(site, "SELECT COUNT(*) FROM alerts WHERE kind = 'DOOR_FORCED_OPEN'") > alertsBefore);
                long m = HubBenchmark.until(() -> smtp.getReceivedMessages().length > mailsBefore);
                if (i >= 0) {
                    stored[i] = s - start;
                    alerted[i] = a - start;
                    mailed[i] = m - start;
                }
                site.edge.simulator().closeDoor(site.door);
                HubBenchmark.until(() -> smtp.getReceivedMessages().length > mailsBefore + 1); // the "Resolved" mail
            }
            HubBenchmark.Stats bare = HubBenchmark.Stats.of(stored, 0);
            HubBenchmark.Stats alert = HubBenchmark.Stats.of(alerted, 0);
            HubBenchmark.Stats mail = HubBenchmark.Stats.of(mailed, 0);
            System.out.println("== door forced open (simulated) → alert");
            System.out.printf("  %-44s %10s %10s %10s %7s%n", "", "p50", "p99", "max", "n");
            System.out.println(alert.line("→ alert open in the store (page, API)"));
            System.out.println(mail.line("→ alert mail at the SMTP server"));
            System.out.println(bare.line("  bare: → door event stored at the hub"));
            System.out.printf(
                    "  %-44s %9.1f× %9.1f×%n",
                    "  ratio alert / bare", alert.p50() / bare.p50(), alert.p99() / bare.p99());
            System.out.println("  the Alerts page polls every 2 s: add up to 2 s for the row on screen");
            System.out.printf(
                    "  target p99 ≤ 5000 ms to the console and to the mail server: %s%n",
                    alert.p99() / 1e6 + 2000 <= 5000 && mail.p99() / 1e6 <= 5000 ? "met" : "NOT met");
        } finally {
            smtp.stop();
        }
    }

    private static long count(LiveSite site, String sql) {
        return site.hub.hub().database().read(c -> Sql.one(c, sql, Sql.LONG).orElse(0L));
    }
}
