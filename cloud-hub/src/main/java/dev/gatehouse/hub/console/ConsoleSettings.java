package dev.gatehouse.hub.console;

import dev.gatehouse.hub.web.TrustedProxies;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The console's settings.
 *
 * @param publicUrl the URL people use to reach the hub ({@code hub.public-url}); when it is HTTPS —
 *     the hub may sit behind a TLS-terminating proxy — cookies are {@code Secure} and named with the
 *     {@code __Host-} prefix. Links in e-mails start with it.
 * @param dwell how long after an entry a member counts as on site, where no exit reader records them
 *     leaving ({@code hub.console.dwell})
 * @param trustedProxies the load balancers or reverse proxies whose {@code X-Forwarded-For} names the
 *     client ({@code hub.trusted-proxies}; none by default)
 */
public record ConsoleSettings(Optional<URI> publicUrl, Duration dwell, TrustedProxies trustedProxies) {
    public ConsoleSettings(Optional<URI> publicUrl, Duration dwell) {
        this(publicUrl, dwell, TrustedProxies.none());
    }

    public static ConsoleSettings defaults() {
        return new ConsoleSettings(Optional.empty(), Duration.ofHours(8));
    }

    public boolean secureCookies() {
        return publicUrl.map(url -> "https".equalsIgnoreCase(url.getScheme())).orElse(false);
    }

    /** The session cookie's name: {@code __Host-gh_session} over HTTPS (host-only, Secure, path /). */
    public String sessionCookie() {
        return secureCookies() ? "__Host-gh_session" : "gh_session";
    }

    /** The cookie that carries the sign-in form's CSRF token before any session exists. */
    public String preSessionCookie() {
        return secureCookies() ? "__Host-gh_presession" : "gh_presession";
    }

    /** A member's portal session cookie: never the operator's, so neither session opens the other's pages. */
    public String memberCookie() {
        return secureCookies() ? "__Host-gh_member" : "gh_member";
    }
}
