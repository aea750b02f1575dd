package dev.gatehouse.hub.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.protocol.model.MemberStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target for the REST API's request bodies: {@link Json#parseObject}, the one strict decoder
 * every {@code /api/v1} route reads its body with, then every field reader of {@link Input} on
 * every field the body holds. The contract: an object (and values, or field errors collected for
 * one 422), or an {@link ApiException} with a 4xx status — never another exception, which the API
 * would answer with a 500. A body that decodes encodes to JSON that decodes to the same object.
 */
class JsonBodyFuzzTest {

    @FuzzTest
    void body(byte[] bytes) throws Exception {
        ObjectNode body;
        try {
            body = Json.parseObject(bytes);
        } catch (ApiException e) {
            assertThat(e.status()).isEqualTo(400);
            return;
        }
        assertThat(Json.parseObject(Json.MAPPER.writeValueAsBytes(body))).isEqualTo(body);

        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        Input input = Input.of(body, "name", "email");
        for (String field : fields) {
            input.text(field, 200);
            input.optionalText(field, 200);
            input.slug(field);
            input.email(field);
            input.color(field);
            input.httpsUrl(field);
            input.zone(field);
            input.enumValue(field, MemberStatus.class);
            input.integer(field, -1000, 1000);
            input.wholeNumber(field, Long.MIN_VALUE, Long.MAX_VALUE);
            input.bool(field);
            input.instant(field);
            input.date(field);
            input.ids(field, 50);
            input.array(field, 50);
            input.weeklyWindows(field, 50);
        }
        try {
            input.done();
        } catch (ApiException e) {
            assertThat(e.status()).isEqualTo(422);
        }
    }
}
