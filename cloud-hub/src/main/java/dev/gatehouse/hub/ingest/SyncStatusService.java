package dev.gatehouse.hub.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.Times;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
public final class SyncStatusService implements HttpService {
    private final Database database;

    public SyncStatusService(Database database) {
        this.database = database;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/sites/{siteId}/sync", this::status);
    }

    private void status(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        String siteId = PathIds.id(req, "siteId", "site");
        Map<String, Object> body = database.read(c -> {
            long head;
            try (PreparedStatement select =
                    c.prepareStatement("SELECT change_seq FROM sites WHERE id = ? AND tenant_id = ?")) {
                select.setString(1, siteId);
                select.setString(2, tenantId);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw ApiException.notFound("site", siteId);
                    }
                    head = rows.getLong(1);
                }
            }
            List<Map<String, Object>> devices = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id, name, status, acked_seq, clock, health,"
                    + " outbox_depth, problems, version, state_at FROM devices WHERE tenant_id = ? AND site_id = ?"
                    + " ORDER BY name, id")) {
                select.setString(1, tenantId);
                select.setString(2, siteId);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        devices.add(device(rows, head));
                    }
                }
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("site", siteId);
            answer.put("headSeq", head);
            answer.put("devices", devices);
            return answer;
        });
        Json.ok(res, body);
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
        return name == null ? null : name.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
