package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.door.DoorState;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A door's policy edited on its console page reaches the simulated edge through sync: office hours
 * typed as "monday-sunday 00:00-24:00" unlock the door at the edge, a line that is not a window is
 * refused with nothing pushed, and handing the hours back to the edge relocks it. Only roles that
 * manage sites see the page.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DoorPolicyPagesTest extends LiveBrowserTest {
    DoorController door() {
        return site.edge.agent.doors().get(site.door);
    }

    long changeSeq() {
        return site.api()
                .get("/api/v1/sites/" + site.siteId, site.token())
                .json()
                .get("changeSeq")
                .asLong();
    }

    void openPolicy() {
        browser.open(site.url("/console/doors"));
        // The doors page updates its rows live: a row replaced under the click is looked up again.
        browser.click(By.cssSelector("#door-" + site.door + " a[href$='/policy']"));
        browser.awaitVisible(By.id("held-open"));
    }

    @Test
    @Order(1)
    void officeHoursSetInTheConsoleUnlockTheDoorAtTheEdgeAndHandingThemBackRelocksIt() {
        site.signInAsOwner(browser);
        openPolicy();
        Axe.assertNoSeriousViolations(browser, "door policy");
        browser.driver().findElement(By.id("held-open")).sendKeys("15");
        browser.driver().findElement(By.id("hours-hub")).click();
        browser.driver().findElement(By.id("office-hours")).sendKeys("monday-sunday 00:00-24:00");
        browser.driver().findElement(By.id("save-policy")).click();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("Door policy saved");
        WebElement row = browser.awaitVisible(By.id("door-" + site.door));
        assertThat(row.findElement(By.cssSelector("[data-testid=held-open]")).getText())
                .isEqualTo("Held-open alarm after 15 s (hub)");
        assertThat(row.findElement(By.cssSelector("[data-testid=office-hours]")).getText())
                .isEqualTo("Office hours: 7 windows (hub)");
        await().atMost(Duration.ofSeconds(15)).until(() -> door().state() == DoorState.UNLOCKED_SCHEDULE);
        assertThat(door().policy().heldOpenAfter()).isEqualTo(Duration.ofSeconds(15));
        browser.screenshot("door-policy-pushed");
        assertThat(site.api()
                        .get("/api/v1/audit?action=door.update&resourceId=" + site.door, site.token())
                        .json()
                        .at("/items/0/after/heldOpenSeconds")
                        .asLong())
                .isEqualTo(15);

        openPolicy();
        browser.driver().findElement(By.id("hours-edge")).click();
        browser.driver().findElement(By.id("save-policy")).click();
        browser.awaitVisible(By.cssSelector("p.notice"));
        await().atMost(Duration.ofSeconds(15)).until(() -> door().state() == DoorState.LOCKED);
        assertThat(door().policy().windowsPushed()).isFalse();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(2)
    void aLineThatIsNotAWindowIsRefusedAndNothingIsPushed() {
        site.signInAsOwner(browser);
        long seq = changeSeq();
        openPolicy();
        browser.driver().findElement(By.id("hours-hub")).click();
        browser.driver().findElement(By.id("office-hours")).clear();
        browser.driver().findElement(By.id("office-hours")).sendKeys("funday 08:00-09:00");
        browser.driver().findElement(By.id("save-policy")).click();
        assertThat(browser.awaitVisible(By.id("policy-error")).getText())
                .contains("funday 08:00-09:00", "'funday' is not a day");
        // what was typed is still there to fix
        assertThat(browser.driver().findElement(By.id("office-hours")).getAttribute("value"))
                .isEqualTo("funday 08:00-09:00");
        assertThat(changeSeq()).isEqualTo(seq);
        browser.driver().findElement(By.id("held-open")).clear();
        browser.driver().findElement(By.id("held-open")).sendKeys("2");
        browser.driver().findElement(By.id("office-hours")).clear();
        browser.driver().findElement(By.id("save-policy")).click();
        browser.awaitText(By.id("policy-error"), "from 5 to 3600");
        assertThat(changeSeq()).isEqualTo(seq);
        Axe.assertNoSeriousViolations(browser, "door policy refused");
        browser.screenshot("door-policy-refused");
        assertThat(browser.consoleErrors()).allMatch(e -> e.contains("422"));
    }

    @Test
    @Order(3)
    void aFrontDeskCannotOpenThePolicy() {
        String email = site.account("front-desk", "[]", "front desk password for policy");
        site.signIn(browser, email, "front desk password for policy");
        browser.open(site.url("/console/doors"));
        browser.awaitVisible(By.id("door-" + site.door));
        assertThat(browser.driver().findElements(By.cssSelector("#door-" + site.door + " a[href$='/policy']")))
                .isEmpty();
        browser.open(site.url("/console/doors/" + site.siteId + "/" + site.door + "/policy"));
        assertThat(browser.driver().getPageSource()).contains("cannot open this page");
    }
}
