package dev.gatehouse.hub.announcements;

import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mails live announcements to their members, once each: every {@link #INTERVAL} it claims the mails
 * not sent yet (a row per announcement and member, written before sending), sends them, and records
 * each as sent or failed; a failed one is tried again after {@link #RETRY_AFTER}, up to {@link
 * #MAX_ATTEMPTS} times. A hub stopped between the claim and the send leaves that mail claimed and
 * unsent rather than risk sending it twice.
 */
public final class AnnouncementMails implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AnnouncementMails.class.getName());
    static final Duration INTERVAL = Duration.ofSeconds(15);
    static final Duration RETRY_AFTER = Duration.ofMinutes(5);
    static final int MAX_ATTEMPTS = 3;
    private static final int BATCH = 200;

    private final AnnouncementStore store;
    private final Mailer mailer;
    private final Optional<URI> publicUrl;
    private final ScheduledExecutorService executor;

    public AnnouncementMails(AnnouncementStore store, Mailer mailer, Optional<URI> publicUrl) {
        this.store = store;
        this.mailer = mailer;
        this.publicUrl = publicUrl;
        this.executor = Executors.newSingleThreadScheduledExecutor(task ->
                Thread.ofPlatform().daemon().name("hub-announcement-mails").unstarted(task));
    }

    public AnnouncementMails start() {
        executor.scheduleWithFixedDelay(this::sweep, 1000, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Sends what is due now; answers how many mails went out. */
    public int pass() {
        int sent = 0;
        List<AnnouncementStore.Due> due;
        do {
            due = store.claimDue(BATCH, MAX_ATTEMPTS, RETRY_AFTER);
            for (AnnouncementStore.Due mail : due) {
                if (send(mail)) {
                    sent++;
                }
            }
        } while (due.size() == BATCH);
        return sent;
    }

    private boolean send(AnnouncementStore.Due mail) {
        Optional<AnnouncementStore.View> announcement = store.find(mail.tenantId(), mail.announcementId());
        Optional<String> error = Optional.empty();
        try {
            if (announcement.isPresent()) {
                mailer.send(mail(mail, announcement.get()));
            }
        } catch (RuntimeException e) {
            error = Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.log(
                    Level.WARNING,
                    "announcement " + mail.announcementId() + " was not mailed to " + mail.memberId(),
                    e);
        }
        store.mailed(mail, error);
        return error.isEmpty() && announcement.isPresent();
    }

    private Mail mail(AnnouncementStore.Due mail, AnnouncementStore.View announcement) {
        StringBuilder text = new StringBuilder("Hello ")
                .append(mail.name())
                .append(",\n\n")
                .append(String.join("\n\n", announcement.paragraphs()))
                .append("\n");
        publicUrl.ifPresent(url -> text.append("\nAll announcements: ")
                .append(url.toString().replaceAll("/+$", ""))
                .append("/portal/news\n"));
        String subject = announcement.title().replaceAll("[\\r\\n]+", " ");
        return new Mail(mail.email(), subject, text.toString());
    }

    private void sweep() {
        try {
            int sent = pass();
            if (sent > 0) {
                LOG.info("mailed " + sent + " announcements to members");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the announcement mail sweep failed; it runs again in " + INTERVAL, e);
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
