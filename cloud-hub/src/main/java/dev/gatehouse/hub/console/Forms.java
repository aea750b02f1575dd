package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.tenants.Tokens;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
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
        return read(req, session.session());
    }

    /** The form of any signed-in browser (a member in the portal too), after its token matched the session's. */
    public static Parameters read(ServerRequest req, WebSession session) {
        Parameters form = parse(req);
        requireToken(req, form, session.csrfToken());
        return form;
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

    /**
     * The CSRF token for a form shown before sign-in (operator sign-in, a member's sign-in link): the
     * pre-session cookie's value, set now (a fresh one when there is none), to be echoed in the form.
     */
    public static String preSessionToken(ServerRequest req, ServerResponse res, ConsoleSettings settings) {
        String token = req.headers()
                .cookies()
                .first(settings.preSessionCookie())
                .asOptional()
                .filter(value -> value.length() == 43)
                .orElseGet(Tokens::secret);
        res.headers()
                .addCookie(settings.cookie(settings.preSessionCookie(), token)
                        .maxAge(Duration.ofHours(2))
                        .build());
        return token;
    }

    private static Parameters parse(ServerRequest req) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw PageException.badRequest("send the form as application/x-www-form-urlencoded");
        }
        return req.content().as(Parameters.class);
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
