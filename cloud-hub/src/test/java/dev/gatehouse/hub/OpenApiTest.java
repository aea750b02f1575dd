package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.hub.web.OpenApiService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document and the routes the hub really has must not drift apart. */
class OpenApiTest {
    private static final Pattern ROUTE = Pattern.compile("\\.(get|post|put|patch|delete)\\(\\s*\"(/[^\"]*)\"");
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

    static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(StoreKind.SQLITE);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    /** "GET /api/v1/doors/{}" for every operation in the document. */
    static Set<String> documented() {
        Set<String> operations = new TreeSet<>();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths =
                (Map<String, Map<String, Object>>) OpenApiService.document().get("paths");
        paths.forEach((path, item) -> item.keySet().stream()
                .filter(METHODS::contains)
                .forEach(method -> operations.add(method.toUpperCase(Locale.ROOT) + " " + normalise(path))));
        return operations;
    }

    /** The same, read from the route definitions in the services' source. */
    static Set<String> implemented() throws IOException {
        Set<String> operations = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/gatehouse/hub"))) {
            for (Path file : files.filter(f -> f.toString().endsWith("Service.java"))
                    // The console's pages are HTML for browsers, not API routes.
                    .filter(f ->
                            !f.getParent().endsWith("console") && !f.getParent().endsWith("portal"))
                    .toList()) {
                String name = file.getFileName().toString();
                String prefix =
                        switch (name) {
                            case "HealthService.java" -> "/health";
                            case "OpenApiService.java" -> "/openapi";
                            // The calendar feeds are served at the root, for calendar clients.
                            case "IcalService.java" -> "";
                            // Stripe's webhooks too: Stripe signs them instead of sending a token.
                            case "StripeWebhookService.java" -> "";
                            default -> "/api/v1";
                        };
                Matcher matcher = ROUTE.matcher(Files.readString(file));
                while (matcher.find()) {
                    String path = matcher.group(2).equals("/") ? prefix : prefix + matcher.group(2);
                    operations.add(matcher.group(1).toUpperCase(Locale.ROOT) + " " + normalise(path));
                }
            }
        }
        return operations;
    }

    private static String normalise(String path) {
        return path.replaceAll("\\{[^}]+}", "{}");
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws IOException {
        assertThat(implemented()).isNotEmpty().isEqualTo(documented());
    }

    @Test
    void everyDocumentedOperationAnswersFromTheHubNotTheRouter() {
        TestHub.Tenant tenant = hub.newTenant("openapi");
        for (String operation : documented()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(method.length() + 1).replace("{}", "nothing_here");
            if (path.endsWith("/stream")) {
                continue; // an endless event stream (AccessStreamTest covers it)
            }
            String token = path.startsWith("/api/v1/tenants") ? hub.adminToken() : tenant.token();
            Optional<String> body =
                    Set.of("POST", "PUT", "PATCH").contains(method) ? Optional.of("{}") : Optional.empty();
            Api.Response response = hub.api().send(method, path, token, body, Optional.empty());
            // A route the router does not know answers a bare 404 without our JSON problem body.
            assertThat(response.status() == 204 || response.contentType().startsWith("application/"))
                    .as(operation + " → " + response.status() + " " + response.contentType())
                    .isTrue();
        }
    }

    @Test
    void anUnknownRouteIsAProblem404NotAServerError() {
        TestHub.Tenant tenant = hub.newTenant("noroute");
        for (String path : new String[] {"/api/v1/nothing", "/api/v1/members/", "/nowhere"}) {
            Api.Response response = hub.api().get(path, tenant.token());
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.contentType()).as(path).isEqualTo("application/problem+json");
        }
    }

    @Test
    void theDocumentIsServedAsYamlAndAsJson() {
        Api.Response yaml = hub.api().get("/openapi", null);
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.contentType()).isEqualTo("application/yaml");
        assertThat(yaml.text()).startsWith("openapi: 3.1.0");
        Api.Response json = hub.api().get("/openapi?format=json", null);
        assertThat(json.json().get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(json.json().at("/paths/~1api~1v1~1sites/post")).isNotNull();
    }
}
