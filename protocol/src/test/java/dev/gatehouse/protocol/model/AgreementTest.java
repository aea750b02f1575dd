package dev.gatehouse.protocol.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A visitor agreement's hash is what a signature proves was shown, so the edge and the hub must
 * compute the same one from the same text, and no entity may carry a hash its text does not have.
 */
class AgreementTest {
    private static final String TITLE = "Visitor agreement";
    private static final String BODY = "I, {visitorName}, visit {hostName} at {siteName} on {date}.\nI keep quiet.";

    private static Agreement agreement(String sha256) {
        return new Agreement("agr-1", 1, TITLE, BODY, "HQ Berlin", sha256);
    }

    @Test
    void aHashThatDoesNotMatchTheTextIsRefused() {
        String forged = Agreement.sha256(TITLE, BODY + " Or not.");

        assertThatThrownBy(() -> agreement(forged))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("sha256 does not match");
        assertThat(agreement(Agreement.sha256(TITLE, BODY)).sha256()).hasSize(64);
    }

    @Test
    void textsThatLookTheSameHashTheSame() {
        // A body pasted from Windows, with trailing blanks or a decomposed accent, is the same document.
        assertThat(Agreement.sha256(TITLE, "Caf\u00e9 rules\r\nLine two   \n\n"))
                .isEqualTo(Agreement.sha256(" " + TITLE, "Cafe\u0301 rules\nLine two"))
                .isNotEqualTo(Agreement.sha256(TITLE, "Cafe rules\nLine two"));
    }

    @Test
    void anUnknownVariableIsNamedWithTheOnesThatExist() {
        assertThat(Agreement.bodyProblem("Hello {visitor} and {company}"))
                .hasValueSatisfying(problem -> assertThat(problem)
                        .contains("{company}, {visitor}")
                        .contains("{visitorName}, {hostName}, {siteName}, {date}"));
        assertThat(Agreement.bodyProblem(BODY)).isEmpty();
    }

    @Test
    void renderingFillsTheVariablesAndTheRenderedHashFollowsTheText() {
        Agreement agreement = agreement(Agreement.sha256(TITLE, BODY));

        String rendered = agreement.render(
                Map.of("visitorName", "Ada\nLovelace", "hostName", "Grace", "siteName", "HQ", "date", "2026-12-07"));

        assertThat(rendered)
                .isEqualTo("Visitor agreement\n\nI, Ada Lovelace, visit Grace at HQ on 2026-12-07.\nI keep quiet.\n");
        assertThat(Agreement.renderedSha256(rendered))
                .isNotEqualTo(Agreement.renderedSha256(agreement.render(Map.of("visitorName", "Eve"))));
    }

    @Test
    void aVoucherHasExactlyOneValidityAndNeverPrintsItsCode() {
        assertThatThrownBy(() -> new WifiVoucher("wv-1", "pi-1", "SECRET-1", Optional.empty(), Optional.empty()))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new WifiVoucher(
                        "wv-1", "pi-1", "SECRET-1", Optional.of(Duration.ofHours(1)), Optional.of(Instant.EPOCH)))
                .isInstanceOf(ProtocolException.class);
        assertThat(new WifiVoucher("wv-1", "pi-1", "SECRET-1", Optional.of(Duration.ofHours(8)), Optional.empty())
                        .toString())
                .doesNotContain("SECRET");
    }
}
