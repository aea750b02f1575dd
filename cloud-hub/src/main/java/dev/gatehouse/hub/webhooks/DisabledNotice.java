package dev.gatehouse.hub.webhooks;

import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.alerts.AlertStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.net.URI;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The notice that an endpoint was disabled after failing for 5 days: mailed to whoever gets the
 * tenant's fleet alerts (its alert e-mails, else its owners); the console's webhooks page shows the
 * endpoint as disabled with the reason.
 */
public record DisabledNotice(Database database, AlertStore alerts, Mailer mailer, Optional<URI> publicUrl)
        implements Consumer<String> {
    private static final Logger LOG = Logger.getLogger(DisabledNotice.class.getName());

    private record Endpoint(String tenantId, String url, String reason) {}

    @Override
    public void accept(String endpointId) {
        Optional<Endpoint> endpoint = database.read(c -> Sql.one(
                c,
                "SELECT tenant_id, url, disabled_reason FROM webhook_endpoints WHERE id = ?",
                row -> new Endpoint(row.getString(1), row.getString(2), row.getString(3)),
                endpointId));
        if (endpoint.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder()
                .append("Gatehouse stopped sending webhooks to ")
                .append(endpoint.get().url())
                .append(" (")
                .append(endpointId)
                .append("): ")
                .append(endpoint.get().reason())
                .append(".\n\nFix the receiver, then enable the endpoint again and replay its dead letters.\n");
        publicUrl.ifPresent(url -> text.append("Webhooks: ")
                .append(url.resolve("/console/webhooks/" + endpointId))
                .append('\n'));
        for (String to : alerts.recipients(endpoint.get().tenantId())) {
            try {
                mailer.send(new Mail(
                        to, "Webhook endpoint disabled: " + endpoint.get().url(), text.toString()));
            } catch (Mailer.MailException e) {
                LOG.log(Level.WARNING, "could not mail the notice of disabled webhook endpoint " + endpointId, e);
            }
        }
    }
}
