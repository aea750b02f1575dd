package dev.gatehouse.hub.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.hub.web.Times;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How far each device of a site is behind the site's change log, from the devices' last
 * {@code device.state}.
 *
 * <pre>
 * GET /api/v1/sites/{siteId}/sync → {site, headSeq, devices: [{device, name, status, online, cacheSeq, lag,
 *                                    clock, health, outboxDepth, problems, agentVersion, lastStateAt}]}
 * </pre>
 *
 * {@code online}: the device's last state is not {@code offline} (its last will). Values the device
 * never reported are null.
 */
public record SyncStatusService(Database database) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/sites/{siteId}/sync", this::status);
    }

    private void status(ServerRequest req, ServerResponse res) {
        String siteId = PathIds.id(req, "siteId", "site");
        String tenantId = Caller.require(req, Permission.VIEW_SITES)
                .require(Permission.VIEW_SITES, siteId)
                .tenantId();
        Optional<Map<String, Object>> body = database.read(c -> {
            Optional<Long> head = Sql.byId(c, "sites", "change_seq", Sql.LONG, tenantId, siteId);
            if (head.isEmpty()) {
                return Optional.empty();
            }
            List<Map<String, Object>> devices = Sql.list(
                    c,
                    "SELECT id, name, status, acked_seq, clock, health, outbox_depth, problems, version, state_at"
                            + " FROM devices WHERE tenant_id = ? AND site_id = ? ORDER BY name, id",
                    row -> device(row, head.get()),
                    tenantId,
                    siteId);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("site", siteId);
            answer.put("headSeq", head.get());
            answer.put("devices", devices);
            return Optional.of(answer);
        });
        Json.ok(res, StoreResults.found(body, "site", siteId));
    }

    private static Map<String, Object> device(ResultSet rows, long head) throws SQLException {
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("device", rows.getString(1));
        device.put("name", rows.getString(2));
        device.put("status", rows.getString(3));
        long cacheSeq = rows.getLong(4);
        boolean reported = !rows.wasNull();
        String health = rows.getString(6);
        device.put("online", health != null && !health.equals("OFFLINE"));
        device.put("cacheSeq", reported ? cacheSeq : null);
        device.put("lag", reported ? Math.max(0, head - cacheSeq) : null);
        device.put("clock", wire(rows.getString(5)));
        device.put("health", wire(health));
        long outbox = rows.getLong(7);
        device.put("outboxDepth", rows.wasNull() ? null : outbox);
        device.put("problems", problems(rows.getString(8)));
        device.put("agentVersion", rows.getString(9));
        long stateAt = rows.getLong(10);
        device.put("lastStateAt", rows.wasNull() ? null : Times.iso(stateAt));
        return device;
    }

    private static JsonNode problems(String json) {
        if (json == null) {
            return Json.MAPPER.createArrayNode();
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            return Json.MAPPER.createArrayNode();
        }
    }

    private static String wire(String name) {
        return name == null ? null : WireNames.wire(name);
    }
}
