package dev.gatehouse.hub.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address a request is attributed to behind trusted proxies, and the setting's parsing. */
class TrustedProxiesTest {
    static InetAddress ip(String text) {
        return TrustedProxies.literal(text).orElseThrow();
    }

    static final TrustedProxies PROXIES = TrustedProxies.parse(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));

    @Test
    void aPeerThatIsNoTrustedProxyIsTheClientWhateverItsHeaderSays() {
        assertThat(PROXIES.client(ip("198.51.100.4"), List.of("203.0.113.9"))).isEqualTo(ip("198.51.100.4"));
        assertThat(TrustedProxies.none().client(ip("10.1.2.3"), List.of("203.0.113.9")))
                .isEqualTo(ip("10.1.2.3"));
    }

    @Test
    void behindTrustedProxiesTheRightMostUntrustedHopIsTheClient() {
        // The client claims 1.1.1.1; the first proxy saw 203.0.113.9; a second proxy (10.2.0.1) forwarded.
        assertThat(PROXIES.client(ip("10.0.0.5"), List.of("1.1.1.1, 203.0.113.9", "10.2.0.1")))
                .isEqualTo(ip("203.0.113.9"));
        assertThat(PROXIES.client(ip("192.0.2.7"), List.of("2001:db8::5"))).isEqualTo(ip("2001:db8::5"));
        assertThat(PROXIES.client(ip("fd12::1"), List.of("198.51.100.1,fd00::9")))
                .isEqualTo(ip("198.51.100.1"));
    }

    @Test
    void aProxyThatForwardedNothingOrOnlyProxiesIsTheClient() {
        assertThat(PROXIES.client(ip("10.0.0.5"), List.of())).isEqualTo(ip("10.0.0.5"));
        assertThat(PROXIES.client(ip("10.0.0.5"), List.of("10.9.9.9"))).isEqualTo(ip("10.9.9.9"));
    }

    @Test
    void aHopThatIsNotAnAddressIsNeverTakenNorLookedUp() {
        // Garbage right of the last trusted hop: the trusted hop stands; a host name is never resolved.
        assertThat(PROXIES.client(ip("10.0.0.5"), List.of("localhost"))).isEqualTo(ip("10.0.0.5"));
        assertThat(PROXIES.client(ip("10.0.0.5"), List.of("203.0.113.9, unknown, 10.3.3.3")))
                .isEqualTo(ip("10.3.3.3"));
        assertThat(PROXIES.client(ip("10.0.0.5"), List.of("999.1.1.1"))).isEqualTo(ip("10.0.0.5"));
        assertThat(PROXIES.client(ip("10.0.0.5"), List.of(""))).isEqualTo(ip("10.0.0.5"));
        assertThat(TrustedProxies.literal("example.com")).isEmpty();
        assertThat(TrustedProxies.literal("[::1]")).isEmpty();
    }

    @Test
    void rangesMatchByPrefix() {
        TrustedProxies proxies = TrustedProxies.parse(List.of("172.16.0.0/12", "0.0.0.0/0 "));
        assertThat(proxies.trusts(ip("172.31.255.255"))).isTrue();
        assertThat(TrustedProxies.parse(List.of("172.16.0.0/12")).trusts(ip("172.32.0.1")))
                .isFalse();
        assertThat(TrustedProxies.parse(List.of("127.0.0.1")).trusts(ip("127.0.0.2")))
                .isFalse();
        assertThat(TrustedProxies.parse(List.of("::1")).trusts(ip("127.0.0.1"))).isFalse();
        assertThat(TrustedProxies.parse(List.of("", " ")).ranges()).isEmpty();
    }

    @Test
    void aWrongEntryFailsNamingItAndWhatToWrite() {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.internal")))
                .hasMessageContaining("'proxy.internal'")
                .hasMessageContaining("10.0.0.0/8");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33"))).hasMessageContaining("from 0 to 32");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("fd00::/129"))).hasMessageContaining("from 0 to 128");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/x"))).hasMessageContaining("prefix");
    }
}
