package dev.gatehouse.hub.connectors.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.Connector;
import dev.gatehouse.hub.connectors.ConnectorException;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.connectors.Credentials;
import dev.gatehouse.hub.connectors.Job;
import dev.gatehouse.hub.connectors.Mapping;
import dev.gatehouse.hub.connectors.RemoteApi;
import dev.gatehouse.hub.connectors.Session;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.OutboxEvent;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * QuickBooks Online (Accounting API v3): members become customers, issued invoices and credit notes
 * become invoices and credit memos on the member's customer, payments become payments applied to the
 * invoice. Customers are upserted by the mapping table (a sparse update with the SyncToken; a stale
 * token is read again once), and a member never mapped is first looked up by display name, so a
 * customer made by hand is adopted rather than doubled. The hub's document numbers are sent as
 * {@code DocNumber} when Gatehouse numbers invoices, and an invoice with that number is adopted, which
 * keeps a retry after a lost answer from making a second one. Every create (customer, invoice, credit
 * memo, payment) carries QuickBooks' {@code requestid}, a key derived from the job, its event and what
 * it creates: QuickBooks answers a repeated requestid with the first request's answer instead of acting
 * again, so a create retried after its answer was lost makes nothing twice, whatever the numbering. An
 * operator's retry of a failed job sends new keys (the first answer was the refusal). OAuth2 with an
 * access token of about an hour and a rotating refresh token.
 *
 * <p>Settings: {@code realmId} (the company; the connect flow fills it in), {@code itemId} (the product
 * or service every line is booked to, whose income account takes the revenue), {@code taxCodeId}
 * (required when the tenant charges tax), {@code numbering} ({@code gatehouse}: QuickBooks must have
 * custom transaction numbers on; {@code quickbooks}: off). Secrets: {@code clientId}, {@code clientSecret}.
 */
public final class QuickBooksConnector implements Connector {
    static final String MINOR_VERSION = "75";
    static final String CUSTOMER = "customer";
    static final String INVOICE = "invoice";
    static final String PAYMENT = "payment";
    /** What erasure leaves of a member's name (hub.privacy): the record's, and the events' redaction. */
    private static final String ERASED_NAME = "Erased member";

    private static final String ERASED = "[erased]";

    private final ToIntFunction<String> taxRate;

    /** {@code taxRate} answers a tenant's tax rate in basis points (0: it charges no tax). */
    public QuickBooksConnector(ToIntFunction<String> taxRate) {
        this.taxRate = taxRate;
    }

    @Override
    public String name() {
        return ConnectorSettings.QUICKBOOKS;
    }

    @Override
    public String title() {
        return "QuickBooks Online";
    }

    @Override
    public List<String> settingFields() {
        return List.of("realmId", "itemId", "taxCodeId", "numbering");
    }

    @Override
    public Set<String> secretFields() {
        return Set.of(Credentials.CLIENT_ID, Credentials.CLIENT_SECRET);
    }

    @Override
    public Optional<String> oauthScopes() {
        return Optional.of("com.intuit.quickbooks.accounting");
    }

    @Override
    public ObjectNode settings(Input input, ObjectNode current) {
        id(input, current, "realmId", "[0-9]{1,30}", "the company's realm id: digits, as QuickBooks shows it");
        id(input, current, "itemId", "[0-9]{1,20}", "the id of a QuickBooks product or service: digits");
        id(
                input,
                current,
                "taxCodeId",
                "[A-Za-z0-9]{1,20}",
                "the id of a QuickBooks tax code: letters and digits (TAX, NON or a number)");
        if (input.has("numbering")) {
            String numbering = input.optionalText("numbering", 20).orElse("");
            if (!numbering.equals("gatehouse") && !numbering.equals("quickbooks")) {
                input.error("numbering", "'" + numbering + "' is not one of gatehouse, quickbooks");
            } else {
                current.put("numbering", numbering);
            }
        }
        if (!current.has("numbering")) {
            current.put("numbering", "gatehouse");
        }
        return current;
    }

    private static void id(Input input, ObjectNode current, String field, String pattern, String what) {
        if (input.isNull(field)) {
            current.remove(field);
            return;
        }
        Optional<String> value = input.optionalText(field, 40);
        if (value.isPresent()) {
            if (!value.get().matches(pattern)) {
                input.error(field, "'" + value.get() + "' is not " + what);
            } else {
                current.put(field, value.get());
            }
        }
    }

    @Override
    public Optional<Work> work(OutboxEvent event, JsonNode settings) {
        Optional<EventType> type = EventType.parse(event.type());
        if (type.isEmpty() || event.entityId().isEmpty()) {
            return Optional.empty();
        }
        String id = event.entityId().get();
        return switch (type.get()) {
            case MEMBER_CREATED, MEMBER_UPDATED, MEMBER_SUSPENDED, MEMBER_REACTIVATED, MEMBER_CANCELLED ->
                Optional.of(new Work(CUSTOMER, id, event.entityVersion()));
            case INVOICE_ISSUED -> Optional.of(new Work(INVOICE, id, OptionalLong.empty()));
            case PAYMENT_RECORDED -> Optional.of(new Work(PAYMENT, id, OptionalLong.empty()));
            default -> Optional.empty();
        };
    }

    @Override
    public Result apply(Session session, Job job) {
        Company company = new Company(session, Optional.of(job));
        return switch (job.entityKind()) {
            case CUSTOMER -> company.upsertCustomer(job.entityId(), job.data(), job.entityVersion());
            case INVOICE -> company.invoice(job.entityId(), job.data());
            case PAYMENT -> company.payment(job.entityId(), job.data());
            default -> new Skipped("QuickBooks takes no " + job.entityKind());
        };
    }

    @Override
    public List<Mismatch> preflight(Session session) {
        List<Mismatch> problems = new ArrayList<>();
        JsonNode settings = session.settings();
        if (!settings.path("realmId").isTextual()) {
            problems.add(new Mismatch(
                    "realm-missing",
                    "realmId",
                    "no QuickBooks company: connect (the callback sets realmId) or set it"));
            return problems;
        }
        Company company = new Company(session, Optional.empty());
        JsonNode prefs = company.read("preferences").path("Preferences");
        JsonNode forms = prefs.path("SalesFormsPrefs");
        boolean gatehouseNumbers =
                settings.path("numbering").asText("gatehouse").equals("gatehouse");
        boolean custom = forms.path("CustomTxnNumbers").asBoolean(false);
        if (gatehouseNumbers && !custom) {
            problems.add(new Mismatch(
                    "numbering",
                    "CustomTxnNumbers",
                    "Gatehouse numbers the invoices, but QuickBooks' custom transaction numbers are off: turn on"
                            + " Settings → Sales → Custom transaction numbers, or set numbering to quickbooks"));
        } else if (!gatehouseNumbers && custom) {
            problems.add(new Mismatch(
                    "numbering",
                    "CustomTxnNumbers",
                    "QuickBooks numbers the invoices, but its custom transaction numbers are on: turn them off,"
                            + " or set numbering to gatehouse"));
        }
        if (forms.path("AutoApplyCredit").asBoolean(false)) {
            problems.add(new Mismatch(
                    "auto-apply-credits",
                    "AutoApplyCredit",
                    "QuickBooks applies credits automatically, which would settle invoices Gatehouse still shows"
                            + " open: turn off Settings → Advanced → Automation → Automatically apply credits"));
        }
        if (!settings.path("itemId").isTextual()) {
            problems.add(
                    new Mismatch("item-missing", "itemId", "no product or service for the invoice lines: set itemId"));
        } else {
            Optional<JsonNode> item =
                    company.find("item", settings.get("itemId").asText(), "Item");
            if (item.isEmpty()) {
                problems.add(new Mismatch(
                        "item-not-found",
                        "itemId",
                        "QuickBooks has no product or service "
                                + settings.get("itemId").asText()));
            } else if (!item.get().path("Active").asBoolean(true)) {
                problems.add(new Mismatch(
                        "item-inactive",
                        "itemId",
                        "the product or service " + item.get().path("Name").asText() + " is inactive in QuickBooks"));
            } else if (!item.get().path("IncomeAccountRef").path("value").isTextual()) {
                problems.add(new Mismatch(
                        "income-account-missing",
                        "itemId",
                        "the product or service " + item.get().path("Name").asText() + " has no income account"));
            } else {
                String accountId =
                        item.get().path("IncomeAccountRef").path("value").asText();
                Optional<JsonNode> account = company.find("account", accountId, "Account");
                if (account.isEmpty()
                        || !account.get().path("AccountType").asText().equals("Income")
                        || !account.get().path("Active").asBoolean(true)) {
                    problems.add(new Mismatch(
                            "income-account",
                            "itemId",
                            "the income account " + accountId + " of "
                                    + item.get().path("Name").asText() + " is not an active account of type Income"));
                }
            }
        }
        if (taxRate.applyAsInt(session.tenantId()) > 0) {
            if (!settings.path("taxCodeId").isTextual()) {
                problems.add(new Mismatch(
                        "tax-code-missing",
                        "taxCodeId",
                        "the tenant charges tax, but no QuickBooks tax code is set: set taxCodeId"));
            } else {
                Optional<JsonNode> code =
                        company.find("taxcode", settings.get("taxCodeId").asText(), "TaxCode");
                if (code.isEmpty() || !code.get().path("Active").asBoolean(true)) {
                    problems.add(new Mismatch(
                            "tax-code",
                            "taxCodeId",
                            "QuickBooks has no active tax code "
                                    + settings.get("taxCodeId").asText()));
                }
            }
        }
        return problems;
    }

    /** One tenant's QuickBooks company, through the session's API. */
    private static final class Company {
        private final Session session;
        private final String base;
        /** The job being carried: the source of the creates' requestids (the pre-flight creates nothing). */
        private final Optional<Job> job;

        Company(Session session, Optional<Job> job) {
            this.session = session;
            this.job = job;
            this.base = session.endpoints().api() + "/v3/company/"
                    + session.settings().path("realmId").asText();
            if (!session.settings().path("realmId").isTextual()) {
                throw new ConnectorException(
                        ConnectorException.Kind.REJECTED, "no QuickBooks company (realmId) is set");
            }
        }

        private URI uri(String path) {
            return URI.create(base + "/" + path + (path.contains("?") ? "&" : "?") + "minorversion=" + MINOR_VERSION);
        }

        JsonNode read(String path) {
            RemoteApi.Response response = session.api().get(uri(path));
            if (!response.ok()) {
                throw fault("read " + path, response);
            }
            return response.body();
        }

        /** The entity with that id, empty when QuickBooks has none (its Fault 610, Object Not Found). */
        Optional<JsonNode> find(String entity, String id, String wrapper) {
            RemoteApi.Response response = session.api().get(uri(entity + "/" + id));
            if (response.ok()) {
                return Optional.of(response.body().path(wrapper));
            }
            if (code(response).equals("610") || response.status() == 404) {
                return Optional.empty();
            }
            throw fault("read " + entity + " " + id, response);
        }

        List<JsonNode> query(String statement, String entity) {
            RemoteApi.Response response =
                    session.api().get(uri("query?query=" + URLEncoder.encode(statement, StandardCharsets.UTF_8)));
            if (!response.ok()) {
                throw fault("query " + entity, response);
            }
            List<JsonNode> found = new ArrayList<>();
            response.body().path("QueryResponse").path(entity).forEach(found::add);
            return found;
        }

        private RemoteApi.Response post(String entity, JsonNode body) {
            return session.api().post(uri(entity), body);
        }

        /**
         * Creates {@code entity} with the job's requestid for it ({@code what}: the kind and id at the hub),
         * so a repeat of this create, after an answer that never arrived, gets the first one's answer.
         */
        private RemoteApi.Response create(String entity, String what, JsonNode body) {
            Job carried = job.orElseThrow(() -> new IllegalStateException("a create needs the job it belongs to"));
            return session.api().post(uri(entity + "?requestid=" + carried.idempotencyKey(what)), body);
        }

        Result upsertCustomer(String memberId, JsonNode member, OptionalLong version) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            String name = member.path("fullName").asText(memberId);
            if (name.equals(ERASED) || name.equals(ERASED_NAME)) {
                // An erased member keeps no name, and QuickBooks wants each customer's name unique.
                name = ERASED_NAME + " " + memberId;
            }
            String email = member.path("email").asText("");
            body.put("DisplayName", clip(name, 100));
            if (!email.isEmpty()) {
                body.putObject("PrimaryEmailAddr").put("Address", email);
            }
            if (member.path("phone").isTextual()) {
                body.putObject("PrimaryPhone")
                        .put("FreeFormNumber", clip(member.get("phone").asText(), 30));
            }
            if (member.path("company").isTextual()) {
                body.put("CompanyName", clip(member.get("company").asText(), 100));
            }
            body.put("Active", !member.path("status").asText().equals("cancelled"));
            Optional<Mapping> mapped = session.mappings().find(CUSTOMER, memberId);
            Optional<String> id = mapped.map(Mapping::externalId);
            Optional<String> token = mapped.flatMap(Mapping::syncToken);
            if (id.isEmpty()) {
                // Adopt a customer of the same name and e-mail made by hand; a namesake keeps apart.
                String escaped = name.replace("\\", "\\\\").replace("'", "\\'");
                for (JsonNode found :
                        query("select * from Customer where DisplayName = '" + escaped + "'", "Customer")) {
                    if (found.path("PrimaryEmailAddr")
                            .path("Address")
                            .asText("")
                            .equalsIgnoreCase(email)) {
                        id = Optional.of(found.path("Id").asText());
                        token = Optional.of(found.path("SyncToken").asText());
                    } else {
                        body.put("DisplayName", clip(name + " (" + email + ")", 100));
                    }
                }
            }
            JsonNode saved;
            if (id.isEmpty()) {
                RemoteApi.Response created = create("customer", CUSTOMER + "/" + memberId, body);
                if (!created.ok()) {
                    throw fault("create the customer for member " + memberId, created);
                }
                saved = created.body().path("Customer");
            } else {
                body.put("Id", id.get());
                body.put("SyncToken", token.orElse("0"));
                body.put("sparse", true);
                RemoteApi.Response updated = post("customer", body);
                if (!updated.ok() && code(updated).equals("5010")) {
                    // Stale Object Error: someone edited it in QuickBooks; read its token and try once more.
                    body.put(
                            "SyncToken",
                            find("customer", id.get(), "Customer")
                                    .map(c -> c.path("SyncToken").asText())
                                    .orElse("0"));
                    updated = post("customer", body);
                }
                if (!updated.ok()) {
                    throw fault("update customer " + id.get() + " for member " + memberId, updated);
                }
                saved = updated.body().path("Customer");
            }
            String externalId = saved.path("Id").asText();
            Optional<String> syncToken = Optional.of(saved.path("SyncToken").asText("0"));
            return new Applied(externalId, syncToken);
        }

        /** The member's customer id, upserting it from the member's latest state when it was never sent. */
        String customer(String memberId) {
            return session.ensure(CUSTOMER, memberId, records -> records.member(memberId), latest ->
                    (Applied) upsertCustomer(memberId, latest.data(), latest.version()));
        }

        Result invoice(String invoiceId, JsonNode invoice) {
            boolean credit = invoice.path("kind").asText().equals("credit-note");
            String entity = credit ? "creditmemo" : "invoice";
            String wrapper = credit ? "CreditMemo" : "Invoice";
            String currency = invoice.path("currency").asText("USD");
            String customer = customer(invoice.path("memberId").asText());
            boolean gatehouseNumbers =
                    session.settings().path("numbering").asText("gatehouse").equals("gatehouse");
            String number = invoice.path("number").asText();
            if (gatehouseNumbers) {
                // Sent before, and the answer lost: the one with this number and our note is adopted.
                for (JsonNode existing :
                        query("select * from " + wrapper + " where DocNumber = '" + number + "'", wrapper)) {
                    if (existing.path("PrivateNote").asText().equals(note(invoiceId))) {
                        return new Applied(
                                existing.path("Id").asText(),
                                Optional.of(existing.path("SyncToken").asText("0")));
                    }
                }
            }
            int taxRate = invoice.path("taxRateBasisPoints").asInt(0);
            Optional<String> taxCode =
                    Optional.ofNullable(session.settings().get("taxCodeId")).map(JsonNode::asText);
            if (taxRate > 0 && taxCode.isEmpty()) {
                throw new ConnectorException(
                        ConnectorException.Kind.REJECTED,
                        "invoice " + number + " carries tax but no QuickBooks tax code is set (taxCodeId)");
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.putObject("CustomerRef").put("value", customer);
            body.put("TxnDate", date(invoice.path("issuedAt").asText()));
            if (!credit) {
                body.put("DueDate", date(invoice.path("dueAt").asText()));
            }
            if (gatehouseNumbers) {
                body.put("DocNumber", clip(number, 21));
            }
            body.put("PrivateNote", note(invoiceId));
            ArrayNode lines = body.putArray("Line");
            for (JsonNode line : invoice.path("lines")) {
                BigDecimal amount = Session.decimal(Math.abs(line.path("amount").asLong()), currency);
                ObjectNode out = lines.addObject();
                out.put("Amount", amount);
                out.put("Description", clip(line.path("description").asText(""), 4000));
                out.put("DetailType", "SalesItemLineDetail");
                ObjectNode detail = out.putObject("SalesItemLineDetail");
                detail.putObject("ItemRef")
                        .put("value", session.settings().path("itemId").asText());
                detail.put("Qty", 1);
                detail.put("UnitPrice", amount);
                taxCode.ifPresent(code -> detail.putObject("TaxCodeRef").put("value", code));
            }
            RemoteApi.Response created = create(entity, INVOICE + "/" + invoiceId, body);
            if (!created.ok()) {
                throw fault("create " + (credit ? "credit memo " : "invoice ") + number, created);
            }
            JsonNode saved = created.body().path(wrapper);
            return new Applied(
                    saved.path("Id").asText(),
                    Optional.of(saved.path("SyncToken").asText("0")));
        }

        Result payment(String paymentId, JsonNode payment) {
            long amount = payment.path("amount").asLong();
            if (amount < 0) {
                return new Skipped("a refund: record it in QuickBooks as a refund receipt");
            }
            String invoiceId = payment.path("invoiceId").asText();
            String invoiceExternal =
                    session.ensure(INVOICE, invoiceId, records -> records.invoice(invoiceId), latest -> {
                        if (!(invoice(invoiceId, latest.data()) instanceof Applied applied)) {
                            throw new ConnectorException(
                                    ConnectorException.Kind.REJECTED, "invoice " + invoiceId + " could not be sent");
                        }
                        return applied;
                    });
            String currency = payment.path("currency").asText("USD");
            BigDecimal total = Session.decimal(amount, currency);
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.putObject("CustomerRef")
                    .put("value", customer(payment.path("memberId").asText()));
            body.put("TotalAmt", total);
            body.put("TxnDate", date(payment.path("recordedAt").asText()));
            if (payment.path("reference").isTextual()) {
                body.put("PaymentRefNum", clip(payment.get("reference").asText(), 21));
            }
            body.put("PrivateNote", "Gatehouse " + paymentId);
            ObjectNode line = body.putArray("Line").addObject();
            line.put("Amount", total);
            line.putArray("LinkedTxn").addObject().put("TxnId", invoiceExternal).put("TxnType", "Invoice");
            RemoteApi.Response created = create("payment", PAYMENT + "/" + paymentId, body);
            if (!created.ok()) {
                throw fault("create the payment " + paymentId, created);
            }
            JsonNode saved = created.body().path("Payment");
            return new Applied(
                    saved.path("Id").asText(),
                    Optional.of(saved.path("SyncToken").asText("0")));
        }

        private static String code(RemoteApi.Response response) {
            return response.body()
                    .path("Fault")
                    .path("Error")
                    .path(0)
                    .path("code")
                    .asText("");
        }

        /** QuickBooks' Fault as an error an accountant can act on. */
        private static ConnectorException fault(String what, RemoteApi.Response response) {
            JsonNode error = response.body().path("Fault").path("Error").path(0);
            String text = error.isMissingNode()
                    ? "HTTP " + response.status()
                    : error.path("Message").asText() + ": "
                            + error.path("Detail").asText() + " (code "
                            + error.path("code").asText() + ")";
            return new ConnectorException(
                    ConnectorException.Kind.REJECTED, "QuickBooks refused to " + what + ": " + text);
        }
    }

    /** The note that marks a document as this hub's: {@code Gatehouse inv_…}. */
    static String note(String id) {
        return "Gatehouse " + id;
    }

    private static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private static String date(String instant) {
        return Instant.parse(instant).atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }
}
