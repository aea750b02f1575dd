package dev.gatehouse.hub.analytics;

import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.tenants.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mails each site's weekly report (the PDF and text of {@link WeeklyReport}) to the site's managers
 * (active accounts with the site-manager role covering the site) once the week is over: from Monday
 * {@link #DUE} in the site's zone, the week from the Monday before to the Sunday (none for a week that
 * ended before the site was made).
 *
 * <p>Exactly once per site and week across restarts and hub processes: a sweep first inserts the
 * (site, week) row of {@code weekly_report_runs} in its own transaction; only the sweep whose insert
 * made the row sends, every other finds the row and leaves it. A hub stopped between that claim and
 * the send leaves the week claimed and unsent (its row without sent_at) rather than risk mailing it
 * twice; the report can still be mailed through the API. A hub down for a whole week does not send
 * the week it missed: each sweep looks at the last full week only.
 */
public final class WeeklyReportMails implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WeeklyReportMails.class.getName());
    static final Duration INTERVAL = Duration.ofMinutes(5);
    /** When, on the Monday after the week, its report is due in the site's zone. */
    static final LocalTime DUE = LocalTime.of(7, 0);

    private final Analytics analytics;
    private final Database database;
    private final Mailer mailer;
    private final Clock clock;
    private final ScheduledExecutorService executor;

    public WeeklyReportMails(Analytics analytics, Database database, Mailer mailer, Clock clock) {
        this.analytics = analytics;
        this.database = database;
        this.mailer = mailer;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().daemon().name("hub-weekly-reports").unstarted(task));
    }

    public WeeklyReportMails start() {
        executor.scheduleWithFixedDelay(this::sweep, 30, INTERVAL.toSeconds(), TimeUnit.SECONDS);
        return this;
    }

    private record Site(String tenantId, String id, ZoneId zone, Instant created) {}

    /** The Monday of the last full week at {@code now} in {@code zone}, once its report is due. */
    static Optional<LocalDate> dueWeek(Instant now, ZoneId zone) {
        LocalDate today = now.atZone(zone).toLocalDate();
        LocalDate monday = today.minusDays(today.getDayOfWeek().getValue() - 1L);
        Instant due = monday.atTime(DUE).atZone(zone).toInstant();
        return now.isBefore(due) ? Optional.empty() : Optional.of(monday.minusWeeks(1));
    }

    /** Mails every report due now that no sweep has claimed yet; answers how many reports went out. */
    public int pass() {
        Instant now = clock.instant();
        List<Site> sites = database.read(c -> Sql.list(
                c,
                "SELECT tenant_id, id, time_zone, created_at FROM sites ORDER BY tenant_id, id",
                r -> new Site(
                        r.getString(1),
                        r.getString(2),
                        ZoneId.of(r.getString(3)),
                        Instant.ofEpochMilli(r.getLong(4)))));
        int sent = 0;
        for (Site site : sites) {
            // A week that ended before the site was made has nothing to report.
            Optional<LocalDate> week = dueWeek(now, site.zone()).filter(monday -> monday.plusWeeks(1)
                    .atStartOfDay(site.zone())
                    .toInstant()
                    .isAfter(site.created()));
            if (week.isPresent() && send(site, week.get(), now)) {
                sent++;
            }
        }
        return sent;
    }

    private List<String> managers(Site site) {
        List<String> to = new ArrayList<>();
        database.read(c -> Sql.list(
                        c,
                        "SELECT email, role, site_ids FROM operator_accounts WHERE tenant_id = ? AND status = 'ACTIVE'"
                                + " ORDER BY email",
                        r -> new String[] {r.getString(1), r.getString(2), r.getString(3)},
                        site.tenantId()))
                .forEach(account -> {
                    Access access = Access.stored(account[1], account[2]);
                    if (access.role() == Role.SITE_MANAGER && access.covers(site.id())) {
                        to.add(account[0]);
                    }
                });
        return to;
    }

    private boolean send(Site site, LocalDate week, Instant now) {
        List<String> to = managers(site);
        boolean claimed = database.write(c -> Sql.update(
                        c,
                        "INSERT INTO weekly_report_runs (site_id, week, tenant_id, claimed_at, recipients)"
                                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, week) DO NOTHING",
                        site.id(),
                        week.toString(),
                        site.tenantId(),
                        now,
                        to.size())
                == 1);
        if (!claimed) {
            return false;
        }
        Optional<String> error = Optional.empty();
        try {
            Analytics.SiteReport report = analytics.report(
                    site.tenantId(),
                    Access.owner(),
                    site.id(),
                    new Analytics.Period(week, week.plusDays(6)),
                    Optional.empty(),
                    now);
            byte[] pdf = WeeklyReport.pdf(report);
            for (String recipient : to) {
                mailer.send(WeeklyReport.mail(report, recipient, pdf));
            }
        } catch (RuntimeException e) {
            error = Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.log(Level.WARNING, "the weekly report of site " + site.id() + " for " + week + " was not mailed", e);
        }
        Optional<String> failed = error;
        database.write(c -> Sql.update(
                c,
                "UPDATE weekly_report_runs SET sent_at = ?, error = ? WHERE site_id = ? AND week = ?",
                failed.isEmpty() ? clock.instant() : null,
                failed.orElse(null),
                site.id(),
                week.toString()));
        return failed.isEmpty();
    }

    private void sweep() {
        try {
            int sent = pass();
            if (sent > 0) {
                LOG.info("mailed " + sent + " weekly site reports");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the weekly report sweep failed; it runs again in " + INTERVAL, e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
