package dev.gatehouse.hub.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** JSON in and out of the API: one strict decoder for every request body, and one way to answer. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_ABSENT)
            .build();

    static {
        MAPPER.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    private Json() {}

    /**
     * Reads the body as one JSON object: the one strict decoder for every request body. It must be sent
     * as JSON (415), be at most {@code maxBytes} (413), be UTF-8 (400) and hold only whole Unicode
     * characters (400), so nothing a route stores can be mangled into something else.
     */
    public static ObjectNode object(ServerRequest request, int maxBytes) {
        if (!request.content().hasEntity()) {
            throw ApiException.badRequest("the request needs a JSON object body");
        }
        requireJson(request.headers().all(HeaderNames.CONTENT_TYPE, List::of));
        return parseObject(read(request, maxBytes));
    }

    /** Refuses a body that is not sent as JSON: {@code application/json} or {@code +json}, UTF-8 if a charset is given. */
    private static void requireJson(List<String> contentTypes) {
        String send = "send JSON with Content-Type: application/json (a +json type also does; charset utf-8, if any)";
        if (contentTypes.isEmpty()) {
            throw ApiException.unsupportedMediaType("the body has no Content-Type; " + send);
        }
        String sent = String.join(", ", contentTypes);
        String[] parts = contentTypes.size() == 1 ? sent.split(";", -1) : new String[] {""};
        String type = parts[0].strip().toLowerCase(Locale.ROOT);
        boolean json = type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
        for (int i = 1; json && i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter[0].strip().equalsIgnoreCase("charset")) {
                String charset =
                        parameter.length < 2 ? "" : parameter[1].strip().replace("\"", "");
                json = charset.equalsIgnoreCase("utf-8");
            }
        }
        if (!json) {
            throw ApiException.unsupportedMediaType("the body is sent as '" + sent + "'; " + send);
        }
    }

    /** The body's bytes, at most {@code maxBytes} (413 beyond), for a route that reads another type than JSON. */
    public static byte[] bytes(ServerRequest request, int maxBytes) {
        return read(request, maxBytes);
    }

    private static byte[] read(ServerRequest request, int maxBytes) {
        byte[] bytes;
        try (InputStream in = request.content().inputStream()) {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (RequestException e) {
            // A chunked body has no Content-Length: the web server finds it too large while it is read.
            if (e.status().code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
                throw ApiException.tooLarge(maxBytes);
            }
            throw unreadable(e);
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
        if (bytes.length > maxBytes) {
            throw ApiException.tooLarge(maxBytes);
        }
        return bytes;
    }

    private static ApiException unreadable(Exception e) {
        String reason = e.getMessage() == null || e.getMessage().isBlank()
                ? "it ended early or its chunked encoding is malformed"
                : firstLine(e.getMessage());
        return ApiException.badRequest("cannot read the request body: " + reason + "; send the whole body again");
    }

    /** Parses {@code bytes} as one JSON object in strict UTF-8 (a leading byte order mark is allowed). */
    public static ObjectNode parseObject(byte[] bytes) {
        String text = Utf8.decode(bytes, "the body", "send JSON encoded as UTF-8");
        JsonNode node;
        try {
            node = MAPPER.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (IOException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        refuseMangled(node, "");
        return (ObjectNode) node;
    }

    /**
     * Refuses what decoded into something else than was sent. An escape of half a character (a lone
     * UTF-16 surrogate) decodes to something no store can hold (it became '?'): any string or field name
     * holding a surrogate that is not part of a pair. A number beyond a double's range decodes to an
     * infinity (found by {@code JsonBodyFuzzTest}: {@code 1e400} became {@code Infinity}, written back
     * as the string {@code "Infinity"}).
     */
    private static void refuseMangled(JsonNode node, String pointer) {
        String at = pointer.isEmpty() ? "/" : pointer;
        if (node.isTextual()) {
            refuseLoneSurrogate(node.textValue(), "the string at " + at);
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw ApiException.badRequest("the number at " + at + " is beyond the range of a number here (about"
                    + " 1.8e308): send a number of a sensible size");
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refuseMangled(node.get(i), pointer + "/" + i);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                refuseLoneSurrogate(field.getKey(), "a field name in " + at);
                String name = field.getKey().replace("~", "~0").replace("/", "~1");
                refuseMangled(field.getValue(), pointer + "/" + name);
            }
        }
    }

    private static void refuseLoneSurrogate(String text, String where) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c)
                    ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(++i))
                    : !Character.isLowSurrogate(c);
            if (!paired) {
                throw ApiException.badRequest("the body holds a lone UTF-16 surrogate (\\u"
                        + HexFormat.of().toHexDigits(c) + ") in " + where + ": it is half of a character, not"
                        + " text; send the character itself in UTF-8, or both halves of its surrogate pair");
            }
        }
    }

    /** Answers {@code status} with {@code body} serialised as JSON. */
    public static void send(ServerResponse response, Status status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + body.getClass().getSimpleName(), e);
        }
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.header(HeaderNames.CACHE_CONTROL, "no-store");
        response.send(bytes);
    }

    public static void ok(ServerResponse response, Object body) {
        send(response, Status.OK_200, body);
    }

    public static void created(ServerResponse response, Object body) {
        send(response, Status.CREATED_201, body);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
