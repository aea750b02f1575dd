package dev.gatehouse.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.outbox.EventType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The event catalogue is written down three times: the enum the hub emits from, the OpenAPI
 * document's {@code WebhookEventType}, and the table in {@code docs/webhooks.md}. Receivers read the
 * last two, so they must name exactly the types the hub sends.
 */
class EventCatalogueTest {
    private static final List<String> TYPES =
            Arrays.stream(EventType.values()).map(EventType::wire).toList();

    @Test
    void theOpenApiDocumentNamesExactlyTheTypesTheHubSends() throws IOException {
        String yaml = Files.readString(Path.of("src/main/resources/META-INF/openapi.yaml"));
        Matcher enumLine = Pattern.compile("    WebhookEventType:\\n(?:      .*\\n)*?      enum: \\[(.*)]")
                .matcher(yaml);
        assertThat(enumLine.find())
                .as("WebhookEventType's enum in openapi.yaml")
                .isTrue();

        assertThat(List.of(enumLine.group(1).split(", *"))).containsExactlyElementsOf(TYPES);
    }

    @Test
    void theDocumentationsTableNamesExactlyTheTypesTheHubSends() throws IOException {
        String doc = Files.readString(Path.of("../docs/webhooks.md"));
        Matcher rows = Pattern.compile("(?m)^\\| `([a-z.-]+)` \\|").matcher(doc);
        List<String> documented = rows.results().map(m -> m.group(1)).toList();

        assertThat(documented).containsExactlyElementsOf(TYPES);
    }

    @Test
    void typeNamesAreUniqueDottedLowerCase() {
        assertThat(TYPES).doesNotHaveDuplicates().allMatch(t -> t.matches("[a-z]+\\.[a-z-]+"));
    }
}
