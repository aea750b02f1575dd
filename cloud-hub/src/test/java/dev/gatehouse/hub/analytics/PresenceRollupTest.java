package dev.gatehouse.hub.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.access.PresenceRollup;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Envelope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hourly presence ({@link PresenceRollup}) on both stores: after random ingest — batches out of
 * time order, events arriving days late, resends of events already stored — the state kept
 * incrementally equals a full recompute from the access log, and every occupancy answer, asked later
 * "as of" an earlier instant, is exactly what it was then and what the entries alone give.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PresenceRollupTest {
    private static final LocalDate FIRST = LocalDate.parse("2027-03-22");
    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        clock.moveTo(Instant.parse("2027-03-20T00:00:00Z"));
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    private record Site(String id, String device, String door, ZoneId zone) {}

    private Site site(TestHub.Tenant tenant, String name, ZoneId zone) {
        String id = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"address\":\"1 Test St\",\"timeZone\":\"" + zone.getId() + "\"}");
        return new Site(
                id,
                hub.create("/api/v1/sites/" + id + "/devices", tenant.token(), "{\"name\":\"pi\"}"),
                hub.create("/api/v1/sites/" + id + "/doors", tenant.token(), "{\"name\":\"Front\"}"),
                zone);
    }

    /** The hourly counts of the site's occupancy over the test's week, as the API answers them. */
    private List<Integer> answer(TestHub.Tenant tenant, Site site, Optional<Instant> asOf) {
        Api.Response response = hub.api()
                .get(
                        "/api/v1/analytics/sites/" + site.id() + "/occupancy?from=" + FIRST + "&to=" + FIRST.plusDays(6)
                                + asOf.map(a -> "&asOf=" + URLEncoder.encode(a.toString(), StandardCharsets.UTF_8))
                                        .orElse(""),
                        tenant.token());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<Integer> people = new ArrayList<>();
        for (JsonNode hour : response.json().get("physical").get("hours")) {
            people.add(hour.get("people").asInt());
        }
        return people;
    }

    /** The same counts from the entries alone (the pure function, no hourly presence). */
    private List<Integer> fromEntries(TestHub.Tenant tenant, Site site, Instant asOf) {
        Duration dwell = hub.hub().config().console().dwell();
        List<Instant> hours = Occupancy.hours(site.zone(), FIRST, FIRST.plusDays(6));
        AnalyticsStore analytics = new AnalyticsStore(hub.hub().stores().database(), clock);
        List<Rows.Entry> entries = analytics.entries(
                tenant.id(),
                site.id(),
                hours.getFirst().minus(dwell),
                hours.getLast().plusSeconds(3600),
                asOf);
        return Occupancy.present(entries, hours, dwell, asOf).stream()
                .map(Set::size)
                .toList();
    }

    private Map<String, TreeMap<Long, PresenceRollup.Hour>> stored(String tenantId) {
        return hub.hub().stores().database().read(c -> PresenceRollup.stored(c, tenantId));
    }

    private Map<String, TreeMap<Long, PresenceRollup.Hour>> recomputed(String tenantId) {
        Duration dwell = hub.hub().config().console().dwell();
        return hub.hub().stores().database().read(c -> PresenceRollup.recompute(c, tenantId, dwell));
    }

    @Test
    void incrementalStateEqualsAFullRecomputeAndAsOfAnswersStayWhatTheyWere() {
        clock.moveTo(FIRST.atStartOfDay(ZoneId.of("UTC")).toInstant().minus(Duration.ofHours(6)));
        TestHub.Tenant tenant = hub.newTenant("rollup");
        // Berlin: whole-hour offsets, read from the hourly presence; Kolkata (+05:30): computed from entries.
        List<Site> sites = List.of(
                site(tenant, "Berlin", ZoneId.of("Europe/Berlin")), site(tenant, "Kolkata", ZoneId.of("Asia/Kolkata")));
        TestHub.Tenant other = hub.newTenant("other");
        Site elsewhere = site(other, "Elsewhere", ZoneId.of("Europe/Berlin"));
        List<String> members = List.of("mem_ada", "mem_bo", "mem_cy", "mem_dan", "mem_eve", "mem_fay");
        Random random = new Random(store.ordinal() * 31L + 17);
        List<Envelope> sent = new ArrayList<>();
        Map<Instant, Map<Site, List<Integer>>> answered = new LinkedHashMap<>();
        Instant firstHour = FIRST.atStartOfDay(ZoneId.of("Europe/Berlin")).toInstant();
        for (int round = 0; round < 40; round++) {
            // The clock moves on 1 to 6 hours; the week is over after the rounds.
            clock.advance(Duration.ofMinutes(60 + random.nextInt(300)));
            Instant now = clock.instant();
            for (Site site : sites) {
                List<Envelope> batch = new ArrayList<>();
                for (int i = random.nextInt(6); i >= 0; i--) {
                    // Mostly recent entries, some days late; the batch in no time order.
                    long back = random.nextInt(4) == 0 ? random.nextInt(72 * 60) : random.nextInt(180);
                    Instant at = now.minus(Duration.ofMinutes(back));
                    if (at.isBefore(firstHour.minus(Duration.ofHours(10)))) {
                        at = firstHour.plus(Duration.ofMinutes(random.nextInt(600)));
                    }
                    if (at.isAfter(now)) {
                        continue;
                    }
                    batch.add(Entries.granted(site.id(), site.door(), at, members.get(random.nextInt(members.size()))));
                }
                for (int i = 0; i < 2 && !sent.isEmpty(); i++) {
                    Envelope again = sent.get(random.nextInt(sent.size()));
                    if (again.payloadAs(dev.gatehouse.protocol.message.AccessEvent.class)
                            .site()
                            .equals(site.id())) {
                        // A resend of an event stored before: no new row, nothing added.
                        batch.add(again);
                    }
                }
                Collections.shuffle(batch, random);
                hub.hub().stores().accessLog().ingest(tenant.id(), site.id(), site.device(), batch);
                sent.addAll(batch);
            }
            hub.hub()
                    .stores()
                    .accessLog()
                    .ingest(
                            other.id(),
                            elsewhere.id(),
                            elsewhere.device(),
                            List.of(Entries.granted(elsewhere.id(), elsewhere.door(), now, "mem_ada")));
            if (round % 8 == 7) {
                assertThat(stored(tenant.id())).isEqualTo(recomputed(tenant.id()));
                Map<Site, List<Integer>> now1 = new LinkedHashMap<>();
                for (Site site : sites) {
                    now1.put(site, answer(tenant, site, Optional.empty()));
                }
                answered.put(now, now1);
            }
        }
        assertThat(stored(tenant.id())).isEqualTo(recomputed(tenant.id()));
        assertThat(stored(tenant.id()).get(sites.getFirst().id()).values())
                .as("the test makes hours with several people")
                .anyMatch(h -> h.people() > 1);
        assertThat(stored(other.id())).isEqualTo(recomputed(other.id()));
        assertThat(stored(other.id()).keySet()).containsExactly(elsewhere.id());

        for (Map.Entry<Instant, Map<Site, List<Integer>>> then : answered.entrySet()) {
            for (Site site : sites) {
                List<Integer> asked = answer(tenant, site, Optional.of(then.getKey()));
                assertThat(asked)
                        .as("as of %s at %s", then.getKey(), site.zone())
                        .isEqualTo(then.getValue().get(site))
                        .isEqualTo(fromEntries(tenant, site, then.getKey()));
            }
        }
        for (Site site : sites) {
            assertThat(answer(tenant, site, Optional.empty())).isEqualTo(fromEntries(tenant, site, clock.instant()));
        }
    }

    @Test
    void retentionGivesUpTheHoursItsDeletedEntriesCoveredAndTheRestStillAgree() {
        clock.moveTo(FIRST.atStartOfDay(ZoneId.of("UTC")).toInstant().plus(Duration.ofDays(8)));
        TestHub.Tenant tenant = hub.newTenant("retention");
        Site site = site(tenant, "Berlin", ZoneId.of("Europe/Berlin"));
        List<Envelope> batch = new ArrayList<>();
        for (int day = 0; day < 7; day++) {
            for (String member : List.of("mem_ada", "mem_bo")) {
                batch.add(Entries.granted(
                        site.id(),
                        site.door(),
                        FIRST.plusDays(day).atTime(9, 15).atZone(site.zone()).toInstant(),
                        member));
            }
        }
        assertThat(hub.hub().stores().accessLog().ingest(tenant.id(), site.id(), site.device(), batch))
                .hasSize(14);
        assertThat(stored(tenant.id()).get(site.id()))
                .isEqualTo(recomputed(tenant.id()).get(site.id()));
        Instant cutoff = FIRST.plusDays(3).atStartOfDay(site.zone()).toInstant();
        hub.hub().stores().database().write(c -> {
            dev.gatehouse.hub.store.Sql.update(
                    c, "DELETE FROM access_events WHERE tenant_id = ? AND at < ?", tenant.id(), cutoff);
            PresenceRollup.forget(c, tenant.id(), cutoff.toEpochMilli());
            return null;
        });
        long kept = hub.hub().stores().database().read(c -> PresenceRollup.from(c, tenant.id()));
        assertThat(kept).isGreaterThan(cutoff.toEpochMilli());
        TreeMap<Long, PresenceRollup.Hour> recomputed = recomputed(tenant.id()).get(site.id());
        assertThat(stored(tenant.id()).get(site.id())).isEqualTo(new TreeMap<>(recomputed.tailMap(kept)));
        assertThat(answer(tenant, site, Optional.empty())).isEqualTo(fromEntries(tenant, site, clock.instant()));
    }
}
