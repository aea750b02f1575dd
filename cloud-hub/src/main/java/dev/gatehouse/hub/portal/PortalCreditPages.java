package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.console.BookingTimes;
import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.credits.CreditLedger;
import dev.gatehouse.hub.credits.CreditService;
import dev.gatehouse.hub.credits.CreditStore;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.WireNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The member's credits: a month's balance (the allowance counted in before the ledger writes it), its
 * allowance, overage, and the ledger's entries newest first, a page at a time, each with the booking
 * it belongs to. Only the session's member's own ledger is read, within the session's tenant.
 *
 * <pre>
 * GET /portal/credits?period=YYYY-MM&amp;before=SEQ   a month (default: this one), entries older than SEQ
 * </pre>
 */
public record PortalCreditPages(Clock clock, MemberSessions sessions, SiteStore sites, CreditStore credits)
        implements HttpService {
    /** Entries on one page. */
    static final int PAGE = 20;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/credits", this::month);
    }

    /** One ledger entry as the page shows it: when, what, the credits (signed) and any overage. */
    public record Row(
            String kind,
            Instant at,
            String date,
            String what,
            Optional<String> detail,
            String credits,
            String overage) {
        public String iso() {
            return Formats.iso(at);
        }
    }

    /** The page: the month, its figures, its rows and where the previous and next pages are. */
    public record Month(
            String label,
            YearMonth period,
            boolean current,
            CreditStore.MemberMonth month,
            List<Row> rows,
            String overage,
            Optional<String> older) {
        public Month {
            rows = List.copyOf(rows);
        }

        public String previous() {
            return period.minusMonths(1).toString();
        }

        public String next() {
            return period.plusMonths(1).toString();
        }

        public boolean hasOverage() {
            return month.overage().credits() != 0;
        }
    }

    private void month(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        ZoneId zone = Portal.zone(sites, member);
        YearMonth now = YearMonth.from(clock.instant().atZone(zone));
        YearMonth period = req.query()
                .first("period")
                .asOptional()
                .flatMap(CreditService::period)
                .orElse(now);
        Optional<Long> before = req.query().first("before").asOptional().flatMap(PortalCreditPages::seq);
        CreditStore.MemberMonth month = credits.month(member.tenantId(), member.memberId(), period, zone, PAGE, before);
        Messages t = Portal.WORDS;
        List<Row> rows = month.lines().stream().map(line -> row(line, zone, t)).toList();
        Month view = new Month(
                DateTimeFormatter.ofPattern("MMMM uuuu", t.locale()).format(period),
                period,
                period.equals(now),
                month,
                rows,
                t.get(
                        "portal.credits.overage.total",
                        month.overage().credits(),
                        BookingTimes.money(month.overage().amount())),
                month.nextBefore().map(seq -> "/portal/credits?period=" + period + "&before=" + seq));
        Templates.render(
                res, "portal-credits.jte", Map.of("page", Portal.page(member, "portal.credits.title"), "view", view));
    }

    private static Row row(CreditStore.Line line, ZoneId zone, Messages t) {
        CreditStore.EntryView entry = line.entry();
        Instant at = Instant.parse(entry.createdAt());
        CreditLedger.Kind kind = WireNames.of(CreditLedger.Kind.class, entry.kind());
        Optional<String> booking = line.booking()
                .map(b -> t.get(
                        "portal.credits.booking",
                        b.resourceName(),
                        BookingTimes.when(b.start(), b.end(), b.zone(), t.locale())));
        Optional<String> title =
                line.booking().map(CreditStore.BookedFor::title).filter(text -> !text.isBlank());
        String what =
                switch (kind) {
                    // A package's grant is an allowance; its expiry reads as an adjustment with its reason.
                    case ALLOWANCE, GRANT -> t.get("portal.credits.kind.allowance");
                    case DEBIT -> booking.orElse(t.get("portal.credits.kind.debit"));
                    case REFUND ->
                        t.get(
                                refundedInTime(entry) ? "portal.credits.kind.refund" : "portal.credits.kind.late",
                                booking.orElse(t.get("portal.credits.kind.debit")));
                    case ADJUSTMENT, EXPIRY -> t.get("portal.credits.kind.adjustment");
                };
        Optional<String> detail =
                switch (kind) {
                    case ALLOWANCE, REFUND -> Optional.empty();
                    case DEBIT -> title;
                    case ADJUSTMENT, GRANT, EXPIRY -> Optional.of(entry.reason());
                };
        String overage = entry.overage().credits() == 0
                ? ""
                : t.get(
                        entry.overage().credits() > 0 ? "portal.credits.overage.due" : "portal.credits.overage.back",
                        Math.abs(entry.overage().credits()),
                        BookingTimes.money(Math.abs(entry.overage().amount())));
        return new Row(
                entry.kind(),
                at,
                Formats.dateTime(at, zone, t.locale()),
                what,
                detail,
                signed(entry.credits()),
                overage);
    }

    /** A refund in time gives credits or overage back; a late one is an entry of nothing. */
    private static boolean refundedInTime(CreditStore.EntryView entry) {
        return entry.credits() != 0 || entry.overage().credits() != 0;
    }

    static String signed(long credits) {
        return credits > 0 ? "+" + credits : credits < 0 ? "−" + Math.abs(credits) : "0";
    }

    private static Optional<Long> seq(String text) {
        try {
            return Optional.of(Long.parseLong(text)).filter(seq -> seq > 0);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
