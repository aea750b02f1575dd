package dev.gatehouse.hub.bench;

import dev.gatehouse.hub.billing.BillingRun;
import dev.gatehouse.hub.billing.InvoicePdf;
import dev.gatehouse.hub.billing.InvoiceStore;
import dev.gatehouse.hub.billing.SubscriptionStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ./gatehouse bench billing}: billing time travel (issue 16) — N monthly cycles of the billing
 * run for M members, each with a monthly subscription, on a clock moved a month at a time: the total
 * time of the cycles (target for 13 cycles of 1,000 members: under 10 s), documents per second, each
 * cycle's p50/p99, beside the bare cost measured in the same run: one JDBC transaction per member and
 * cycle doing the same writes with no checks (a charge, the series' number, an invoice, its line, the
 * charge's link). Then the last cycle's documents rendered as PDFs, timed apart (p50/p99 per PDF), beside
 * PDFBox writing a one-line page (the library's floor).
 */
public final class BillingBenchmark {
    private static final ZonedDateTime START = ZonedDateTime.of(2027, 1, 15, 11, 0, 0, 0, ZoneId.of("Europe/Berlin"));

    private BillingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options =
                new LinkedHashMap<>(Map.of("--stores", "sqlite,postgresql", "--members", "1000", "--cycles", "13"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: ./gatehouse bench billing [--stores sqlite,postgresql --members 1000"
                        + " --cycles 13]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        int members = Integer.parseInt(options.get("--members"));
        int cycles = Integer.parseInt(options.get("--cycles"));
        HubBenchmark.quietLogs();
        System.out.printf(
                "Gatehouse billing benchmark — %s %s, %d cores; %d members, %d monthly cycles%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                members,
                cycles);
        for (String name : options.get("--stores").split(",")) {
            StoreKind kind = name.strip().equalsIgnoreCase("sqlite") ? StoreKind.SQLITE : StoreKind.POSTGRESQL;
            MovableClock clock = MovableClock.standingStill();
            clock.moveTo(START.toInstant());
            try (TestHub hub = TestHub.start(kind, clock, Optional.empty())) {
                run(hub, clock, kind, members, cycles);
            }
        }
    }

    private static void run(TestHub hub, MovableClock clock, StoreKind kind, int members, int cycles)
            throws java.io.IOException {
        TestHub.Tenant tenant = hub.newTenant("bench");
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin\",\"address\":\"Torstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        String pkg = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":24900,\"interval\":\"month\"}");
        Api api = hub.api();
        for (int i = 0; i < members; i++) {
            String member = hub.create(
                    "/api/v1/members",
                    tenant.token(),
                    "{\"email\":\"m" + i + "@example.com\",\"fullName\":\"Member " + i + "\"}");
            Api.Response sold = api.post(
                    "/api/v1/subscriptions",
                    tenant.token(),
                    "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site + "\"}");
            if (sold.status() != 201) {
                throw new IllegalStateException("setup: " + sold);
            }
        }
        Database database = hub.hub().database();
        BillingRun billing = new BillingRun(
                database, new SubscriptionStore(database, clock), dev.gatehouse.hub.credits.PackageAllowances::settle);
        // The sales' first periods, issued before the clock moves: not timed.
        int documents = billing.run(Optional.of(tenant.id())).issued().size();
        long[] cycleNanos = new long[cycles];
        int issued = 0;
        java.util.List<dev.gatehouse.hub.billing.Invoice> last = java.util.List.of();
        long total = System.nanoTime();
        for (int month = 1; month <= cycles; month++) {
            clock.moveTo(START.plusMonths(month).toInstant());
            long t0 = System.nanoTime();
            BillingRun.Result result = billing.run(Optional.of(tenant.id()));
            cycleNanos[month - 1] = System.nanoTime() - t0;
            if (result.charged() != members || result.issued().size() != members) {
                throw new IllegalStateException("cycle " + month + " charged " + result.charged() + " and issued "
                        + result.issued().size() + " for " + members + " members");
            }
            issued += result.issued().size();
            last = result.issued();
        }
        total = System.nanoTime() - total;
        long[] bare = bare(database, tenant.id(), members, cycles);
        HubBenchmark.Stats run = HubBenchmark.Stats.of(cycleNanos, 0);
        HubBenchmark.Stats raw = HubBenchmark.Stats.of(bare, 0);
        System.out.printf(
                "%n%s: %d cycles × %d members (%d documents before the first cycle)%n",
                kind, cycles, members, documents);
        System.out.printf("  %-44s %10s %10s %10s %7s%n", "", "p50", "p99", "max", "n");
        System.out.println(run.line("one cycle: billing run (charge + issue)"));
        System.out.println(raw.line("  bare: the same writes, one tx per member"));
        System.out.printf("  %-44s %9.1f× %9.1f×%n", "  ratio", run.p50() / raw.p50(), run.p99() / raw.p99());
        pdfs(database, tenant.id(), last);
        System.out.printf(
                "  total %d cycles: %.2f s, %d documents, %.0f documents/s; target < 10 s for 13 × 1,000: %s%n",
                cycles,
                total / 1e9,
                issued,
                issued / (total / 1e9),
                cycles == 13 && members == 1000 ? (total / 1e9 < 10 ? "met" : "NOT met") : "n/a at this size");
    }

    /** The documents rendered as PDFs, each timed, beside PDFBox's one-line page. */
    private static void pdfs(
            Database database, String tenantId, java.util.List<dev.gatehouse.hub.billing.Invoice> documents)
            throws java.io.IOException {
        InvoiceStore store = new InvoiceStore(database, java.time.Clock.systemUTC());
        long[] render = new long[documents.size()];
        long[] floor = new long[documents.size()];
        long bytes = 0;
        for (int i = 0; i < documents.size(); i++) {
            dev.gatehouse.hub.billing.Invoice document = documents.get(i);
            long t0 = System.nanoTime();
            bytes += InvoicePdf.render(document, store.parties(tenantId, document.memberId())).length;
            render[i] = System.nanoTime() - t0;
            long t1 = System.nanoTime();
            try (org.apache.pdfbox.pdmodel.PDDocument pdf = new org.apache.pdfbox.pdmodel.PDDocument()) {
                org.apache.pdfbox.pdmodel.PDPage page = new org.apache.pdfbox.pdmodel.PDPage();
                pdf.addPage(page);
                try (var stream = new org.apache.pdfbox.pdmodel.PDPageContentStream(pdf, page)) {
                    stream.beginText();
                    stream.setFont(
                            new org.apache.pdfbox.pdmodel.font.PDType1Font(
                                    org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA),
                            10);
                    stream.newLineAtOffset(56, 700);
                    stream.showText(document.documentNumber());
                    stream.endText();
                }
                pdf.save(new java.io.ByteArrayOutputStream());
            }
            floor[i] = System.nanoTime() - t1;
        }
        HubBenchmark.Stats pdf = HubBenchmark.Stats.of(render, 0);
        HubBenchmark.Stats bare = HubBenchmark.Stats.of(floor, 0);
        System.out.println(pdf.line("a document as PDF (parties read, rendered)"));
        System.out.println(bare.line("  bare: PDFBox, one line on one page"));
        System.out.printf("  %-44s %9.1f× %9.1f×%n", "  ratio", pdf.p50() / bare.p50(), pdf.p99() / bare.p99());
        System.out.printf("  %d PDFs, %d KB in all%n", documents.size(), bytes / 1024);
    }

    /** Each cycle's time for the bare writes: per member one transaction, no reads, no checks. */
    private static long[] bare(Database database, String tenantId, int members, int cycles) {
        java.util.List<String> ids = database.read(
                c -> Sql.list(c, "SELECT id FROM members WHERE tenant_id = ? ORDER BY id", Sql.STRING, tenantId));
        String sub = database.read(
                c -> Sql.one(c, "SELECT id FROM subscriptions WHERE tenant_id = ? LIMIT 1", Sql.STRING, tenantId)
                        .orElseThrow());
        long[] nanos = new long[cycles];
        for (int cycle = 0; cycle < cycles; cycle++) {
            long t0 = System.nanoTime();
            for (String member : ids) {
                String key = "bare:" + cycle + ":" + member;
                database.write(c -> {
                    Sql.update(
                            c,
                            "INSERT INTO billing_charges (id, tenant_id, member_id, subscription_id, kind, description,"
                                    + " amount, currency, period_start, period_end, charge_key, created_at, ordinal)"
                                    + " VALUES (?, ?, ?, ?, 'PERIOD', 'Monthly', 24900, 'EUR', '2027-01-15',"
                                    + " '2027-02-15', ?, 0, ?)",
                            key,
                            tenantId,
                            member,
                            sub,
                            key,
                            1_000_000L + key.hashCode());
                    Sql.update(
                            c,
                            "UPDATE invoice_series SET last_number = last_number + 1 WHERE tenant_id = ? AND series = 'INV'",
                            tenantId);
                    Sql.update(
                            c,
                            "INSERT INTO invoices (id, tenant_id, member_id, kind, series, number, currency, subtotal,"
                                    + " tax_name, tax_rate_bp, tax, total, issued_at) VALUES (?, ?, ?, 'INVOICE', 'BARE',"
                                    + " ?, 'EUR', 24900, 'VAT', 0, 0, 24900, 0)",
                            key,
                            tenantId,
                            member,
                            (long) key.hashCode());
                    Sql.update(
                            c,
                            "INSERT INTO invoice_lines (invoice_id, line_no, charge_id, description, amount)"
                                    + " VALUES (?, 1, ?, 'Monthly', 24900)",
                            key,
                            key);
                    Sql.update(c, "UPDATE billing_charges SET invoice_id = ? WHERE id = ?", key, key);
                    return null;
                });
            }
            nanos[cycle] = System.nanoTime() - t0;
        }
        return nanos;
    }
}
