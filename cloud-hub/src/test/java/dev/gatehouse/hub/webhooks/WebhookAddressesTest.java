package dev.gatehouse.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A tenant's webhook endpoint must not turn the hub into a probe of its own networks: an address on
 * the hub's machine or networks (the cloud's metadata service included) is refused at each attempt,
 * unless the operator allows it; a public address is not.
 */
class WebhookAddressesTest {
    private static final WebhookSettings DEFAULTS = WebhookSettings.defaults();

    private static InetAddress address(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // a literal: nothing is looked up
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "::1",
                "10.0.0.5",
                "172.16.3.4",
                "192.168.1.20",
                "169.254.169.254",
                "fe80::1",
                "fd12:3456::1",
                "0.0.0.0",
                "224.0.0.1"
            })
    void anAddressInsideTheHubsNetworksIsRefusedByDefault(String literal) throws Exception {
        assertThat(DEFAULTS.addressProblem("receiver.example", List.of(address(literal))))
                .get()
                .asString()
                .contains("receiver.example resolves to")
                .contains("allow-private-addresses");
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"})
    void aPublicAddressIsAllowed(String literal) throws Exception {
        assertThat(DEFAULTS.addressProblem("receiver.example", List.of(address(literal))))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "10.1.2.3"})
    void oneInsideAddressAmongPublicOnesIsEnoughToRefuse(String first) throws Exception {
        assertThat(DEFAULTS.addressProblem("receiver.example", List.of(address(first), address("192.168.0.9"))))
                .isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void loopbackIsAllowedWhereTheOperatorAllowsHttpToLoopback(String literal) throws Exception {
        WebhookSettings tests = DEFAULTS.withAllowHttpLoopback(true);
        assertThat(tests.addressProblem("localhost", List.of(address(literal)))).isEmpty();
        assertThat(tests.addressProblem("intranet", List.of(address("10.0.0.5"))))
                .isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5", "192.168.1.20", "127.0.0.1"})
    void anOperatorMayAllowPrivateNetworks(String literal) throws Exception {
        WebhookSettings inside =
                new WebhookSettings(false, true, DEFAULTS.timeout(), DEFAULTS.rotationOverlap(), DEFAULTS.retention());
        assertThat(inside.addressProblem("intranet", List.of(address(literal)))).isEmpty();
    }
}
