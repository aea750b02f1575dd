package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * Invoices and credit notes (issue 16 item 3), for finance: issued from a member's uninvoiced
 * charges, never changed afterwards (there is no route that could), numbered without gaps.
 *
 * <pre>
 * POST  /api/v1/members/{memberId}/invoices   issue the uninvoiced charges: 201 the document; 409 when there are none
 * GET   /api/v1/members/{memberId}/invoices   the member's documents, newest first
 * GET   /api/v1/invoices/{invoiceId}          one, with its lines
 * GET   /api/v1/invoices/{invoiceId}/pdf      the document as a PDF, the same bytes every time
 * GET   /api/v1/billing/tax                   {name, rateBasisPoints}
 * PATCH /api/v1/billing/tax                   set them for documents issued from now
 * POST  /api/v1/billing/run                   the billing run for the caller's tenant now: {charged, issued}
 * </pre>
 */
public record InvoiceService(InvoiceStore store, BillingRun run, Audit audit, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/members/{memberId}/invoices", this::issue)
                .get("/members/{memberId}/invoices", this::ofMember)
                .get("/invoices/{invoiceId}", this::get)
                .get("/invoices/{invoiceId}/pdf", this::pdf)
                .get("/billing/tax", this::tax)
                .patch("/billing/tax", this::setTax)
                .post("/billing/run", this::run);
    }

    private void issue(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String member = PathIds.id(req, "memberId", "member");
        Invoice issued = StoreResults.value(store.issue(caller.tenantId(), member));
        audit.record(req, caller, "invoice.issue", "invoice", issued.id(), null, null, json(issued));
        Json.created(res, json(issued));
    }

    private void ofMember(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String member = PathIds.id(req, "memberId", "member");
        Json.ok(
                res,
                Map.of(
                        "items",
                        StoreResults.value(store.ofMember(caller.tenantId(), member)).stream()
                                .map(InvoiceService::json)
                                .toList()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String id = PathIds.id(req, "invoiceId", "invoice");
        Json.ok(res, json(StoreResults.found(store.find(caller.tenantId(), id), "invoice", id)));
    }

    private void run(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        BillingRun.Result result = run.run(java.util.Optional.of(caller.tenantId()));
        Map<String, Object> body = Map.of(
                "charged",
                result.charged(),
                "issued",
                result.issued().stream().map(InvoiceService::json).toList());
        audit.record(
                req,
                caller,
                "billing.run",
                "tenant",
                caller.tenantId(),
                null,
                null,
                Map.of("charged", result.charged(), "issued", result.issued().size()));
        Json.ok(res, body);
    }

    private void pdf(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String id = PathIds.id(req, "invoiceId", "invoice");
        Invoice invoice = StoreResults.found(store.find(caller.tenantId(), id), "invoice", id);
        byte[] pdf = InvoicePdf.render(invoice, store.parties(caller.tenantId(), invoice.memberId()));
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/pdf");
        res.header(
                io.helidon.http.HeaderNames.CONTENT_DISPOSITION,
                "attachment; filename=\"" + invoice.documentNumber() + ".pdf\"");
        res.send(pdf);
    }

    private void tax(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Json.ok(res, json(store.tax(caller.tenantId())));
    }

    private void setTax(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        Input input = Input.of(Json.object(req, maxBody), "name", "rateBasisPoints");
        String name = input.text("name", 40);
        int rate = input.integer("rateBasisPoints", 0, 10_000).orElse(0);
        if (!input.has("rateBasisPoints")) {
            input.error("rateBasisPoints", "is required: the rate in basis points, 1900 for 19 %");
        }
        input.done();
        InvoiceStore.Tax before = store.tax(caller.tenantId());
        InvoiceStore.Tax after = store.setTax(caller.tenantId(), new InvoiceStore.Tax(name, rate));
        audit.record(req, caller, "billing.tax.update", "tenant", caller.tenantId(), null, json(before), json(after));
        Json.ok(res, json(after));
    }

    private static ObjectNode json(InvoiceStore.Tax tax) {
        return Json.MAPPER.createObjectNode().put("name", tax.name()).put("rateBasisPoints", tax.rateBasisPoints());
    }

    /** A document as the API answers it and the audit log records it. */
    public static ObjectNode json(Invoice invoice) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", invoice.id())
                .put("memberId", invoice.memberId())
                .put("kind", WireNames.wire(invoice.kind()))
                .put("number", invoice.documentNumber())
                .put("series", invoice.series())
                .put("sequence", invoice.number())
                .put("currency", invoice.currency())
                .put("subtotal", invoice.subtotal())
                .put("taxName", invoice.taxName())
                .put("taxRateBasisPoints", invoice.taxRateBasisPoints())
                .put("tax", invoice.tax())
                .put("total", invoice.total())
                .put("issuedAt", invoice.issuedAt().toString())
                .put("dueAt", invoice.dueAt().toString());
        ArrayNode lines = node.putArray("lines");
        invoice.lines().forEach(line -> lines.addObject()
                .put("line", line.number())
                .put("chargeId", line.chargeId())
                .put("description", line.description())
                .put("amount", line.amount()));
        return node;
    }
}
