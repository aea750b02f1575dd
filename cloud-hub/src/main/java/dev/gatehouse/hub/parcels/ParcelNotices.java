package dev.gatehouse.hub.parcels;

import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.store.Sql;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells a member by mail that an item waits for them, with its photo attached. Called after the item
 * committed, so a mail that cannot be sent never loses the record: the outcome is written on the item
 * (sent, or failed with the reason), and {@link #start() the sweep} tries a failed notice again a
 * minute later, up to {@link ParcelStore#MAX_NOTICE_ATTEMPTS} times; the desk can also send it again.
 * A notice is claimed before it is sent, so two hub replicas never both send it.
 */
public final class ParcelNotices implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ParcelNotices.class.getName());
    static final Duration INTERVAL = Duration.ofSeconds(30);
    static final Duration RETRY_AFTER = Duration.ofMinutes(1);
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("EEEE d MMMM uuuu, HH:mm", Locale.ENGLISH);

    private final ParcelStore store;
    private final Mailer mailer;
    private final Optional<URI> publicUrl;
    private final ScheduledExecutorService executor;

    public ParcelNotices(ParcelStore store, Mailer mailer, Optional<URI> publicUrl) {
        this.store = store;
        this.mailer = mailer;
        this.publicUrl = publicUrl;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().daemon().name("hub-parcel-notices").unstarted(task));
    }

    public ParcelNotices start() {
        executor.scheduleWithFixedDelay(this::sweep, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Sends the item's notice now if nobody else is; {@code force} also after the attempts ran out (the desk's "send again"). */
    public ParcelStore.NoticeState send(String tenantId, String parcelId, boolean force) {
        if (store.claimNotice(parcelId, force)) {
            Optional<String> error = Optional.empty();
            try {
                mail(tenantId, parcelId).ifPresent(mailer::send);
            } catch (RuntimeException e) {
                error = Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
                LOG.log(Level.WARNING, "the notice of parcel " + parcelId + " was not sent; it is tried again", e);
            }
            store.noticeOutcome(parcelId, error);
        }
        return store.find(tenantId, parcelId)
                .map(ParcelStore.ParcelView::noticeState)
                .orElse(ParcelStore.NoticeState.FAILED);
    }

    /** Sends every notice that is due again; answers how many were tried. */
    public int retryDue() {
        List<String[]> due = store.dueNotices(RETRY_AFTER, 100);
        for (String[] item : due) {
            send(item[0], item[1], false);
        }
        return due.size();
    }

    private void sweep() {
        try {
            int tried = retryDue();
            if (tried > 0) {
                LOG.info("tried " + tried + " parcel notices again");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the parcel notice sweep failed; it runs again in " + INTERVAL, e);
        }
    }

    private Optional<Mail> mail(String tenantId, String parcelId) {
        Optional<ParcelStore.ParcelView> found = store.find(tenantId, parcelId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ParcelStore.ParcelView parcel = found.get();
        String[] place = store.database()
                .read(c -> Sql.one(
                        c,
                        "SELECT s.time_zone, t.name FROM sites s JOIN tenants t ON t.id = s.tenant_id"
                                + " WHERE s.tenant_id = ? AND s.id = ?",
                        row -> new String[] {row.getString(1), row.getString(2)},
                        tenantId,
                        parcel.siteId()))
                .orElseThrow();
        String what = parcel.kind() == ParcelStore.Kind.LETTER ? "letter" : "parcel";
        StringBuilder text = new StringBuilder()
                .append("Hello ")
                .append(parcel.memberName())
                .append(",\n\na ")
                .append(what)
                .append(" arrived for you at ")
                .append(parcel.siteName())
                .append(" on ")
                .append(WHEN.format(parcel.loggedAt().atZone(ZoneId.of(place[0]))))
                .append(".\n\n");
        parcel.carrier().ifPresent(v -> text.append("Carrier: ").append(v).append('\n'));
        parcel.trackingNumber()
                .ifPresent(v -> text.append("Tracking number: ").append(v).append('\n'));
        parcel.shelf().ifPresent(v -> text.append("Shelf: ").append(v).append('\n'));
        parcel.note().ifPresent(v -> text.append("Note: ").append(v).append('\n'));
        text.append("\nCollect it at the front desk; you sign for it there.\n");
        publicUrl.ifPresent(url -> text.append("Your mail and parcels: ")
                .append(url.toString().replaceAll("/+$", ""))
                .append("/portal/mail\n"));
        List<Mail.Attachment> attachments = new ArrayList<>();
        if (parcel.photo()) {
            store.image(tenantId, parcelId, ParcelStore.Purpose.PHOTO)
                    .ifPresent(photo -> attachments.add(new Mail.Attachment(
                            photo.contentType().equals("image/png") ? "photo.png" : "photo.jpg",
                            photo.contentType(),
                            photo.bytes())));
        }
        return Optional.of(new Mail(
                parcel.memberEmail(),
                "A " + what + " is waiting for you at " + parcel.siteName() + " (" + place[1] + ")",
                text.toString(),
                null,
                attachments));
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
