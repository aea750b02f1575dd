package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Recurring bookings through the API on both stores: a series keeps its local time across daylight
 * saving, each occurrence is an ordinary booking checked by the one engine, conflicts are all-or-nothing
 * or skipped and listed, and "this and following" ends the rule where the cancellation starts.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SeriesApiTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String door;
    private String member;
    private String other;
    /** A Monday at least a week ahead: every test's series starts there. */
    private LocalDate monday;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void site() {
        BookingSite fixture = BookingSite.create(hub, "series");
        tenant = fixture.tenant();
        site = fixture.site();
        door = fixture.door();
        member = fixture.member();
        other = fixture.other();
        monday = LocalDate.now(BERLIN).plusWeeks(1).with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
    }

    private String room(String rules) {
        return hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"pricePerHour\":2500,\"creditsPerHour\":2,"
                        + "\"doorIds\":[\"" + door + "\"],\"rules\":{\"maxAdvanceDays\":730" + rules + "}}");
    }

    private Api.Response series(String room, LocalDateTime start, String rrule, String more) {
        return hub.api()
                .post(
                        "/api/v1/booking-series",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"title\":\"Stand-up\","
                                + "\"start\":\"" + start + "\",\"durationMinutes\":60,\"rrule\":\"" + rrule + "\""
                                + more + "}");
    }

    private JsonNode created(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    private Api.Response book(String room, String who, LocalDateTime from, LocalDateTime to) {
        return hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + who + "\",\"start\":\"" + instant(from)
                                + "\",\"end\":\"" + instant(to) + "\"}");
    }

    private JsonNode get(String seriesId) {
        Api.Response response = hub.api().get("/api/v1/booking-series/" + seriesId, tenant.token());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static Instant instant(LocalDateTime local) {
        return local.atZone(BERLIN).toInstant();
    }

    private static String local(LocalDate day, int hour) {
        return SeriesRule.format(day.atTime(hour, 0));
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static List<String> texts(JsonNode array, String field) {
        return list(array).stream().map(n -> n.get(field).asText()).toList();
    }

    private static JsonNode occurrence(JsonNode series, String recurrenceId) {
        return list(series.get("occurrences")).stream()
                .filter(o -> o.get("recurrenceId").asText().equals(recurrenceId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no occurrence " + recurrenceId + " in " + series));
    }

    private long liveBookings(String who) {
        return hub.hub().database().read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM bookings WHERE tenant_id = ? AND member_id = ? AND status = 'CONFIRMED'",
                        Sql.LONG,
                        tenant.id(),
                        who)
                .orElseThrow());
    }

    @Test
    void aWeeklySeriesStaysAtNineLocalAcrossBothDaylightSavingChangesWithAnExdateAndAMovedOccurrence() {
        String room = room("");
        LocalDate skipped = monday.plusWeeks(2);
        JsonNode series = created(series(
                room,
                monday.atTime(9, 0),
                "FREQ=WEEKLY;BYDAY=MO;COUNT=52",
                ",\"exdates\":[\"" + skipped.atTime(9, 0) + "\"]"));
        assertThat(series.get("timeZone").asText()).isEqualTo("Europe/Berlin");
        assertThat(series.get("skipped")).isEmpty();
        List<JsonNode> occurrences = list(series.get("occurrences"));
        assertThat(occurrences).hasSize(51);
        Set<ZoneOffset> offsets = new HashSet<>();
        for (JsonNode occurrence : occurrences) {
            ZonedDateTime start =
                    Instant.parse(occurrence.get("start").asText()).atZone(BERLIN);
            assertThat(start.toLocalTime()).as(occurrence.toString()).isEqualTo(LocalTime.of(9, 0));
            assertThat(start.getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
            assertThat(occurrence.get("recurrenceId").asText()).isEqualTo(SeriesRule.format(start.toLocalDateTime()));
            assertThat(occurrence.get("status").asText()).isEqualTo("confirmed");
            offsets.add(start.getOffset());
        }
        // A year of Mondays spans both changes: the same 09:00 is two different UTC times.
        assertThat(offsets).containsExactlyInAnyOrder(ZoneOffset.ofHours(1), ZoneOffset.ofHours(2));
        assertThat(texts(series.get("occurrences"), "recurrenceId")).doesNotContain(local(skipped, 9));
        assertThat(series.get("exdates")).extracting(JsonNode::asText).containsExactly(local(skipped, 9));
        // The skipped Monday is free for anyone else.
        assertThat(book(room, other, skipped.atTime(9, 0), skipped.atTime(10, 0))
                        .status())
                .isEqualTo(201);

        // Each occurrence is an ordinary booking, with the price fixed.
        String fifth = occurrences.get(4).get("bookingId").asText();
        JsonNode booking =
                hub.api().get("/api/v1/bookings/" + fifth, tenant.token()).json();
        assertThat(booking.get("price").asLong()).isEqualTo(2500);
        assertThat(booking.get("title").asText()).isEqualTo("Stand-up");

        // Move the fifth to the Tuesday at 10:00: a RECURRENCE-ID override, not an EXDATE.
        String recurrenceId = occurrences.get(4).get("recurrenceId").asText();
        LocalDate tuesday = LocalDateTime.parse(recurrenceId).toLocalDate().plusDays(1);
        Api.Response moved = hub.api()
                .patch(
                        "/api/v1/bookings/" + fifth,
                        tenant.token(),
                        "{\"start\":\"" + instant(tuesday.atTime(10, 0)) + "\",\"end\":\""
                                + instant(tuesday.atTime(11, 0)) + "\"}");
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().get("id").asText()).isEqualTo(fifth);
        JsonNode after = get(series.get("id").asText());
        JsonNode override = occurrence(after, recurrenceId);
        assertThat(override.get("moved").asBoolean()).isTrue();
        assertThat(override.get("start").asText())
                .isEqualTo(instant(tuesday.atTime(10, 0)).toString());
        assertThat(after.get("exdates")).extracting(JsonNode::asText).containsExactly(local(skipped, 9));
        assertThat(list(after.get("occurrences")).stream()
                        .filter(o -> o.get("moved").asBoolean())
                        .count())
                .isEqualTo(1);
        // Its Monday is free now; its Tuesday is taken.
        LocalDate itsMonday = tuesday.minusDays(1);
        assertThat(book(room, other, itsMonday.atTime(9, 0), itsMonday.atTime(10, 0))
                        .status())
                .isEqualTo(201);
        assertThat(book(room, other, tuesday.atTime(10, 30), tuesday.atTime(11, 30))
                        .status())
                .isEqualTo(409);

        // Cancelled, the moved occurrence becomes an EXDATE of its RECURRENCE-ID, exactly: the Monday
        // at 09:00 it came from, not the Tuesday at 10:00 it went to.
        assertThat(hub.api()
                        .post("/api/v1/bookings/" + fifth + "/cancel", tenant.token(), "")
                        .status())
                .isEqualTo(200);
        JsonNode last = get(series.get("id").asText());
        assertThat(last.get("exdates")).extracting(JsonNode::asText).containsExactly(local(skipped, 9), recurrenceId);
        assertThat(occurrence(last, recurrenceId).get("status").asText()).isEqualTo("cancelled");
    }

    @Test
    void allOrNothingBooksNothingAndNamesEachFailingOccurrenceWhileSkipConflictsBooksTheRest() {
        String room = room(",\"closedOnHolidays\":true");
        String taken2 = book(
                        room,
                        other,
                        monday.plusWeeks(2).atTime(9, 0),
                        monday.plusWeeks(2).atTime(10, 0))
                .json()
                .get("id")
                .asText();
        String taken5 = book(
                        room,
                        other,
                        monday.plusWeeks(5).atTime(9, 30),
                        monday.plusWeeks(5).atTime(10, 30))
                .json()
                .get("id")
                .asText();

        Api.Response conflicts = series(room, monday.atTime(9, 0), "FREQ=WEEKLY;COUNT=8", "");
        assertThat(conflicts.status()).as(conflicts.toString()).isEqualTo(409);
        assertThat(conflicts.json().get("type").asText()).endsWith("booking-series-conflict");
        assertThat(texts(conflicts.json().get("errors"), "field"))
                .containsExactly(local(monday.plusWeeks(2), 9), local(monday.plusWeeks(5), 9));
        assertThat(texts(conflicts.json().get("errors"), "message"))
                .allSatisfy(m -> assertThat(m).startsWith("conflict: "))
                .anySatisfy(m -> assertThat(m).contains(taken2))
                .anySatisfy(m -> assertThat(m).contains(taken5));
        assertThat(conflicts.json().get("detail").asText())
                .contains("2 of 8 occurrences")
                .contains("skip-conflicts")
                .doesNotContain(other);
        assertThat(liveBookings(member)).isZero();

        // A holiday breaks a rule as well: 422, listing the broken rule beside the conflicts.
        LocalDate holiday = monday.plusWeeks(3);
        assertThat(hub.api()
                        .put(
                                "/api/v1/sites/" + site + "/holidays",
                                tenant.token(),
                                "{\"holidays\":[{\"date\":\"" + holiday + "\",\"name\":\"Feiertag\"}]}")
                        .status())
                .isEqualTo(200);
        Api.Response refused = series(room, monday.atTime(9, 0), "FREQ=WEEKLY;COUNT=8", "");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.json().get("type").asText()).endsWith("booking-series-rules");
        assertThat(texts(refused.json().get("errors"), "field"))
                .containsExactly(local(monday.plusWeeks(2), 9), local(holiday, 9), local(monday.plusWeeks(5), 9));
        assertThat(refused.json().at("/errors/1/message").asText()).startsWith("holiday: ");
        assertThat(liveBookings(member)).isZero();
        long seriesRows = hub.hub().database().read(c -> Sql.one(
                        c, "SELECT COUNT(*) FROM booking_series WHERE tenant_id = ?", Sql.LONG, tenant.id())
                .orElseThrow());
        assertThat(seriesRows).isZero();

        // skip-conflicts books the other five and lists the three it left out, which become EXDATEs.
        JsonNode made =
                created(series(room, monday.atTime(9, 0), "FREQ=WEEKLY;COUNT=8", ",\"policy\":\"skip-conflicts\""));
        assertThat(made.get("occurrences")).hasSize(5);
        assertThat(texts(made.get("skipped"), "recurrenceId"))
                .containsExactly(local(monday.plusWeeks(2), 9), local(holiday, 9), local(monday.plusWeeks(5), 9));
        assertThat(made.at("/skipped/0/problems/0/code").asText()).isEqualTo("conflict");
        assertThat(made.at("/skipped/0/problems/0/conflictsWith").asText()).isEqualTo(taken2);
        assertThat(made.at("/skipped/1/problems/0/code").asText()).isEqualTo("holiday");
        assertThat(made.get("exdates"))
                .extracting(JsonNode::asText)
                .containsExactly(local(monday.plusWeeks(2), 9), local(holiday, 9), local(monday.plusWeeks(5), 9));
        assertThat(liveBookings(member)).isEqualTo(5);
        assertThat(liveBookings(other)).isEqualTo(2);
        assertThat(BookingApiTest.overlaps(hub)).isZero();
    }

    @Test
    void thisAndFollowingEndsTheRuleWhereTheCancellationStarts() {
        String room = room("");
        JsonNode series = created(series(room, monday.atTime(9, 0), "FREQ=WEEKLY;COUNT=10", ""));
        String id = series.get("id").asText();
        String sixth = series.at("/occurrences/5/start").asText();

        Api.Response cut = hub.api()
                .post("/api/v1/booking-series/" + id + "/cancel", tenant.token(), "{\"from\":\"" + sixth + "\"}");
        assertThat(cut.status()).as(cut.toString()).isEqualTo(200);
        JsonNode after = cut.json();
        assertThat(texts(after.get("occurrences"), "status"))
                .containsExactly(
                        "confirmed",
                        "confirmed",
                        "confirmed",
                        "confirmed",
                        "confirmed",
                        "cancelled",
                        "cancelled",
                        "cancelled",
                        "cancelled",
                        "cancelled");
        // The rule itself now ends before the sixth, so the series still says exactly what stays; the
        // cancelled ones are past its end, not EXDATEs.
        assertThat(after.get("rrule").asText())
                .doesNotContain("COUNT")
                .isEqualTo("FREQ=WEEKLY;UNTIL="
                        + DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
                                .withZone(ZoneOffset.UTC)
                                .format(Instant.parse(sixth).minusSeconds(1)));
        assertThat(after.get("exdates")).isEmpty();
        assertThat(after.get("status").asText()).isEqualTo("active");
        assertThat(liveBookings(member)).isEqualTo(5);
        // The seventh Monday is free at once.
        assertThat(book(
                                room,
                                other,
                                monday.plusWeeks(6).atTime(9, 0),
                                monday.plusWeeks(6).atTime(10, 0))
                        .status())
                .isEqualTo(201);

        // Repeated, it changes nothing; a later cut never brings occurrences back.
        Api.Response again = hub.api()
                .post("/api/v1/booking-series/" + id + "/cancel", tenant.token(), "{\"from\":\"" + sixth + "\"}");
        assertThat(again.json().get("occurrences")).isEqualTo(after.get("occurrences"));
        Api.Response later = hub.api()
                .post(
                        "/api/v1/booking-series/" + id + "/cancel",
                        tenant.token(),
                        "{\"from\":\"" + series.at("/occurrences/8/start").asText() + "\"}");
        assertThat(later.json().get("rrule").asText())
                .isEqualTo(after.get("rrule").asText());

        Api.Response past = hub.api()
                .post(
                        "/api/v1/booking-series/" + id + "/cancel",
                        tenant.token(),
                        "{\"from\":\"" + Instant.now().minusSeconds(3600) + "\"}");
        assertThat(past.status()).isEqualTo(422);
        assertThat(past.text()).contains("from").contains("in the past");

        // Without from, the whole series.
        Api.Response whole = hub.api().post("/api/v1/booking-series/" + id + "/cancel", tenant.token(), "");
        assertThat(whole.status()).as(whole.toString()).isEqualTo(200);
        assertThat(whole.json().get("status").asText()).isEqualTo("cancelled");
        assertThat(texts(whole.json().get("occurrences"), "status")).containsOnly("cancelled");
        assertThat(liveBookings(member)).isZero();
        assertThat(hub.api()
                        .get("/api/v1/audit?action=booking-series.cancel-following", tenant.token())
                        .json()
                        .get("items"))
                .hasSize(1);
    }

    @Test
    void aSeriesIsBoundedAndABadRuleSaysWhatIsWrong() {
        String room = room("");
        Api.Response tooMany = series(room, monday.atTime(9, 0), "FREQ=HOURLY;COUNT=501", "");
        assertThat(tooMany.status()).as(tooMany.toString()).isEqualTo(422);
        assertThat(tooMany.json().at("/errors/0/field").asText()).isEqualTo("rrule");
        assertThat(tooMany.json().at("/errors/0/message").asText())
                .contains("more than 500 occurrences")
                .contains("COUNT");
        assertThat(liveBookings(member)).isZero();
        // Five hundred are booked in one go, in one transaction.
        JsonNode most = created(series(room, monday.atTime(9, 0), "FREQ=HOURLY;COUNT=500", ""));
        assertThat(most.get("occurrences")).hasSize(500);
        assertThat(liveBookings(member)).isEqualTo(500);
        assertThat(hub.api()
                        .post("/api/v1/booking-series/" + most.get("id").asText() + "/cancel", tenant.token(), "")
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("cancelled");
        assertThat(liveBookings(member)).isZero();
        Api.Response tooLong = series(room, monday.atTime(9, 0), "FREQ=MONTHLY;COUNT=30", "");
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.text()).contains("24 months");
        Api.Response endless = series(room, monday.atTime(9, 0), "FREQ=WEEKLY", "");
        assertThat(endless.text()).contains("never ends");

        Api.Response bad = series(room, monday.atTime(9, 0), "FREQ=FORTNIGHTLY;COUNT=3", "");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().at("/errors/0/field").asText()).isEqualTo("rrule");
        assertThat(bad.json().at("/errors/0/message").asText())
                .contains("FORTNIGHTLY")
                .contains("FREQ=WEEKLY;BYDAY=MO;COUNT=10");
        Api.Response offHour = series(
                room, monday.atTime(9, 0), "FREQ=WEEKLY;COUNT=3", ",\"exdates\":[\"" + monday.atTime(10, 0) + "\"]");
        assertThat(offHour.json().at("/errors/0/field").asText()).isEqualTo("exdates[0]");
        Api.Response missing = hub.api()
                .post(
                        "/api/v1/booking-series",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member
                                + "\",\"start\":\"2027-03-01T09:00Z\"}");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(texts(missing.json().get("errors"), "field")).contains("start", "durationMinutes", "rrule");
        assertThat(liveBookings(member)).isZero();
    }

    @Test
    void anotherTenantSeesNothingOfASeries() {
        String room = room("");
        JsonNode series = created(series(room, monday.atTime(9, 0), "FREQ=WEEKLY;COUNT=3", ""));
        String id = series.get("id").asText();
        String booking = series.at("/occurrences/0/bookingId").asText();
        TestHub.Tenant stranger = hub.newTenant("stranger");
        assertThat(hub.api()
                        .get("/api/v1/booking-series/" + id, stranger.token())
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post("/api/v1/booking-series/" + id + "/cancel", stranger.token(), "{}")
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .patch("/api/v1/bookings/" + booking, stranger.token(), "{\"title\":\"mine\"}")
                        .status())
                .isEqualTo(404);
        Api.Response foreign = hub.api()
                .post(
                        "/api/v1/booking-series",
                        stranger.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\""
                                + monday.atTime(12, 0) + "\",\"durationMinutes\":60,\"rrule\":\"FREQ=DAILY;COUNT=2\"}");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(get(id).get("occurrences")).hasSize(3);
        assertThat(liveBookings(member)).isEqualTo(3);
    }

    @Test
    void aSeriesRacingSingleBookingsNeverDoubleBooks() throws Exception {
        // On PostgreSQL the exclusion constraint decides races the check missed: a series that loses one
        // is rolled back whole and tried again, now skipping the occurrence another booking took.
        String room = room("");
        int weeks = 12;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Api.Response>> singles = new ArrayList<>();
        Future<Api.Response> made;
        try {
            made = pool.submit(() ->
                    series(room, monday.atTime(9, 0), "FREQ=WEEKLY;COUNT=" + weeks, ",\"policy\":\"skip-conflicts\""));
            for (int week = 0; week < weeks; week++) {
                LocalDate day = monday.plusWeeks(week);
                singles.add(pool.submit(() -> book(room, other, day.atTime(9, 30), day.atTime(10, 30))));
            }
            long singlesBooked = 0;
            for (Future<Api.Response> single : singles) {
                Api.Response response = single.get(2, TimeUnit.MINUTES);
                assertThat(response.status()).as(response.toString()).isIn(201, 409);
                singlesBooked += response.status() == 201 ? 1 : 0;
            }
            Api.Response series = made.get(2, TimeUnit.MINUTES);
            long seriesBooked =
                    series.status() == 201 ? series.json().get("occurrences").size() : 0;
            // Lost races are tried again until the series books around the winners or names them all.
            assertThat(series.status()).as(series.toString()).isIn(201, 409);
            if (series.status() == 409) {
                assertThat(series.json().get("type").asText()).endsWith("booking-series-conflict");
            }
            // Every Monday is held exactly once, by one side or the other.
            assertThat(singlesBooked + seriesBooked).isEqualTo(weeks);
            assertThat(liveBookings(member)).isEqualTo(seriesBooked);
        } finally {
            pool.shutdownNow();
        }
        assertThat(BookingApiTest.overlaps(hub)).isZero();
    }
}
