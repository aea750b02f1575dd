package dev.gatehouse.protocol.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.MemberId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hub explains decisions from these maps: they must answer exactly as the edge's cache would. */
class InMemoryEntitlementsTest {
    private static final String HASH = "ab".repeat(32);

    private static Credential card(String id, CredentialStatus status, String hash) {
        return new Credential(
                CredentialId.of(id),
                MemberId.of("m-1"),
                CredentialType.NFC_CARD,
                Optional.of(hash),
                status,
                Optional.empty(),
                Optional.empty());
    }

    @Test
    void aSecondCredentialWithTheSameCardHashIsRefused() {
        InMemoryEntitlements entitlements = new InMemoryEntitlements().put(card("c1", CredentialStatus.ACTIVE, HASH));

        assertThatThrownBy(() -> entitlements.put(card("c2", CredentialStatus.REVOKED, HASH)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("c1");
        assertThat(entitlements.credentialByCardHash(HASH)).contains(card("c1", CredentialStatus.ACTIVE, HASH));
    }

    @Test
    void reEnrollingACardUnderANewCredentialAfterRemovingTheOldOneWorks() {
        InMemoryEntitlements entitlements = new InMemoryEntitlements().put(card("c1", CredentialStatus.ACTIVE, HASH));

        entitlements.remove(EntityKind.CREDENTIAL, "c1").put(card("c2", CredentialStatus.ACTIVE, HASH));

        assertThat(entitlements.credentialByCardHash(HASH).map(Credential::id)).contains(CredentialId.of("c2"));
    }

    @Test
    void replacingACredentialWithANewHashFreesTheOldHash() {
        InMemoryEntitlements entitlements = new InMemoryEntitlements().put(card("c1", CredentialStatus.ACTIVE, HASH));

        entitlements.put(card("c1", CredentialStatus.ACTIVE, "cd".repeat(32)));

        assertThat(entitlements.credentialByCardHash(HASH)).isEmpty();
        assertThat(entitlements.credentialByCardHash("cd".repeat(32))).isPresent();
    }

    @Test
    void grantsComeInGrantIdOrderWhateverOrderTheyArrivedIn() {
        // "The first covering grant's reason" must mean the same at the edge and at the hub.
        InMemoryEntitlements entitlements = new InMemoryEntitlements();
        for (String id : new String[] {"g-3", "g-1", "g-2"}) {
            entitlements.put(new Grant(
                    GrantId.of(id),
                    MemberId.of("m-1"),
                    Set.of(),
                    Set.of(DoorId.of("front")),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty()));
        }

        assertThat(entitlements.grantsOf(MemberId.of("m-1")))
                .extracting(grant -> grant.id().value())
                .containsExactly("g-1", "g-2", "g-3");
    }

    @Test
    void aBookingIsFoundByItsMemberAndEachInviteeAndGoneForAllWhenRemovedOrReplaced() {
        // The edge's cache indexes invitees too; the reference must agree or the engine would differ.
        Booking booking = new Booking(
                BookingId.of("bk-1"),
                MemberId.of("m-1"),
                Set.of(DoorId.of("room")),
                Instant.parse("2026-06-17T10:00:00Z"),
                Instant.parse("2026-06-17T11:00:00Z"),
                Duration.ZERO,
                Duration.ZERO,
                Optional.empty(),
                Set.of(MemberId.of("m-2"), MemberId.of("m-3")),
                Optional.empty(),
                Optional.empty());
        InMemoryEntitlements entitlements = new InMemoryEntitlements().put(booking);

        assertThat(entitlements.bookingsOf(MemberId.of("m-1"))).containsExactly(booking);
        assertThat(entitlements.bookingsOf(MemberId.of("m-3"))).containsExactly(booking);

        Booking fewer = new Booking(
                booking.id(),
                booking.member(),
                booking.doors(),
                booking.start(),
                booking.end(),
                Duration.ZERO,
                Duration.ZERO,
                Optional.empty(),
                Set.of(MemberId.of("m-2")),
                Optional.empty(),
                Optional.empty());
        entitlements.put(fewer);
        assertThat(entitlements.bookingsOf(MemberId.of("m-2"))).containsExactly(fewer);
        assertThat(entitlements.bookingsOf(MemberId.of("m-3"))).isEmpty();

        entitlements.remove(EntityKind.BOOKING, "bk-1");
        assertThat(entitlements.bookingsOf(MemberId.of("m-1"))).isEmpty();
        assertThat(entitlements.bookingsOf(MemberId.of("m-2"))).isEmpty();
    }

    @Test
    void aCheckInIsRecordedOnceAtItsFirstInstant() {
        InMemoryEntitlements entitlements = new InMemoryEntitlements();
        Instant first = Instant.parse("2026-06-17T09:55:00Z");

        entitlements.markCheckedIn(BookingId.of("bk-1"), first);
        entitlements.markCheckedIn(BookingId.of("bk-1"), first.plusSeconds(60));

        assertThat(entitlements.checkedIn(BookingId.of("bk-1"))).contains(first);
        assertThat(entitlements.checkedIn(BookingId.of("bk-2"))).isEmpty();
    }
}
