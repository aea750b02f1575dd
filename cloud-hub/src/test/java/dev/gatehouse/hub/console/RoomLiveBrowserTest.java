package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.rooms.RoomStateStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.RoomState;
import dev.gatehouse.protocol.model.ClockStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Today's day view in a real Chromium: a room booked now shows that it is booked, whether someone is
 * in it, its A/V scene and values as its edge reported them, and a fault flagged so that the front
 * desk sees it; the row follows the edge's next report by itself (the grid's htmx polling).
 */
class RoomLiveBrowserTest extends LiveBrowserTest {
    private static final String FAULT = "lights-level 80: refused by the controller: Bad_NotWritable (3 tries)";

    /** Stores {@code room} as the live site's edge reporting it, as the ingest does with its state. */
    private void report(RoomState room) {
        DeviceState state = new DeviceState(
                site.siteId,
                site.device,
                0,
                ClockStatus.TRUSTED,
                0,
                Health.DEGRADED,
                List.of(),
                "0.3.0",
                List.of(DeviceState.ROOMS_FEATURE),
                List.of(room));
        site.hub
                .hub()
                .database()
                .run(c -> RoomStateStore.record(
                        c,
                        site.tenant.id(),
                        site.siteId,
                        site.device,
                        state,
                        Instant.now(),
                        Instant.now().toEpochMilli()));
    }

    private RoomState inUse(String booking, Map<String, String> faults) {
        // The edge names the room its own way ("huddle-av"); its door ties it to the resource.
        return new RoomState(
                "huddle-av",
                Set.of(site.door),
                RoomState.Mode.IN_USE,
                Optional.of(booking),
                RoomState.Presence.OCCUPIED,
                Map.of("display-power", "on", "display-input", "HDMI1"),
                faults.isEmpty() ? Set.of() : Set.of("lights-level"),
                Set.of(),
                faults);
    }

    @Test
    void aRoomBookedNowShowsItsOccupancyAndItsAvFaultAndFollowsTheEdgesNextReport() {
        String room = site.hub.create(
                "/api/v1/sites/" + site.siteId + "/resources",
                site.token(),
                "{\"name\":\"Huddle\",\"kind\":\"meeting-room\",\"capacity\":4,\"doorIds\":[\"" + site.door + "\"]}");
        String member = site.member("Mia Meeting", LiveSite.uid());
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
        Api.Response booked = site.api()
                .post(
                        "/api/v1/bookings",
                        site.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"title\":\"Stand-up\","
                                + "\"start\":\"" + start + "\",\"end\":\"" + start.plus(Duration.ofHours(1))
                                + "\",\"overrideReason\":\"a booking under way for the test\"}");
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        String booking = booked.json().get("id").asText();
        report(inUse(booking, Map.of("lights-level", FAULT)));

        site.signInAsOwner(browser);
        browser.open(site.url("/console/bookings?site=" + site.siteId));
        WebElement fault =
                browser.awaitVisible(By.cssSelector("tr[data-resource='" + room + "'] [data-testid=room-fault]"));

        // Why: the front desk must see at a glance that the meeting's room cannot be set, and which part.
        assertThat(fault.getText()).isEqualTo("A/V fault: " + FAULT);
        String live = browser.driver()
                .findElement(By.cssSelector("tr[data-resource='" + room + "'] [data-testid=room-live]"))
                .getText();
        assertThat(live)
                .contains("Booked now", "someone in the room", "A/V in use", "display-input HDMI1", "display-power on");
        Axe.assertNoSeriousViolations(browser, "day view with a room's live A/V and a fault");
        browser.screenshot("bookings-day-room-av-fault");
        assertThat(browser.consoleErrors()).isEmpty();

        // The edge's next report (the fault gone) shows without reloading the page.
        report(inUse(booking, Map.of()));
        await().atMost(Duration.ofSeconds(15)).until(() -> browser.driver()
                .findElements(By.cssSelector("tr[data-resource='" + room + "'] [data-testid=room-fault]"))
                .isEmpty());
        assertThat(browser.driver()
                        .findElement(By.cssSelector("tr[data-resource='" + room + "'] [data-testid=room-av]"))
                        .getText())
                .contains("A/V in use");
        browser.screenshot("bookings-day-room-av-recovered");
    }
}
