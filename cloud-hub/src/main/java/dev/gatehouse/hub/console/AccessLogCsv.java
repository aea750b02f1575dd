package dev.gatehouse.hub.console;

import java.io.IOException;
import java.io.Writer;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The access log's CSV: RFC 4180 (comma-separated, CRLF line ends, a cell with a comma, quote or line
 * break in double quotes with its quotes doubled) and safe to open in a spreadsheet: a cell that
 * starts with {@code = + - @}, a tab or a carriage return gets a leading apostrophe, so a member named
 * {@code =HYPERLINK(…)} is shown as text and never run as a formula.
 */
final class AccessLogCsv {
    private static final List<String> HEADER =
            List.of("time_utc", "local_time", "time_zone", "site", "door", "member", "member_id", "decision", "reason");

    private AccessLogCsv() {}

    static void header(Writer out) throws IOException {
        line(out, HEADER);
    }

    static void row(Writer out, AccessLogService.Row row) throws IOException {
        Feed.Row r = row.row();
        line(
                out,
                List.of(
                        Formats.iso(r.at()),
                        ZonedDateTime.ofInstant(r.at(), r.zone())
                                .toLocalDateTime()
                                .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME),
                        r.zone().getId(),
                        r.siteName(),
                        r.doorName(),
                        r.who(),
                        row.memberId() == null ? "" : row.memberId(),
                        r.granted() ? "granted" : "denied",
                        r.why()));
    }

    private static void line(Writer out, List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(cell(cells.get(i)));
        }
        out.write("\r\n");
    }

    /** One cell, defused and quoted where needed. */
    static String cell(String value) {
        String text = value;
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
