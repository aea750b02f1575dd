package dev.gatehouse.hub.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link Audit} writes as before and after: the view as the API shows it, without secrets. */
class AuditTest {
    @Test
    void secretFieldsAreDroppedAtAnyDepth() {
        // The pages hand in whatever view they hold; a secret in one must still never reach the log.
        Map<String, Object> view = Map.of(
                "id",
                "tok_1",
                "token",
                "ght_secret",
                "nested",
                Map.of("uid", "04A22B1C5D8000", "label", "Ada's card"),
                "list",
                List.of(Map.of("passwordHash", "$argon2id$…", "email", "ada@example.com")));

        String json = Audit.json(view).orElseThrow();

        assertThat(json)
                .contains("tok_1", "Ada's card", "ada@example.com")
                .doesNotContain("ght_secret", "04A22B1C5D8000", "argon2id", "\"token\"", "\"uid\"");
    }

    @Test
    void noViewIsNoJson() {
        assertThat(Audit.json(null)).isEqualTo(Optional.empty());
    }
}
