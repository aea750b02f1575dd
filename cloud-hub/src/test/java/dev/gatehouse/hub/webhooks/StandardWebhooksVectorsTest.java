package dev.gatehouse.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published test vectors ({@code docs/webhook-test-vectors.json}, made with Python's hmac apart
 * from this code, and including the specification's own example) against the hub's verifier and its
 * signer: receivers check their verification against the same file, so both sides must agree with it.
 */
class StandardWebhooksVectorsTest {
    private static final Path VECTORS = Path.of("../docs/webhook-test-vectors.json");

    static Stream<Arguments> vectors() throws IOException {
        JsonNode root = new ObjectMapper().readTree(VECTORS.toFile());
        return StreamSupport.stream(root.get("vectors").spliterator(), false)
                .map(v -> Arguments.of(v.get("name").asText(), v));
    }

    private static Map<String, String> headers(JsonNode vector) {
        Map<String, String> headers = new HashMap<>();
        vector.get("headers")
                .properties()
                .forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
        return headers;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void theVerifierAgreesWithEveryVector(String name, JsonNode vector) {
        StandardWebhooks.Verdict verdict = StandardWebhooks.verify(
                vector.get("secret").asText(),
                headers(vector),
                vector.get("body").asText().getBytes(StandardCharsets.UTF_8),
                Instant.ofEpochSecond(vector.get("now").asLong()));

        if (vector.get("valid").asBoolean()) {
            assertThat(verdict).as(name).isInstanceOf(StandardWebhooks.Verified.class);
        } else {
            assertThat(verdict).as(name).isInstanceOf(StandardWebhooks.Refused.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void theSignerWritesExactlyTheSignatureHeaderOfEverySignedVector(String name, JsonNode vector) {
        List<String> secrets = new ArrayList<>();
        vector.get("signedWith").forEach(s -> secrets.add(s.asText()));
        // Vectors whose header no secret made as it stands (a tampered body, a missing header) have none.
        if (secrets.isEmpty()) {
            return;
        }
        Map<String, String> headers = headers(vector);

        String header = StandardWebhooks.signatures(
                secrets,
                headers.get(StandardWebhooks.ID),
                Long.parseLong(headers.get(StandardWebhooks.TIMESTAMP)),
                vector.get("body").asText().getBytes(StandardCharsets.UTF_8));

        assertThat(header).as(name).isEqualTo(headers.get(StandardWebhooks.SIGNATURE));
    }

    @Test
    void theFileCoversEveryCaseTheDocumentationPromises() throws IOException {
        // valid, tampered body, wrong secret, old timestamp, missing header, multiple signatures (rotation)
        List<String> names = vectors().map(a -> (String) a.get()[0]).toList();
        assertThat(names)
                .anyMatch(n -> n.equals("valid"))
                .anyMatch(n -> n.startsWith("tampered body"))
                .anyMatch(n -> n.startsWith("wrong secret"))
                .anyMatch(n -> n.startsWith("old timestamp"))
                .anyMatch(n -> n.startsWith("missing"))
                .anyMatch(n -> n.startsWith("rotation"));
    }

    @Test
    void aNewSecretIsWhsecAndThirtyTwoRandomBytesThatSignAndVerify() {
        String secret = StandardWebhooks.newSecret();
        assertThat(secret).startsWith("whsec_");
        assertThat(StandardWebhooks.isSecret(secret)).isTrue();
        assertThat(StandardWebhooks.newSecret()).isNotEqualTo(secret);
        byte[] body = "{\"type\":\"member.created\"}".getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.parse("2026-12-07T04:00:00Z");
        String signature = StandardWebhooks.sign(secret, "msg_1", now.getEpochSecond(), body);

        assertThat(StandardWebhooks.verify(
                        secret,
                        Map.of(
                                StandardWebhooks.ID,
                                "msg_1",
                                StandardWebhooks.TIMESTAMP,
                                Long.toString(now.getEpochSecond()),
                                StandardWebhooks.SIGNATURE,
                                signature),
                        body,
                        now))
                .isInstanceOf(StandardWebhooks.Verified.class);
    }
}
