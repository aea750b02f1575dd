package dev.gatehouse.hub.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.bookings.BookingRules;
import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.sites.ResourceKind;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the portal's floor plan draws, without a browser: each room's state at a moment (a member must
 * never see a free room that a booking would collide with, nor their own booking as someone else's),
 * where a booking would start, and boxes that stay on the plan.
 */
class BookingMapTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Instant AT = Instant.parse("2026-11-24T09:07:30Z"); // 10:07:30 in Berlin
    private static final String PLAN =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 240\" width=\"800\">"
                    + "<rect width=\"400\" height=\"240\"/></svg>";

    private final List<Resource> resources = new ArrayList<>();
    private final List<BookingStore.Busy> blocks = new ArrayList<>();

    @Test
    void eachRoomIsFreeBookedMineOrOutOfServiceAtTheMoment() {
        resource("res_free", Optional.empty(), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_theirs", Optional.empty(), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_mine", Optional.empty(), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_out", Optional.empty(), Resource.ResourceStatus.OUT_OF_SERVICE, 15);
        resource("res_later", Optional.empty(), Resource.ResourceStatus.ACTIVE, 15);
        block("res_theirs", "bk_theirs", "09:00", "10:00");
        block("res_mine", "bk_mine", "09:00", "09:08"); // its buffer after still runs: occupied
        block("res_later", "bk_later", "09:08", "10:00"); // starts just after the moment

        BookingMap map = map(Set.of("bk_mine"));

        assertThat(states(map))
                .containsExactly(
                        Map.entry("res_free", BookingMap.State.FREE),
                        Map.entry("res_theirs", BookingMap.State.BOOKED),
                        Map.entry("res_mine", BookingMap.State.MINE),
                        Map.entry("res_out", BookingMap.State.OUT),
                        Map.entry("res_later", BookingMap.State.FREE));
    }

    @Test
    void aRoomIsBookedWhileOneOfItsPartsIsAndAPartWhileTheWholeIs() {
        resource("res_hall", Optional.empty(), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_east", Optional.of("res_hall"), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_west", Optional.of("res_hall"), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_corner", Optional.of("res_east"), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_studio", Optional.empty(), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_studio_a", Optional.of("res_studio"), Resource.ResourceStatus.ACTIVE, 15);
        block("res_corner", "bk_corner", "09:00", "10:00"); // a part two levels down, the member's own
        // The whole studio is booked: the store writes its block on the studio and on its part.
        block("res_studio", "bk_studio", "09:00", "10:00");
        block("res_studio_a", "bk_studio", "09:00", "10:00");

        BookingMap map = map(Set.of("bk_corner"));

        assertThat(states(map))
                .containsExactly(
                        Map.entry("res_hall", BookingMap.State.BOOKED),
                        Map.entry("res_east", BookingMap.State.BOOKED),
                        Map.entry("res_west", BookingMap.State.FREE),
                        Map.entry("res_corner", BookingMap.State.MINE),
                        Map.entry("res_studio", BookingMap.State.BOOKED),
                        Map.entry("res_studio_a", BookingMap.State.BOOKED));
    }

    @Test
    void aFreeRoomOffersTheNextStepOnItsGridForAnHourWithinItsLimits() {
        resource("res_quarter", Optional.empty(), Resource.ResourceStatus.ACTIVE, 15);
        resource("res_half", Optional.empty(), Resource.ResourceStatus.ACTIVE, 30);

        BookingMap map = map(Set.of());

        BookingMap.Spot quarter = map.spots().get(0);
        assertThat(quarter.date()).isEqualTo("2026-11-24");
        assertThat(quarter.from()).isEqualTo("10:15");
        assertThat(quarter.to()).isEqualTo("11:15");
        assertThat(map.spots().get(1).from()).isEqualTo("10:30");
        // On the grid already, with no seconds: that minute itself.
        assertThat(BookingMap.nextStep(Instant.parse("2026-11-24T09:15:00Z"), BERLIN, 15)
                        .toLocalTime())
                .hasToString("10:15");
    }

    @Test
    void thePlansSizeComesFromItsViewBoxElseItsWidthAndHeight() {
        assertThat(BookingMap.size(PLAN)).containsExactly(400, 240);
        assertThat(BookingMap.size("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640px\" height=\"480\"/>"))
                .containsExactly(640, 480);
        assertThat(BookingMap.size("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"))
                .containsExactly(BookingMap.DEFAULT_WIDTH, BookingMap.DEFAULT_HEIGHT);
    }

    @Test
    void aBoxIsCentredOnItsPositionAndKeptOnThePlan() {
        double[] size = {400, 240};
        BookingMap.Box centred = BookingMap.box(size, 50, 50, "Ada", "Free");
        assertThat(Double.parseDouble(centred.centre())).isEqualTo(200);
        double width = Double.parseDouble(centred.width());
        double height = Double.parseDouble(centred.height());
        assertThat(Double.parseDouble(centred.x()) + width / 2)
                .isCloseTo(200, org.assertj.core.data.Offset.offset(0.01));
        assertThat(Double.parseDouble(centred.y()) + height / 2)
                .isCloseTo(120, org.assertj.core.data.Offset.offset(0.01));

        BookingMap.Box corner = BookingMap.box(size, 100, 100, "A long room name", "Out of service");
        assertThat(Double.parseDouble(corner.x()) + Double.parseDouble(corner.width()))
                .isLessThanOrEqualTo(400.01);
        assertThat(Double.parseDouble(corner.y()) + Double.parseDouble(corner.height()))
                .isLessThanOrEqualTo(240.01);
        assertThat(BookingMap.box(size, 0, 0, "A", "Free").x()).isEqualTo("0");
    }

    @Test
    void onlyRoomsWithAPositionAreOnThePlan() {
        resource("res_placed", Optional.empty(), Resource.ResourceStatus.ACTIVE, 15);
        resources.add(copyWithoutPosition(resources.getFirst(), "res_unplaced"));

        BookingMap map = map(Set.of());

        assertThat(map.spots()).extracting(s -> s.box().isPresent()).containsExactly(true, false);
        assertThat(map.anyOnPlan()).isTrue();
        assertThat(map.viewBox()).isEqualTo("0 0 400 240");
    }

    private BookingMap map(Set<String> mine) {
        return BookingMap.of(
                Optional.of(PLAN),
                BERLIN,
                AT,
                resources,
                blocks,
                mine,
                Map.of(BookingMap.State.FREE, "Free", BookingMap.State.BOOKED, "Booked"));
    }

    private static List<Map.Entry<String, BookingMap.State>> states(BookingMap map) {
        return map.spots().stream()
                .map(s -> Map.entry(s.resource().id(), s.state()))
                .toList();
    }

    /** Blocks in UTC wall-clock times of the day (Berlin is an hour ahead in November). */
    private void block(String resourceId, String bookingId, String from, String until) {
        blocks.add(new BookingStore.Busy(
                resourceId,
                bookingId,
                Instant.parse("2026-11-24T" + from + ":00Z"),
                Instant.parse("2026-11-24T" + until + ":00Z")));
    }

    private void resource(String id, Optional<String> parent, Resource.ResourceStatus status, int granularity) {
        BookingRules d = BookingRules.DEFAULTS;
        resources.add(new Resource(
                id,
                "site_1",
                parent,
                id.substring(4),
                ResourceKind.MEETING_ROOM,
                4,
                List.of(),
                Optional.of(40),
                Optional.of(60),
                0,
                0,
                status,
                new BookingRules(
                        granularity,
                        granularity == 30 ? 30 : d.minMinutes(),
                        d.maxMinutes(),
                        0,
                        90,
                        0,
                        0,
                        0,
                        0,
                        d.cancelWindowMinutes(),
                        List.of(),
                        false),
                List.of(),
                List.of(),
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:00Z"));
    }

    private static Resource copyWithoutPosition(Resource r, String id) {
        return new Resource(
                id,
                r.siteId(),
                r.parentId(),
                r.name(),
                r.kind(),
                r.capacity(),
                r.amenities(),
                Optional.empty(),
                Optional.empty(),
                r.pricePerHour(),
                r.creditsPerHour(),
                r.status(),
                r.rules(),
                r.doorIds(),
                r.planIds(),
                r.createdAt(),
                r.updatedAt());
    }
}
