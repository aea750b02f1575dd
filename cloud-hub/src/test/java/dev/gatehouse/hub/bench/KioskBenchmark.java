package dev.gatehouse.hub.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.MailSettings;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.KioskClient;
import dev.gatehouse.hub.testing.LiveSite;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Kiosk to host with real parts: a hub with its embedded broker and SQLite, an edge agent on simulated
 * hardware serving the kiosk over HTTP, GreenMail as the SMTP server. Each round signs a walk-in in at
 * the kiosk (the form's submission) and times the welcome page (the sign-in committed to the edge's
 * outbox) and the host's mail received by the SMTP server (the event over MQTT, stored at the hub,
 * the notice claimed and mailed). The bare baseline, in the same run: the same mail sent straight
 * through the hub's mailer to the same SMTP server.
 *
 * <p>Run: {@code ./gatehouse bench kiosk [--rounds 20]}. Not a test: nothing is asserted.
 */
public final class KioskBenchmark {
    private KioskBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--rounds", "20"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: ./gatehouse bench kiosk [--rounds 20]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        int rounds = Integer.parseInt(options.get("--rounds"));
        if (rounds < 1) {
            System.err.println("--rounds must be 1 or more");
            System.exit(2);
        }
        HubBenchmark.quietLogs();
        System.out.printf(
                "Gatehouse kiosk benchmark — %s %s, %d cores%n%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        MailSettings[] mail = new MailSettings[1];
        try (LiveSite site = LiveSite.start(StoreKind.SQLITE, config -> {
                    mail[0] = new MailSettings(
                            MailSettings.Mode.SMTP,
                            config.dataDir().resolve("mail"),
                            "desk@gatehouse.example",
                            Optional.of("127.0.0.1"),
                            smtp.getSmtp().getPort(),
                            Optional.empty(),
                            Optional.empty(),
                            false);
                    return config.withMail(mail[0]);
                });
                KioskClient tablet = KioskClient.start(site.edge.agent, site.edge.config, site.door)) {
            String host = site.hub.create(
                    "/api/v1/members", site.token(), "{\"email\":\"host@bench.example\",\"fullName\":\"Bench Host\"}");
            site.awaitInSync();
            long[] welcomed = new long[rounds];
            long[] mailed = new long[rounds];
            for (int i = -2; i < rounds; i++) { // two warm-up rounds
                String token = tablet.token("walk-in");
                int before = smtp.getReceivedMessages().length;
                long start = System.nanoTime();
                HttpResponse<String> answer = tablet.signInWalkIn("Visitor " + (i + 3), host, token);
                long w = System.nanoTime();
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException("the kiosk answered " + answer.statusCode() + ": " + answer.body());
                }
                long m = HubBenchmark.until(() -> smtp.getReceivedMessages().length > before);
                if (i >= 0) {
                    welcomed[i] = w - start;
                    mailed[i] = m - start;
                }
            }
            Mailer mailer = mail[0].mailer();
            long[] bare = new long[rounds];
            for (int i = -2; i < rounds; i++) {
                Mail same = new Mail(
                        "host@bench.example",
                        "Visitor " + (i + 3) + " is here to see you at the bench site",
                        "Hello Bench Host,\n\nVisitor signed in at the bench site and is waiting for you at the front"
                                + " desk.\n");
                int before = smtp.getReceivedMessages().length;
                long start = System.nanoTime();
                mailer.send(same);
                long m = HubBenchmark.until(() -> smtp.getReceivedMessages().length > before);
                if (i >= 0) {
                    bare[i] = m - start;
                }
            }
            HubBenchmark.Stats welcome = HubBenchmark.Stats.of(welcomed, 0);
            HubBenchmark.Stats told = HubBenchmark.Stats.of(mailed, 0);
            HubBenchmark.Stats baseline = HubBenchmark.Stats.of(bare, 0);
            System.out.println("== walk-in signed in at the kiosk (online) → host told");
            System.out.printf("  %-44s %10s %10s %10s %7s%n", "", "p50", "p99", "max", "n");
            System.out.println(welcome.line("→ welcome on the kiosk (committed at the edge)"));
            System.out.println(told.line("→ host's mail at the SMTP server"));
            System.out.println(baseline.line("  bare: the same mail sent straight by SMTP"));
            System.out.printf(
                    "  %-44s %9.1f× %9.1f×%n",
                    "  ratio host's mail / bare", told.p50() / baseline.p50(), told.p99() / baseline.p99());
            System.out.printf(
                    "  target host told ≤ 5000 ms after sign-in (p99): %s%n",
                    told.p99() / 1e6 <= 5000 ? "met" : "NOT met");
        } finally {
            smtp.stop();
        }
    }
}
