package dev.gatehouse.hub.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.sync.SyncStore;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.AccessRequest;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import dev.gatehouse.protocol.policy.PolicyEngine;
import dev.gatehouse.protocol.policy.Presented;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A visitor pass's 6-digit PIN, on both stores: made at random, unique among the site's passes that
 * hold one, shown once in the answer, stored only as its keyed hash, sent to the site's edges as
 * {@code pinHash} (with which an edge admits the visitor offline), and freed when the pass is
 * revoked or has ended.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class VisitorPinApiTest {
    private static final Pattern SIX_DIGITS = Pattern.compile("[0-9]{6}");
    static TestHub hub;
    static Sites sites;
    static TestHub.Tenant acme;
    static String hq;
    static String annex;
    static String door;
    static String annexDoor;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
        sites = new Sites(hub);
        acme = hub.newTenant("pins");
        hq = sites.site(acme);
        annex = sites.site(acme);
        door = sites.door(acme, hq);
        annexDoor = sites.door(acme, annex);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    private record Made(String id, String pin, String qr) {}

    private static Made pass(String site, String doorId, Instant from, Instant until) {
        Api.Response created = hub.api()
                .post(
                        "/api/v1/sites/" + site + "/visitor-passes",
                        acme.token(),
                        "{\"visitorName\":\"Grace Hopper\",\"doorIds\":[\"" + doorId + "\"],\"validFrom\":\"" + from
                                + "\",\"validUntil\":\"" + until + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Made(
                created.json().get("id").asText(),
                created.json().get("pin").asText(),
                created.json().at("/qr/token").asText());
    }

    private static Made pass() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return pass(hq, door, now.minusSeconds(60), now.plus(Duration.ofHours(4)));
    }

    private static CardHasher hasher() {
        return new CardHasher(hub.hub()
                .database()
                .read(c -> TenantStore.cardKey(c, hub.hub().database().masterKey(), acme.id())));
    }

    private static Optional<String> storedPin(String passId) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(
                        c,
                        "SELECT pin_hash FROM visitor_passes WHERE id = ? AND pin_hash IS NOT NULL",
                        Sql.STRING,
                        passId));
    }

    /** The last upsert of the pass in the site's change log, as the site's edges get it. */
    private static VisitorPass sent(String site, String passId) {
        VisitorPass last = null;
        for (var change : new SyncStore(hub.hub().database(), Clock.systemUTC())
                .range(acme.id(), site, 0, 10_000)
                .orElseThrow()
                .changes()) {
            if (change.change() instanceof Change.Upsert upsert
                    && upsert.entity() instanceof VisitorPass pass
                    && pass.id().value().equals(passId)) {
                last = pass;
            }
        }
        assertThat(last).as("pass %s in the change log", passId).isNotNull();
        return last;
    }

    @Test
    void theAnswerShowsASixDigitPinWhoseKeyedHashAloneIsStoredAndSent() {
        Made made = pass();

        assertThat(made.pin()).matches(SIX_DIGITS);
        String hash = hasher().pinHash(hq, made.pin());
        assertThat(storedPin(made.id())).contains(hash);
        assertThat(sent(hq, made.id()).pinHash()).contains(hash);
        // Shown once: the pass read again has no PIN.
        JsonNode again = hub.api()
                .get("/api/v1/visitor-passes/" + made.id(), acme.token())
                .json();
        assertThat(again.has("pin")).isFalse();
        assertThat(again.toString()).doesNotContain(hash);
    }

    @Test
    void theStoreHoldsNoPinDigitsOnlyHashes() throws Exception {
        // Why: a copied database must not hand out the codes that open doors today.
        List<Made> made = Stream.generate(VisitorPinApiTest::pass).limit(5).toList();
        List<String> column = hub.hub()
                .database()
                .read(c -> Sql.list(
                        c,
                        "SELECT pin_hash FROM visitor_passes WHERE tenant_id = ? AND pin_hash IS NOT NULL",
                        Sql.STRING,
                        acme.id()));
        for (Made pass : made) {
            assertThat(column).noneMatch(value -> value.equals(pass.pin()) || value.contains(pass.pin()));
        }
        assertThat(column).allMatch(value -> value.matches("[0-9a-f]{64}"));
        if (store == StoreKind.SQLITE) {
            // The file itself (and its write-ahead log): no PIN stands alone in it, as text.
            StringBuilder bytes = new StringBuilder();
            try (Stream<Path> files = Files.list(hub.dataDir())) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith("hub.db"))
                        .toList()) {
                    bytes.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(bytes).as("the database file was read").isNotEmpty();
            for (Made pass : made) {
                assertThat(Pattern.compile("(?<![0-9a-f])" + pass.pin() + "(?![0-9a-f])")
                                .matcher(bytes)
                                .find())
                        .as("PIN %s in hub.db", pass.pin())
                        .isFalse();
            }
        }
    }

    @Test
    void pinsAreUniqueAmongTheSitesPassesAndTheStoreRefusesADuplicate() {
        Set<String> pins = new HashSet<>();
        List<Made> made = Stream.generate(VisitorPinApiTest::pass).limit(25).toList();
        made.forEach(pass -> pins.add(pass.pin()));
        assertThat(pins).hasSize(made.size());

        // The store's own guard, for two replicas racing: the same hash twice at one site is refused,
        // at another site it is not.
        String taken = storedPin(made.getFirst().id()).orElseThrow();
        Made annexPass = pass(
                annex,
                annexDoor,
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Instant.now().plus(Duration.ofHours(1)));
        assertThatThrownBy(() -> hub.hub()
                        .database()
                        .run(c -> Sql.update(
                                c,
                                "UPDATE visitor_passes SET pin_hash = ? WHERE id = ?",
                                taken,
                                made.get(1).id())))
                .isInstanceOf(RuntimeException.class);
        hub.hub()
                .database()
                .run(c -> Sql.update(c, "UPDATE visitor_passes SET pin_hash = ? WHERE id = ?", taken, annexPass.id()));
    }

    @Test
    void aRevokedPassGivesItsPinBackAndTheEdgesDropIt() {
        Made made = pass();
        Api.Response revoked = hub.api().post("/api/v1/visitor-passes/" + made.id() + "/revoke", acme.token(), "");
        assertThat(revoked.status()).isEqualTo(200);

        assertThat(storedPin(made.id())).isEmpty();
        assertThat(sent(hq, made.id()).pinHash()).isEmpty();
    }

    @Test
    void anEndedPassGivesItsPinBackWhenTheNextPassIsMade() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Made ended = pass(hq, door, now.minusSeconds(120), now.plusSeconds(3600));
        // Time has passed: the pass ended a minute ago.
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c, "UPDATE visitor_passes SET valid_until = ? WHERE id = ?", now.minusSeconds(60), ended.id()));

        Made next = pass();

        assertThat(storedPin(ended.id())).isEmpty();
        assertThat(sent(hq, ended.id()).pinHash()).isEmpty();
        assertThat(storedPin(next.id())).isPresent();
    }

    @Test
    void anEdgeFindsThePassByTheTypedPinOfflineAndAdmitsTheVisitor() {
        // The edge holds the tenant's card key (its provisioning bundle) and what the hub sent.
        Made made = pass();
        InMemoryEntitlements edge = new InMemoryEntitlements();
        new SyncStore(hub.hub().database(), Clock.systemUTC())
                .snapshot(acme.id(), hq)
                .orElseThrow()
                .entities()
                .forEach(edge::put);

        Optional<VisitorPass> found = edge.visitorPassByPinHash(hasher().pinHash(hq, made.pin()));
        assertThat(found.map(VisitorPass::id)).contains(PassId.of(made.id()));
        assertThat(PolicyEngine.evaluate(
                                edge,
                                AccessRequest.online(
                                        Presented.VisitorCode.pin(
                                                found.orElseThrow().id()),
                                        DoorId.of(door),
                                        Instant.now()))
                        .decision()
                        .granted())
                .isTrue();
        // The same PIN at another site is another hash: it finds nothing there.
        assertThat(edge.visitorPassByPinHash(hasher().pinHash(annex, made.pin())))
                .isEmpty();
    }
}
