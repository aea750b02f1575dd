package dev.gatehouse.hub.web;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body (RFC 7578) read into its named parts: the hub has no multipart
 * module on its class path at the Helidon version it uses, and its uploads are small files read whole.
 * A malformed body is a 400 that says what is wrong.
 */
public final class Multipart {
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(?:\"([^\"]+)\"|([^;\\s]+))");
    private static final Pattern NAME = Pattern.compile("(?i)[;\\s]name=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("(?i)filename=\"([^\"]*)\"");

    /** One part: its content, and the file name the browser gave when it is a file. */
    public record Part(byte[] content, Optional<String> fileName) {
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private Multipart() {}

    /** Whether a Content-Type is {@code multipart/form-data}. */
    public static boolean is(String contentType) {
        return contentType.strip().toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    /** The parts of {@code body} by name (the first of a repeated name). */
    public static Map<String, Part> parse(String contentType, byte[] body) {
        Matcher boundaryMatch = BOUNDARY.matcher(contentType);
        if (!boundaryMatch.find()) {
            throw ApiException.badRequest("the multipart/form-data Content-Type names no boundary");
        }
        String boundary = boundaryMatch.group(1) != null ? boundaryMatch.group(1) : boundaryMatch.group(2);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        Map<String, Part> parts = new LinkedHashMap<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw ApiException.badRequest(
                    "the multipart body does not contain its boundary; send it as a browser form does");
        }
        while (true) {
            int start = at + delimiter.length;
            if (start + 2 <= body.length && body[start] == '-' && body[start + 1] == '-') {
                return parts; // the closing delimiter
            }
            start = skipLineBreak(body, start);
            int next = indexOf(body, delimiter, start);
            if (next < 0) {
                throw ApiException.badRequest(
                        "the multipart body ends without its closing boundary; send the whole body");
            }
            int end = next;
            // The line break before a delimiter belongs to the delimiter.
            if (end >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n') {
                end -= 2;
            } else if (end >= 1 && body[end - 1] == '\n') {
                end -= 1;
            }
            part(Arrays.copyOfRange(body, start, Math.max(start, end)), parts);
            at = next;
        }
    }

    private static void part(byte[] raw, Map<String, Part> parts) {
        byte[] crlf = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        int split = indexOf(raw, crlf, 0);
        int bodyStart = split + 4;
        if (split < 0) {
            split = indexOf(raw, "\n\n".getBytes(StandardCharsets.ISO_8859_1), 0);
            bodyStart = split + 2;
        }
        if (split < 0) {
            throw ApiException.badRequest("a multipart part has no blank line after its headers");
        }
        String headers = new String(raw, 0, split, StandardCharsets.UTF_8);
        Optional<String> name = Optional.empty();
        Optional<String> fileName = Optional.empty();
        for (String header : headers.split("\r?\n")) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
                Matcher n = NAME.matcher(header);
                if (n.find()) {
                    name = Optional.of(n.group(1));
                }
                Matcher f = FILENAME.matcher(header);
                if (f.find()) {
                    fileName = Optional.of(f.group(1));
                }
            }
        }
        if (name.isEmpty()) {
            throw ApiException.badRequest("a multipart part has no Content-Disposition name");
        }
        parts.putIfAbsent(name.get(), new Part(Arrays.copyOfRange(raw, bodyStart, raw.length), fileName));
    }

    private static int skipLineBreak(byte[] body, int at) {
        if (at + 1 < body.length && body[at] == '\r' && body[at + 1] == '\n') {
            return at + 2;
        }
        return at < body.length && body[at] == '\n' ? at + 1 : at;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
