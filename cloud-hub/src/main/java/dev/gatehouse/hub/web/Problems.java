package dev.gatehouse.hub.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.protocol.ProtocolException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Every API error leaves as one RFC 9457 problem-details body ({@code application/problem+json}). */
public final class Problems {
    private static final Logger LOG = Logger.getLogger(Problems.class.getName());
    private static final String TYPE_BASE = "https://gatehouse.dev/problems/";

    private Problems() {}

    /** Installs the error handlers: one per exception type, and a last one that never leaks internals. */
    public static void register(HttpRouting.Builder routing) {
        routing.error(ApiException.class, (req, res, e) -> send(req, res, e));
        routing.error(
                ProtocolException.class,
                (req, res, e) -> send(
                        req, res, new ApiException(422, "validation", "Invalid request", e.getMessage(), List.of())));
        routing.error(StoreException.class, (req, res, e) -> send(req, res, translate(e)));
        // Helidon's own refusals (no such route, wrong method, bad request line) keep their status.
        routing.error(HttpException.class, (req, res, e) -> send(req, res, fromHelidon(e)));
        routing.error(Exception.class, (req, res, e) -> {
            String incident = UUID.randomUUID().toString();
            LOG.log(
                    Level.SEVERE,
                    "internal error " + incident + " on "
                            + req.prologue().method().text() + " " + req.path().path(),
                    e);
            send(
                    req,
                    res,
                    new ApiException(
                            500,
                            "internal",
                            "Internal error",
                            "the hub failed to handle this request; the hub log has incident " + incident,
                            List.of()));
        });
    }

    private static ApiException fromHelidon(HttpException e) {
        int status = e.status().code();
        if (status == 404) {
            return new ApiException(
                    404,
                    "not-found",
                    "Not found",
                    "no such resource: " + "see GET /openapi for the hub's routes",
                    List.of());
        }
        if (status >= 500) {
            LOG.log(Level.SEVERE, "web server error", e);
            return new ApiException(
                    status, "internal", "Internal error", "the hub failed to handle this request", List.of());
        }
        return new ApiException(status, "http", e.status().reasonPhrase(), String.valueOf(e.getMessage()), List.of());
    }

    private static ApiException translate(StoreException e) {
        // The driver's text names constraints and key values: it goes to the log, not to the caller.
        return switch (e.error()) {
            case STALE -> ApiException.conflict(e.getMessage());
            case CONFLICT -> {
                LOG.log(Level.INFO, "unique constraint refused a write", e);
                yield ApiException.conflict("a value that must be unique is already taken (the same slug, e-mail"
                        + " or card sent twice at once?); read the current state and retry");
            }
            case REFERENCE -> {
                LOG.log(Level.INFO, "reference constraint refused a write", e);
                yield ApiException.conflict("the change refers to a record that was just removed, or removes one"
                        + " that is still referred to; read the current state and retry");
            }
            case UNAVAILABLE, MISCONFIGURED -> {
                LOG.log(Level.SEVERE, "store failure", e);
                yield new ApiException(
                        503,
                        "unavailable",
                        "Store unavailable",
                        "the hub's store did not answer; retry later",
                        List.of());
            }
        };
    }

    /** Writes {@code e} as problem details; also used by filters that answer before routing. */
    public static void send(ServerRequest req, ServerResponse res, ApiException e) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", TYPE_BASE + e.type());
        body.put("title", e.title());
        body.put("status", e.status());
        body.put("detail", e.getMessage());
        body.put("instance", req.prologue().uriPath().path());
        if (!e.errors().isEmpty()) {
            ArrayNode errors = body.putArray("errors");
            for (FieldError error : e.errors()) {
                errors.addObject().put("field", error.field()).put("message", error.message());
            }
        }
        if (e.status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"gatehouse\"");
        }
        res.status(Status.create(e.status()));
        res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
