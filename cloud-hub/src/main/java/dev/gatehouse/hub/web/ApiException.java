package dev.gatehouse.hub.web;

import dev.gatehouse.hub.store.FieldError;
import java.util.List;

/**
 * An API request that cannot be served, with its HTTP status, a problem type and a detail that tells
 * the caller what to fix. Rendered as one RFC 9457 problem-details body.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final List<FieldError> errors;

    public ApiException(int status, String type, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    /** 400: the body is not JSON, or not the JSON object expected. */
    public static ApiException badRequest(String detail) {
        return new ApiException(400, "bad-request", "Malformed request", detail, List.of());
    }

    /** 422: well-formed, but a field is wrong; {@code field} names it. */
    public static ApiException invalid(String field, String message) {
        return new ApiException(
                422, "validation", "Invalid request", field + ": " + message, List.of(new FieldError(field, message)));
    }

    /** 422 for several fields at once. */
    public static ApiException invalid(List<FieldError> errors) {
        StringBuilder detail = new StringBuilder();
        for (FieldError error : errors) {
            if (!detail.isEmpty()) {
                detail.append("; ");
            }
            detail.append(error.field()).append(": ").append(error.message());
        }
        return new ApiException(422, "validation", "Invalid request", detail.toString(), errors);
    }

    /** 413: the body is over {@code hub.max-body-bytes}, however the web server or the hub found out. */
    public static ApiException tooLarge(int maxBytes) {
        return new ApiException(
                413,
                "too-large",
                "Request too large",
                "the body is larger than " + maxBytes + " bytes (hub.max-body-bytes); send a smaller body",
                List.of());
    }

    /** 415: a body that is not sent as JSON. */
    public static ApiException unsupportedMediaType(String detail) {
        return new ApiException(415, "unsupported-media-type", "Unsupported media type", detail, List.of());
    }

    /** 401: no token or an unknown or revoked token. */
    public static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", "Not authenticated", detail, List.of());
    }

    /** 403: a valid token that may not do this (e.g. a tenant token on a platform route). */
    public static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", "Not allowed", detail, List.of());
    }

    /** 404: no such resource for this tenant; never says whether another tenant has it. */
    public static ApiException notFound(String what, String id) {
        return new ApiException(404, "not-found", "Not found", what + " '" + id + "' does not exist", List.of());
    }

    /** 409: a unique value is taken, or the resource's state forbids the change. */
    public static ApiException conflict(String detail) {
        return new ApiException(409, "conflict", "Conflict", detail, List.of());
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
