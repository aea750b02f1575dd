package dev.gatehouse.hub.console;

import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The one way a console handler reads a submitted form: it checks the CSRF token first, so no form
 * field reaches a handler from a request another site made the browser send. The token is the
 * session's ({@code _csrf} field, or the {@code X-CSRF-Token} header for scripts); before sign-in it
 * is the pre-session cookie's value (double submit), which stops login CSRF.
 */
public final class Forms {
    public static final String CSRF_FIELD = "_csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    private Forms() {}

    /** The form of a signed-in operator's request, after its CSRF token matched the session's. */
    public static Parameters read(ServerRequest req, ConsoleSession session) {
        return read(req, session.csrfToken());
    }

    /** The form of a request whose session's CSRF token is {@code csrfToken}, after it matched. */
    public static Parameters read(ServerRequest req, String csrfToken) {
        Parameters form = parse(req);
        requireToken(req, form, csrfToken);
        return form;
    }

    /**
     * A {@code multipart/form-data} form (a file upload) of a signed-in operator, at most {@code
     * maxBytes}, after its CSRF token (field {@code _csrf}, or the header) matched the session's.
     */
    public static java.util.Map<String, dev.gatehouse.hub.web.Multipart.Part> readMultipart(
            ServerRequest req, ConsoleSession session, int maxBytes) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!dev.gatehouse.hub.web.Multipart.is(type)) {
            throw PageException.badRequest("send the form as multipart/form-data");
        }
        java.util.Map<String, dev.gatehouse.hub.web.Multipart.Part> parts;
        try {
            parts = dev.gatehouse.hub.web.Multipart.parse(type, dev.gatehouse.hub.web.Json.bytes(req, maxBytes));
        } catch (dev.gatehouse.hub.web.ApiException e) {
            throw PageException.badRequest(e.getMessage());
        }
        String sent = java.util.Optional.ofNullable(parts.get(CSRF_FIELD))
                .map(dev.gatehouse.hub.web.Multipart.Part::text)
                .or(() -> req.headers().first(HeaderNames.create(CSRF_HEADER)))
                .orElse("");
        if (!MessageDigest.isEqual(
                sent.getBytes(StandardCharsets.UTF_8), session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
            throw PageException.forbidden(
                    "this form was not sent from this console (its security token is missing or stale):"
                            + " reload the page and submit it again");
        }
        return parts;
    }

    /** A form posted before sign-in: its token must equal the pre-session cookie. */
    public static Parameters readBeforeSignIn(ServerRequest req, ConsoleSettings settings) {
        Parameters form = parse(req);
        String expected = req.headers()
                .cookies()
                .first(settings.preSessionCookie())
                .orElseThrow(() -> PageException.forbidden(
                        "this form has expired or cookies are blocked: reload the page and try again"));
        requireToken(req, form, expected);
        return form;
    }

    private static Parameters parse(ServerRequest req) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw PageException.badRequest("send the form as application/x-www-form-urlencoded");
        }
        // An empty form has no fields, so no token either: refused below, never a 500.
        return req.content().hasEntity() ? req.content().as(Parameters.class) : Parameters.empty("form");
    }

    private static void requireToken(ServerRequest req, Parameters form, String expected) {
        String sent = form.first(CSRF_FIELD)
                .asOptional()
                .or(() -> req.headers().first(HeaderNames.create(CSRF_HEADER)))
                .orElse("");
        if (!MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw PageException.forbidden(
                    "this form was not sent from this console (its security token is missing or stale):"
                            + " reload the page and submit it again");
        }
    }

    /** A trimmed field, empty when absent or blank. */
    public static Optional<String> field(Parameters form, String name) {
        return form.first(name).asOptional().map(String::strip).filter(s -> !s.isEmpty());
    }
}
