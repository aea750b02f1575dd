package dev.gatehouse.hub.alerts;

import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Evaluates the fleet's alerts about once a {@link #PERIOD} (sooner when ingest stored something),
 * and mails each opening and clearing to the tenant's alert e-mails. Every replica runs one; the
 * store makes opening idempotent and each mail claimed once. A mail that cannot be sent is logged and
 * tried again at the next pass (the claim is taken back), so a mail server outage delays alerts
 * instead of losing them.
 */
public final class AlertMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AlertMonitor.class.getName());

    /** The longest time between two evaluations. */
    public static final Duration PERIOD = Duration.ofSeconds(1);

    /** How far back each pass looks for door events again, so one committed late is not missed. */
    static final long DOOR_OVERLAP_MILLIS = 10_000;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm:ss z", Locale.ENGLISH);

    private final AlertStore store;
    private final Mailer mailer;
    private final Optional<URI> publicUrl;
    private final Clock clock;
    private final Waiter waiter;
    private final Thread thread;
    private volatile boolean running = true;
    private long doorsSince;

    /** How the loop waits: until {@code millis} passed or something was ingested after {@code seen}. */
    public interface Waiter {
        void await(long seen, long millis) throws InterruptedException;
    }

    public AlertMonitor(
            AlertStore store,
            Mailer mailer,
            Optional<URI> publicUrl,
            Clock clock,
            LongSupplier generation,
            Waiter waiter) {
        this.store = store;
        this.mailer = mailer;
        this.publicUrl = publicUrl;
        this.clock = clock;
        this.waiter = waiter;
        this.doorsSince = clock.millis() - Duration.ofMinutes(5).toMillis();
        this.thread = Thread.ofPlatform().daemon().name("alert-monitor").unstarted(() -> loop(generation));
    }

    public AlertMonitor start() {
        thread.start();
        return this;
    }

    private void loop(LongSupplier generation) {
        while (running) {
            long seen = generation.getAsLong();
            try {
                pass();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "alert evaluation failed; trying again in " + PERIOD.toMillis() + " ms", e);
            }
            try {
                waiter.await(seen, PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One evaluation and its notifications (tests call it directly too). */
    public AlertStore.Changes pass() {
        long started = clock.millis();
        AlertStore.Changes changes = store.evaluate(doorsSince - DOOR_OVERLAP_MILLIS);
        doorsSince = started;
        List<String> pending = new ArrayList<>(store.unnotified());
        for (String id : pending) {
            store.alert(id).ifPresent(this::notify);
        }
        return changes;
    }

    private void notify(AlertStore.Alert alert) {
        boolean cleared = !alert.open();
        // An alert opened and cleared before anyone was told: one mail says both.
        if (cleared && store.claimNotification(alert.id(), false)) {
            store.claimNotification(alert.id(), true);
            if (!send(alert, true, true)) {
                store.unclaimNotification(alert.id(), false);
                store.unclaimNotification(alert.id(), true);
            }
            return;
        }
        if (store.claimNotification(alert.id(), cleared) && !send(alert, cleared, false)) {
            store.unclaimNotification(alert.id(), cleared);
        }
    }

    /** Mails the alert to the tenant's contacts; false when no mail could be sent (tried again later). */
    private boolean send(AlertStore.Alert alert, boolean cleared, boolean both) {
        List<String> recipients = store.recipients(alert.tenantId());
        if (recipients.isEmpty()) {
            LOG.info("alert " + alert.id() + ": the tenant has no alert e-mail and no active owner to tell");
            return true;
        }
        ZoneId zone = ZoneId.of(alert.zone());
        String what = alert.subjectName() + " " + alert.kind().words();
        String subject = (cleared ? "Resolved: " : "Alert: ") + what + " (" + alert.siteName() + ")";
        StringBuilder text = new StringBuilder();
        text.append(cleared && !both ? "Resolved: " : "")
                .append(what)
                .append(" at ")
                .append(alert.siteName())
                .append(".\n\n");
        text.append(
                        switch (alert.kind().subjectType()) {
                            case "device" -> "Device: ";
                            case "site" -> "Site: ";
                            default -> "Door: ";
                        })
                .append(alert.subjectName())
                .append(" (")
                .append(alert.subjectId())
                .append(")\n");
        text.append("Since: ")
                .append(TIME.format(alert.openedAt().atZone(zone)))
                .append('\n');
        alert.clearedAt().ifPresent(at -> text.append("Resolved: ")
                .append(TIME.format(at.atZone(zone)))
                .append('\n'));
        text.append("Detail: ").append(alert.detail()).append("\n\n");
        publicUrl.ifPresent(url -> text.append("Open alerts: ")
                .append(url.toString().replaceAll("/+$", ""))
                .append("/console/alerts\n\n"));
        text.append("You get this mail because you are an alert contact of this Gatehouse workspace (Settings).\n");
        boolean sent = false;
        for (String to : recipients) {
            try {
                mailer.send(new Mail(to.strip(), subject, text.toString()));
                sent = true;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "alert " + alert.id() + ": could not mail " + to + ": " + e.getMessage());
            }
        }
        return sent;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
