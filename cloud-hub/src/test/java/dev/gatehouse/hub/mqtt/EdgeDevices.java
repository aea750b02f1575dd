package dev.gatehouse.hub.mqtt;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.sync.SyncStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.topic.Channel;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Tenants, sites and provisioned devices for MQTT tests, made through the API. */
final class EdgeDevices {
    private EdgeDevices() {}

    /** A provisioned device: its tenant's token and slug, its site, id, MQTT password and bundle. */
    record Device(
            String token, String tenantId, String slug, String site, String id, String password, JsonNode bundle) {}

    /** Connects as the device, subscribed to its inbox. */
    static FakeEdge connect(TestHub hub, Device d) throws MqttException {
        FakeEdge edge = FakeEdge.connect("tcp://127.0.0.1:" + hub.hub().brokerPort(), d.id(), d.id(), d.password());
        if (edge.subscribeInbox(d.slug(), d.site(), d.id())[0] >= 0x80) {
            throw new AssertionError("the broker refused the inbox subscription of " + d.id());
        }
        return edge;
    }

    /** A new tenant with one site, one door and one provisioned device. */
    static Device provisioned(TestHub hub, String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Kreuzberg\",\"address\":\"Oranienstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        hub.create(
                "/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Main entrance\",\"unlockSeconds\":5}");
        return device(hub, tenant, site, "pi-lobby");
    }

    /** Another provisioned device of the same site. */
    static Device another(TestHub hub, Device of, String name) {
        return device(hub, new TestHub.Tenant(of.tenantId(), of.slug(), of.token()), of.site(), name);
    }

    static Device device(TestHub hub, TestHub.Tenant tenant, String site, String name) {
        String device = hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"" + name + "\"}");
        Api.Response response = hub.api().post("/api/v1/devices/" + device + "/provision", tenant.token(), "{}");
        if (response.status() != 201) {
            throw new AssertionError("provisioning answered " + response);
        }
        JsonNode bundle = response.json();
        return new Device(
                tenant.token(),
                tenant.id(),
                tenant.slug(),
                site,
                device,
                bundle.at("/mqtt/password").asText(),
                bundle);
    }

    /** The device reports {@code features} in its state; returns once the hub has recorded them. */
    static void report(TestHub hub, Device d, FakeEdge edge, List<String> features) throws MqttException {
        edge.publish(IngestTest.topic(d, Channel.STATE), EdgeMessages.state(d.site(), d.id(), features));
        await().atMost(IngestTest.WAIT).until(() -> String.join(",", features)
                .equals(hub.hub()
                        .database()
                        .read(c -> Sql.one(
                                c, "SELECT COALESCE(features, '-') FROM devices WHERE id = ?", Sql.STRING, d.id()))
                        .orElse("-")));
    }

    /** The device's site's change log, as the hub wrote it. */
    static List<Change> log(TestHub hub, Device d) {
        return hub.hub().stores().changes().read(d.tenantId(), d.site(), 0, 10_000).stream()
                .map(LoggedChange::change)
                .toList();
    }

    private static SyncStore sync(TestHub hub) {
        return new SyncStore(hub.hub().database(), java.time.Clock.systemUTC());
    }

    /** The site's changes as its edges get them now. */
    static List<Change> sent(TestHub hub, Device d) {
        return sync(hub).range(d.tenantId(), d.site(), 0, 10_000).orElseThrow().changes().stream()
                .map(LoggedChange::change)
                .toList();
    }

    /** The site's snapshot as its edges get it now. */
    static List<Entity> snapshot(TestHub hub, Device d) {
        return sync(hub).snapshot(d.tenantId(), d.site()).orElseThrow().entities();
    }
}
