package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.SealedColumns;
import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the hub keeps of each tenant's Stripe account: its secrets (sealed under the master key), one
 * customer per member, the PaymentIntents it made, and the webhook inbox. {@link #receive} writes a
 * verified event to the inbox once per event id and applies it in the same transaction, so that
 * events applied in any order, any number of times, leave the same payments.
 */
public record StripeStore(Database database, Clock clock, Mailer mailer) {
    private static final Logger LOG = Logger.getLogger(StripeStore.class.getName());

    /** A store whose events send no mail (a purchase's mail is logged as not sent). */
    public StripeStore(Database database, Clock clock) {
        this(database, clock, mail -> {
            throw new Mailer.MailException("this hub part sends no mail");
        });
    }

    /** A tenant's Stripe secrets, opened: never answered by the API, never logged. */
    public record Secrets(String secretKey, String webhookSecret) {
        @Override
        public String toString() {
            return "Secrets[" + mask(secretKey) + ", " + mask(webhookSecret) + "]";
        }
    }

    /** A member's Stripe customer and its default payment method, once a SetupIntent has succeeded. */
    public record Customer(String memberId, String customerId, Optional<String> paymentMethodId) {}

    /** What an event did: {@code duplicate} when its id was in the inbox already (nothing applied again). */
    public record Receipt(String eventId, String type, String outcome, boolean duplicate) {}

    /** {@code sk_test_…wxyz}: enough to tell keys apart, never enough to use one. */
    public static String mask(String secret) {
        int prefix = secret.startsWith("whsec_") ? 6 : secret.indexOf('_', secret.indexOf('_') + 1) + 1;
        return secret.substring(0, Math.max(prefix, 0)) + "…" + secret.substring(secret.length() - 4);
    }

    public Optional<Secrets> secrets(String tenantId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT secret_key, webhook_secret FROM stripe_settings WHERE tenant_id = ?",
                row -> new Secrets(
                        database.masterKey().open(row.getString(1), SealedColumns.STRIPE_API_KEYS.context(tenantId)),
                        database.masterKey()
                                .open(row.getString(2), SealedColumns.STRIPE_WEBHOOK_SECRETS.context(tenantId))),
                tenantId));
    }

    /** Sets (or replaces) the tenant's Stripe secrets, sealed. */
    public void setSecrets(String tenantId, Secrets secrets) {
        Instant now = clock.instant();
        String key = database.masterKey().seal(secrets.secretKey(), SealedColumns.STRIPE_API_KEYS.context(tenantId));
        String hook = database.masterKey()
                .seal(secrets.webhookSecret(), SealedColumns.STRIPE_WEBHOOK_SECRETS.context(tenantId));
        database.run(c -> {
            if (Sql.update(
                            c,
                            "UPDATE stripe_settings SET secret_key = ?, webhook_secret = ?, updated_at = ?"
                                    + " WHERE tenant_id = ?",
                            key,
                            hook,
                            now,
                            tenantId)
                    == 0) {
                Sql.update(
                        c,
                        "INSERT INTO stripe_settings (tenant_id, secret_key, webhook_secret, updated_at)"
                                + " VALUES (?, ?, ?, ?)",
                        tenantId,
                        key,
                        hook,
                        now);
            }
        });
    }

    /** Turns Stripe off for the tenant: its secrets are deleted. */
    public boolean removeSecrets(String tenantId) {
        return database.write(c -> Sql.update(c, "DELETE FROM stripe_settings WHERE tenant_id = ?", tenantId) == 1);
    }

    /** A member's e-mail and name, for the customer Stripe keeps. */
    public record Contact(String email, String name) {}

    public Optional<Contact> contact(String tenantId, String memberId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT email, full_name FROM members WHERE tenant_id = ? AND id = ?",
                row -> new Contact(row.getString(1), row.getString(2)),
                tenantId,
                memberId));
    }

    public Optional<Customer> customer(String tenantId, String memberId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT member_id, customer_id, payment_method_id FROM stripe_customers"
                        + " WHERE tenant_id = ? AND member_id = ?",
                row -> new Customer(row.getString(1), row.getString(2), Optional.ofNullable(row.getString(3))),
                tenantId,
                memberId));
    }

    /** Keeps the member's customer; the first one kept stays when two were made at once. */
    public Customer saveCustomer(String tenantId, String memberId, String customerId) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "INSERT INTO stripe_customers (tenant_id, member_id, customer_id, created_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, member_id) DO NOTHING",
                tenantId,
                memberId,
                customerId,
                now));
        return customer(tenantId, memberId).orElseThrow();
    }

    /** How many of the invoice's PaymentIntents failed: a new attempt after a failure gets a new key. */
    public int failedAttempts(String tenantId, String invoiceId) {
        return database.read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM stripe_payment_intents WHERE tenant_id = ? AND invoice_id = ?"
                                + " AND status = 'FAILED'",
                        Sql.LONG,
                        tenantId,
                        invoiceId)
                .orElse(0L)
                .intValue());
    }

    /** Keeps a PaymentIntent made for an invoice; its status only moves on through webhooks. */
    public void savePaymentIntent(
            String tenantId, String paymentIntentId, String invoiceId, String key, long amount, String currency) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "INSERT INTO stripe_payment_intents (tenant_id, payment_intent_id, invoice_id, idempotency_key,"
                        + " amount, currency, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'OPEN', ?)"
                        + " ON CONFLICT (tenant_id, payment_intent_id) DO NOTHING",
                tenantId,
                paymentIntentId,
                invoiceId,
                key,
                amount,
                currency,
                now));
    }

    /** The status the hub last heard for a PaymentIntent: OPEN, FAILED or SUCCEEDED. */
    public Optional<String> paymentIntentStatus(String tenantId, String paymentIntentId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT status FROM stripe_payment_intents WHERE tenant_id = ? AND payment_intent_id = ?",
                Sql.STRING,
                tenantId,
                paymentIntentId));
    }

    /**
     * Writes a verified event to the inbox and applies it, in one transaction; an event id already in
     * the inbox is answered with what it did then and applies nothing again.
     */
    public Receipt receive(String tenantId, JsonNode event, String payload) {
        Instant now = clock.instant();
        String id = event.path("id").asText();
        String type = event.path("type").asText();
        List<Mail> mails = new ArrayList<>();
        Receipt receipt = database.write(c -> {
            int inserted = Sql.update(
                    c,
                    "INSERT INTO stripe_events (tenant_id, event_id, type, payload, created, received_at, outcome)"
                            + " VALUES (?, ?, ?, ?, ?, ?, 'received') ON CONFLICT (tenant_id, event_id) DO NOTHING",
                    tenantId,
                    id,
                    type,
                    payload,
                    event.path("created").asLong(),
                    now);
            if (inserted == 0) {
                String outcome = Sql.one(
                                c,
                                "SELECT outcome FROM stripe_events WHERE tenant_id = ? AND event_id = ?",
                                Sql.STRING,
                                tenantId,
                                id)
                        .orElseThrow();
                return new Receipt(id, type, outcome, true);
            }
            mails.clear(); // a transaction retried from the start mails only what its last attempt did
            String outcome = apply(
                    c,
                    database.masterKey(),
                    tenantId,
                    id,
                    type,
                    event.path("data").path("object"),
                    now,
                    mails);
            Sql.update(
                    c,
                    "UPDATE stripe_events SET outcome = ? WHERE tenant_id = ? AND event_id = ?",
                    outcome,
                    tenantId,
                    id);
            return new Receipt(id, type, outcome, false);
        });
        // Committed: the mails the event made leave now, on their own thread, so Stripe is answered at once.
        for (Mail mail : mails) {
            Thread.startVirtualThread(() -> {
                try {
                    mailer.send(mail);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "the mail about Stripe event " + id + " was not sent: " + e.getMessage());
                }
            });
        }
        return receipt;
    }

    /**
     * Applies one event; each effect is written under a key or a guard that makes it idempotent and
     * independent of the order: a PaymentIntent's payment once by its id, a refund up to the charge's
     * cumulative {@code amount_refunded} (the highest seen wins), a failure never over a success.
     */
    private static String apply(
            Connection c,
            MasterKey masterKey,
            String tenantId,
            String eventId,
            String type,
            JsonNode object,
            Instant now,
            List<Mail> mails)
            throws SQLException {
        return switch (type) {
            case "checkout.session.completed" -> PublicPurchases.completed(c, masterKey, tenantId, object, now, mails);
            case "payment_intent.succeeded" -> succeeded(c, tenantId, eventId, object, now);
            case "payment_intent.payment_failed" -> failed(c, tenantId, object, now);
            case "charge.refunded" -> refunded(c, tenantId, eventId, object, now);
            case "setup_intent.succeeded" -> cardSaved(c, tenantId, object);
            default -> "ignored: the hub does not use " + type + " events";
        };
    }

    private static String succeeded(Connection c, String tenantId, String eventId, JsonNode pi, Instant now)
            throws SQLException {
        String piId = pi.path("id").asText();
        Optional<Invoice> invoice =
                invoiceOf(c, tenantId, piId, pi.path("metadata").path("gatehouse_invoice"));
        if (invoice.isEmpty()) {
            return "ignored: PaymentIntent " + piId + " is for no invoice of this tenant";
        }
        MemberStore.lock(c, tenantId, invoice.get().memberId());
        long amount = pi.has("amount_received")
                ? pi.path("amount_received").asLong()
                : pi.path("amount").asLong();
        Sql.update(
                c,
                "INSERT INTO stripe_payment_intents (tenant_id, payment_intent_id, invoice_id, idempotency_key, amount,"
                        + " currency, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'SUCCEEDED', ?)"
                        + " ON CONFLICT (tenant_id, payment_intent_id) DO UPDATE SET status = 'SUCCEEDED',"
                        + " last_error = NULL, updated_at = excluded.updated_at",
                tenantId,
                piId,
                invoice.get().id(),
                "webhook:" + eventId,
                amount,
                currency(pi),
                now);
        if (amount <= 0) {
            return "ignored: PaymentIntent " + piId + " received nothing";
        }
        boolean written = PaymentStore.recordReported(
                c, tenantId, card(invoice.get(), amount, pi, piId, "stripe:pi:" + piId, now, eventId));
        return written ? "payment of " + amount + " recorded" : "payment already recorded";
    }

    private static String failed(Connection c, String tenantId, JsonNode pi, Instant now) throws SQLException {
        String piId = pi.path("id").asText();
        String error = pi.path("last_payment_error").path("message").asText("the payment failed");
        int changed = Sql.update(
                c,
                "UPDATE stripe_payment_intents SET status = 'FAILED', last_error = ?, updated_at = ?"
                        + " WHERE tenant_id = ? AND payment_intent_id = ? AND status <> 'SUCCEEDED'",
                error,
                now,
                tenantId,
                piId);
        if (changed == 1) {
            return "failure noted: " + error;
        }
        return paymentIntentKnown(c, tenantId, piId)
                ? "ignored: PaymentIntent " + piId + " has succeeded; a failure does not undo it"
                : "ignored: PaymentIntent " + piId + " is for no invoice of this tenant";
    }

    private static String refunded(Connection c, String tenantId, String eventId, JsonNode charge, Instant now)
            throws SQLException {
        String chargeId = charge.path("id").asText();
        String piId = charge.path("payment_intent").asText();
        Optional<Invoice> invoice =
                invoiceOf(c, tenantId, piId, charge.path("metadata").path("gatehouse_invoice"));
        if (invoice.isEmpty()) {
            return "ignored: charge " + chargeId + " is for no invoice of this tenant";
        }
        MemberStore.lock(c, tenantId, invoice.get().memberId());
        long cumulative = charge.path("amount_refunded").asLong();
        long recorded = -Sql.one(
                        c,
                        "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE tenant_id = ? AND provider = 'STRIPE'"
                                + " AND reference = ? AND amount < 0",
                        Sql.LONG,
                        tenantId,
                        chargeId)
                .orElse(0L);
        if (cumulative <= recorded) {
            return "refund already recorded (" + recorded + " of charge " + chargeId + ")";
        }
        PaymentStore.recordReported(
                c,
                tenantId,
                card(
                        invoice.get(),
                        -(cumulative - recorded),
                        charge,
                        chargeId,
                        "stripe:refund:" + chargeId + ":" + cumulative,
                        now,
                        eventId));
        return "refund of " + (cumulative - recorded) + " recorded";
    }

    private static String cardSaved(Connection c, String tenantId, JsonNode setupIntent) throws SQLException {
        String customer = setupIntent.path("customer").asText();
        String method = setupIntent.path("payment_method").asText();
        if (method.isEmpty()) {
            return "ignored: SetupIntent " + setupIntent.path("id").asText() + " names no payment method";
        }
        // The newest SetupIntent's card wins, whichever event arrives last.
        long created = setupIntent.path("created").asLong();
        int changed = Sql.update(
                c,
                "UPDATE stripe_customers SET payment_method_id = ?, payment_method_created = ?"
                        + " WHERE tenant_id = ? AND customer_id = ? AND (payment_method_created IS NULL"
                        + " OR payment_method_created < ? OR (payment_method_created = ? AND payment_method_id < ?))",
                method,
                created,
                tenantId,
                customer,
                created,
                created,
                method);
        return changed == 1 ? "payment method " + method + " saved" : "ignored: a newer payment method is saved";
    }

    /** A card payment (or, negative, refund) Stripe reported for the invoice about {@code object}. */
    private static Payment card(
            Invoice invoice, long amount, JsonNode object, String reference, String key, Instant now, String eventId) {
        return new Payment(
                HubIds.next("pay"),
                invoice.id(),
                invoice.memberId(),
                Payment.Provider.STRIPE,
                "card",
                amount,
                currency(object),
                reference,
                key,
                now,
                "stripe:" + eventId);
    }

    private static Optional<Invoice> invoiceOf(Connection c, String tenantId, String piId, JsonNode metadataInvoice)
            throws SQLException {
        Optional<String> known = Sql.one(
                c,
                "SELECT invoice_id FROM stripe_payment_intents WHERE tenant_id = ? AND payment_intent_id = ?",
                Sql.STRING,
                tenantId,
                piId);
        Optional<String> id =
                known.or(() -> Optional.of(metadataInvoice.asText()).filter(s -> !s.isEmpty()));
        return id.isEmpty() ? Optional.empty() : InvoiceStore.find(c, tenantId, id.get());
    }

    private static boolean paymentIntentKnown(Connection c, String tenantId, String piId) throws SQLException {
        return Sql.exists(
                c,
                "SELECT 1 FROM stripe_payment_intents WHERE tenant_id = ? AND payment_intent_id = ?",
                tenantId,
                piId);
    }

    private static String currency(JsonNode object) {
        return object.path("currency").asText().toUpperCase(Locale.ROOT);
    }
}
