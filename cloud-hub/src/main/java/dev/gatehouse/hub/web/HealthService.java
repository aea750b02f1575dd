package dev.gatehouse.hub.web;

import dev.gatehouse.hub.store.Database;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /health}: 200 UP when the store answers, 503 DOWN when it does not. No token needed. */
public record HealthService(Database database) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> {
            boolean store = database.ping();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", store ? "UP" : "DOWN");
            body.put("store", Map.of("kind", database.kind().label(), "status", store ? "UP" : "DOWN"));
            Json.send(res, store ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
        });
    }
}
