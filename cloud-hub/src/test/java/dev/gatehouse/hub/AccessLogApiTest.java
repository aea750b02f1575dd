package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.access.AccessQuery;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PresentedKind;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The access log: idempotent ingest, filters, keyset paging, strict parameters and tenant isolation, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class AccessLogApiTest {
    static final Instant DAY = Instant.parse("2026-03-02T00:00:00Z");
    static final String CARD = "ab".repeat(32);
    static final AtomicInteger IDS = new AtomicInteger();

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

    /** One tenant with two sites; site 1 has doors 1a and 1b and a device, site 2 door 2a and a device. */
    record Fixture(
            TestHub.Tenant tenant,
            String site1,
            String site2,
            String door1a,
            String door1b,
            String door2a,
            String device1,
            String device2) {}

    static Fixture fixture(String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String site1 = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"North\",\"address\":\"1 Road\",\"timeZone\":\"UTC\"}");
        String site2 = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"South\",\"address\":\"2 Road\",\"timeZone\":\"UTC\"}");
        return new Fixture(
                tenant,
                site1,
                site2,
                hub.create("/api/v1/sites/" + site1 + "/doors", tenant.token(), "{\"name\":\"1a\"}"),
                hub.create("/api/v1/sites/" + site1 + "/doors", tenant.token(), "{\"name\":\"1b\"}"),
                hub.create("/api/v1/sites/" + site2 + "/doors", tenant.token(), "{\"name\":\"2a\"}"),
                hub.create("/api/v1/sites/" + site1 + "/devices", tenant.token(), "{\"name\":\"pi-1\"}"),
                hub.create("/api/v1/sites/" + site2 + "/devices", tenant.token(), "{\"name\":\"pi-2\"}"));
    }

    static AccessLogStore log() {
        return hub.hub().stores().accessLog();
    }

    /** A unique event id: fixed length, lower-case, so every collation orders it like Java does. */
    static String eventId() {
        return String.format("ev%08d%s", IDS.incrementAndGet(), Long.toString(System.nanoTime() % 46656, 36));
    }

    static Envelope granted(String id, Instant at, String site, String door, String member) {
        return new Envelope(
                id,
                at,
                new AccessEvent(
                        site,
                        DoorId.of(door),
                        PresentedKind.NFC_CARD,
                        Optional.of(CARD),
                        Optional.of(CredentialId.of("cred_" + member)),
                        Optional.of(MemberId.of(member)),
                        Optional.empty(),
                        true,
                        Optional.of(GrantBasis.MEMBER_GRANT),
                        Optional.empty(),
                        ClockStatus.TRUSTED));
    }

    static Envelope denied(
            String id, Instant at, String site, String door, Optional<String> member, DenyReason reason) {
        return new Envelope(
                id,
                at,
                new AccessEvent(
                        site,
                        DoorId.of(door),
                        PresentedKind.NFC_CARD,
                        Optional.of(CARD),
                        member.map(m -> CredentialId.of("cred_" + m)),
                        member.map(MemberId::of),
                        Optional.empty(),
                        false,
                        Optional.empty(),
                        Optional.of(reason),
                        ClockStatus.UNTRUSTED));
    }

    static List<String> ids(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("items").findValuesAsText("id");
    }

    static Api.Response get(String token, String query) {
        return hub.api().get("/api/v1/access-events" + (query.isEmpty() ? "" : "?" + query), token);
    }

    static String q(Instant instant) {
        return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
    }

    @Nested
    class Ingest {
        @Test
        void aResentEventIsStoredAndReportedNewOnlyOnce() {
            // After a reconnect the edge resends what it had not seen acknowledged: counting it again
            // would double every occupancy and analytics figure built on the log.
            Fixture f = fixture("resend");
            String a = eventId();
            String b = eventId();
            String c = eventId();
            List<Envelope> first = List.of(
                    granted(a, DAY.plusSeconds(10), f.site1(), f.door1a(), "mem_a"),
                    granted(b, DAY.plusSeconds(20), f.site1(), f.door1a(), "mem_a"));
            assertThat(log().ingest(f.tenant().id(), f.site1(), f.device1(), first))
                    .containsExactly(a, b);

            List<Envelope> again = new ArrayList<>(first);
            again.add(granted(c, DAY.plusSeconds(30), f.site1(), f.door1a(), "mem_a"));
            again.add(granted(c, DAY.plusSeconds(30), f.site1(), f.door1a(), "mem_a"));
            assertThat(log().ingest(f.tenant().id(), f.site1(), f.device1(), again))
                    .containsExactly(c);
            assertThat(log().ingest(f.tenant().id(), f.site1(), f.device1(), again))
                    .isEmpty();

            assertThat(ids(get(f.tenant().token(), ""))).containsExactly(c, b, a);
        }

        @Test
        void aBatchWithAnEventOfAnotherSiteIsRefusedWhole() {
            // The topic names the site; a payload naming another one is a confused or hostile edge.
            Fixture f = fixture("wrongsite");
            String good = eventId();
            List<Envelope> batch = List.of(
                    granted(good, DAY, f.site1(), f.door1a(), "mem_a"),
                    granted(eventId(), DAY, f.site2(), f.door2a(), "mem_a"));
            assertThatThrownBy(() -> log().ingest(f.tenant().id(), f.site1(), f.device1(), batch))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining(f.site2());
            assertThat(ids(get(f.tenant().token(), ""))).isEmpty();
        }

        @Test
        void aBatchWithAnotherMessageTypeIsRefusedWhole() {
            Fixture f = fixture("wrongtype");
            List<Envelope> batch = List.of(
                    granted(eventId(), DAY, f.site1(), f.door1a(), "mem_a"),
                    new Envelope(
                            eventId(),
                            DAY,
                            new DoorEvent(
                                    f.site1(), DoorId.of(f.door1a()), DoorEventKind.FORCED_OPEN, Optional.empty())));
            assertThatThrownBy(() -> log().ingest(f.tenant().id(), f.site1(), f.device1(), batch))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("AccessEvent");
            assertThat(ids(get(f.tenant().token(), ""))).isEmpty();
        }

        @Test
        void eventsFromADeviceOfAnotherSiteOrTenantAreRefused() {
            Fixture f = fixture("device");
            Fixture other = fixture("device-other");
            List<Envelope> batch = List.of(granted(eventId(), DAY, f.site1(), f.door1a(), "mem_a"));
            for (String device : List.of(f.device2(), other.device1(), "dev_nonexistent")) {
                assertThatThrownBy(() -> log().ingest(f.tenant().id(), f.site1(), device, batch))
                        .isInstanceOfSatisfying(
                                StoreException.class, e -> assertThat(e.error()).isEqualTo(StoreError.REFERENCE));
            }
            assertThat(ids(get(f.tenant().token(), ""))).isEmpty();
        }
    }

    @Nested
    class Items {
        @Test
        void anItemCarriesTheDecisionItsSentenceAndWhatWasPresented() {
            Fixture f = fixture("shape");
            String opened = eventId();
            String stranger = eventId();
            String suspended = eventId();
            log().ingest(
                            f.tenant().id(),
                            f.site1(),
                            f.device1(),
                            List.of(
                                    granted(opened, DAY.plusMillis(1), f.site1(), f.door1a(), "mem_a"),
                                    denied(
                                            stranger,
                                            DAY.plusMillis(2),
                                            f.site1(),
                                            f.door1a(),
                                            Optional.empty(),
                                            DenyReason.UNKNOWN_CREDENTIAL),
                                    denied(
                                            suspended,
                                            DAY.plusMillis(3),
                                            f.site1(),
                                            f.door1a(),
                                            Optional.of("mem_b"),
                                            DenyReason.MEMBER_SUSPENDED)));
            JsonNode items = get(f.tenant().token(), "").json().get("items");

            JsonNode first = items.get(2);
            assertThat(first.get("id").asText()).isEqualTo(opened);
            assertThat(first.get("at").asText()).isEqualTo("2026-03-02T00:00:00.001Z");
            assertThat(first.get("siteId").asText()).isEqualTo(f.site1());
            assertThat(first.get("doorId").asText()).isEqualTo(f.door1a());
            assertThat(first.get("deviceId").asText()).isEqualTo(f.device1());
            assertThat(first.get("decision").asText()).isEqualTo("granted");
            assertThat(first.get("basis").asText()).isEqualTo("member-grant");
            assertThat(first.has("reason")).isFalse();
            assertThat(first.get("reasonText").asText()).isEqualTo(GrantBasis.MEMBER_GRANT.sentence());
            assertThat(first.get("presented").asText()).isEqualTo("nfc-card");
            assertThat(first.get("memberId").asText()).isEqualTo("mem_a");
            assertThat(first.get("credentialId").asText()).isEqualTo("cred_mem_a");
            assertThat(first.get("clock").asText()).isEqualTo("trusted");
            // A known card is named by its credential; its hash would add nothing but exposure.
            assertThat(first.has("cardHash")).isFalse();

            JsonNode unknown = items.get(1);
            assertThat(unknown.get("decision").asText()).isEqualTo("denied");
            assertThat(unknown.get("reason").asText()).isEqualTo("unknown-credential");
            assertThat(unknown.get("reasonText").asText()).isEqualTo(DenyReason.UNKNOWN_CREDENTIAL.sentence());
            assertThat(unknown.get("cardHash").asText()).isEqualTo(CARD);
            assertThat(unknown.has("memberId")).isFalse();
            assertThat(unknown.has("basis")).isFalse();

            JsonNode member = items.get(0);
            assertThat(member.get("reason").asText()).isEqualTo("member-suspended");
            assertThat(member.get("clock").asText()).isEqualTo("untrusted");
            assertThat(member.has("cardHash")).isFalse();
        }

        @Test
        void aVisitorPassEventNamesThePass() {
            Fixture f = fixture("pass");
            String id = eventId();
            log().ingest(
                            f.tenant().id(),
                            f.site1(),
                            f.device1(),
                            List.of(new Envelope(
                                    id,
                                    DAY,
                                    new AccessEvent(
                                            f.site1(),
                                            DoorId.of(f.door1a()),
                                            PresentedKind.VISITOR_QR,
                                            Optional.empty(),
                                            Optional.empty(),
                                            Optional.empty(),
                                            Optional.of(PassId.of("pass_x")),
                                            true,
                                            Optional.of(GrantBasis.VISITOR_PASS),
                                            Optional.empty(),
                                            ClockStatus.TRUSTED))));
            JsonNode item = get(f.tenant().token(), "").json().at("/items/0");
            assertThat(item.get("passId").asText()).isEqualTo("pass_x");
            assertThat(item.get("presented").asText()).isEqualTo("visitor-qr");
            assertThat(item.get("basis").asText()).isEqualTo("visitor-pass");
        }
    }

    @Nested
    class Filters {
        Fixture f;
        String g1a; // granted, site 1, door 1a, mem_a, hour 1
        String d1a; // denied unknown card, site 1, door 1a, hour 2
        String d1b; // denied suspended, site 1, door 1b, mem_b, hour 3
        String g1b; // granted, site 1, door 1b, mem_b, hour 4
        String g2a; // granted, site 2, door 2a, mem_a, hour 5
        String d2a; // denied outside schedule, site 2, door 2a, mem_a, hour 6

        @BeforeEach
        void events() {
            f = fixture("filters");
            g1a = eventId();
            d1a = eventId();
            d1b = eventId();
            g1b = eventId();
            g2a = eventId();
            d2a = eventId();
            Duration hour = Duration.ofHours(1);
            log().ingest(
                            f.tenant().id(),
                            f.site1(),
                            f.device1(),
                            List.of(
                                    granted(g1a, DAY.plus(hour), f.site1(), f.door1a(), "mem_a"),
                                    denied(
                                            d1a,
                                            DAY.plus(hour.multipliedBy(2)),
                                            f.site1(),
                                            f.door1a(),
                                            Optional.empty(),
                                            DenyReason.UNKNOWN_CREDENTIAL),
                                    denied(
                                            d1b,
                                            DAY.plus(hour.multipliedBy(3)),
                                            f.site1(),
                                            f.door1b(),
                                            Optional.of("mem_b"),
                                            DenyReason.MEMBER_SUSPENDED),
                                    granted(g1b, DAY.plus(hour.multipliedBy(4)), f.site1(), f.door1b(), "mem_b")));
            log().ingest(
                            f.tenant().id(),
                            f.site2(),
                            f.device2(),
                            List.of(
                                    granted(g2a, DAY.plus(hour.multipliedBy(5)), f.site2(), f.door2a(), "mem_a"),
                                    denied(
                                            d2a,
                                            DAY.plus(hour.multipliedBy(6)),
                                            f.site2(),
                                            f.door2a(),
                                            Optional.of("mem_a"),
                                            DenyReason.OUTSIDE_SCHEDULE)));
        }

        List<String> query(String query) {
            return ids(get(f.tenant().token(), query));
        }

        @Test
        void noFilterListsEveryEventNewestFirst() {
            assertThat(query("")).containsExactly(d2a, g2a, g1b, d1b, d1a, g1a);
        }

        @Test
        void eachFilterAlone() {
            assertThat(query("siteId=" + f.site1())).containsExactly(g1b, d1b, d1a, g1a);
            assertThat(query("doorId=" + f.door1b())).containsExactly(g1b, d1b);
            assertThat(query("memberId=mem_a")).containsExactly(d2a, g2a, g1a);
            assertThat(query("decision=granted")).containsExactly(g2a, g1b, g1a);
            assertThat(query("decision=denied")).containsExactly(d2a, d1b, d1a);
            assertThat(query("reason=unknown-credential")).containsExactly(d1a);
            assertThat(query("from=" + q(DAY.plus(Duration.ofHours(4))))).containsExactly(d2a, g2a, g1b);
            // until is exclusive: the event at exactly 03:00 is not in it
            assertThat(query("until=" + q(DAY.plus(Duration.ofHours(3))))).containsExactly(d1a, g1a);
        }

        @Test
        void filtersCombine() {
            assertThat(query("siteId=" + f.site1() + "&decision=denied")).containsExactly(d1b, d1a);
            assertThat(query("doorId=" + f.door1a() + "&decision=granted")).containsExactly(g1a);
            assertThat(query("memberId=mem_a&siteId=" + f.site2())).containsExactly(d2a, g2a);
            assertThat(query("memberId=mem_b&doorId=" + f.door1b() + "&reason=member-suspended"))
                    .containsExactly(d1b);
            assertThat(query("siteId=" + f.site1() + "&doorId=" + f.door1b() + "&from="
                            + q(DAY.plus(Duration.ofHours(3))) + "&until=" + q(DAY.plus(Duration.ofHours(4)))))
                    .containsExactly(d1b);
            // a door of site 1 with site 2 matches nothing
            assertThat(query("siteId=" + f.site2() + "&doorId=" + f.door1a())).isEmpty();
            // an offset other than Z is understood (the '+' written %2B in a URL)
            assertThat(query("from=2026-03-02T05:30:00%2B01:00&until=2026-03-02T07:30:00%2B02:00"))
                    .containsExactly(g2a);
        }

        @Test
        void anIdThatMatchesNothingGivesAnEmptyList() {
            // Events outlive the doors and members they name, so an unknown id is not an error.
            assertThat(query("doorId=door_gone")).isEmpty();
            assertThat(query("memberId=mem_never")).isEmpty();
        }
    }

    @Nested
    class Paging {
        @Test
        void pagesCoverEveryEventOnceEvenWhenTimestampsAreEqual() {
            // The keyset is (at, id): events of the same millisecond across a page boundary must be
            // neither repeated nor skipped, or an audit would miss a door opening.
            Fixture f = fixture("paging");
            List<Envelope> events = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 53; i++) {
                String id = eventId();
                // 5 distinct instants, so most pages start and end inside a run of equal timestamps
                events.add(
                        granted(id, DAY.plusSeconds(i % 5), f.site1(), i % 2 == 0 ? f.door1a() : f.door1b(), "mem_a"));
            }
            log().ingest(f.tenant().id(), f.site1(), f.device1(), events);
            events.stream()
                    .sorted(Comparator.comparing(Envelope::time)
                            .thenComparing(Envelope::id)
                            .reversed())
                    .forEach(e -> expected.add(e.id()));

            assertThat(walk(f, "limit=7", 8)).containsExactlyElementsOf(expected);
            List<String> door1a = events.stream()
                    .filter(e -> e.payloadAs(AccessEvent.class).door().value().equals(f.door1a()))
                    .map(Envelope::id)
                    .toList();
            assertThat(walk(f, "limit=4&doorId=" + f.door1a(), 7))
                    .containsExactlyElementsOf(
                            expected.stream().filter(door1a::contains).toList());
            assertThat(walk(f, "limit=500", 1)).containsExactlyElementsOf(expected);
        }

        /** Follows nextCursor to the end; checks the number of pages and that no id repeats. */
        List<String> walk(Fixture f, String query, int pages) {
            List<String> all = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            String cursor = null;
            int count = 0;
            do {
                Api.Response page = get(f.tenant().token(), query + (cursor == null ? "" : "&cursor=" + cursor));
                List<String> ids = ids(page);
                for (String id : ids) {
                    assertThat(seen.add(id)).as("id %s served twice", id).isTrue();
                }
                all.addAll(ids);
                count++;
                JsonNode next = page.json().get("nextCursor");
                cursor = next == null ? null : next.asText();
            } while (cursor != null && count < 100);
            assertThat(count).isEqualTo(pages);
            return all;
        }

        @Test
        void theDefaultPageIsFifty() {
            Fixture f = fixture("default");
            List<Envelope> events = new ArrayList<>();
            for (int i = 0; i < 51; i++) {
                events.add(granted(eventId(), DAY.plusSeconds(i), f.site1(), f.door1a(), "mem_a"));
            }
            log().ingest(f.tenant().id(), f.site1(), f.device1(), events);
            Api.Response first = get(f.tenant().token(), "");
            assertThat(ids(first)).hasSize(50);
            Api.Response last = get(
                    f.tenant().token(),
                    "cursor=" + first.json().get("nextCursor").asText());
            assertThat(ids(last)).containsExactly(events.getFirst().id());
            assertThat(last.json().has("nextCursor")).isFalse();
        }
    }

    @Nested
    class BadParameters {
        List<String> fields(String query) {
            TestHub.Tenant tenant = tenant();
            Api.Response response = get(tenant.token(), query);
            assertThat(response.status()).as(query + " → " + response).isEqualTo(422);
            assertThat(response.contentType()).isEqualTo("application/problem+json");
            return response.json().get("errors").findValuesAsText("field");
        }

        TestHub.Tenant tenant;

        TestHub.Tenant tenant() {
            if (tenant == null) {
                tenant = hub.newTenant("badparams");
            }
            return tenant;
        }

        @Test
        void eachBadParameterIsNamed() {
            assertThat(fields("decision=maybe")).containsExactly("decision");
            assertThat(fields("limit=0")).containsExactly("limit");
            assertThat(fields("limit=501")).containsExactly("limit");
            assertThat(fields("limit=ten")).containsExactly("limit");
            assertThat(fields("from=yesterday")).containsExactly("from");
            assertThat(fields("until=2026-03-02")).containsExactly("until");
            assertThat(fields("cursor=bm90IGEgY3Vyc29y")).containsExactly("cursor");
            assertThat(fields("cursor=a.b")).containsExactly("cursor");
            assertThat(fields("doorId=a%20b")).containsExactly("doorId");
            assertThat(fields("siteId=")).containsExactly("siteId");
            assertThat(fields("memberId=" + "m".repeat(65))).containsExactly("memberId");
            // all at once: one answer lists every field to fix
            assertThat(fields("decision=x&limit=-1&from=x&doorId=%2F"))
                    .containsExactlyInAnyOrder("decision", "limit", "from", "doorId");
        }

        @Test
        void anUnknownReasonListsTheAllowedOnes() {
            Api.Response response = get(tenant().token(), "reason=bad-luck");
            assertThat(response.status()).isEqualTo(422);
            assertThat(response.json().at("/errors/0/field").asText()).isEqualTo("reason");
            assertThat(response.json().at("/errors/0/message").asText())
                    .contains("unknown-credential", "outside-schedule", "qr-wrong-site");
        }

        @Test
        void aReasonWithDecisionGrantedIsContradictory() {
            assertThat(fields("decision=granted&reason=lockdown")).containsExactly("reason");
        }

        @Test
        void fromMustBeBeforeUntil() {
            assertThat(fields("from=2026-03-02T10:00:00Z&until=2026-03-02T09:00:00Z"))
                    .containsExactly("from");
            assertThat(fields("from=2026-03-02T10:00:00Z&until=2026-03-02T10:00:00Z"))
                    .containsExactly("from");
        }

        @Test
        void aPlusSignLeftUnencodedGetsAHint() {
            Api.Response response = get(tenant().token(), "from=2026-03-02T10:00:00+01:00");
            assertThat(response.status()).isEqualTo(422);
            assertThat(response.json().get("detail").asText()).contains("%2B");
        }

        @Test
        void unknownAndRepeatedParametersAreRefused() {
            // A misspelt filter silently ignored would show the operator events they did not ask for.
            assertThat(fields("door=x")).containsExactly("door");
            assertThat(fields("doorId=a&doorId=b")).containsExactly("doorId");
        }

        @Test
        void anAdminTokenHasNoAccessLog() {
            assertThat(get(hub.adminToken(), "").status()).isEqualTo(403);
            assertThat(get(null, "").status()).isEqualTo(401);
        }
    }

    @Nested
    class TenantIsolation {
        @Test
        void aTenantNeverSeesAnotherTenantsEventsEvenByTheirIds() {
            Fixture a = fixture("iso-a");
            Fixture b = fixture("iso-b");
            String ofA = eventId();
            String ofB = eventId();
            log().ingest(
                            a.tenant().id(),
                            a.site1(),
                            a.device1(),
                            List.of(granted(ofA, DAY, a.site1(), a.door1a(), "mem_x")));
            log().ingest(
                            b.tenant().id(),
                            b.site1(),
                            b.device1(),
                            List.of(granted(ofB, DAY, b.site1(), b.door1a(), "mem_x")));

            assertThat(ids(get(a.tenant().token(), ""))).containsExactly(ofA);
            assertThat(ids(get(b.tenant().token(), ""))).containsExactly(ofB);
            // B's site, door and a member id both share: A sees nothing of B's
            assertThat(ids(get(a.tenant().token(), "doorId=" + b.door1a()))).isEmpty();
            assertThat(ids(get(a.tenant().token(), "siteId=" + b.site1()))).isEmpty();
            assertThat(ids(get(a.tenant().token(), "memberId=mem_x"))).containsExactly(ofA);
            // and a cursor pointing at B's event only positions A's own log
            String cursor = new Cursor(DAY.toEpochMilli() + 1, ofB).encode();
            assertThat(ids(get(a.tenant().token(), "cursor=" + cursor))).containsExactly(ofA);
        }

        @Test
        void aTenantCannotIngestIntoAnotherTenantsSite() {
            Fixture a = fixture("ing-a");
            Fixture b = fixture("ing-b");
            List<Envelope> batch = List.of(granted(eventId(), DAY, b.site1(), b.door1a(), "mem_x"));
            assertThatThrownBy(() -> log().ingest(a.tenant().id(), b.site1(), b.device1(), batch))
                    .isInstanceOf(StoreException.class);
            assertThat(ids(get(b.tenant().token(), ""))).isEmpty();
        }
    }

    @Nested
    class QueryPlans {
        @Test
        void theDoorDayQueryWalksTheDoorIndex() {
            // The operator's most common question — this door, this day — must read one index range,
            // never the table: at a million events a scan takes seconds. The planners choose by
            // statistics (PostgreSQL) or rules (SQLite), so the log holds a realistic spread: 20,000
            // events over 20 doors, 4 members and 10 days.
            Fixture f = fixture("plan");
            List<String> doors = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                doors.add("door_plan" + i);
            }
            List<AccessLogStore.Reported> events = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                Instant at = DAY.plusSeconds(i * 43L);
                events.add(new AccessLogStore.Reported(
                        f.site1(), f.device1(), granted(eventId(), at, f.site1(), doors.get(i % 20), "mem_" + i % 4)));
            }
            assertThat(log().bulkLoad(f.tenant().id(), events.iterator())).isEqualTo(20_000);

            AccessQuery doorDay = AccessQuery.of(f.tenant().id())
                    .door(doors.get(3))
                    .between(DAY.plus(Duration.ofDays(2)), DAY.plus(Duration.ofDays(3)));
            assertThat(plan(doorDay)).contains("access_events_door");
            // with the site too, the door (narrower) still drives the index
            assertThat(plan(doorDay.site(f.site1()))).contains("access_events_door");
            // with a member, the member's index drives
            assertThat(plan(doorDay.member("mem_1"))).contains("access_events_member");
            assertThat(plan(AccessQuery.of(f.tenant().id()).member("mem_1"))).contains("access_events_member");
            // every query reads an index in the order asked for: no table scan, no sort
            for (AccessQuery query : List.of(
                    doorDay,
                    doorDay.site(f.site1()),
                    AccessQuery.of(f.tenant().id()).site(f.site1()),
                    AccessQuery.of(f.tenant().id()))) {
                assertThat(log().plan(query))
                        .as(query.sql())
                        .noneMatch(step -> step.contains("Seq Scan")
                                || step.contains("Sort")
                                || step.contains("TEMP B-TREE")
                                || step.strip().equals("SCAN access_events"))
                        .anyMatch(step -> step.contains("access_events_"));
            }
            assertThat(ids(get(
                            f.tenant().token(),
                            "doorId=" + doors.get(3) + "&from=" + q(DAY.plus(Duration.ofDays(2))) + "&until="
                                    + q(DAY.plus(Duration.ofDays(3))) + "&limit=500")))
                    .hasSize(101);
        }

        String plan(AccessQuery query) {
            return String.join("\n", log().plan(query));
        }
    }
}
