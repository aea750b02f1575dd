package dev.gatehouse.edge.cache;

import static dev.gatehouse.edge.cache.CacheFixtures.batch;
import static dev.gatehouse.edge.cache.CacheFixtures.chunk;
import static dev.gatehouse.edge.cache.CacheFixtures.remove;
import static dev.gatehouse.edge.cache.CacheFixtures.site;
import static dev.gatehouse.edge.cache.CacheFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kiosk's supplies in the cache: the agreement in force as the hub sent it, and Wi-Fi codes
 * handed out from this edge's own slice only, one per sign-in, never one code twice — through
 * retries, a restart and a snapshot that replaces every entity.
 */
class KioskSuppliesTest {
    private static final java.time.Instant NOW = java.time.Instant.parse("2026-12-07T09:00:00Z");
    private static final String ME = "pi-front";
    private static final String OTHER = "pi-back";

    @TempDir
    Path dir;

    SqliteEntitlementCache cache;

    @BeforeEach
    void open() {
        cache = CacheFixtures.open(dir);
    }

    @AfterEach
    void close() {
        cache.close();
    }

    private static WifiVoucher voucher(String id, String device) {
        return new WifiVoucher(id, device, "CODE-" + id, Optional.of(Duration.ofHours(8)), Optional.empty());
    }

    private static Agreement agreement(int version, String body) {
        return new Agreement("agr-1", version, "Visitors", body, "HQ Berlin", Agreement.sha256("Visitors", body));
    }

    @Test
    void theAgreementInForceIsTheOneTheHubSentLast() {
        assertThat(cache.agreement()).isEmpty();

        cache.apply(batch(1, upsert(site()), upsert(agreement(1, "Be kind, {visitorName}."))));
        cache.apply(batch(3, upsert(agreement(2, "Be kind and quiet, {visitorName}."))));

        assertThat(cache.agreement())
                .hasValueSatisfying(agreement -> assertThat(agreement.version()).isEqualTo(2));
        cache.apply(batch(4, remove(EntityKind.AGREEMENT, "agr-1")));
        assertThat(cache.agreement()).isEmpty();
    }

    @Test
    void eachSignInGetsItsOwnCodeFromThisEdgesSliceAndTheSameOneWhenAskedAgain() {
        cache.apply(batch(
                1,
                upsert(site()),
                upsert(voucher("wv-1", OTHER)),
                upsert(voucher("wv-2", ME)),
                upsert(voucher("wv-3", ME))));
        assertThat(cache.vouchersLeft(ME, NOW)).isEqualTo(2);

        WifiVoucher first = cache.takeVoucher(ME, "ev-sign-in-1", NOW).orElseThrow();
        WifiVoucher again = cache.takeVoucher(ME, "ev-sign-in-1", NOW).orElseThrow();
        WifiVoucher second = cache.takeVoucher(ME, "ev-sign-in-2", NOW).orElseThrow();

        assertThat(again).isEqualTo(first);
        assertThat(Set.of(first.id(), second.id())).containsExactlyInAnyOrder("wv-2", "wv-3");
        // The other edge's code stays its own, even with this slice used up.
        assertThat(cache.takeVoucher(ME, "ev-sign-in-3", NOW)).isEmpty();
        assertThat(cache.vouchersLeft(ME, NOW)).isZero();
        assertThat(cache.vouchersLeft(OTHER, NOW)).isEqualTo(1);
    }

    @Test
    void aCodeIsNeverHandedOutTwiceThroughARestartASnapshotOrItsRemoval() {
        cache.apply(batch(1, upsert(site()), upsert(voucher("wv-1", ME)), upsert(voucher("wv-2", ME))));
        WifiVoucher taken = cache.takeVoucher(ME, "ev-a", NOW).orElseThrow();

        cache.close();
        cache = CacheFixtures.open(dir);
        // A snapshot from before the hub heard of the sign-in still carries the code.
        chunkInstall(voucher("wv-1", ME), voucher("wv-2", ME));
        Set<String> handedOut = new HashSet<>(Set.of(taken.id()));
        cache.takeVoucher(ME, "ev-b", NOW).map(WifiVoucher::id).ifPresent(handedOut::add);

        assertThat(handedOut).containsExactlyInAnyOrder("wv-1", "wv-2");
        assertThat(cache.takeVoucher(ME, "ev-c", NOW)).isEmpty();
        // The hub removes a code once it hears of it; the sign-in still gets its code back.
        cache.apply(batch(3, remove(EntityKind.WIFI_VOUCHER, taken.id())));
        assertThat(cache.takeVoucher(ME, "ev-a", NOW)).contains(taken);
    }

    @Test
    void aVoucherTakenInATransactionThatFailsIsNotSpent() {
        cache.apply(batch(1, upsert(site()), upsert(voucher("wv-1", ME))));

        try {
            cache.inTransaction(tx -> {
                tx.takeVoucher(ME, "ev-failed", NOW);
                throw new IllegalStateException("the sign-in event could not be written");
            });
        } catch (IllegalStateException expected) {
            // the kiosk shows an error; nothing was handed out
        }

        assertThat(cache.vouchersLeft(ME, NOW)).isEqualTo(1);
        assertThat(cache.takeVoucher(ME, "ev-next", NOW)).isPresent();
    }

    @Test
    void anExpiredCodeIsNotHandedOut() {
        WifiVoucher expired = new WifiVoucher("wv-1", ME, "OLD", Optional.empty(), Optional.of(NOW.minusSeconds(1)));
        WifiVoucher valid = new WifiVoucher("wv-2", ME, "NEW", Optional.empty(), Optional.of(NOW.plusSeconds(3600)));
        cache.apply(batch(1, upsert(site()), upsert(expired), upsert(valid)));

        assertThat(cache.vouchersLeft(ME, NOW)).isOne();
        assertThat(cache.takeVoucher(ME, "ev-1", NOW)).contains(valid);
        assertThat(cache.takeVoucher(ME, "ev-2", NOW)).isEmpty();
    }

    private void chunkInstall(WifiVoucher... vouchers) {
        java.util.List<dev.gatehouse.protocol.model.Entity> entities = new java.util.ArrayList<>();
        entities.add(site());
        entities.addAll(java.util.List.of(vouchers));
        cache.offer(chunk("snap-1", 2, 0, 1, CacheFixtures.T0, entities));
    }
}
