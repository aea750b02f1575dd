package dev.gatehouse.hub.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.protocol.ProtocolException;
import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Every API error leaves as one RFC 9457 problem-details body ({@code application/problem+json}). */
public final class Problems {
    private static final Logger LOG = Logger.getLogger(Problems.class.getName());
    private static final String TYPE_BASE = "https://gatehouse.dev/problems/";

    private Problems() {}

    /**
     * Installs the error handlers: one per exception type, and a last one that never leaks internals.
     * {@code maxBodyBytes} is {@code hub.max-body-bytes}, named when a body is too large.
     */
    public static void register(HttpRouting.Builder routing, int maxBodyBytes) {
        routing.error(ApiException.class, (req, res, e) -> send(req, res, e));
        routing.error(
                ProtocolException.class,
                (req, res, e) -> send(
                        req, res, new ApiException(422, "validation", "Invalid request", e.getMessage(), List.of())));
        routing.error(StoreException.class, (req, res, e) -> send(req, res, translate(e)));
        // Helidon's own refusals (no such route, wrong method, bad request line) keep their status.
        routing.error(
                HttpException.class,
                (req, res, e) -> send(
                        req,
                        res,
                        fromServer(e.status(), Optional.ofNullable(e.getMessage()), maxBodyBytes, Optional.of(e))));
        routing.error(
                Exception.class,
                (req, res, e) -> send(
                        req,
                        res,
                        internal(
                                500,
                                req.prologue().method().text() + " "
                                        + req.path().path(),
                                Optional.of(e))));
    }

    /**
     * The web server's own refusals, made before any route runs (a body over the limit by its
     * Content-Length, a URI too long, a malformed request line, percent-escape or header, HTTP/1.0): the
     * same problems as every other error instead of an empty body. Installed on the server in {@code Hub}.
     */
    public static DirectHandlers directHandlers(int maxBodyBytes) {
        DirectHandler handler = (request, event, status, headers, message) -> {
            ApiException e = fromServer(status, Optional.ofNullable(message), maxBodyBytes, Optional.empty());
            DirectHandler.TransportResponse.Builder response = DirectHandler.TransportResponse.builder()
                    .status(Status.create(e.status()))
                    .headers(headers);
            headers(e).forEach(response::header);
            return response.entity(body(e, request.path())).build();
        };
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType event : DirectHandler.EventType.values()) {
            handlers.addHandler(event, handler);
        }
        return handlers.build();
    }

    /** Helidon's refusals, by the web server or its router: the status stays, the detail says what to fix. */
    private static ApiException fromServer(
            Status status, Optional<String> message, int maxBodyBytes, Optional<Throwable> cause) {
        // Helidon's text when it has one worth passing on (not its placeholder for an unsafe message).
        Optional<String> said = message.map(
                        text -> text.strip().lines().findFirst().orElse(""))
                .filter(text -> !text.isEmpty() && !text.startsWith("Bad request, see server log"));
        return switch (status.code()) {
            case 400 ->
                ApiException.badRequest("the web server could not read the request"
                        + said.map(text -> " (" + text + ")").orElse("")
                        + ": send a well-formed HTTP/1.1 request line and headers, the path and query percent-encoded"
                        + " (%XX for each UTF-8 byte outside URI characters, %25 for '%' itself), the headers short");
            case 404 ->
                new ApiException(
                        404,
                        "not-found",
                        "Not found",
                        "no such resource: see GET /openapi for the hub's routes",
                        List.of());
            case 413 -> ApiException.tooLarge(maxBodyBytes);
            case 414 ->
                new ApiException(
                        414,
                        "uri-too-long",
                        "URI too long",
                        "the request URI is longer than the hub reads; shorten the path and query",
                        List.of());
            case 503 -> new ApiException(503, "unavailable", "Hub busy", "the hub is busy; retry later", List.of());
            case 505 ->
                new ApiException(
                        505,
                        "http-version",
                        "HTTP version not supported",
                        "the hub speaks HTTP/1.1 only; send the request as HTTP/1.1",
                        List.of());
            default ->
                status.code() >= 500
                        ? internal(status.code(), "web server: " + said.orElse(status.reasonPhrase()), cause)
                        : new ApiException(
                                status.code(),
                                "http",
                                status.reasonPhrase(),
                                said.orElse(status.reasonPhrase()),
                                List.of());
        };
    }

    /** A failure of the hub itself: logged with an incident id that the answer names, nothing more. */
    private static ApiException internal(int status, String what, Optional<Throwable> cause) {
        String incident = UUID.randomUUID().toString();
        LOG.log(Level.SEVERE, "internal error " + incident + " on " + what, cause.orElse(null));
        return new ApiException(
                status,
                "internal",
                "Internal error",
                "the hub failed to handle this request; the hub log has incident " + incident,
                List.of());
    }

    private static ApiException translate(StoreException e) {
        // The driver's text names constraints and key values: it goes to the log, not to the caller.
        return switch (e.error()) {
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
        res.status(Status.create(e.status()));
        headers(e).forEach(res::header);
        res.send(body(e, req.prologue().uriPath().path()));
    }

    private static List<Header> headers(ApiException e) {
        List<Header> headers = new ArrayList<>(List.of(
                HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/problem+json"),
                HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-store")));
        if (e.status() == 401) {
            headers.add(HeaderValues.create(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"gatehouse\""));
        }
        return headers;
    }

    private static byte[] body(ApiException e, String instance) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", TYPE_BASE + e.type());
        body.put("title", e.title());
        body.put("status", e.status());
        body.put("detail", e.getMessage());
        if (!instance.isEmpty()) {
            body.put("instance", instance);
        }
        if (!e.errors().isEmpty()) {
            ArrayNode errors = body.putArray("errors");
            for (FieldError error : e.errors()) {
                errors.addObject().put("field", error.field()).put("message", error.message());
            }
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
