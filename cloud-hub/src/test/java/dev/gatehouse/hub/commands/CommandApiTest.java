package dev.gatehouse.hub.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The commands API: validation, tenant isolation, paging, expiry and device answers. On both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class CommandApiTest {
    static TestHub hub;
    static MovableClock clock = new MovableClock();

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    record Site(TestHub.Tenant tenant, String id, String door, List<String> devices) {}

    Site site(String prefix, int devices) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        People people = new People(hub, tenant.token());
        String siteId = people.site("Europe/Berlin");
        String door = people.door(siteId);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            String device =
                    hub.create("/api/v1/sites/" + siteId + "/devices", tenant.token(), "{\"name\":\"pi-" + i + "\"}");
            activate(device);
            ids.add(device);
        }
        // a pending device gets nothing
        hub.create("/api/v1/sites/" + siteId + "/devices", tenant.token(), "{\"name\":\"pending\"}");
        return new Site(tenant, siteId, door, ids);
    }

    static void activate(String deviceId) {
        hub.hub().database().write(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE devices SET status = 'active' WHERE id = ?")) {
                update.setString(1, deviceId);
                return update.executeUpdate();
            }
        });
    }

    Api api() {
        return hub.api();
    }

    Api.Response send(Site site, String body) {
        return api().post(
                        "/api/v1/sites/" + site.id() + "/commands",
                        site.tenant().token(),
                        body);
    }

    static String unlock(String door) {
        return "{\"action\":{\"type\":\"unlock-once\",\"door\":\"" + door + "\",\"unlockFor\":\"PT5S\"}}";
    }

    void ack(Site site, String device, String commandId, CommandStatus status, String detail) {
        byte[] payload = MessageCodec.encode(new Envelope(
                "ack_" + commandId.substring(4) + device.substring(4),
                Instant.now(),
                new CommandAck(commandId, status, Optional.ofNullable(detail))));
        hub.hub()
                .sync()
                .commands()
                .handleAck(Topic.of(site.tenant().slug(), site.id(), device, Channel.COMMAND_ACK), payload);
    }

    @Test
    void aCommandIsAcceptedPendingPerActiveDeviceAndReadable() {
        Site site = site("cmd", 2);
        Api.Response sent = send(site, unlock(site.door()));
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        JsonNode command = sent.json();
        assertThat(command.get("id").asText()).startsWith("cmd_");
        assertThat(command.get("site").asText()).isEqualTo(site.id());
        assertThat(command.at("/action/type").asText()).isEqualTo("unlock-once");
        assertThat(command.at("/action/door").asText()).isEqualTo(site.door());
        assertThat(command.at("/action/unlockFor").asText()).isEqualTo("PT5S");
        assertThat(command.get("status").asText()).isEqualTo("pending");
        Instant issued = Instant.parse(command.get("issuedAt").asText());
        assertThat(Duration.between(
                        issued, Instant.parse(command.get("expiresAt").asText())))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(command.get("devices")).hasSize(2);
        command.get("devices").forEach(d -> assertThat(d.get("status").asText()).isEqualTo("pending"));

        Api.Response read = api().get(
                        "/api/v1/commands/" + command.get("id").asText(),
                        site.tenant().token());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json()).isEqualTo(command);

        Api.Response lockdown = send(
                site,
                "{\"action\":{\"type\":\"lockdown\",\"allDoors\":true,\"doors\":[],\"allowedRoles\":[\"staff\"]},"
                        + "\"expiresIn\":\"PT10M\"}");
        assertThat(lockdown.status()).as(lockdown.toString()).isEqualTo(202);
        JsonNode locked = lockdown.json();
        assertThat(Duration.between(
                        Instant.parse(locked.get("issuedAt").asText()),
                        Instant.parse(locked.get("expiresAt").asText())))
                .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void answersFromTheDevicesSetTheStatus() {
        Site site = site("ack", 2);
        String id = send(site, unlock(site.door())).json().get("id").asText();
        ack(site, site.devices().get(0), id, CommandStatus.DONE, null);
        JsonNode one =
                api().get("/api/v1/commands/" + id, site.tenant().token()).json();
        assertThat(one.get("status").asText()).isEqualTo("pending");
        assertThat(one.at("/devices").findValuesAsText("status")).containsExactlyInAnyOrder("done", "pending");

        ack(site, site.devices().get(1), id, CommandStatus.DONE, null);
        JsonNode both =
                api().get("/api/v1/commands/" + id, site.tenant().token()).json();
        assertThat(both.get("status").asText()).isEqualTo("done");
        both.get("devices").forEach(d -> assertThat(d.get("at").asText()).isNotEmpty());

        // a second answer changes nothing
        ack(site, site.devices().get(1), id, CommandStatus.REJECTED, "late");
        assertThat(api().get("/api/v1/commands/" + id, site.tenant().token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("done");

        String rejected = send(site, unlock(site.door())).json().get("id").asText();
        ack(site, site.devices().get(0), rejected, CommandStatus.REJECTED, "unknown door");
        JsonNode r =
                api().get("/api/v1/commands/" + rejected, site.tenant().token()).json();
        assertThat(r.get("status").asText()).isEqualTo("rejected");
        assertThat(r.at("/devices").findValuesAsText("detail")).contains("unknown door");
    }

    @Test
    void aDeviceWithoutTheDoorIsLeftOutOfTheOverallStatus() {
        Site site = site("multi", 3);
        String id = send(site, unlock(site.door())).json().get("id").asText();
        ack(site, site.devices().get(0), id, CommandStatus.NOT_HERE, "door is not on this device");
        ack(site, site.devices().get(1), id, CommandStatus.NOT_HERE, "door is not on this device");
        JsonNode waiting =
                api().get("/api/v1/commands/" + id, site.tenant().token()).json();
        assertThat(waiting.get("status").asText()).isEqualTo("pending");
        assertThat(waiting.at("/devices").findValuesAsText("status"))
                .containsExactlyInAnyOrder("not-here", "not-here", "pending");

        ack(site, site.devices().get(2), id, CommandStatus.DONE, null);
        assertThat(api().get("/api/v1/commands/" + id, site.tenant().token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("done");

        // no device at the site has the door: the command did nothing, and says so
        String nowhere = send(site, unlock(site.door())).json().get("id").asText();
        for (String device : site.devices()) {
            ack(site, device, nowhere, CommandStatus.NOT_HERE, "door is not on this device");
        }
        assertThat(api().get("/api/v1/commands/" + nowhere, site.tenant().token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("rejected");
    }

    @Test
    void anAnswerOnlyCountsForTheDeviceItsTopicNamesAndACommandOfItsSite() {
        Site site = site("own", 1);
        Site other = site("stranger", 1);
        String id = send(site, unlock(site.door())).json().get("id").asText();
        // another tenant's device answering for this command: nothing changes
        ack(other, other.devices().get(0), id, CommandStatus.DONE, null);
        // this site's device id but the other tenant's topic: nothing changes
        hub.hub()
                .sync()
                .commands()
                .handleAck(
                        Topic.of(
                                other.tenant().slug(), site.id(), site.devices().get(0), Channel.COMMAND_ACK),
                        MessageCodec.encode(new Envelope(
                                "ack_x", Instant.now(), new CommandAck(id, CommandStatus.DONE, Optional.empty()))));
        // garbage: nothing changes, no throw
        hub.hub()
                .sync()
                .commands()
                .handleAck(
                        Topic.of(site.tenant().slug(), site.id(), site.devices().get(0), Channel.COMMAND_ACK),
                        "{]".getBytes());
        assertThat(api().get("/api/v1/commands/" + id, site.tenant().token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("pending");
    }

    @Test
    void aPendingCommandPastItsExpiryReadsExpired() {
        Site site = site("expiry", 1);
        String id = send(site, unlock(site.door())).json().get("id").asText();
        Duration before = clock.offset();
        clock.set(before.plusMinutes(2));
        try {
            JsonNode read =
                    api().get("/api/v1/commands/" + id, site.tenant().token()).json();
            assertThat(read.get("status").asText()).isEqualTo("expired");
            assertThat(read.at("/devices/0/status").asText()).isEqualTo("expired");
        } finally {
            clock.set(before);
        }
    }

    @Test
    void anotherTenantsCommandOrSiteIsNotFound() {
        Site site = site("mine", 1);
        Site other = site("theirs", 1);
        String id = send(site, unlock(site.door())).json().get("id").asText();
        assertThat(api().get("/api/v1/commands/" + id, other.tenant().token()).status())
                .isEqualTo(404);
        assertThat(api().get("/api/v1/commands/cmd_missing", site.tenant().token())
                        .status())
                .isEqualTo(404);
        assertThat(api().get(
                                "/api/v1/sites/" + site.id() + "/commands",
                                other.tenant().token())
                        .status())
                .isEqualTo(404);
        Api.Response foreign = api().post(
                        "/api/v1/sites/" + site.id() + "/commands",
                        other.tenant().token(),
                        unlock(site.door()));
        assertThat(foreign.status()).isEqualTo(404);
        // another tenant's door is not a door of this site
        Api.Response door = send(site, unlock(other.door()));
        assertThat(door.status()).isEqualTo(422);
        assertThat(door.json().at("/errors/0/field").asText()).isEqualTo("action.door");
    }

    @Test
    void badInputIsAClear422() {
        Site site = site("bad", 1);
        record Case(String body, String field) {}
        List<Case> cases = List.of(
                new Case("{}", "action"),
                new Case("{\"action\":\"open\"}", "action"),
                new Case("{\"action\":{\"type\":\"explode\"}}", "action"),
                new Case(
                        "{\"action\":{\"type\":\"unlock-once\",\"door\":\"" + site.door()
                                + "\",\"unlockFor\":\"PT10M\"}}",
                        "action"),
                new Case(
                        "{\"action\":{\"type\":\"unlock-once\",\"door\":\"door_nothere\",\"unlockFor\":\"PT5S\"}}",
                        "action.door"),
                new Case(
                        "{\"action\":{\"type\":\"release\",\"allDoors\":false,\"doors\":[\"" + site.door()
                                + "\",\"door_nothere\"]}}",
                        "action.doors[1]"),
                new Case("{\"action\":{\"type\":\"release\",\"allDoors\":false,\"doors\":[]}}", "action"),
                new Case(unlock(site.door()).replace("}}", "},\"expiresIn\":\"PT2H\"}"), "expiresIn"),
                new Case(unlock(site.door()).replace("}}", "},\"expiresIn\":\"PT0S\"}"), "expiresIn"),
                new Case(unlock(site.door()).replace("}}", "},\"expiresIn\":\"soon\"}"), "expiresIn"),
                new Case(unlock(site.door()).replace("}}", "},\"extra\":1}"), "extra"));
        for (Case c : cases) {
            Api.Response response = send(site, c.body());
            assertThat(response.status()).as(c.body() + " → " + response).isEqualTo(422);
            assertThat(response.json().at("/errors/0/field").asText())
                    .as(response.toString())
                    .isEqualTo(c.field());
            assertThat(response.json().get("detail").asText()).isNotBlank();
        }
        assertThat(api().get(
                                "/api/v1/sites/" + site.id() + "/commands",
                                site.tenant().token())
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void theListIsNewestFirstAndPaged() {
        Site site = site("list", 0);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(send(site, unlock(site.door())).json().get("id").asText());
        }
        List<String> seen = new ArrayList<>();
        String path = "/api/v1/sites/" + site.id() + "/commands?limit=2";
        String cursor = null;
        do {
            Api.Response page = api().get(
                            path + (cursor == null ? "" : "&cursor=" + cursor),
                            site.tenant().token());
            assertThat(page.status()).isEqualTo(200);
            page.json().get("items").forEach(item -> seen.add(item.get("id").asText()));
            cursor = page.json().has("nextCursor")
                    ? page.json().get("nextCursor").asText()
                    : null;
        } while (cursor != null);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids).hasSize(5);
        JsonNode all = api().get(
                        "/api/v1/sites/" + site.id() + "/commands",
                        site.tenant().token())
                .json()
                .get("items");
        List<String> issued = new ArrayList<>();
        all.forEach(item ->
                issued.add(item.get("issuedAt").asText() + " " + item.get("id").asText()));
        assertThat(issued).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        // a command to a site without active devices stays pending until it expires
        assertThat(all.get(0).get("status").asText()).isEqualTo("pending");
        assertThat(all.get(0).get("devices")).isEmpty();
    }
}
