package dev.gatehouse.hub.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Flyway migration (SQL, or the string literals of a Java one) and reports every statement
 * that an older hub still running against the migrated schema could trip over: the "contract" half
 * of expand/contract, which the rolling-upgrade policy (cloud-hub/README.md, "Rolling upgrades")
 * allows only one release after no running version reads what it removes. What a migration creates
 * itself (a table made and dropped in one file, an index on a new table) is not reported.
 */
final class MigrationLint {
    /** What a statement does that an older replica may not tolerate. */
    enum Rule {
        /** DROP TABLE of a table the migration did not create: N's queries on it fail. */
        DROP_TABLE,
        /** ALTER TABLE … DROP [COLUMN]: N's queries naming the column fail. */
        DROP_COLUMN,
        /** DROP INDEX / CONSTRAINT / VIEW / TYPE / …: N may rely on it (ON CONFLICT needs its unique index). */
        DROP_OTHER,
        /** Any RENAME (table, column, constraint): to N the old name is gone. */
        RENAME,
        /** ALTER COLUMN … TYPE, ALTER TYPE: N may write or read values the new type refuses or changes. */
        ALTER_TYPE,
        /** ALTER COLUMN … SET NOT NULL: N's inserts that leave the column out fail. */
        SET_NOT_NULL,
        /** ADD COLUMN … NOT NULL without DEFAULT on an existing table: N's inserts fail. */
        NOT_NULL_WITHOUT_DEFAULT,
        /** A new constraint or unique index on an existing table: N's writes may now be refused. */
        NEW_CONSTRAINT,
        /** CREATE INDEX on an existing table without CONCURRENTLY: PostgreSQL blocks its writes meanwhile. */
        INDEX_NOT_CONCURRENT,
        /** DELETE or TRUNCATE: rows N reads disappear under it. */
        DELETES_ROWS
    }

    /** One reported statement: its migration's version (e.g. {@code V14_1}), the rule, the object. */
    record Finding(String version, Rule rule, String object, String statement) {
        /** The allow-list's key: {@code V13 DROP_COLUMN doors.foo}. */
        String key() {
            return version + " " + rule + " " + object;
        }
    }

    private static final Pattern VERSION = Pattern.compile("^V([0-9][0-9_.]*)__.*\\.(sql|java)$");
    private static final String NAME = "\"?([A-Za-z_][A-Za-z0-9_]*)\"?";
    private static final String IF_EXISTS = "(?:IF\\s+EXISTS\\s+)?";
    private static final String ONLY = "(?:ONLY\\s+)?";
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "^CREATE\\s+(?:TEMP(?:ORARY)?\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?" + NAME, Pattern.CASE_INSENSITIVE);
    private static final Pattern CREATE_INDEX = Pattern.compile(
            "^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+(CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:" + NAME
                    + "\\s+)?ON\\s+" + ONLY + NAME,
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DROP = Pattern.compile(
            "^DROP\\s+(TABLE|INDEX|VIEW|TYPE|SEQUENCE|FUNCTION|TRIGGER|MATERIALIZED\\s+VIEW|SCHEMA)\\s+"
                    + "(?:CONCURRENTLY\\s+)?" + IF_EXISTS + NAME,
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ALTER_TABLE = Pattern.compile(
            "^ALTER\\s+TABLE\\s+" + IF_EXISTS + ONLY + NAME + "\\s+(.*)$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern ALTER_TYPE =
            Pattern.compile("^ALTER\\s+(TYPE|DOMAIN)\\s+" + NAME, Pattern.CASE_INSENSITIVE);
    private static final Pattern DELETE =
            Pattern.compile("^(?:DELETE\\s+FROM|TRUNCATE(?:\\s+TABLE)?)\\s+" + ONLY + NAME, Pattern.CASE_INSENSITIVE);
    private static final Pattern STATEMENT_START = Pattern.compile(
            "^\\s*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|SELECT|TRUNCATE|WITH)\\b", Pattern.CASE_INSENSITIVE);

    private MigrationLint() {}

    /** The migration's version as its file names it ({@code V14_1__x.sql} → {@code V14_1}). */
    static String version(Path file) {
        Matcher m = VERSION.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not named as a Flyway versioned migration (V<n>__<name>)");
        }
        return "V" + m.group(1);
    }

    /** The findings of one migration file: {@code .sql}, or {@code .java} (its string literals). */
    static List<Finding> check(Path file) throws IOException {
        String text = Files.readString(file);
        List<String> statements = file.toString().endsWith(".java") ? javaStatements(text) : sqlStatements(text);
        return check(version(file), statements);
    }

    static List<Finding> check(String version, List<String> statements) {
        Set<String> created = new HashSet<>();
        // A Java migration for both stores says CREATE INDEX CONCURRENTLY on PostgreSQL and a plain
        // CREATE INDEX of the same name on SQLite: the plain one is SQLite's, not a lock on PostgreSQL.
        Set<String> concurrently = new HashSet<>();
        for (String statement : statements) {
            Matcher index = CREATE_INDEX.matcher(statement.strip().replaceAll("\\s+", " "));
            if (index.find() && index.group(2) != null && index.group(3) != null) {
                concurrently.add(lower(index.group(3)));
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (String raw : statements) {
            String s = raw.strip().replaceAll("\\s+", " ");
            if (s.isEmpty()) {
                continue;
            }
            Matcher m;
            if ((m = CREATE_TABLE.matcher(s)).find()) {
                created.add(lower(m.group(1)));
            } else if ((m = CREATE_INDEX.matcher(s)).find()) {
                String table = lower(m.group(4));
                if (!created.contains(table)) {
                    if (m.group(1) != null) {
                        findings.add(new Finding(version, Rule.NEW_CONSTRAINT, table + "." + index(m), s));
                    }
                    if (m.group(2) == null && (m.group(3) == null || !concurrently.contains(lower(m.group(3))))) {
                        findings.add(new Finding(version, Rule.INDEX_NOT_CONCURRENT, table + "." + index(m), s));
                    }
                }
            } else if ((m = DROP.matcher(s)).find()) {
                String name = lower(m.group(2));
                if (!created.contains(name)) {
                    boolean table = m.group(1).equalsIgnoreCase("TABLE");
                    findings.add(new Finding(version, table ? Rule.DROP_TABLE : Rule.DROP_OTHER, name, s));
                }
            } else if ((m = ALTER_TYPE.matcher(s)).find()) {
                findings.add(new Finding(version, Rule.ALTER_TYPE, lower(m.group(2)), s));
            } else if ((m = DELETE.matcher(s)).find()) {
                String table = lower(m.group(1));
                if (!created.contains(table)) {
                    findings.add(new Finding(version, Rule.DELETES_ROWS, table, s));
                }
            } else if ((m = ALTER_TABLE.matcher(s)).find()) {
                String table = lower(m.group(1));
                if (!created.contains(table)) {
                    alterTable(version, table, m.group(2), s, findings);
                }
            }
        }
        return findings;
    }

    private static final Pattern RENAME = Pattern.compile(
            "^RENAME\\s+(?:TO\\b|(?:COLUMN\\s+|CONSTRAINT\\s+)?" + NAME + ")", Pattern.CASE_INSENSITIVE);
    private static final Pattern DROP_ACTION =
            Pattern.compile("^DROP\\s+(?:(COLUMN)\\s+|(CONSTRAINT)\\s+)?" + IF_EXISTS + NAME, Pattern.CASE_INSENSITIVE);
    private static final Pattern ALTER_COLUMN = Pattern.compile(
            "^ALTER\\s+(?:COLUMN\\s+)?" + NAME + "\\s+(SET\\s+DATA\\s+TYPE|TYPE|SET\\s+NOT\\s+NULL)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ADD_COLUMN = Pattern.compile(
            "^ADD\\s+(?:COLUMN\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?" + NAME + "\\s+(.*)$",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern ADD_CONSTRAINT = Pattern.compile(
            "^ADD\\s+(?:CONSTRAINT\\s+" + NAME + "\\s+)?(CHECK|UNIQUE|PRIMARY\\s+KEY|FOREIGN\\s+KEY|EXCLUDE)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NOT_NULL = Pattern.compile("\\bNOT\\s+NULL\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern DEFAULT = Pattern.compile("\\bDEFAULT\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern COLUMN_CONSTRAINT =
            Pattern.compile("\\b(UNIQUE|PRIMARY\\s+KEY|CHECK)\\b", Pattern.CASE_INSENSITIVE);

    /** The actions of one ALTER TABLE (PostgreSQL allows several, comma-separated). */
    private static void alterTable(String version, String table, String actions, String s, List<Finding> findings) {
        for (String action : splitTopLevel(actions, ',')) {
            String a = action.strip();
            Matcher m;
            if ((m = RENAME.matcher(a)).find()) {
                findings.add(new Finding(
                        version, Rule.RENAME, table + (m.group(1) == null ? "" : "." + lower(m.group(1))), s));
            } else if ((m = DROP_ACTION.matcher(a)).find()) {
                Rule rule = m.group(2) != null ? Rule.DROP_OTHER : Rule.DROP_COLUMN;
                findings.add(new Finding(version, rule, table + "." + lower(m.group(3)), s));
            } else if ((m = ALTER_COLUMN.matcher(a)).find()) {
                Rule rule = m.group(2).toUpperCase(Locale.ROOT).contains("NULL") ? Rule.SET_NOT_NULL : Rule.ALTER_TYPE;
                findings.add(new Finding(version, rule, table + "." + lower(m.group(1)), s));
            } else if ((m = ADD_CONSTRAINT.matcher(a)).find()) {
                String name = m.group(1) == null
                        ? m.group(2).toLowerCase(Locale.ROOT).replaceAll("\\s+", "_")
                        : lower(m.group(1));
                findings.add(new Finding(version, Rule.NEW_CONSTRAINT, table + "." + name, s));
            } else if ((m = ADD_COLUMN.matcher(a)).find()) {
                String column = table + "." + lower(m.group(1));
                String definition = m.group(2);
                if (NOT_NULL.matcher(definition).find()
                        && !DEFAULT.matcher(definition).find()) {
                    findings.add(new Finding(version, Rule.NOT_NULL_WITHOUT_DEFAULT, column, s));
                }
                if (COLUMN_CONSTRAINT.matcher(definition).find()) {
                    findings.add(new Finding(version, Rule.NEW_CONSTRAINT, column, s));
                }
            }
        }
    }

    private static String index(Matcher createIndex) {
        return createIndex.group(3) == null ? "(unnamed)" : lower(createIndex.group(3));
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * The statements of a SQL script: comments removed, split at semicolons outside quotes,
     * quoted identifiers and dollar-quoted bodies.
     */
    static List<String> sqlStatements(String sql) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '-' && sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? sql.length() : end + 2;
                current.append(' ');
            } else if (c == '\'' || c == '"') {
                int end = closing(sql, i, String.valueOf(c));
                current.append(sql, i, end);
                i = end;
            } else if (c == '$' && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int end = sql.indexOf(tag, i + tag.length());
                end = end < 0 ? sql.length() : end + tag.length();
                current.append(sql, i, end);
                i = end;
            } else if (c == ';') {
                statements.add(current.toString());
                current.setLength(0);
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        statements.add(current.toString());
        return statements.stream().filter(s -> !s.isBlank()).toList();
    }

    private static int closing(String sql, int start, String quote) {
        int i = start + 1;
        while (i < sql.length()) {
            int end = sql.indexOf(quote, i);
            if (end < 0) {
                return sql.length();
            }
            if (sql.startsWith(quote + quote, end)) {
                i = end + 2;
            } else {
                return end + 1;
            }
        }
        return sql.length();
    }

    private static String dollarTag(String sql, int start) {
        Matcher m = Pattern.compile("\\$[A-Za-z_]*\\$").matcher(sql).region(start, sql.length());
        return m.lookingAt() ? m.group() : null;
    }

    private static final Pattern JAVA_LITERAL =
            Pattern.compile("\"\"\"\\s*\\n(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"", Pattern.DOTALL);

    /**
     * The SQL of a Java migration, as well as text can tell: its string literals in order, a new
     * statement at each literal that starts with a SQL verb, the rest appended (a literal's
     * concatenated pieces, with whatever expression stood between them dropped). Semicolons inside
     * the literals split too, for a text block holding a script.
     */
    static List<String> javaStatements(String java) {
        String code = java.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)//.*$", " ");
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        Matcher m = JAVA_LITERAL.matcher(code);
        while (m.find()) {
            String literal = m.group(1) != null ? m.group(1) : m.group(2).replace("\\\"", "\"");
            if (STATEMENT_START.matcher(literal).find() && !current.isEmpty()) {
                statements.addAll(sqlStatements(current.toString()));
                current.setLength(0);
            }
            current.append(literal).append(' ');
        }
        statements.addAll(sqlStatements(current.toString()));
        return statements;
    }

    private static List<String> splitTopLevel(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == separator) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }
}
