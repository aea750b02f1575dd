package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Fixtures;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.model.DenyReason;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Card-enrollment sessions on both stores: only an unknown card tapped at the session's door after it
 * started counts, and a session ends once, whichever replica gets there first.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class CredentialEnrollmentsTest {
    static TestHub hub;
    static final AtomicInteger EVENTS = new AtomicInteger();

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

    record Place(String tenantId, String siteId, String door, String otherDoor, String member) {}

    static Place place() {
        var tenant = hub.newTenant("enroll");
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"S\",\"address\":\"1 St\",\"timeZone\":\"Europe/Berlin\"}");
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Front\"}");
        String other = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Back\"}");
        return new Place(tenant.id(), site, door, other, Fixtures.member(hub, tenant.id()));
    }

    /** An access event as ingest stores it: the door's time {@code at}, the hub's {@code receivedAt}. */
    static void event(
            Place place, String door, long at, long receivedAt, boolean granted, DenyReason reason, String hash) {
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "INSERT INTO access_events (id, tenant_id, site_id, door_id, device_id, at, granted, reason, presented,"
                                + " card_hash, clock, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "ev-" + EVENTS.incrementAndGet(),
                        place.tenantId(),
                        place.siteId(),
                        door,
                        "dev_test",
                        at,
                        granted,
                        reason,
                        "NFC_CARD",
                        hash,
                        "TRUSTED",
                        receivedAt));
    }

    CredentialEnrollments enrollments() {
        return new CredentialEnrollments(hub.hub().database(), Clock.systemUTC());
    }

    @Test
    void onlyAnUnknownCardAtTheSessionsDoorAfterItsStartCounts() {
        Place place = place();
        CredentialEnrollments enrollments = enrollments();
        long before = System.currentTimeMillis() - 1_000;
        event(place, place.door(), before, before, false, DenyReason.UNKNOWN_CREDENTIAL, "a".repeat(64));
        var session = enrollments.start(place.tenantId(), place.siteId(), place.door(), place.member(), "acc_test");
        assertThat(session.waiting(System.currentTimeMillis())).isTrue();
        assertThat(session.doorName()).isEqualTo("Front");
        assertThat(enrollments.firstUnknownCard(place.tenantId(), session)).isEmpty();

        long after = session.startedAt() + 10;
        event(place, place.otherDoor(), after, after, false, DenyReason.UNKNOWN_CREDENTIAL, "b".repeat(64));
        event(place, place.door(), after, after, false, DenyReason.CREDENTIAL_REVOKED, "c".repeat(64));
        assertThat(enrollments.firstUnknownCard(place.tenantId(), session)).isEmpty();

        event(place, place.door(), after + 1, after + 1, false, DenyReason.UNKNOWN_CREDENTIAL, "d".repeat(64));
        event(place, place.door(), after + 2, after + 2, false, DenyReason.UNKNOWN_CREDENTIAL, "e".repeat(64));
        assertThat(enrollments.firstUnknownCard(place.tenantId(), session)).hasValue("d".repeat(64));
    }

    @Test
    void aSessionEndsOnceAndBelongsToItsMemberAndTenant() {
        Place place = place();
        CredentialEnrollments enrollments = enrollments();
        var session = enrollments.start(place.tenantId(), place.siteId(), place.door(), place.member(), "acc_test");
        assertThat(enrollments.find(place.tenantId(), "mem_someoneelse", session.id()))
                .isEmpty();
        assertThat(enrollments.find(hub.newTenant("enroll-other").id(), place.member(), session.id()))
                .isEmpty();

        assertThat(enrollments.finish(place.tenantId(), session.id(), Optional.of("cred_1"), "enrolled"))
                .isTrue();
        assertThat(enrollments.finish(place.tenantId(), session.id(), Optional.of("cred_2"), "enrolled"))
                .isFalse();
        var ended =
                enrollments.find(place.tenantId(), place.member(), session.id()).orElseThrow();
        assertThat(ended.credentialId()).hasValue("cred_1");
        assertThat(ended.waiting(System.currentTimeMillis())).isFalse();
    }
}
