package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.billing.Dunning;
import dev.gatehouse.hub.billing.Invoice;
import dev.gatehouse.hub.billing.InvoiceStore;
import dev.gatehouse.hub.console.BillingPages;
import dev.gatehouse.hub.console.BillingViews;
import dev.gatehouse.hub.console.Money;
import dev.gatehouse.hub.console.PageException;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.store.StoreResult;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The signed-in member's billing: their subscriptions, invoices (each as a PDF), payments, what is
 * open, and where they stand with dunning, in plain words. Only the session's member's own records
 * are read, within the session's tenant: another member's invoice is a 404, as is one of no one.
 *
 * <pre>
 * GET /portal/billing                            the page
 * GET /portal/billing/invoices/{invoiceId}/pdf   one of the member's documents as a PDF
 * </pre>
 */
public record PortalBillingPages(MemberSessions sessions, InvoiceStore invoices, BillingViews views)
        implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/billing", this::page).get("/portal/billing/invoices/{invoiceId}/pdf", this::pdf);
    }

    /** The page's figures. */
    public record MyBilling(
            Dunning.State standing,
            List<BillingViews.SubscriptionRow> subscriptions,
            List<BillingViews.Document> documents,
            List<BillingViews.PaymentRow> payments,
            List<String> open)
            implements BillingViews.Standing {
        public MyBilling {
            subscriptions = List.copyOf(subscriptions);
            documents = List.copyOf(documents);
            payments = List.copyOf(payments);
            open = List.copyOf(open);
        }
    }

    private void page(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        String tenantId = member.tenantId();
        List<Invoice> own =
                switch (invoices.ofMember(tenantId, member.memberId())) {
                    case StoreResult.Found<List<Invoice>> found -> found.value();
                    default -> List.of();
                };
        List<BillingViews.Document> documents = views.documents(tenantId, own);
        // What is open, by currency: a space bills in one, but a sum never mixes two.
        Map<String, Long> open = documents.stream()
                .filter(d -> d.invoice().kind() == Invoice.Kind.INVOICE && d.open() > 0)
                .collect(Collectors.groupingBy(
                        d -> d.invoice().currency(), TreeMap::new, Collectors.summingLong(d -> d.open())));
        MyBilling view = new MyBilling(
                views.standing(tenantId, member.memberId()),
                views.subscriptions(tenantId, Optional.of(member.memberId()), site -> true),
                documents,
                views.paymentRows(tenantId, documents),
                open.entrySet().stream()
                        .map(e -> Money.format(e.getValue(), e.getKey(), Portal.WORDS.locale()))
                        .toList());
        Templates.render(
                res, "portal-billing.jte", Map.of("page", Portal.page(member, "portal.billing.title"), "view", view));
    }

    private void pdf(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        String id = req.path().pathParameters().get("invoiceId");
        Invoice invoice = invoices.find(member.tenantId(), id)
                .filter(i -> i.memberId().equals(member.memberId()))
                .orElseThrow(() -> PageException.notFound("There is no invoice " + id + " of yours."));
        BillingPages.sendPdf(res, invoice, invoices.parties(member.tenantId(), invoice.memberId()));
    }
}
