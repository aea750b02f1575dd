package dev.gatehouse.hub.webhooks;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code hub.webhooks.*}: whether endpoints may be plain {@code http://} on a loopback host (for tests
 * and a receiver on the hub's own machine; off by default, when only {@code https://} is accepted),
 * whether they may be on private networks (off by default: a tenant's endpoint must not reach the
 * hub's own network), the timeout of one delivery attempt (the specification's 15 s), how long a
 * rotated secret keeps signing beside the new one (24 h), and how long the outbox keeps an event and
 * its deliveries (30 days: the window in which a dead letter can be replayed).
 */
public record WebhookSettings(
        boolean allowHttpLoopback,
        boolean allowPrivateAddresses,
        Duration timeout,
        Duration rotationOverlap,
        Duration retention) {
    /** The shortest retention: longer than the whole retry schedule and the 5 days before disabling. */
    public static final Duration MIN_RETENTION = Duration.ofDays(7);

    public static final Duration MAX_RETENTION = Duration.ofDays(365);

    public WebhookSettings {
        if (retention.compareTo(MIN_RETENTION) < 0 || retention.compareTo(MAX_RETENTION) > 0) {
            throw new IllegalArgumentException("the outbox's retention must be 7 to 365 days, not " + retention);
        }
    }

    public static WebhookSettings defaults() {
        return new WebhookSettings(false, false, Duration.ofSeconds(15), Duration.ofHours(24), Duration.ofDays(30));
    }

    public WebhookSettings withAllowHttpLoopback(boolean allow) {
        return new WebhookSettings(allow, allowPrivateAddresses, timeout, rotationOverlap, retention);
    }

    /**
     * Why a delivery must not go to {@code addresses} (what the endpoint's host resolves to now), or empty
     * when it may: an address on the hub's own machine or networks (loopback, private, link-local — the
     * cloud's metadata service —, unique-local, multicast, unspecified) unless this hub allows it. Checked
     * at each attempt, so a name that later resolves inside is refused then.
     */
    public Optional<String> addressProblem(String host, java.util.List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            boolean loopback = address.isLoopbackAddress();
            boolean inside = address.isSiteLocalAddress()
                    || address.isLinkLocalAddress()
                    || address.isAnyLocalAddress()
                    || address.isMulticastAddress()
                    || (address instanceof java.net.Inet6Address && (address.getAddress()[0] & 0xfe) == 0xfc);
            if ((loopback && !allowHttpLoopback && !allowPrivateAddresses) || (inside && !allowPrivateAddresses)) {
                return Optional.of(host + " resolves to " + address.getHostAddress() + ", an address inside the"
                        + " hub's own networks; webhooks go to public addresses (hub.webhooks.allow-private-addresses"
                        + " lets an operator allow it)");
            }
        }
        return Optional.empty();
    }

    /** Why {@code text} cannot be an endpoint's URL, or empty when it can. */
    public Optional<String> urlProblem(String text) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.of("'" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || url.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            return Optional.of("'" + text + "' must be an absolute https:// URL with a host");
        }
        if (url.getUserInfo() != null) {
            return Optional.of("must not carry a user name or password; the signature authenticates the hub");
        }
        if (url.getFragment() != null) {
            return Optional.of("must not have a #fragment");
        }
        if (scheme.equals("http") && !(allowHttpLoopback && loopback(url.getHost()))) {
            return Optional.of("must use https://"
                    + (allowHttpLoopback ? " (http:// is allowed only to a loopback host here)" : ""));
        }
        return Optional.empty();
    }

    private static boolean loopback(String host) {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!bare.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name: not resolved here
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
