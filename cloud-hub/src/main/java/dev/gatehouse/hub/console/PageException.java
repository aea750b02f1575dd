package dev.gatehouse.hub.console;

import io.helidon.http.Status;

/**
 * Stops a page handler: to the sign-in page (no session), or to an error page that says what went
 * wrong and what to do (forbidden, not found, a refused form). The console's error handler renders it.
 */
public final class PageException extends RuntimeException {
    private final Status status;
    private final String redirect;

    private PageException(Status status, String message, String redirect) {
        super(message, null, false, false);
        this.status = status;
        this.redirect = redirect;
    }

    /** Not signed in: to the sign-in page, then back to {@code next}. */
    public static PageException signIn(String next) {
        return new PageException(Status.SEE_OTHER_303, "sign in first", next);
    }

    public static PageException forbidden(String message) {
        return new PageException(Status.FORBIDDEN_403, message, null);
    }

    public static PageException notFound(String message) {
        return new PageException(Status.NOT_FOUND_404, message, null);
    }

    public static PageException badRequest(String message) {
        return new PageException(Status.BAD_REQUEST_400, message, null);
    }

    public Status status() {
        return status;
    }

    /** Where a sign-in should return to; null for an error page. */
    public String next() {
        return redirect;
    }
}
