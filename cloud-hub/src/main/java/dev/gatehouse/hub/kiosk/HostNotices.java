package dev.gatehouse.hub.kiosk;

import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.protocol.message.KioskEventKind;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells a visitor's host by mail that the visitor signed in at a kiosk. Runs on its own thread: woken
 * as soon as ingest stored events (the target is the host told within 5 s of the sign-in while
 * the site is online), and every {@link #PERIOD} anyway. A sign-in made offline reaches the hub when
 * the edge reconnects, and its mail goes then. Each notice is claimed before it is sent, so two hub
 * replicas never both send it, and a re-sent event (stored once) is never mailed twice; a failed mail
 * is tried again {@link #RETRY_AFTER} later (retrying), up to {@link KioskSignIns#MAX_NOTICE_ATTEMPTS}
 * attempts, then left failed for good. A notice a stopped hub left in sending is claimed again after
 * {@link KioskSignIns#STUCK}, or settled as failed when that was its last attempt.
 */
public final class HostNotices implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HostNotices.class.getName());
    static final Duration PERIOD = Duration.ofSeconds(5);
    static final Duration RETRY_AFTER = Duration.ofMinutes(1);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("HH:mm 'on' EEEE d MMMM", Locale.ENGLISH);

    /** Waits until ingest stored something after {@code seen}, or {@code millis} passed. */
    public interface Waiter {
        void await(long seen, long millis) throws InterruptedException;
    }

    private final KioskSignIns store;
    private final Mailer mailer;
    private final Optional<URI> publicUrl;
    private final Thread thread;
    private volatile boolean running = true;

    public HostNotices(
            KioskSignIns store, Mailer mailer, Optional<URI> publicUrl, LongSupplier generation, Waiter waiter) {
        this.store = store;
        this.mailer = mailer;
        this.publicUrl = publicUrl;
        this.thread = Thread.ofPlatform().daemon().name("hub-host-notices").unstarted(() -> loop(generation, waiter));
    }

    public HostNotices start() {
        thread.start();
        return this;
    }

    private void loop(LongSupplier generation, Waiter waiter) {
        while (running) {
            long seen = generation.getAsLong();
            try {
                sendDue();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "host notices failed; trying again in " + PERIOD, e);
            }
            try {
                waiter.await(seen, PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends every notice that is due now; answers how many were tried (tests call it too). */
    public int sendDue() {
        store.settleAbandoned();
        List<String[]> due = store.dueNotices(RETRY_AFTER, 100);
        for (String[] item : due) {
            send(item[0], item[1]);
        }
        return due.size();
    }

    private void send(String tenantId, String id) {
        if (!store.claimNotice(tenantId, id)) {
            return;
        }
        Optional<String> error = Optional.empty();
        try {
            Optional<Mail> mail = mail(tenantId, id);
            if (mail.isPresent()) {
                mailer.send(mail.get());
            } else {
                error = Optional.of("the host has no e-mail address any more");
            }
        } catch (RuntimeException e) {
            error = Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.log(Level.WARNING, "the host notice of kiosk sign-in " + id + " was not sent; it is tried again", e);
        }
        store.noticeOutcome(tenantId, id, error);
    }

    private Optional<Mail> mail(String tenantId, String id) {
        Optional<KioskSignIns.SignIn> found = store.find(tenantId, id);
        if (found.isEmpty() || found.get().hostMemberId().isEmpty()) {
            return Optional.empty();
        }
        KioskSignIns.SignIn signIn = found.get();
        Optional<String[]> facts =
                store.mailFacts(tenantId, signIn.hostMemberId().get(), signIn.siteId());
        if (facts.isEmpty()) {
            return Optional.empty();
        }
        String email = facts.get()[0];
        String hostName = facts.get()[1];
        String siteName = facts.get()[2];
        ZoneId zone = ZoneId.of(facts.get()[3]);
        String tenantName = facts.get()[4];
        String visitor = signIn.visitorName().orElse("Your visitor");
        StringBuilder text = new StringBuilder()
                .append("Hello ")
                .append(hostName)
                .append(",\n\n")
                .append(visitor)
                .append(" signed in at ")
                .append(siteName)
                .append(" at ")
                .append(WHEN.format(signIn.occurredAt().atZone(zone)))
                .append(signIn.kind() == KioskEventKind.VISITOR_SIGNED_IN ? " with your invitation" : "")
                .append(" and is waiting for you at the front desk.\n");
        signIn.visitorEmail()
                .ifPresent(
                        address -> text.append("Their e-mail: ").append(address).append('\n'));
        if (signIn.madeOffline()) {
            text.append("\nThe site was offline when they signed in; this notice was sent when it reconnected.\n");
        }
        publicUrl.ifPresent(url -> text.append("\nVisitors at ")
                .append(siteName)
                .append(": ")
                .append(url.toString().replaceAll("/+$", ""))
                .append("/console/sites/")
                .append(signIn.siteId())
                .append("/visitor-log\n"));
        return Optional.of(new Mail(
                email, visitor + " is here to see you at " + siteName + " (" + tenantName + ")", text.toString()));
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
