package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.bookings.BookingRules;
import dev.gatehouse.hub.bookings.ResourceService;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.protocol.model.TimeWindow;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The resource form read as the API's body: the page must accept exactly what the API accepts (the
 * API's own reader decides), and a resource shown in the form must come back unchanged when saved.
 */
class ResourcePagesTest {

    @Test
    void aFormIsReadByTheApisOwnReaderIntoTheSameSettings() {
        Map<String, String> form = new HashMap<>(ResourcePages.stored(Optional.empty()));
        form.put("name", "Room Ada");
        form.put("amenities", "Screen,  Whiteboard ,");
        form.put("pricePerHour", "12.5");
        form.put("x", "30");
        form.put("y", "");
        form.put("rules.bufferBeforeMinutes", "15");
        form.put("rules.openingHours", "monday-friday 08:00-18:00\nsaturday 9:00-13:00\n");
        form.put("rules.closedOnHolidays", "on");
        List<FieldError> errors = new ArrayList<>();

        ResourceStore.ResourceInput input = read(form, List.of("door_1"), errors);

        assertThat(errors).isEmpty();
        assertThat(input.name()).isEqualTo("Room Ada");
        assertThat(input.kind()).isEqualTo(ResourceKind.MEETING_ROOM);
        assertThat(input.amenities()).containsExactly("Screen", "Whiteboard");
        assertThat(input.pricePerHour()).isEqualTo(1250);
        assertThat(input.x()).contains(30);
        assertThat(input.y()).isEmpty();
        assertThat(input.doorIds()).containsExactly("door_1");
        assertThat(input.rules().bufferBeforeMinutes()).isEqualTo(15);
        assertThat(input.rules().openingHours()).hasSize(6);
        assertThat(input.rules().closedOnHolidays()).isTrue();
        assertThat(input.rules().granularityMinutes()).isEqualTo(BookingRules.DEFAULTS.granularityMinutes());
    }

    @Test
    void everyProblemIsNamedByItsFieldAsTheApiNamesIt() {
        Map<String, String> form = new HashMap<>(ResourcePages.stored(Optional.empty()));
        form.put("name", "");
        form.put("pricePerHour", "12,50");
        form.put("x", "140");
        form.put("rules.minMinutes", "fifteen");
        form.put("rules.maxMinutes", "10");
        form.put("rules.openingHours", "someday 08:00-18:00");
        List<FieldError> errors = new ArrayList<>();

        read(form, List.of(), errors);

        assertThat(errors)
                .extracting(FieldError::field)
                .contains("name", "pricePerHour", "x", "rules.minMinutes", "rules.openingHours");
        assertThat(errors)
                .filteredOn(e -> e.field().equals("pricePerHour"))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("12.50", "12,50"));
    }

    @Test
    void openingHoursAreShownAsTypedWithRunsOfDaysOnOneLine() {
        List<TimeWindow> windows = new ArrayList<>();
        for (DayOfWeek day : List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY)) {
            windows.add(TimeWindow.of(day, "08:00", "18:00"));
        }
        windows.add(TimeWindow.of(DayOfWeek.FRIDAY, "08:00", "18:00"));
        windows.add(TimeWindow.of(DayOfWeek.MONDAY, "19:00", "22:00"));
        windows.add(TimeWindow.of(DayOfWeek.SATURDAY, "09:00", "13:00"));

        String typed = ResourcePages.typed(windows);

        assertThat(typed)
                .isEqualTo("monday-wednesday 08:00-18:00\nmonday 19:00-22:00\nfriday 08:00-18:00\n"
                        + "saturday 09:00-13:00\n");
        // What the form shows reads back to the same windows.
        Map<String, String> form = new HashMap<>(ResourcePages.stored(Optional.empty()));
        form.put("name", "Room");
        form.put("rules.openingHours", typed);
        List<FieldError> errors = new ArrayList<>();
        assertThat(read(form, List.of(), errors).rules().openingHours()).containsExactlyInAnyOrderElementsOf(windows);
        assertThat(errors).isEmpty();
    }

    private static ResourceStore.ResourceInput read(
            Map<String, String> form, List<String> doors, List<FieldError> errors) {
        ObjectNode body = ResourcePages.body(form, doors, List.of(), errors);
        try {
            return ResourceService.input(
                    Input.of(
                            body,
                            body.properties().stream().map(Map.Entry::getKey).toArray(String[]::new)),
                    Optional.empty());
        } catch (ApiException e) {
            errors.addAll(e.errors());
            return null;
        }
    }
}
