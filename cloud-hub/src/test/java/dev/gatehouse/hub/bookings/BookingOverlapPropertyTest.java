package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 10,000 random bookings and cancellations over a split hall (a whole and two parts) and a room with
 * buffers, against a model written here from the rules alone: the store accepts exactly the requests
 * the model accepts, and afterwards no two occupied intervals of one resource overlap.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class BookingOverlapPropertyTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    /** One accepted booking in the model: the resource booked and its occupied time. */
    private record Held(String id, String resource, long from, long until) {}

    @Test
    void randomBookingsNeverOverlapAndMatchTheModel() {
        TestHub.Tenant tenant = hub.newTenant("prop");
        String site = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"P\",\"address\":\"p\",\"timeZone\":\"Europe/Berlin\"}");
        String member = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"p@example.com\",\"fullName\":\"Prop Member\"}");
        String hall = hub.create(
                "/api/v1/sites/" + site + "/resources", tenant.token(), "{\"name\":\"Hall\",\"kind\":\"event-space\"}");
        String east = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"East\",\"kind\":\"event-space\",\"parentId\":\"" + hall + "\"}");
        String west = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"West\",\"kind\":\"event-space\",\"parentId\":\"" + hall + "\"}");
        String room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Room\",\"kind\":\"meeting-room\",\"rules\":{\"bufferBeforeMinutes\":15,"
                        + "\"bufferAfterMinutes\":30}}");
        List<String> resources = List.of(hall, east, west, room);
        // What each resource blocks: itself and its parts.
        Map<String, Set<String>> blocks =
                Map.of(hall, Set.of(hall, east, west), east, Set.of(east), west, Set.of(west), room, Set.of(room));
        Map<String, long[]> buffers = Map.of(
                hall, new long[] {0, 0}, east, new long[] {0, 0}, west, new long[] {0, 0}, room, new long[] {15, 30});

        BookingStore bookings =
                new BookingStore(hub.hub().database(), hub.hub().stores().clock());
        Random random = new Random(15);
        Instant base = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(2, ChronoUnit.DAYS);
        List<Held> model = new ArrayList<>();
        int booked = 0;
        int cancelled = 0;
        for (int i = 0; i < 10_000; i++) {
            if (!model.isEmpty() && random.nextInt(10) == 0) {
                Held gone = model.remove(random.nextInt(model.size()));
                assertThat(bookings.cancel(tenant.id(), gone.id())).isInstanceOf(StoreResult.Found.class);
                cancelled++;
                continue;
            }
            String resource = resources.get(random.nextInt(resources.size()));
            Instant start = base.plus(random.nextInt(7 * 24 * 4) * 15L, ChronoUnit.MINUTES);
            Instant end = start.plus((1 + random.nextInt(16)) * 15L, ChronoUnit.MINUTES);
            long from = start.toEpochMilli() - buffers.get(resource)[0] * 60_000;
            long until = end.toEpochMilli() + buffers.get(resource)[1] * 60_000;
            boolean free = model.stream()
                    .noneMatch(h -> h.from() < until
                            && from < h.until()
                            && (blocks.get(resource).contains(h.resource())
                                    || blocks.get(h.resource()).contains(resource)));
            StoreResult<BookingStore.Outcome> result = bookings.create(
                    tenant.id(),
                    new BookingStore.NewBooking(
                            resource, member, "p" + i, start, end, Optional.of("property test"), "test"));
            BookingStore.Outcome outcome = ((StoreResult.Found<BookingStore.Outcome>) result).value();
            if (free) {
                assertThat(outcome).as("request %d on %s", i, resource).isInstanceOf(BookingStore.Outcome.Booked.class);
                model.add(new Held(
                        ((BookingStore.Outcome.Booked) outcome).booking().id(), resource, from, until));
                booked++;
            } else {
                assertThat(outcome)
                        .as("request %d on %s", i, resource)
                        .isInstanceOf(BookingStore.Outcome.Collides.class);
            }
        }
        assertThat(booked).as("enough bookings to mean something").isGreaterThan(300);
        assertThat(cancelled).isGreaterThan(300);
        assertThat(BookingApiTest.overlaps(hub)).isZero();
        long live = hub.hub().database().read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM bookings WHERE tenant_id = ? AND status = 'CONFIRMED'",
                        Sql.LONG,
                        tenant.id())
                .orElseThrow());
        assertThat(live).isEqualTo(model.size());
    }
}
