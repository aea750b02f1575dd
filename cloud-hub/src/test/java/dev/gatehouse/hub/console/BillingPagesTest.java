package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.billing.Billing;
import dev.gatehouse.hub.portal.PortalSignIns;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's billing pages and the portal's in a real Chromium against a real hub: a package made
 * (and refused) in the form, a member subscribed from their page, the invoice the API issues found,
 * opened, downloaded as a PDF and paid by a recorded transfer until it leaves the unpaid list; a role
 * without finance refused on page and POST; a member sees only their own invoices; a form without its
 * token and another tenant's ids change and show nothing.
 */
class BillingPagesTest extends LiveBrowserTest {
    private static final String PASSWORD = "front desk password for tests";

    private String frontDesk;
    private String monthly;

    @BeforeAll
    void setUp() {
        frontDesk = site.account("front-desk", "[]", PASSWORD);
        monthly = Billing.monthly(site.hub, site.tenant, "Hot desk monthly", 19900);
    }

    @AfterEach
    void noErrorsInTheBrowser() {
        assertThat(browser.consoleErrors()).isEmpty();
    }

    private void check(String name) {
        // A missing message key shows as ??key??: every word on the page must come from the bundle.
        assertThat(browser.driver().getPageSource()).doesNotContain("??");
        Axe.assertNoSeriousViolations(browser, name);
        browser.screenshot(name);
    }

    private String cookie() {
        return "gh_session="
                + browser.driver().manage().getCookieNamed("gh_session").getValue();
    }

    private String csrf() {
        return browser.driver()
                .findElement(By.cssSelector("meta[name=csrf-token]"))
                .getAttribute("content");
    }

    private static String form(String csrf, String rest) {
        return "_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) + rest;
    }

    /** The member sold {@code pkg} at the live site and invoiced at once, through the API: the document. */
    private JsonNode invoiced(String member, String pkg) {
        Api.Response sold = site.api()
                .post(
                        "/api/v1/subscriptions",
                        site.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site.siteId
                                + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        return issue(member);
    }

    private JsonNode issue(String member) {
        Api.Response issued = site.api().post("/api/v1/members/" + member + "/invoices", site.token(), "");
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        return issued.json();
    }

    private List<String> packageNames() {
        List<String> names = new ArrayList<>();
        site.api()
                .get("/api/v1/packages?retired=true", site.token())
                .json()
                .get("items")
                .forEach(p -> names.add(p.get("name").asText()));
        return names;
    }

    private long open(String invoice) {
        return site.api()
                .get("/api/v1/invoices/" + invoice + "/payments", site.token())
                .json()
                .get("open")
                .asLong();
    }

    @Test
    void aPackageIsSoldInvoicedDownloadedAndPaidFromTheConsole() {
        site.signInAsOwner(browser);
        browser.driver()
                .findElement(By.cssSelector("nav a[href='/console/billing']"))
                .click();
        browser.awaitVisible(By.id("new-package")).click();

        // A negative price is refused by the API's own reader, next to the field, and nothing is made.
        browser.awaitVisible(By.id("name")).sendKeys("Fixed desk");
        browser.driver().findElement(By.id("price")).sendKeys("-5");
        new Select(browser.driver().findElement(By.id("planId"))).selectByValue(site.plan);
        browser.driver().findElement(By.id("credits")).sendKeys("meeting-room: 8");
        browser.driver().findElement(By.id("save-package")).click();
        WebElement priceError = browser.awaitVisible(By.id("price-error"));
        assertThat(priceError.getText()).contains("never negative");
        assertThat(browser.driver().findElement(By.id("price")).getAttribute("aria-describedby"))
                .contains("price-error");
        assertThat(browser.driver().findElement(By.id("name")).getAttribute("value"))
                .isEqualTo("Fixed desk");
        assertThat(browser.consoleErrors()).singleElement().asString().contains("status of 422");
        assertThat(packageNames()).doesNotContain("Fixed desk");
        check("package-refused");

        WebElement price = browser.driver().findElement(By.id("price"));
        price.clear();
        price.sendKeys("1,234.50");
        browser.driver().findElement(By.id("save-package")).click();
        assertThat(browser.awaitVisible(By.id("billing-notice")).getText()).isEqualTo("Package created.");
        assertThat(packageNames()).contains("Fixed desk");
        JsonNode made = site.api().get("/api/v1/packages", site.token()).json().get("items");
        String fixed = null;
        for (JsonNode p : made) {
            if (p.get("name").asText().equals("Fixed desk")) {
                fixed = p.get("id").asText();
                assertThat(p.get("price").asLong()).isEqualTo(123450);
                assertThat(p.get("planId").asText()).isEqualTo(site.plan);
                assertThat(p.at("/credits/meeting-room").asLong()).isEqualTo(8);
            }
        }
        assertThat(browser.driver()
                        .findElement(By.cssSelector("#package-" + fixed + " td.num"))
                        .getText())
                .isEqualTo("€1,234.50");
        check("packages");

        // Subscribe a member from their page.
        String member = site.member("Ada Billing", LiveSite.uid());
        browser.open(site.url("/console/members/" + member));
        browser.awaitVisible(By.id("member-billing")).click();
        new Select(browser.awaitVisible(By.id("packageId"))).selectByValue(fixed);
        new Select(browser.driver().findElement(By.id("siteId"))).selectByValue(site.siteId);
        browser.driver().findElement(By.id("subscribe")).click();
        assertThat(browser.awaitVisible(By.id("billing-notice")).getText()).startsWith("Subscribed.");
        WebElement row = browser.driver().findElement(By.cssSelector("#subscriptions tr[data-subscription]"));
        assertThat(row.getAttribute("data-status")).isEqualTo("active");
        assertThat(row.getText()).contains("Fixed desk").contains("€1,234.50");

        // The billing run's work, done through the API: the sale's first period on an invoice.
        JsonNode invoice = issue(member);
        String id = invoice.get("id").asText();
        String number = invoice.get("number").asText();
        long total = invoice.get("total").asLong();
        assertThat(total).isPositive();

        browser.open(site.url("/console/billing/invoices"));
        WebElement listed = browser.awaitVisible(By.id("invoice-" + id));
        assertThat(listed.getAttribute("data-status")).isEqualTo("open");
        assertThat(listed.getText()).contains(number).contains("Ada Billing");
        check("invoices");
        browser.open(site.url("/console/billing/unpaid"));
        assertThat(browser.awaitVisible(By.id("unpaid-" + id)).getText())
                .contains(number)
                .contains("In good standing");
        check("unpaid");

        browser.open(site.url("/console/billing/invoices"));
        browser.awaitVisible(By.linkText(number)).click();
        assertThat(browser.awaitVisible(By.id("invoice-status")).getText()).isEqualTo("Open");
        assertThat(browser.driver().findElement(By.id("invoice-total")).getText())
                .isEqualTo(Money.format(total, "EUR", java.util.Locale.ENGLISH));
        check("invoice-open");

        // The PDF link answers the document itself, for this session.
        String pdfPath = browser.driver().findElement(By.id("invoice-pdf")).getAttribute("href");
        assertThat(pdfPath).endsWith("/console/billing/invoices/" + id + "/pdf");
        Api.Response pdf =
                site.api().withCookie("GET", "/console/billing/invoices/" + id + "/pdf", cookie(), Optional.empty());
        assertThat(pdf.status()).isEqualTo(200);
        assertThat(pdf.contentType()).startsWith("application/pdf");
        assertThat(pdf.text()).startsWith("%PDF-");
        assertThat(pdf.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"" + number + ".pdf\"");

        // More than is open is refused next to the amount; nothing is recorded.
        WebElement amount = browser.driver().findElement(By.id("amount"));
        assertThat(amount.getAttribute("value")).isEqualTo(Money.typed(total, "EUR"));
        amount.clear();
        amount.sendKeys(Money.typed(total + 100, "EUR"));
        browser.driver().findElement(By.id("reference")).sendKeys("SEPA 2027-0042");
        browser.driver().findElement(By.id("record-payment")).click();
        assertThat(browser.awaitVisible(By.id("amount-error")).getText()).contains("more than the open balance");
        assertThat(browser.consoleErrors()).singleElement().asString().contains("status of 422");
        assertThat(open(id)).isEqualTo(total);
        check("payment-refused");

        amount = browser.driver().findElement(By.id("amount"));
        amount.clear();
        amount.sendKeys(Money.typed(total, "EUR"));
        assertThat(browser.driver().findElement(By.id("reference")).getAttribute("value"))
                .isEqualTo("SEPA 2027-0042");
        browser.driver().findElement(By.id("record-payment")).click();
        assertThat(browser.awaitVisible(By.id("billing-notice")).getText())
                .isEqualTo("Payment recorded. The invoice is paid.");
        assertThat(browser.driver().findElement(By.id("invoice-status")).getText())
                .isEqualTo("Paid");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("table.payments"))
                        .getText())
                .contains("Bank transfer")
                .contains("SEPA 2027-0042");
        assertThat(browser.driver().findElements(By.id("payment-form"))).isEmpty();
        assertThat(open(id)).isZero();
        check("invoice-paid");
        assertThat(site.api()
                        .get("/api/v1/audit?resourceType=invoice&resourceId=" + id, site.token())
                        .text())
                .contains("payment.record");

        browser.open(site.url("/console/billing/unpaid"));
        browser.awaitVisible(By.id("billing-nav-unpaid"));
        assertThat(browser.driver().findElements(By.id("unpaid-" + id))).isEmpty();

        // The member's page lists the paid invoice and the payment; the subscriptions list has the sale.
        browser.open(site.url("/console/members/" + member + "/billing"));
        assertThat(browser.awaitVisible(By.id("invoice-" + id)).getAttribute("data-status"))
                .isEqualTo("paid");
        assertThat(browser.driver().findElement(By.id("standing")).getText()).isEqualTo("In good standing");
        check("member-billing");
        browser.open(site.url("/console/billing/subscriptions"));
        assertThat(browser.awaitVisible(By.cssSelector("table.subscriptions")).getText())
                .contains("Ada Billing")
                .contains("Fixed desk");
        check("subscriptions");

        // Cancelled at the period's end from the member's page, then retired from the list.
        browser.open(site.url("/console/members/" + member + "/billing"));
        browser.awaitVisible(By.cssSelector("#subscriptions button[id^=cancel-]"))
                .click();
        assertThat(browser.awaitVisible(By.id("billing-notice")).getText()).isEqualTo("Subscription cancelled.");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("#subscriptions tr[data-subscription]"))
                        .getAttribute("data-status"))
                .isEqualTo("cancelling");
        browser.open(site.url("/console/billing"));
        browser.awaitVisible(By.id("retire-" + fixed)).click();
        browser.await(ExpectedConditions.alertIsPresent()).accept();
        assertThat(browser.awaitVisible(By.id("billing-notice")).getText()).startsWith("Package retired");
        assertThat(site.api()
                        .get("/api/v1/packages/" + fixed, site.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("retired");
    }

    @Test
    void aRoleWithoutFinanceSeesNoBillingAndIsRefusedOnPageAndPost() {
        String member = site.member("Dora Desk", LiveSite.uid());
        JsonNode invoice = invoiced(member, monthly);
        String id = invoice.get("id").asText();
        site.signIn(browser, frontDesk, PASSWORD);
        assertThat(browser.driver().findElements(By.cssSelector("nav a[href='/console/billing']")))
                .isEmpty();
        browser.open(site.url("/console/members/" + member + "/billing"));
        browser.awaitVisible(By.id("subscribe-form"));
        String csrf = csrf();
        browser.open(site.url("/console/billing/invoices/" + id));
        assertThat(browser.awaitVisible(By.tagName("h1")).getText()).contains("403");
        assertThat(browser.consoleErrors()).singleElement().asString().contains("status of 403");
        Api.Response refused = site.api()
                .withCookie(
                        "POST",
                        "/console/billing/invoices/" + id + "/payments",
                        cookie(),
                        Optional.of(
                                form(csrf, "&amount=1.00&method=cash&reference=till&idempotencyKey=desk-key-000001")));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(open(id)).isEqualTo(invoice.get("total").asLong());
        Api.Response pdf =
                site.api().withCookie("GET", "/console/billing/invoices/" + id + "/pdf", cookie(), Optional.empty());
        assertThat(pdf.status()).isEqualTo(403);
        Api.Response newPackage = site.api()
                .withCookie(
                        "POST",
                        "/console/billing/packages",
                        cookie(),
                        Optional.of(form(csrf, "&name=Desk+made&kind=membership&price=10&interval=month")));
        assertThat(newPackage.status()).isEqualTo(403);
        assertThat(packageNames()).doesNotContain("Desk made");

        // The front desk sells: the member's billing page shows subscriptions but no invoices.
        browser.open(site.url("/console/members/" + member + "/billing"));
        browser.awaitVisible(By.id("subscribe-form"));
        assertThat(browser.driver().findElements(By.id("invoice-" + id))).isEmpty();
        check("member-billing-front-desk");
    }

    @Test
    void theFrontDeskSellsADayPassOnceFromTheMembersBillingPage() {
        String plan = site.hub.create(
                "/api/v1/plans",
                site.token(),
                "{\"name\":\"Day access\",\"doorGroupIds\":[],\"schedule\":[],\"holidays\":\"ignored\"}");
        String dayPass = site.hub.create(
                "/api/v1/packages",
                site.token(),
                "{\"name\":\"Day Pass\",\"kind\":\"pass\",\"price\":2500,\"interval\":\"one-off\",\"passes\":1,"
                        + "\"passValidDays\":1,\"planId\":\"" + plan + "\"}");
        String member = site.member("Paz Pass", LiveSite.uid());
        site.signIn(browser, frontDesk, PASSWORD);
        browser.open(site.url("/console/members/" + member + "/billing"));
        browser.awaitVisible(By.id("pass-form"));
        browser.driver().findElement(By.id("sell-pass")).click();
        assertThat(browser.awaitVisible(By.id("pass-package-error")).getText()).isEqualTo("Choose a pass.");
        assertThat(browser.consoleErrors()).singleElement().asString().contains("status of 422");
        check("pass-refused");

        new Select(browser.driver().findElement(By.id("pass-package"))).selectByValue(dayPass);
        String key = browser.driver().findElement(By.name("pass.key")).getAttribute("value");
        String csrf = csrf();
        browser.driver().findElement(By.id("sell-pass")).click();
        assertThat(browser.awaitVisible(By.id("billing-notice")).getText()).startsWith("Pass sold.");
        check("pass-sold");

        // The same form sent again (a double click, a resend after a timeout) sells nothing more.
        Api.Response again = site.api()
                .withCookie(
                        "POST",
                        "/console/members/" + member + "/billing/passes",
                        cookie(),
                        Optional.of(form(
                                csrf,
                                "&pass.packageId=" + dayPass + "&pass.siteId=" + site.siteId + "&pass.key=" + key)));
        assertThat(again.status()).as(again.toString()).isEqualTo(303);
        JsonNode charges = site.api()
                .get("/api/v1/members/" + member + "/charges", site.token())
                .json()
                .get("items");
        assertThat(charges).hasSize(1);
        assertThat(charges.get(0).get("kind").asText()).isEqualTo("pass");
        assertThat(charges.get(0).get("amount").asLong()).isEqualTo(2500);

        // The member's page shows the pass with its days left.
        browser.open(site.url("/console/members/" + member));
        assertThat(browser.awaitVisible(By.cssSelector("td[data-entries]")).getText())
                .isEqualTo("1 of 1 days left");
    }

    @Test
    void theFrontDeskPausesASubscriptionFromTheMembersBillingPage() {
        String member = site.member("Pia Pause", LiveSite.uid());
        String sub = site.api()
                .post(
                        "/api/v1/subscriptions",
                        site.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + monthly + "\",\"siteId\":\"" + site.siteId
                                + "\"}")
                .json()
                .get("subscription")
                .get("id")
                .asText();
        site.signIn(browser, frontDesk, PASSWORD);
        browser.open(site.url("/console/members/" + member + "/billing"));
        new Select(browser.awaitVisible(By.id("periods-" + sub))).selectByValue("2");
        browser.driver().findElement(By.id("pause-" + sub)).click();
        assertThat(browser.awaitVisible(By.id("billing-notice")).getText()).startsWith("Pause set.");
        assertThat(browser.driver().findElement(By.id("subscription-" + sub)).getText())
                .contains("Paused ");
        assertThat(browser.driver().findElements(By.id("pause-" + sub))).isEmpty();
        check("subscription-paused");
        JsonNode paused =
                site.api().get("/api/v1/subscriptions/" + sub, site.token()).json();
        assertThat(paused.get("pausedFrom").isNull()).isFalse();
    }

    @Test
    void aMemberSeesOnlyTheirOwnInvoicesInThePortal() {
        String ada = site.member("Ada Portal", LiveSite.uid());
        String bob = site.member("Bob Portal", LiveSite.uid());
        JsonNode adas = invoiced(ada, monthly);
        JsonNode bobs = invoiced(bob, monthly);
        PortalSignIns.signIn(site, browser, site.tenant.id(), ada);
        browser.driver()
                .findElement(By.cssSelector("nav a[href='/portal/billing']"))
                .click();
        WebElement mine = browser.awaitVisible(By.id("invoice-" + adas.get("id").asText()));
        assertThat(mine.getText()).contains(adas.get("number").asText());
        assertThat(browser.driver().getPageSource())
                .doesNotContain(bobs.get("number").asText());
        assertThat(browser.driver().findElement(By.id("open-balance")).getText())
                .isEqualTo("Open: " + Money.format(adas.get("total").asLong(), "EUR", java.util.Locale.ENGLISH) + ".");
        assertThat(browser.driver().findElement(By.id("standing")).getText())
                .isEqualTo("Your account is in good standing.");
        assertThat(browser.driver().findElement(By.id("subscriptions")).getText())
                .contains("Hot desk monthly");
        check("portal-billing");
        browser.phone();
        browser.open(site.url("/portal/billing"));
        browser.awaitVisible(By.id("open-balance"));
        check("portal-billing-phone");
        browser.desktop();

        String member = "gh_member="
                + browser.driver().manage().getCookieNamed("gh_member").getValue();
        Api.Response own = site.api()
                .withCookie(
                        "GET",
                        "/portal/billing/invoices/" + adas.get("id").asText() + "/pdf",
                        member,
                        Optional.empty());
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.text()).startsWith("%PDF-");
        Api.Response others = site.api()
                .withCookie(
                        "GET",
                        "/portal/billing/invoices/" + bobs.get("id").asText() + "/pdf",
                        member,
                        Optional.empty());
        assertThat(others.status()).isEqualTo(404);
        assertThat(others.text()).doesNotContain("%PDF");
    }

    @Test
    void aPaymentFormSentTwiceRecordsThePaymentOnce() {
        // A double click or a form sent again after a timeout must not take the money twice.
        String member = site.member("Rhea Resend", LiveSite.uid());
        JsonNode invoice = invoiced(member, monthly);
        String id = invoice.get("id").asText();
        site.signInAsOwner(browser);
        browser.open(site.url("/console/billing/invoices/" + id));
        String key = browser.awaitVisible(By.id("payment-form"))
                .findElement(By.name("idempotencyKey"))
                .getAttribute("value");
        String body = form(csrf(), "&amount=50.00&method=cash&reference=till+7&idempotencyKey=" + key);
        for (int i = 0; i < 2; i++) {
            Api.Response sent = site.api()
                    .withCookie("POST", "/console/billing/invoices/" + id + "/payments", cookie(), Optional.of(body));
            assertThat(sent.status()).as(sent.toString()).isEqualTo(303);
        }
        assertThat(open(id)).isEqualTo(invoice.get("total").asLong() - 5000);
        assertThat(site.api()
                        .get("/api/v1/invoices/" + id + "/payments", site.token())
                        .json()
                        .get("items"))
                .hasSize(1);
        // The page shown again carries a new key: a second payment is a new one.
        browser.open(site.url("/console/billing/invoices/" + id + "?notice=part-paid"));
        assertThat(browser.awaitVisible(By.id("billing-notice")).getText())
                .isEqualTo("Payment recorded. Part of the invoice is still open.");
        assertThat(browser.driver().findElement(By.name("idempotencyKey")).getAttribute("value"))
                .isNotEqualTo(key);
    }

    @Test
    void aFormWithoutItsTokenAndAnotherTenantsIdsChangeAndShowNothing() {
        // Another tenant's package and invoice, made through its own token.
        TestHub.Tenant other = site.hub.newTenant("elsewhere");
        String otherSite = Billing.berlin(site.hub, other);
        String otherPackage = Billing.monthly(site.hub, other, "Theirs", 5000);
        String otherMember = site.hub.create(
                "/api/v1/members", other.token(), "{\"email\":\"eve@example.com\",\"fullName\":\"Eve Elsewhere\"}");
        Api.Response sold = site.api()
                .post(
                        "/api/v1/subscriptions",
                        other.token(),
                        "{\"memberId\":\"" + otherMember + "\",\"packageId\":\"" + otherPackage + "\",\"siteId\":\""
                                + otherSite + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        Api.Response issued = site.api().post("/api/v1/members/" + otherMember + "/invoices", other.token(), "");
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String otherInvoice = issued.json().get("id").asText();

        site.signInAsOwner(browser);
        browser.open(site.url("/console/billing"));
        browser.awaitVisible(By.id("new-package"));
        String csrf = csrf();
        for (String path : List.of(
                "/console/billing/invoices/" + otherInvoice,
                "/console/billing/invoices/" + otherInvoice + "/pdf",
                "/console/billing/packages/" + otherPackage,
                "/console/members/" + otherMember + "/billing")) {
            Api.Response read = site.api().withCookie("GET", path, cookie(), Optional.empty());
            assertThat(read.status()).as(path).isEqualTo(404);
            assertThat(read.text()).as(path).doesNotContain("Eve Elsewhere").doesNotContain("%PDF");
        }
        Api.Response pay = site.api()
                .withCookie(
                        "POST",
                        "/console/billing/invoices/" + otherInvoice + "/payments",
                        cookie(),
                        Optional.of(
                                form(csrf, "&amount=50.00&method=cash&reference=x&idempotencyKey=cross-tenant-01")));
        assertThat(pay.status()).isEqualTo(404);
        Api.Response retire = site.api()
                .withCookie(
                        "POST",
                        "/console/billing/packages/" + otherPackage + "/retire",
                        cookie(),
                        Optional.of(form(csrf, "")));
        assertThat(retire.status()).isEqualTo(404);
        assertThat(site.api()
                        .get("/api/v1/invoices/" + otherInvoice + "/payments", other.token())
                        .json()
                        .get("paid")
                        .asLong())
                .isZero();
        assertThat(site.api()
                        .get("/api/v1/packages/" + otherPackage, other.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("active");

        // Without the session's token a form is refused before any field is read.
        Api.Response forged = site.api()
                .withCookie(
                        "POST",
                        "/console/billing/packages",
                        cookie(),
                        Optional.of("name=Forged&kind=membership&price=10&interval=month"));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(packageNames()).doesNotContain("Forged");
        String member = site.member("Carl Csrf", LiveSite.uid());
        String invoice = invoiced(member, monthly).get("id").asText();
        Api.Response stale = site.api()
                .withCookie(
                        "POST",
                        "/console/billing/invoices/" + invoice + "/payments",
                        cookie(),
                        Optional.of("_csrf=stale&amount=1.00&method=cash&reference=x&idempotencyKey=forged-key-01"));
        assertThat(stale.status()).isEqualTo(403);
        assertThat(site.api()
                        .get("/api/v1/invoices/" + invoice + "/payments", site.token())
                        .json()
                        .get("paid")
                        .asLong())
                .isZero();
    }
}
