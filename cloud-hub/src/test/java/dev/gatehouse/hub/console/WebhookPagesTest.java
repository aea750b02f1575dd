package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.webhooks.Receiver;
import dev.gatehouse.hub.webhooks.StandardWebhooks;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The webhooks pages in a real Chromium against a real hub and a real local receiver: an owner adds an
 * endpoint (a bad URL is refused beside its field, nothing saved), copies the secret shown once, sees
 * a delivery's health on the list, and replays a dead letter from the endpoint's page; the receiver
 * gets it signed with that secret.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookPagesTest extends LiveBrowserTest {
    private Receiver receiver;
    private static String endpointId;
    private static String secret;

    @BeforeAll
    void startReceiver() {
        receiver = new Receiver();
    }

    @AfterAll
    void stopReceiver() {
        receiver.close();
    }

    private JsonNode deliveries() {
        return site.api()
                .get("/api/v1/webhook-endpoints/" + endpointId + "/deliveries", site.token())
                .json()
                .get("items");
    }

    @Test
    @Order(1)
    void aBadUrlIsRefusedBesideItsFieldAndNothingIsSaved() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/webhooks"));
        browser.awaitVisible(By.cssSelector("[data-testid=no-endpoints]"));
        browser.driver().findElement(By.id("webhook-url")).sendKeys("http://crm.example.com/hooks");
        browser.driver().findElement(By.id("webhook-submit")).click();

        assertThat(browser.awaitVisible(By.id("webhook-url-error")).getText()).contains("https://");
        assertThat(browser.driver().findElement(By.id("webhook-url")).getAttribute("value"))
                .isEqualTo("http://crm.example.com/hooks");
        assertThat(site.api()
                        .get("/api/v1/webhook-endpoints", site.token())
                        .json()
                        .get("items"))
                .isEmpty();
        Axe.assertNoSeriousViolations(browser, "webhooks-refused");
        assertThat(browser.consoleErrors()).singleElement().satisfies(e -> assertThat(e)
                .contains("422"));
    }

    @Test
    @Order(2)
    void anOwnerAddsAnEndpointSeesItsSecretOnceAndItsHealthAfterADelivery() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/webhooks"));
        browser.awaitVisible(By.id("webhook-url")).sendKeys(receiver.url("/console-hooks"));
        browser.driver().findElement(By.id("webhook-description")).sendKeys("Front desk CRM");
        browser.driver()
                .findElement(By.cssSelector("input[name=eventTypes][value='member.created']"))
                .click();
        browser.driver().findElement(By.id("webhook-submit")).click();

        secret = browser.awaitVisible(By.id("webhook-secret")).getText();
        assertThat(StandardWebhooks.isSecret(secret)).isTrue();
        endpointId = browser.driver()
                .findElement(By.id("created-endpoint"))
                .getAttribute("href")
                .replaceAll(".*/console/webhooks/", "");
        // Shown once: a reload of the list does not show it again.
        browser.open(site.url("/console/webhooks"));
        assertThat(browser.driver().getPageSource()).doesNotContain(secret);

        site.api().post("/api/v1/members", site.token(), "{\"email\":\"hook@example.com\",\"fullName\":\"Hook\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 1);
        Receiver.Received received = receiver.received().getFirst();
        assertThat(StandardWebhooks.verify(secret, received.headers(), received.body(), Instant.now()))
                .isInstanceOf(StandardWebhooks.Verified.class);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> deliveries().get(0).get("status").asText().equals("delivered"));
        browser.open(site.url("/console/webhooks"));
        WebElement row = browser.awaitVisible(By.cssSelector("tr[data-endpoint='" + endpointId + "']"));
        assertThat(row.findElement(By.cssSelector("[data-testid=success-rate]")).getText())
                .isEqualTo("100 %");
        assertThat(row.findElement(By.cssSelector("[data-testid=last-success]")).getText())
                .endsWith("UTC");
        assertThat(row.findElement(By.cssSelector("[data-testid=dead-letters]")).getText())
                .isEqualTo("0");
        Axe.assertNoSeriousViolations(browser, "webhooks");
        browser.screenshot("webhooks-list");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(3)
    void aDeadLetterIsReplayedFromTheEndpointsPageAndArrivesOnce() {
        receiver.answer(500);
        site.api().post("/api/v1/members", site.token(), "{\"email\":\"dead@example.com\",\"fullName\":\"Dead\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 2);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> deliveries().get(0).get("attempts").asInt() == 1);
        // The schedule's 27 hours are another test's (WebhookApiTest moves the clock through them): here
        // the delivery is put on its last step, due now, and the hub's worker makes that attempt.
        String deliveryId = deliveries().get(0).get("id").asText();
        site.hub
                .hub()
                .database()
                .run(c -> dev.gatehouse.hub.store.Sql.update(
                        c,
                        "UPDATE webhook_deliveries SET step = 7, next_attempt_at = ? WHERE id = ?",
                        Instant.now(),
                        deliveryId));
        site.hub.hub().webhooks().wake();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> deliveries().get(0).get("status").asText().equals("dead"));
        assertThat(receiver.count()).isEqualTo(3);

        site.signInAsOwner(browser);
        browser.open(site.url("/console/webhooks/" + endpointId));
        assertThat(browser.awaitVisible(By.cssSelector("[data-testid=dead-letters]"))
                        .getText())
                .isEqualTo("1");
        WebElement dead = browser.awaitVisible(By.cssSelector("tr[data-delivery='" + deliveryId + "']"));
        assertThat(dead.getAttribute("data-status")).isEqualTo("dead");
        assertThat(dead.getText()).contains("dead letter", "member.created", "the endpoint answered 500");
        Axe.assertNoSeriousViolations(browser, "webhook-dead-letter");
        browser.screenshot("webhook-dead-letter");

        receiver.answer(200);
        dead.findElement(By.cssSelector("button.replay")).click();
        assertThat(browser.awaitVisible(By.id("webhook-notice")).getText()).contains("queued");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> deliveries().get(0).get("status").asText().equals("delivered"));
        assertThat(receiver.count()).isEqualTo(4);
        browser.open(site.url("/console/webhooks/" + endpointId));
        assertThat(browser.awaitVisible(By.cssSelector("tr[data-delivery='" + deliveryId + "']"))
                        .getAttribute("data-status"))
                .isEqualTo("delivered");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=dead-letters]"))
                        .getText())
                .isEqualTo("0");
        browser.screenshot("webhook-replayed");
        assertThat(site.api()
                        .get("/api/v1/audit?action=webhook-delivery.replay", site.token())
                        .json()
                        .get("items"))
                .hasSize(1);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(4)
    void rotatingShowsTheNewSecretOnceAndUntilWhenTheOldOneSigns() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/webhooks/" + endpointId));
        browser.awaitVisible(By.id("rotate-secret")).click();
        String fresh = browser.awaitVisible(By.id("webhook-secret")).getText();
        assertThat(fresh).isNotEqualTo(secret);
        assertThat(StandardWebhooks.isSecret(fresh)).isTrue();
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=previous-until]"))
                        .getText())
                .contains("UTC");
        Axe.assertNoSeriousViolations(browser, "webhook-rotated");
        browser.screenshot("webhook-rotated");
        assertThat(browser.consoleErrors()).isEmpty();
    }
}
