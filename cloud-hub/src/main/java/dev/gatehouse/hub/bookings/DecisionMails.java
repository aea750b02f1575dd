package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells a member what became of their request, by a short plain-text mail: which resource, when (in
 * the site's zone), and approved, declined with the operator's reason, or lapsed with its credits back.
 * {@link BookingApprovals} calls it after the decision has committed; a mail that cannot be sent is
 * its caller's to log, never a reason to undo the decision.
 *
 * @param publicUrl {@code hub.public-url}: when known, the mail links to the member's portal bookings
 */
public record DecisionMails(Database database, Mailer mailer, Optional<URI> publicUrl)
        implements BookingApprovals.Listener {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEEE d MMMM uuuu", Locale.ENGLISH);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    /** Who, what and where a mail names. */
    private record Facts(String email, String name, String resource, String site, ZoneId zone) {}

    private record Words(String subject, String text) {}

    @Override
    public void decided(String tenantId, BookingApprovals.Decision decision) {
        BookingView booking = decision.booking();
        Optional<Facts> facts = database.read(c -> Sql.one(
                c,
                "SELECT m.email, m.full_name, r.name, s.name, s.time_zone FROM bookings b"
                        + " JOIN members m ON m.id = b.member_id AND m.tenant_id = b.tenant_id"
                        + " JOIN resources r ON r.id = b.resource_id JOIN sites s ON s.id = b.site_id"
                        + " WHERE b.id = ? AND b.tenant_id = ?",
                row -> new Facts(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        ZoneId.of(row.getString(5))),
                booking.id(),
                tenantId));
        facts.ifPresent(f -> mailer.send(mail(f, decision)));
    }

    private Mail mail(Facts f, BookingApprovals.Decision decision) {
        BookingView booking = decision.booking();
        var start = Instant.parse(booking.start()).atZone(f.zone());
        var end = Instant.parse(booking.end()).atZone(f.zone());
        String when = DAY.format(start) + ", " + TIME.format(start) + "–" + TIME.format(end) + " (" + f.zone() + ")";
        String what = f.resource() + " at " + f.site() + ", " + when;
        Words words =
                switch (decision.result()) {
                    case APPROVED ->
                        new Words(
                                "Your booking of " + f.resource() + " is approved",
                                "your request is approved:\n\n" + what);
                    case DECLINED ->
                        new Words(
                                "Your booking of " + f.resource() + " is declined",
                                "your request is declined:\n\n" + what + "\n\nReason: "
                                        + booking.approval().declineReason() + "\n\nAny credits it cost are refunded.");
                    case LAPSED ->
                        new Words(
                                "Your request for " + f.resource() + " lapsed",
                                "your request lapsed; credits refunded. Nobody decided on it in time:\n\n" + what);
                    case NOT_PENDING ->
                        throw new IllegalArgumentException("booking " + booking.id() + " was not decided now");
                };
        String link = publicUrl
                .map(url -> "\nYour bookings: " + url.toString().replaceAll("/+$", "") + "/portal/bookings\n")
                .orElse("");
        return new Mail(f.email(), words.subject(), "Hello " + f.name() + ",\n\n" + words.text() + "\n" + link);
    }
}
