package dev.gatehouse.hub.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.model.TimeWindow;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the fields of one JSON request body and collects every problem, so that one answer lists all
 * the fields to fix. Call {@link #done()} before using any value: it throws a 422 naming each field.
 */
public final class Input {
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

    private final ObjectNode node;
    private final List<FieldError> errors = new ArrayList<>();

    private Input(ObjectNode node) {
        this.node = node;
    }

    /** Reads {@code node}, refusing any field not in {@code allowed} (a misspelt field is an error, not a no-op). */
    public static Input of(ObjectNode node, String... allowed) {
        Input input = new Input(node);
        Set<String> known = Set.of(allowed);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                input.error(name, "unknown field; allowed fields are " + String.join(", ", allowed));
            }
        }
        return input;
    }

    public boolean has(String field) {
        return node.has(field);
    }

    /** True when the field is present as JSON null (a PATCH clearing an optional value). */
    public boolean isNull(String field) {
        return node.has(field) && node.get(field).isNull();
    }

    public void error(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    /** Throws 422 with every collected problem, if there is any. */
    public void done() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    /** A required string of 1 to {@code max} characters, trimmed, without control characters. */
    public String text(String field, int max) {
        if (!node.has(field) || node.get(field).isNull()) {
            error(field, "is required");
            return "";
        }
        return checkedText(field, node.get(field), max).orElse("");
    }

    public Optional<String> optionalText(String field, int max) {
        if (!node.has(field) || node.get(field).isNull()) {
            return Optional.empty();
        }
        return checkedText(field, node.get(field), max);
    }

    private Optional<String> checkedText(String field, JsonNode value, int max) {
        if (!value.isTextual()) {
            error(field, "must be a string");
            return Optional.empty();
        }
        String text = value.asText().strip();
        if (text.isEmpty()) {
            error(field, "must not be empty");
            return Optional.empty();
        }
        if (text.length() > max) {
            error(field, "is " + text.length() + " characters; the limit is " + max);
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                error(field, "must not contain control characters");
                return Optional.empty();
            }
        }
        return Optional.of(text);
    }

    /** A slug: 3-40 characters of a-z, 0-9 and '-', starting with a letter (it becomes a subdomain). */
    public String slug(String field) {
        String text = text(field, 40);
        if (!text.isEmpty() && !text.matches("[a-z][a-z0-9-]{1,38}[a-z0-9]")) {
            error(
                    field,
                    "'" + text + "' is not a valid slug: use 3-40 characters of a-z, 0-9 and '-',"
                            + " starting with a letter and not ending with '-'");
        }
        return text;
    }

    public String email(String field) {
        String text = text(field, 254);
        if (!text.isEmpty() && !EMAIL.matcher(text).matches()) {
            error(field, "'" + text + "' is not an e-mail address");
        }
        return text.toLowerCase(Locale.ROOT);
    }

    public Optional<String> color(String field) {
        Optional<String> text = optionalText(field, 7);
        if (text.isPresent() && !COLOR.matcher(text.get()).matches()) {
            error(field, "'" + text.get() + "' is not a colour: use #RRGGBB");
            return Optional.empty();
        }
        return text.map(value -> value.toLowerCase(Locale.ROOT));
    }

    /** An absolute https URL (a logo is shown in the dashboard, so no http: and no javascript:). */
    public Optional<String> httpsUrl(String field) {
        Optional<String> text = optionalText(field, 2000);
        if (text.isEmpty()) {
            return text;
        }
        try {
            URI uri = new URI(text.get());
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                error(field, "'" + text.get() + "' must be an absolute https:// URL");
                return Optional.empty();
            }
        } catch (URISyntaxException e) {
            error(field, "'" + text.get() + "' is not a URL: " + e.getReason());
            return Optional.empty();
        }
        return text;
    }

    /** A required IANA time zone such as Europe/Berlin. */
    public Optional<ZoneId> zone(String field) {
        String text = text(field, 64);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (!text.contains("/") && !text.equals("UTC")) {
                error(field, "'" + text + "' is not a region time zone: use an IANA name such as Europe/Berlin");
                return Optional.empty();
            }
            return Optional.of(ZoneId.of(text));
        } catch (DateTimeException e) {
            error(field, "'" + text + "' is not a known time zone: use an IANA name such as Europe/Berlin");
            return Optional.empty();
        }
    }

    /** An enum by its wire name ({@code nfc-card}) or Java name, or an error naming the choices. */
    public <E extends Enum<E>> Optional<E> enumValue(String field, Class<E> type) {
        Optional<String> text = optionalText(field, 64);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<E> value = WireNames.parse(type, text.get());
        if (value.isEmpty()) {
            error(field, "'" + text.get() + "' is not one of " + WireNames.choices(type));
        }
        return value;
    }

    public Optional<Integer> integer(String field, int min, int max) {
        if (!node.has(field) || node.get(field).isNull()) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            error(field, "must be a whole number");
            return Optional.empty();
        }
        int number = value.intValue();
        if (number < min || number > max) {
            error(field, "is " + number + "; use " + min + " to " + max);
            return Optional.empty();
        }
        return Optional.of(number);
    }

    /** A whole number that may be larger than an int (money in minor units), from {@code min} to {@code max}. */
    public Optional<Long> wholeNumber(String field, long min, long max) {
        if (!node.has(field) || node.get(field).isNull()) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            error(field, "must be a whole number");
            return Optional.empty();
        }
        long number = value.longValue();
        if (number < min || number > max) {
            error(field, "is " + number + "; use " + min + " to " + max);
            return Optional.empty();
        }
        return Optional.of(number);
    }

    public Optional<Boolean> bool(String field) {
        if (!node.has(field) || node.get(field).isNull()) {
            return Optional.empty();
        }
        if (!node.get(field).isBoolean()) {
            error(field, "must be true or false");
            return Optional.empty();
        }
        return Optional.of(node.get(field).booleanValue());
    }

    /** An ISO-8601 instant with an offset, e.g. 2026-11-21T09:00:00Z. */
    public Optional<Instant> instant(String field) {
        return parsed(
                field,
                40,
                Times::parseInstant,
                "is not a timestamp between 1970 and 9999: use ISO-8601 with an offset, e.g. 2026-11-21T09:00:00Z");
    }

    public Optional<LocalDate> date(String field) {
        return parsed(field, 10, LocalDate::parse, "is not a date: use YYYY-MM-DD");
    }

    /** The optional text parsed; an error quoting it, then {@code refusal}, when the parser refuses it. */
    private <T> Optional<T> parsed(String field, int maxLength, Function<String, T> parser, String refusal) {
        Optional<String> text = optionalText(field, maxLength);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(text.get()));
        } catch (DateTimeParseException e) {
            error(field, "'" + text.get() + "' " + refusal);
            return Optional.empty();
        }
    }

    /** An array of ids (deduplicated, order kept); absent means empty. */
    public List<String> ids(String field, int max) {
        List<JsonNode> items = elements(field, max, "must be an array of ids");
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isTextual() || !Ids.isValid(item.asText())) {
                error(field + "[" + i + "]", "must be an id (1-64 characters of A-Z, a-z, 0-9, '_' and '-')");
                continue;
            }
            ids.add(item.asText());
        }
        return List.copyOf(ids);
    }

    /** An array's elements, for the caller to check; absent or null means empty. */
    public List<JsonNode> array(String field, int max) {
        return elements(field, max, "must be an array");
    }

    /** The array's elements; empty, with an error for the field, when it is not an array or has more than max. */
    private List<JsonNode> elements(String field, int max, String notArray) {
        if (!node.has(field) || node.get(field).isNull()) {
            return List.of();
        }
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            error(field, notArray);
            return List.of();
        }
        if (value.size() > max) {
            error(field, "has " + value.size() + " entries; the limit is " + max);
            return List.of();
        }
        List<JsonNode> items = new ArrayList<>();
        value.forEach(items::add);
        return items;
    }

    /**
     * Weekly windows, {@code [{"day": "monday", "from": "08:00", "to": "09:30"}]}, at most {@code max};
     * absent or null means none. Errors name the entry.
     */
    public List<TimeWindow> weeklyWindows(String field, int max) {
        List<TimeWindow> windows = new ArrayList<>();
        List<JsonNode> entries = array(field, max);
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String at = field + "[" + i + "]";
            if (!entry.isObject()
                    || entry.size() != 3
                    || !entry.path("day").isTextual()
                    || !entry.path("from").isTextual()
                    || !entry.path("to").isTextual()) {
                error(at, "must be {\"day\": \"monday\", \"from\": \"08:00\", \"to\": \"09:30\"}");
                continue;
            }
            try {
                windows.add(TimeWindow.of(
                        DayOfWeek.valueOf(entry.get("day").asText().toUpperCase(Locale.ROOT)),
                        entry.get("from").asText(),
                        entry.get("to").asText()));
            } catch (ProtocolException e) {
                error(at, e.getMessage());
            } catch (IllegalArgumentException e) {
                error(at, "day '" + entry.get("day").asText() + "' is not one of monday … sunday");
            }
        }
        return List.copyOf(windows);
    }

    public ObjectNode raw() {
        return node;
    }
}
