package dev.gatehouse.hub.wifi;

import dev.gatehouse.protocol.model.WifiVoucher;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A voucher pool file: UTF-8 CSV with a header naming {@code code} and {@code minutes} and/or
 * {@code expires}, then one voucher per line with its code and exactly one of the two: minutes of
 * validity from when it is handed out (1 to 527,040, a year), or an expiry instant in ISO-8601 with
 * an offset ({@code 2026-12-31T23:00:00Z}) in the future. Fields may be quoted ({@code "a,b"},
 * {@code ""} for a quote). Every problem is reported with its line number; a file with any problem
 * yields no vouchers.
 */
final class VoucherCsv {
    static final int MAX_ROWS = 10_000;
    static final int MAX_MINUTES = 527_040;

    /** One voucher of the file, at line {@code line} (1 is the header). */
    record Row(int line, String code, Optional<Integer> minutes, Optional<Instant> expires) {}

    /** A problem at a line, said so that the operator knows what to fix. */
    record Problem(int line, String message) {
        @Override
        public String toString() {
            return "line " + line + ": " + message;
        }
    }

    /** The rows, or every problem found. */
    record Parsed(List<Row> rows, List<Problem> problems) {}

    private VoucherCsv() {}

    static Parsed parse(byte[] bytes, Instant now) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Parsed(List.of(), List.of(new Problem(1, "the file is not UTF-8 text; save it as CSV UTF-8")));
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] lines = text.split("\r?\n", -1);
        List<Problem> problems = new ArrayList<>();
        if (lines.length == 0 || lines[0].isBlank()) {
            return new Parsed(
                    List.of(),
                    List.of(new Problem(
                            1,
                            "the file is empty; the first line is the header"
                                    + " code,minutes,expires and each further line one voucher")));
        }
        List<String> header = fields(lines[0]).orElse(List.of());
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).strip().toLowerCase(Locale.ROOT);
            if (!List.of("code", "minutes", "expires").contains(name)) {
                problems.add(new Problem(
                        1,
                        "column '" + header.get(i).strip()
                                + "' is not known; the header names code and minutes and/or expires"));
            } else if (columns.putIfAbsent(name, i) != null) {
                problems.add(new Problem(1, "column " + name + " appears twice"));
            }
        }
        if (!columns.containsKey("code") || (!columns.containsKey("minutes") && !columns.containsKey("expires"))) {
            problems.add(
                    new Problem(1, "the header must name code and minutes and/or expires, e.g. code,minutes,expires"));
        }
        if (!problems.isEmpty()) {
            return new Parsed(List.of(), problems);
        }
        List<Row> rows = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int line = i + 1;
            if (lines[i].isBlank()) {
                continue;
            }
            Optional<List<String>> parsed = fields(lines[i]);
            if (parsed.isEmpty()) {
                problems.add(new Problem(line, "a quoted field is not closed; end it with a \""));
                continue;
            }
            List<String> fields = parsed.get();
            if (fields.size() > header.size()) {
                problems.add(new Problem(line, "has " + fields.size() + " fields; the header names " + header.size()));
                continue;
            }
            String code = field(fields, columns.get("code")).strip();
            String minutesText = field(fields, columns.get("minutes")).strip();
            String expiresText = field(fields, columns.get("expires")).strip();
            int before = problems.size();
            if (code.isEmpty()) {
                problems.add(new Problem(line, "the code is empty"));
            } else if (code.length() > WifiVoucher.MAX_CODE) {
                problems.add(new Problem(
                        line, "the code is " + code.length() + " characters; the limit is " + WifiVoucher.MAX_CODE));
            } else if (code.chars().anyMatch(Character::isISOControl)) {
                problems.add(new Problem(line, "the code contains a control character"));
            } else if (seen.containsKey(code)) {
                problems.add(new Problem(
                        line,
                        "the code appears twice in the file (first on line " + seen.get(code)
                                + "); each code is handed out once, keep one"));
            } else {
                seen.put(code, line);
            }
            Optional<Integer> minutes = Optional.empty();
            Optional<Instant> expires = Optional.empty();
            if (minutesText.isEmpty() == expiresText.isEmpty()) {
                problems.add(new Problem(
                        line,
                        "give exactly one of minutes (validity once handed out) and expires"
                                + " (an instant such as 2026-12-31T23:00:00Z)"));
            } else if (!minutesText.isEmpty()) {
                try {
                    int value = Integer.parseInt(minutesText);
                    if (value < 1 || value > MAX_MINUTES) {
                        throw new NumberFormatException();
                    }
                    minutes = Optional.of(value);
                } catch (NumberFormatException e) {
                    problems.add(new Problem(
                            line,
                            "minutes '" + printable(minutesText) + "' is not a whole number from 1 to " + MAX_MINUTES));
                }
            } else {
                try {
                    Instant at = java.time.OffsetDateTime.parse(expiresText).toInstant();
                    if (!at.isAfter(now)) {
                        problems.add(
                                new Problem(line, "expires " + expiresText + " is in the past; leave the code out"));
                    } else {
                        expires = Optional.of(at);
                    }
                } catch (DateTimeParseException e) {
                    problems.add(new Problem(
                            line,
                            "expires '" + printable(expiresText)
                                    + "' is not an instant with an offset, such as 2026-12-31T23:00:00Z"));
                }
            }
            if (problems.size() == before) {
                rows.add(new Row(line, code, minutes, expires));
            }
        }
        if (rows.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(2, "the file holds no voucher; add one per line after the header"));
        }
        if (rows.size() + problems.size() > MAX_ROWS) {
            return new Parsed(
                    List.of(),
                    List.of(new Problem(
                            MAX_ROWS + 2, "the file holds more than " + MAX_ROWS + " vouchers; upload it in parts")));
        }
        return new Parsed(problems.isEmpty() ? rows : List.of(), problems);
    }

    private static String field(List<String> fields, Integer column) {
        return column == null || column >= fields.size() ? "" : fields.get(column);
    }

    /** The fields of one line; empty when a quoted field is not closed. */
    private static Optional<List<String>> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(ch);
            }
        }
        if (quoted) {
            return Optional.empty();
        }
        out.add(field.toString());
        return Optional.of(out);
    }

    private static String printable(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
}
