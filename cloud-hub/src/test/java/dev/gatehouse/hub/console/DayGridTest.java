package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.bookings.BookingRules;
import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.BookingView;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.sites.ResourceKind;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The day view's grid, without a browser: the page is a table whose cells span five-minute columns,
 * so a cell in the wrong place or a row whose spans do not add up would draw every later booking at
 * the wrong time.
 */
class DayGridTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final LocalDate DAY = LocalDate.of(2026, 11, 24);
    private static final Instant EARLY = Instant.parse("2026-11-24T05:00:00Z"); // 06:00 in Berlin

    private final List<Resource> resources = new ArrayList<>();
    private final List<BookingStore.Busy> blocks = new ArrayList<>();
    private final Map<String, BookingView> bookings = new HashMap<>();

    @Nested
    class Layout {
        @Test
        void aBookingSitsAtItsTimeWithItsBuffersShadedOnEitherSide() {
            resource("res_ada", "Room Ada", Optional.empty());
            book("bk_1", "res_ada", "mem_1", "10:00", "11:00", 15, 10, List.of("res_ada"));

            DayGrid grid = build();

            assertThat(grid.hours()).hasSize(14);
            assertThat(grid.hours().getFirst().label()).isEqualTo("07:00");
            assertThat(grid.hours().getLast().label()).isEqualTo("20:00");
            List<DayGrid.Cell> cells = grid.rows().getFirst().cells();
            assertThat(spans(cells)).isEqualTo(14 * 12);
            // 07:00–09:45 free (cut at 08:00 and 09:00), 15 min buffer, the hour, 10 min buffer, then free.
            assertThat(cells.subList(0, 3)).allSatisfy(c -> assertThat(c).isInstanceOf(DayGrid.Free.class));
            assertThat(((DayGrid.Free) cells.get(2)).time()).isEqualTo("09:00");
            assertThat(cells.get(2).span()).isEqualTo(9);
            assertThat(cells.get(3)).isEqualTo(new DayGrid.Buffer(3, 15, true));
            DayGrid.Booked booked = (DayGrid.Booked) cells.get(4);
            assertThat(booked.span()).isEqualTo(12);
            assertThat(booked.time()).isEqualTo("10:00–11:00");
            assertThat(booked.member()).contains("Member mem_1");
            assertThat(cells.get(5)).isEqualTo(new DayGrid.Buffer(2, 10, false));
            DayGrid.Free after = (DayGrid.Free) cells.get(6);
            assertThat(after.time()).isEqualTo("11:10");
            assertThat(after.span()).isEqualTo(10);
            assertThat(after.date()).isEqualTo("2026-11-24");
        }

        @Test
        void anOperatorWhoMayNotSeeMembersGetsNoNames() {
            resource("res_ada", "Room Ada", Optional.empty());
            book("bk_1", "res_ada", "mem_1", "10:00", "11:00", 0, 0, List.of("res_ada"));

            DayGrid grid = DayGrid.build(DAY, BERLIN, EARLY, resources, blocks, bookings, id -> Optional.empty());

            assertThat(cellsOf(grid, "res_ada"))
                    .filteredOn(DayGrid.Booked.class::isInstance)
                    .singleElement()
                    .satisfies(c -> assertThat(((DayGrid.Booked) c).member()).isEmpty());
        }

        @Test
        void freeTimeThatIsOverIsMarkedPast() {
            resource("res_ada", "Room Ada", Optional.empty());

            DayGrid grid = DayGrid.build(
                    DAY,
                    BERLIN,
                    Instant.parse("2026-11-24T09:30:00Z"), // 10:30 in Berlin
                    resources,
                    blocks,
                    bookings,
                    id -> Optional.empty());

            List<DayGrid.Free> free = cellsOf(grid, "res_ada").stream()
                    .map(DayGrid.Free.class::cast)
                    .toList();
            assertThat(free).hasSize(14);
            assertThat(free.subList(0, 3)).allMatch(DayGrid.Free::past); // 07, 08, 09 o'clock
            assertThat(free.subList(3, 14)).noneMatch(DayGrid.Free::past); // 10 o'clock is not over yet
        }

        @Test
        void timesOffTheGridAreRoundedWithoutCellsOverlapping() {
            // Overrides booked "from now" start on any minute.
            resource("res_ada", "Room Ada", Optional.empty());
            book("bk_1", "res_ada", "mem_1", "10:02", "10:58", 0, 0, List.of("res_ada"));
            book("bk_2", "res_ada", "mem_2", "10:58", "11:31", 0, 0, List.of("res_ada"));

            List<DayGrid.Cell> cells = cellsOf(build(), "res_ada");

            assertThat(spans(cells)).isEqualTo(14 * 12);
            List<DayGrid.Booked> booked = cells.stream()
                    .filter(DayGrid.Booked.class::isInstance)
                    .map(DayGrid.Booked.class::cast)
                    .toList();
            assertThat(booked).extracting(DayGrid.Booked::span).containsExactly(12, 6);
            assertThat(booked).extracting(DayGrid.Booked::time).containsExactly("10:02–10:58", "10:58–11:31");
        }
    }

    @Nested
    class SplitRooms {
        @Test
        void aBookingOfTheWholeBlocksItsPartsAndAPartsBookingBlocksTheWhole() {
            resource("res_hall", "Hall", Optional.empty());
            resource("res_east", "Hall east", Optional.of("res_hall"));
            resource("res_west", "Hall west", Optional.of("res_hall"));
            book("bk_whole", "res_hall", "mem_1", "09:00", "10:00", 0, 0, List.of("res_hall", "res_east", "res_west"));
            book("bk_east", "res_east", "mem_2", "12:00", "13:00", 0, 0, List.of("res_east"));
            book("bk_west", "res_west", "mem_3", "12:30", "14:00", 0, 0, List.of("res_west"));

            DayGrid grid = build();

            // The parts come right under their room.
            assertThat(grid.rows())
                    .extracting(r -> r.resource().id())
                    .containsExactly("res_hall", "res_east", "res_west");
            assertThat(grid.rows()).extracting(DayGrid.Row::depth).containsExactly(0, 1, 1);
            assertThat(grid.rows().get(1).parentName()).contains("Hall");
            DayGrid.Blocked whole = cellsOf(grid, "res_east").stream()
                    .filter(DayGrid.Blocked.class::isInstance)
                    .map(DayGrid.Blocked.class::cast)
                    .findFirst()
                    .orElseThrow();
            assertThat(whole.whole()).isTrue();
            assertThat(whole.by()).isEqualTo("Hall");
            // On the hall, the two parts' bookings merge into one blocked stretch, 12:00–14:00.
            List<DayGrid.Blocked> parts = cellsOf(grid, "res_hall").stream()
                    .filter(DayGrid.Blocked.class::isInstance)
                    .map(DayGrid.Blocked.class::cast)
                    .toList();
            assertThat(parts).singleElement().satisfies(b -> {
                assertThat(b.whole()).isFalse();
                assertThat(b.span()).isEqualTo(24);
                assertThat(b.time()).isEqualTo("12:00–14:00");
            });
            assertThat(cellsOf(grid, "res_hall"))
                    .filteredOn(DayGrid.Booked.class::isInstance)
                    .hasSize(1);
            for (DayGrid.Row row : grid.rows()) {
                assertThat(spans(row.cells())).as(row.resource().name()).isEqualTo(14 * 12);
            }
        }
    }

    @Nested
    class Hours {
        @Test
        void bookingsEarlyOrLateWidenTheDayToWholeHours() {
            resource("res_ada", "Room Ada", Optional.empty());
            book("bk_1", "res_ada", "mem_1", "05:30", "06:00", 0, 0, List.of("res_ada"));
            book("bk_2", "res_ada", "mem_1", "22:00", "23:15", 0, 0, List.of("res_ada"));

            DayGrid grid = build();

            assertThat(grid.hours().getFirst().label()).isEqualTo("05:00");
            assertThat(grid.hours().getLast().label()).isEqualTo("23:00");
            assertThat(spans(cellsOf(grid, "res_ada"))).isEqualTo(19 * 12);
        }

        @Test
        void onTheDayClocksGoForwardTheMissingHourIsNotAColumn() {
            // 29 March 2026 in Berlin: 02:00 becomes 03:00. A booking from 00:30 widens the day to midnight.
            LocalDate day = LocalDate.of(2026, 3, 29);
            resource("res_ada", "Room Ada", Optional.empty());
            Instant start = Instant.parse("2026-03-28T23:30:00Z"); // 00:30 CET
            Instant end = Instant.parse("2026-03-29T01:30:00Z"); // 03:30 CEST: two real hours
            add("bk_1", "res_ada", "mem_1", start, end, 0, 0, List.of("res_ada"));

            DayGrid grid = DayGrid.build(day, BERLIN, EARLY, resources, blocks, bookings, id -> Optional.empty());

            assertThat(grid.hours()).extracting(DayGrid.Hour::label).startsWith("00:00", "01:00", "03:00", "04:00");
            DayGrid.Booked booked = (DayGrid.Booked) cellsOf(grid, "res_ada").get(1);
            assertThat(booked.span()).isEqualTo(24);
            assertThat(booked.time()).isEqualTo("00:30–03:30");
            assertThat(spans(cellsOf(grid, "res_ada"))).isEqualTo(20 * 12); // 00:00–21:00 is 20 real hours
        }
    }

    private DayGrid build() {
        return DayGrid.build(DAY, BERLIN, EARLY, resources, blocks, bookings, id -> Optional.of("Member " + id));
    }

    private static List<DayGrid.Cell> cellsOf(DayGrid grid, String resourceId) {
        return grid.rows().stream()
                .filter(r -> r.resource().id().equals(resourceId))
                .findFirst()
                .orElseThrow()
                .cells();
    }

    private static int spans(List<DayGrid.Cell> cells) {
        return cells.stream().mapToInt(DayGrid.Cell::span).sum();
    }

    private void resource(String id, String name, Optional<String> parent) {
        resources.add(new Resource(
                id,
                "site_1",
                parent,
                name,
                ResourceKind.MEETING_ROOM,
                6,
                List.of(),
                Optional.empty(),
                Optional.empty(),
                0,
                0,
                Resource.ResourceStatus.ACTIVE,
                BookingRules.DEFAULTS,
                List.of(),
                List.of(),
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:00Z"));
    }

    /** A booking on {@link #DAY} from and to Berlin wall-clock times, with its blocks on {@code blocked}. */
    private void book(
            String id,
            String resourceId,
            String memberId,
            String from,
            String to,
            int before,
            int after,
            List<String> blocked) {
        add(
                id,
                resourceId,
                memberId,
                DAY.atTime(java.time.LocalTime.parse(from)).atZone(BERLIN).toInstant(),
                DAY.atTime(java.time.LocalTime.parse(to)).atZone(BERLIN).toInstant(),
                before,
                after,
                blocked);
    }

    private void add(
            String id,
            String resourceId,
            String memberId,
            Instant start,
            Instant end,
            int before,
            int after,
            List<String> blocked) {
        Instant from = start.minusSeconds(before * 60L);
        Instant until = end.plusSeconds(after * 60L);
        bookings.put(
                id,
                new BookingView(
                        id,
                        "site_1",
                        resourceId,
                        memberId,
                        "",
                        start.toString(),
                        end.toString(),
                        from.toString(),
                        until.toString(),
                        "confirmed",
                        0,
                        0,
                        null,
                        "acc_1",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                        null));
        for (String r : blocked) {
            blocks.add(new BookingStore.Busy(r, id, from, until));
        }
    }
}
