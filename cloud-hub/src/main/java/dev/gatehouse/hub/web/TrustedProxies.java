package dev.gatehouse.hub.web;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who the client is when the hub sits behind load balancers or reverse proxies ({@code
 * hub.trusted-proxies}). Without the setting the client is the connection's peer and {@code
 * X-Forwarded-For} is ignored: a header any client can write never decides an address. With it, a
 * request whose peer is one of the listed proxies is attributed to the right-most address in {@code
 * X-Forwarded-For} that is not itself a listed proxy (each proxy appends the address it saw, so
 * everything left of that is the client's own claim and is never read). The address found is what
 * sign-in throttles count and what the audit log records, on every replica alike.
 *
 * @param ranges the proxies: addresses or CIDR ranges, IPv4 or IPv6
 */
public record TrustedProxies(List<Range> ranges) implements Filter {
    private static final String CONTEXT_KEY = "gatehouse.client-address";
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public TrustedProxies {
        ranges = List.copyOf(ranges);
    }

    /** Trusts no proxy: the peer is the client. */
    public static TrustedProxies none() {
        return new TrustedProxies(List.of());
    }

    /** One trusted address or range. */
    public record Range(byte[] network, int prefix, String text) {
        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (bytes[full] & mask) == (network[full] & mask);
        }
    }

    /**
     * Reads the setting's entries ({@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code fd00::/8}); a wrong one
     * fails with what to write instead.
     */
    public static TrustedProxies parse(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            Optional<InetAddress> address = literal(host);
            if (address.isEmpty()) {
                throw new IllegalArgumentException("hub.trusted-proxies has '" + entry
                        + "', which is not an IP address or CIDR range: write addresses such as 10.0.0.5,"
                        + " 10.0.0.0/8 or fd00::/8 (host names are not looked up)");
            }
            byte[] bytes = address.get().getAddress();
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                String bits = entry.substring(slash + 1);
                if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
                    throw new IllegalArgumentException("hub.trusted-proxies has '" + entry + "': the prefix after /"
                            + " must be a number of bits from 0 to " + max);
                }
                prefix = Integer.parseInt(bits);
            }
            ranges.add(new Range(bytes, prefix, entry));
        }
        return new TrustedProxies(ranges);
    }

    /** Whether {@code address} is one of the trusted proxies. */
    public boolean trusts(InetAddress address) {
        for (Range range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client's address for a connection from {@code peer} carrying these {@code X-Forwarded-For}
     * values (in the order received): the peer itself unless it is a trusted proxy; otherwise the
     * right-most forwarded address that is not a trusted proxy. A hop that is not an IP address stops
     * the walk: the last trusted address stands (nothing a client wrote is taken on trust).
     */
    public InetAddress client(InetAddress peer, List<String> forwardedFor) {
        if (!trusts(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String hop : value.split(",", -1)) {
                hops.add(hop.strip());
            }
        }
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = literal(hops.get(i));
            if (hop.isEmpty()) {
                return client;
            }
            client = hop.get();
            if (!trusts(client)) {
                return client;
            }
        }
        return client;
    }

    /** An IP literal, never a name lookup. */
    static Optional<InetAddress> literal(String text) {
        if (!(IPV4.matcher(text).matches()
                || (text.indexOf(':') >= 0 && IPV6.matcher(text).matches()))) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!ranges.isEmpty()) {
            peer(req).ifPresent(peer -> {
                InetAddress client = client(peer, req.headers().all(HeaderNames.X_FORWARDED_FOR, List::of));
                req.context().register(CONTEXT_KEY, client.getHostAddress());
            });
        }
        chain.proceed();
    }

    /**
     * The client's IP address as this hub attributes it: the one found through trusted proxies where
     * the request came through one, otherwise the connection's peer.
     */
    public static String address(ServerRequest req) {
        Optional<String> forwarded = req.context().get(CONTEXT_KEY, String.class);
        if (forwarded.isPresent()) {
            return forwarded.get();
        }
        return peer(req).map(InetAddress::getHostAddress).orElseGet(() -> req.remotePeer()
                .host());
    }

    private static Optional<InetAddress> peer(ServerRequest req) {
        SocketAddress peer = req.remotePeer().address();
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return Optional.of(inet.getAddress());
        }
        return Optional.empty();
    }
}
