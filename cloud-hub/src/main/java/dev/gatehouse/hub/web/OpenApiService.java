package dev.gatehouse.hub.web;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code GET /openapi}: the hub's OpenAPI 3.1 document, YAML by default and JSON when the client asks
 * for {@code application/json} (or {@code ?format=json}). No token needed: it describes, it holds no data.
 */
public final class OpenApiService implements HttpService {
    public static final String RESOURCE = "META-INF/openapi.yaml";

    private final byte[] yaml;
    private final byte[] json;

    public OpenApiService() {
        this.yaml = load();
        try {
            Object document = new Yaml(new LoaderOptions()).load(new String(yaml, StandardCharsets.UTF_8));
            this.json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document cannot be turned into JSON", e);
        }
    }

    private static byte[] load() {
        try (InputStream in = OpenApiService.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the hub's class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document as parsed YAML, for tests. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> document() {
        return (Map<String, Object>) new Yaml(new LoaderOptions()).load(new String(load(), StandardCharsets.UTF_8));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::serve);
    }

    private void serve(ServerRequest req, ServerResponse res) {
        boolean wantsJson =
                req.query().first("format").asOptional().map("json"::equals).orElse(false)
                        || req.headers()
                                .first(HeaderNames.ACCEPT)
                                .map(accept -> accept.contains("application/json") && !accept.contains("yaml"))
                                .orElse(false);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, wantsJson ? "application/json" : "application/yaml");
        res.send(wantsJson ? json : yaml);
    }
}
