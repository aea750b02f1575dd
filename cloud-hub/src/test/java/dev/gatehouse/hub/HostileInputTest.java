package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a stranger can send to the hub's door, on both stores: bodies that are not Unicode, not JSON or
 * too large, and requests the web server itself refuses before any route runs. Every refusal is a
 * problem-details body that says what to fix, and a refused request changes nothing.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class HostileInputTest {
    private static final String JSON = "application/json";
    private static final int MAX_BODY = 65536;

    static TestHub hub;

    @Parameter
    StoreKind store;

    TestHub.Tenant tenant;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void newTenant() {
        tenant = hub.newTenant("hostile");
    }

    Api api() {
        return hub.api();
    }

    /** The tenant's API tokens: a refused POST /api/v1/tokens must not have made one. */
    int tokens() {
        return api().get("/api/v1/tokens", tenant.token()).json().get("items").size();
    }

    Api.Response postToken(byte[] body, Optional<String> contentType) {
        return api().sendBytes("POST", "/api/v1/tokens", tenant.token(), body, contentType);
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A problem-details answer with {@code status} whose detail contains each of {@code words}. */
    static void assertProblem(Api.Response response, int status, String... words) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).isEqualTo("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asText()).startsWith("https://gatehouse.dev/problems/");
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText())
                .as(response.toString())
                .isNotBlank()
                .contains(words);
    }

    @Nested
    class BodiesAreUnicode {
        @ParameterizedTest
        @ValueSource(strings = {"\\ud800", "a\\udfffb", "\\udc00\\ud800", "\\ud83dx", "x\\ude00"})
        void aLoneSurrogateEscapeIsRefusedAndCreatesNothing(String escaped) {
            // Such a string is no Unicode text: stored, it became '?', and the token made before the
            // answer failed was a secret nobody saw.
            int before = tokens();
            Api.Response response = postToken(utf8("{\"name\":\"" + escaped + "\"}"), Optional.of(JSON));
            assertProblem(response, 400, "surrogate", "/name");
            assertThat(tokens()).isEqualTo(before);
        }

        @Test
        void aLoneSurrogateInAFieldNameOrDeepInsideIsRefused() {
            assertProblem(postToken(utf8("{\"\\ud800\":\"x\"}"), Optional.of(JSON)), 400, "surrogate");
            assertSiteRefused("[1,\"\\udbff\"]", "surrogate", "/address/x/1");
        }

        @Test
        void aNumberBeyondADoublesRangeIsRefused() {
            // Found by JsonBodyFuzzTest: 1e400 decoded to Infinity, which a route would have stored
            // (and Jackson writes back as the string "Infinity") in place of what was sent.
            assertSiteRefused("[1,-3e400]", "/address/x/1", "range");
            assertThat(postToken(utf8("{\"name\":\"n\",\"x\":1.5e308}"), Optional.of(JSON))
                            .status())
                    .as("a large finite number is read, and refused only as an unknown field")
                    .isEqualTo(422);
        }

        /** A site whose address holds {@code array} deep inside is refused with a 400 naming {@code words}. */
        private void assertSiteRefused(String array, String... words) {
            String body = "{\"name\":\"S\",\"timeZone\":\"UTC\",\"address\":{\"x\":" + array + "}}";
            Api.Response response =
                    api().sendBytes("POST", "/api/v1/sites", tenant.token(), utf8(body), Optional.of(JSON));
            assertProblem(response, 400, words);
            assertThat(api().get("/api/v1/sites", tenant.token()).json().get("items"))
                    .isEmpty();
        }

        @Test
        void aSurrogatePairAndTheSameCharacterInUtf8AreStoredIntact() {
            // The refusal must not catch characters outside the BMP, written either way.
            Api.Response escaped = postToken(utf8("{\"name\":\"ci \\ud83d\\ude80\"}"), Optional.of(JSON));
            assertThat(escaped.status()).as(escaped.toString()).isEqualTo(201);
            Api.Response raw = postToken(utf8("{\"name\":\"ci \uD83D\uDE80\"}"), Optional.of(JSON));
            assertThat(raw.status()).as(raw.toString()).isEqualTo(201);
            assertThat(api().get("/api/v1/tokens", tenant.token()).json().findValuesAsText("name"))
                    .containsSubsequence("ci \uD83D\uDE80", "ci \uD83D\uDE80");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "c0af", // overlong '/' in two bytes
                    "e080af", // overlong '/' in three bytes
                    "f08080af", // overlong '/' in four bytes
                    "eda080", // a surrogate encoded in UTF-8 (CESU-8), not a character
                    "ff", // never in UTF-8
                    "e282", // a sequence cut short
                    "80", // a continuation byte alone
                    "f4908080" // above U+10FFFF
                })
        void bytesThatAreNotUtf8AreRefusedAndCreateNothing(String hex) {
            // A lenient decoder turned C0 AF into '/', past every check that looks for '/'.
            int before = tokens();
            Api.Response response =
                    postToken(concat(utf8("{\"name\":\"a"), bytes(hex), utf8("b\"}")), Optional.of(JSON));
            assertProblem(response, 400, "UTF-8");
            // The detail points at the first byte that is no character, right after {"name":"a
            assertThat(response.json().get("detail").asText()).containsPattern("bytes? 10[ -]");
            assertThat(tokens()).isEqualTo(before);
        }

        @Test
        void aByteOrderMarkIsStillAccepted() {
            Api.Response response = postToken(concat(bytes("efbbbf"), utf8("{\"name\":\"bom\"}")), Optional.of(JSON));
            assertThat(response.status()).as(response.toString()).isEqualTo(201);
        }
    }

    @Nested
    class BodiesAreJson {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "text/plain",
                    "text/plain; charset=utf-8",
                    "application/x-www-form-urlencoded",
                    "application/xml",
                    "application/json; charset=iso-8859-1",
                    "application/jsonp",
                    "json"
                })
        void aBodyThatIsNotSentAsJsonIsRefusedWith415(String contentType) {
            // Accepting JSON as text/plain lets any web page post to the API without a CORS preflight.
            int before = tokens();
            Api.Response response = postToken(utf8("{\"name\":\"plain\"}"), Optional.of(contentType));
            assertProblem(response, 415, "Content-Type: application/json");
            assertThat(tokens()).isEqualTo(before);
        }

        @Test
        void aBodyWithoutAContentTypeIsRefusedWith415() {
            int before = tokens();
            assertProblem(
                    postToken(utf8("{\"name\":\"none\"}"), Optional.empty()), 415, "Content-Type: application/json");
            assertThat(tokens()).isEqualTo(before);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "application/json",
                    "application/json; charset=utf-8",
                    "Application/JSON;charset=\"UTF-8\"",
                    "application/merge-patch+json",
                    "application/problem+json; charset=UTF-8"
                })
        void jsonMediaTypesAreAccepted(String contentType) {
            Api.Response response = postToken(utf8("{\"name\":\"typed\"}"), Optional.of(contentType));
            assertThat(response.status()).as(contentType + " → " + response).isEqualTo(201);
        }

        @Test
        void aPostWithoutABodyNeedsNoContentType() {
            // Provisioning a device takes an optional body; an empty POST stays what it was.
            Api.Response response = api().sendBytes(
                            "POST",
                            "/api/v1/devices/dev_nothing/provision",
                            tenant.token(),
                            new byte[0],
                            Optional.empty());
            assertProblem(response, 404, "dev_nothing");
        }
    }

    @Nested
    class HostileJson {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"name\":\"a\",\"name\":\"b\"}",
                    "{\"name\":\"x\"} {}",
                    "[{\"name\":\"x\"}]",
                    "\"name\"",
                    "null",
                    "{\"name\":\"x\",}",
                    "{'name':'x'}",
                    "{\"name\":\"a\u0000b\"}",
                    "{\"name\":NaN}",
                    "{\"name\" \"x\"}"
                })
        void malformedJsonIsA400ThatSaysWhy(String body) {
            int before = tokens();
            assertProblem(postToken(utf8(body), Optional.of(JSON)), 400, "body");
            assertThat(tokens()).isEqualTo(before);
        }

        @Test
        void deepNestingIsRefusedWithoutHarm() {
            String deep = "{\"name\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
            assertProblem(postToken(utf8(deep), Optional.of(JSON)), 400, "nest");
        }

        @Test
        void aHugeNumberIsRefusedWithoutHarm() {
            assertProblem(postToken(utf8("{\"name\":" + "9".repeat(5000) + "}"), Optional.of(JSON)), 400, "5000");
            Api.Response exponent = api().post(
                            "/api/v1/sites",
                            tenant.token(),
                            "{\"name\":\"S\",\"timeZone\":\"UTC\",\"address\":1e999999999}");
            assertThat(exponent.status()).as(exponent.toString()).isIn(400, 422);
            assertThat(exponent.contentType()).isEqualTo("application/problem+json");
        }

        @Test
        void aNulEscapeInTextIsAFieldError() {
            assertProblem(postToken(utf8("{\"name\":\"a\\u0000b\"}"), Optional.of(JSON)), 422, "name");
        }
    }

    @Nested
    class TooLarge {
        @Test
        void aBodyOverTheLimitIs413WithTheLimitAndWhatToDo() {
            byte[] body = utf8("{\"name\":\"" + "x".repeat(MAX_BODY) + "\"}");
            Api.Response response =
                    api().sendBytes("POST", "/api/v1/tokens", tenant.token(), body, Optional.of(JSON), true);
            assertProblem(response, 413, String.valueOf(MAX_BODY), "smaller");
        }

        @Test
        void aChunkedBodyOverTheLimitIs413WithTheLimitAndWhatToDo() {
            // Without a Content-Length the web server finds out while the hub reads: the answer was a
            // 400 whose detail ended in nothing.
            String chunk = "x".repeat(8192);
            StringBuilder request = new StringBuilder("POST /api/v1/tokens HTTP/1.1\r\nHost: hub\r\n"
                    + "Authorization: Bearer " + tenant.token() + "\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            request.append("a\r\n{\"name\":\"x\r\n");
            for (int sent = 0; sent <= MAX_BODY; sent += chunk.length()) {
                request.append(Integer.toHexString(chunk.length()))
                        .append("\r\n")
                        .append(chunk)
                        .append("\r\n");
            }
            request.append("2\r\n\"}\r\n0\r\n\r\n");
            int before = tokens();
            assertProblem(
                    api().raw(request.toString().getBytes(StandardCharsets.US_ASCII)),
                    413,
                    String.valueOf(MAX_BODY),
                    "smaller");
            assertThat(tokens()).isEqualTo(before);
        }

        @Test
        void aContentLengthOverTheLimitIsA413ProblemBeforeTheBodyIsRead() {
            String request = "POST /api/v1/tokens HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer " + tenant.token()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (MAX_BODY + 1)
                    + "\r\nConnection: close\r\n\r\n{}";
            assertProblem(
                    api().raw(request.getBytes(StandardCharsets.US_ASCII)), 413, String.valueOf(MAX_BODY), "smaller");
        }
    }

    /** Requests the web server refuses before any of the hub's routes runs. */
    @Nested
    class RefusedByTheServer {
        Api.Response get(String target, String... headers) {
            StringBuilder request =
                    new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer "
                            + tenant.token() + "\r\nConnection: close\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            return api().raw(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        }

        @Test
        void aUriTooLongIsA414Problem() {
            assertProblem(get("/api/v1/members?q=" + "a".repeat(20_000)), 414, "URI");
        }

        @Test
        void anOversizedHeaderIsAProblem() {
            Api.Response response = get("/api/v1/members", "X-Big: " + "b".repeat(40_000));
            assertThat(response.status()).isIn(400, 431);
            assertProblem(response, response.status(), "header");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/api/v1/members?q=%zz", "/api/v1/members?q=%4", "/api/v1/members/%zz", "/api/v1/%"})
        void aBadPercentEscapeIsA400Problem(String target) {
            assertProblem(get(target), 400, "percent");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "/api/v1/members?q=%C0%AF",
                    "/api/v1/members?q=a%E0%80%AFb",
                    "/api/v1/members?q=%ED%A0%80",
                    "/api/v1/members/mem_%C0%AF",
                    "/api/v1/members?q=%FF"
                })
        void percentEscapesThatAreNotUtf8AreA400Problem(String target) {
            // Decoded leniently they became U+FFFD and matched, or named a resource that is not there.
            assertProblem(get(target), 400, "UTF-8");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/api/v1/members?q=a%00b", "/api/v1/members?q=%01", "/api/v1/members/mem_%00"})
        void aControlCharacterInThePathOrQueryIsA400Problem(String target) {
            // PostgreSQL refuses NUL in text: it reached the store and answered 500.
            assertProblem(get(target), 400, "control character");
        }

        @Test
        void aMalformedRequestLineIsA400Problem() {
            Api.Response response = api().raw("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertProblem(response, 400, "request");
        }

        @Test
        void http10IsA505Problem() {
            Api.Response response =
                    api().raw("GET /health HTTP/1.0\r\nHost: hub\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertProblem(response, 505, "HTTP/1.1");
        }
    }
}
