package dev.gatehouse.protocol.enroll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnrollmentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ECKey device = SigningKeys.generate("dev-key-1");

    @Test
    void codesAreTwelveSymbolsOfTheAlphabetAndDiffer() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String code = Enrollment.newCode();
            assertThat(code).hasSize(Enrollment.CODE_LENGTH);
            assertThat(code.chars()).allMatch(c -> Enrollment.ALPHABET.indexOf(c) >= 0);
            seen.add(code);
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void aTypedCodeIsNormalisedWhateverItsCaseDashesAndSpaces() {
        assertThat(Enrollment.normalize(" k7qm-3xra 9pld ")).isEqualTo("K7QM3XRA9PLD");
        assertThat(Enrollment.format("k7qm3xra9pld")).isEqualTo("K7QM-3XRA-9PLD");
    }

    @Test
    void somethingThatIsNotACodeSaysWhatACodeLooksLike() {
        assertThatThrownBy(() -> Enrollment.normalize("K7QM-3XRA-9PL"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("11 characters")
                .hasMessageContaining("such as K7QM-3XRA-9PLD");
        assertThatThrownBy(() -> Enrollment.normalize("K7QM-3XRA-9PL0")).hasMessageContaining("'0' is not a character");
        assertThatThrownBy(() -> Enrollment.normalize("K7QM3XRA9PLDK7QM3XRA9PLD"))
                .hasMessageContaining("more than 12");
    }

    @Test
    void aRequestCarriesThePublicKeyAndAProofThatVerifies() throws Exception {
        String body = Enrollment.request("k7qm-3xra-9pld", device, "1.4.0");
        assertThat(JSON.readTree(body).get("publicKey").has("d")).isFalse();
        Enrollment.Request request = Enrollment.parse(body);
        assertThat(request.code()).isEqualTo("K7QM3XRA9PLD");
        assertThat(request.agentVersion()).isEqualTo("1.4.0");
        assertThat(request.publicKey().toPublicJWK()).isEqualTo(device.toPublicJWK());
        assertThat(request.publicKey().isPrivate()).isFalse();
    }

    @Test
    void aProofForAnotherCodeIsRefused() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(Enrollment.request("K7QM3XRA9PLD", device, "1.4.0"));
        body.put("code", "K7QM3XRA9PLE");
        assertThatThrownBy(() -> Enrollment.parse(body.toString()))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_SIGNATURE))
                .hasMessageStartingWith("proof:");
    }

    @Test
    void aProofMadeWithAnotherKeyIsRefused() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(Enrollment.request("K7QM3XRA9PLD", device, "1.4.0"));
        ECKey other = SigningKeys.generate("dev-key-1");
        body.set("publicKey", JSON.readTree(other.toPublicJWK().toJSONString()));
        assertThatThrownBy(() -> Enrollment.parse(body.toString()))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("proof:");
    }

    @Test
    void aPrivateKeySentByMistakeIsRefused() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(Enrollment.request("K7QM3XRA9PLD", device, "1.4.0"));
        body.set("publicKey", JSON.readTree(device.toJSONString()));
        assertThatThrownBy(() -> Enrollment.parse(body.toString())).hasMessageContaining("private part");
    }

    @Test
    void aKeyOfAnUnknownTypeIsRefusedAsABadKey() throws Exception {
        // Found by EnrollmentFuzzTest: the JWK set parser skipped the key, and the request then failed
        // with a NoSuchElementException (a 500 at the unauthenticated enroll route) instead of this.
        ObjectNode body = (ObjectNode) JSON.readTree(Enrollment.request("K7QM3XRA9PLD", device, "1.4.0"));
        ((ObjectNode) body.get("publicKey")).put("kty", "XY");
        assertThatThrownBy(() -> Enrollment.parse(body.toString()))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_KEY))
                .hasMessageStartingWith("publicKey:");
    }

    @Test
    void malformedRequestsNameTheirField() throws Exception {
        String good = Enrollment.request("K7QM3XRA9PLD", device, "1.4.0");
        ObjectNode extra = (ObjectNode) JSON.readTree(good);
        extra.put("admin", true);
        assertThatThrownBy(() -> Enrollment.parse(extra.toString())).hasMessageStartingWith("admin:");
        ObjectNode noProof = (ObjectNode) JSON.readTree(good);
        noProof.remove("proof");
        assertThatThrownBy(() -> Enrollment.parse(noProof.toString())).hasMessageStartingWith("proof: is missing");
        ObjectNode badVersion = (ObjectNode) JSON.readTree(good);
        badVersion.put("agentVersion", "1.0; rm -rf /");
        assertThatThrownBy(() -> Enrollment.parse(badVersion.toString())).hasMessageStartingWith("agentVersion:");
        assertThatThrownBy(() -> Enrollment.parse("[1]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> Enrollment.parse("{\"code\":")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Enrollment.parse("x".repeat(Enrollment.MAX_REQUEST_BYTES + 1)))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.TOO_LARGE));
    }
}
