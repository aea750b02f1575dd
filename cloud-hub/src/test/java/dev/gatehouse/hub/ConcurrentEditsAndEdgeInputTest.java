package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.DegradedMode;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A PATCH merges what it read with what was sent: it must not write that merge over a change made
 * in between (a card marked lost must stay lost). And input at the edges of what parses — JSON null,
 * a year the store cannot hold — is a 422, never a 500.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ConcurrentEditsAndEdgeInputTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    TestHub.Tenant tenant;
    String site;
    String member;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void tenantSiteMember() {
        tenant = hub.newTenant("edits");
        site = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"S\",\"address\":\"a\",\"timeZone\":\"Europe/Berlin\"}");
        member = hub.create("/api/v1/members", tenant.token(), "{\"email\":\"m@example.com\",\"fullName\":\"M\"}");
    }

    Api api() {
        return hub.api();
    }

    @Test
    void aStaleCredentialEditCannotUndoALostCard() {
        JsonNode card = api().post(
                        "/api/v1/members/" + member + "/credentials",
                        tenant.token(),
                        "{\"type\":\"nfc-card\",\"uid\":\"04A1B2C3\"}")
                .json();
        String id = card.get("id").asText();
        long readAt = Instant.parse(card.get("updatedAt").asText()).toEpochMilli();
        // Another operator marks the card lost after this edit read it.
        assertThat(api().patch("/api/v1/credentials/" + id, tenant.token(), "{\"status\":\"lost\"}")
                        .status())
                .isEqualTo(200);
        CredentialStore credentials = hub.hub().stores().credentials();
        StoreResult<?> stale = credentials.update(
                tenant.id(),
                id,
                new CredentialStore.Update(
                        Optional.of("relabelled"),
                        Optional.empty(),
                        Optional.empty(),
                        CredentialStatus.ACTIVE,
                        CredentialStatus.ACTIVE,
                        readAt));
        assertThat(stale).isInstanceOf(StoreResult.Conflict.class);
        assertThat(api().get("/api/v1/credentials/" + id, tenant.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("lost");
    }

    @Test
    void aStaleDoorEditIsRefused() {
        JsonNode door = api().post("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"D\"}")
                .json();
        long readAt = Instant.parse(door.get("updatedAt").asText()).toEpochMilli();
        assertThat(api().patch("/api/v1/doors/" + door.get("id").asText(), tenant.token(), "{\"unlockSeconds\":9}")
                        .status())
                .isEqualTo(200);
        DoorStore doors = hub.hub().stores().doors();
        assertThat(doors.updateDoor(
                        tenant.id(),
                        door.get("id").asText(),
                        new DoorStore.DoorInput("D", 5, DegradedMode.KEEP_GRANTING, DegradedMode.KEEP_GRANTING, 0),
                        readAt))
                .isInstanceOfSatisfying(StoreResult.Conflict.class, conflict -> assertThat(conflict.reason())
                        .isEqualTo("door " + door.get("id").asText()
                                + " was changed by another request meanwhile; read it again and retry"));
        assertThat(api().get("/api/v1/doors/" + door.get("id").asText(), tenant.token())
                        .json()
                        .get("unlockSeconds")
                        .asInt())
                .isEqualTo(9);
    }

    @Test
    void jsonNullWhereAValueIsRequiredIsA422() {
        Api.Response holiday = api().put(
                        "/api/v1/sites/" + site + "/holidays",
                        tenant.token(),
                        "{\"holidays\":[{\"date\":null,\"name\":\"X\"}]}");
        assertThat(holiday.status()).as(holiday.toString()).isEqualTo(422);
        assertThat(holiday.json().at("/errors/0/field").asText()).isEqualTo("holidays[0].date");
        Api.Response plan = api().post(
                        "/api/v1/plans",
                        tenant.token(),
                        "{\"name\":\"P\",\"schedule\":[{\"day\":null,\"start\":\"08:00\",\"end\":\"18:00\"}]}");
        assertThat(plan.status()).as(plan.toString()).isEqualTo(422);
    }

    @Test
    void aYearTheStoreCannotHoldIsA422() {
        for (String body : new String[] {
            "{\"type\":\"member-qr\",\"validUntil\":\"+999999999-12-31T23:59:59Z\"}",
            "{\"type\":\"member-qr\",\"validFrom\":\"1969-12-31T23:59:59Z\"}"
        }) {
            Api.Response response = api().post("/api/v1/members/" + member + "/credentials", tenant.token(), body);
            assertThat(response.status()).as(body + " → " + response).isEqualTo(422);
        }
        assertThat(api().get("/api/v1/access-events?from=%2B999999999-01-01T00:00:00Z", tenant.token())
                        .status())
                .isEqualTo(422);
        assertThat(api().get("/api/v1/members/" + member + "/credentials", tenant.token())
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void aCancelledMemberGetsNoNewCredential() {
        assertThat(api().patch("/api/v1/members/" + member, tenant.token(), "{\"status\":\"cancelled\"}")
                        .status())
                .isEqualTo(200);
        Api.Response response = api().post(
                        "/api/v1/members/" + member + "/credentials",
                        tenant.token(),
                        "{\"type\":\"nfc-card\",\"uid\":\"04A1B2C3\"}");
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("detail").asText()).contains("cancelled");
    }

    @Test
    void aRaceOnAUniqueValueAnswersWithoutTheDriversText() {
        // The e-mail check and insert can race; whichever way it is caught, the answer names no constraint.
        Api.Response again =
                api().post("/api/v1/members", tenant.token(), "{\"email\":\"m@example.com\",\"fullName\":\"M2\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text())
                .doesNotContain("constraint")
                .doesNotContain("SQL")
                .doesNotContain("Key (");
    }
}
