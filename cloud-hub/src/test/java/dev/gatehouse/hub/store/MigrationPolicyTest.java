package dev.gatehouse.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.MigrationLint.Finding;
import dev.gatehouse.hub.store.MigrationLint.Rule;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rolling-upgrade policy (cloud-hub/README.md, "Rolling upgrades"), enforced: during an upgrade
 * replicas of release N keep serving on the schema that N+1 migrated, so a release's migrations only
 * expand. Every hub migration, SQL and Java, from V1 on, is read; a statement that contracts (drops,
 * renames, narrows, forbids what N writes, or locks a busy table) fails the build unless
 * {@code upgrade/contracting-migrations.txt} lists it with the release it ships in and why N is safe.
 */
class MigrationPolicyTest {
    /** The last migration written before the policy; only those may say {@code pre-policy}. */
    static final int POLICY_BASELINE = 60;

    static final List<Path> MIGRATIONS = List.of(
            Path.of("src/main/resources/db/migration"),
            Path.of("src/main/resources/db/postgresql"),
            Path.of("src/main/java/db/migration"));

    record Allowed(String key, String release, String reason) {}

    private static final Pattern ENTRY =
            Pattern.compile("^(V[0-9_.]+ [A-Z_]+ \\S+)\\s*\\|\\s*([^|]*?)\\s*\\|\\s*(.*?)\\s*$");

    static Map<String, Allowed> allowList() throws IOException, URISyntaxException {
        Path file = Path.of(
                Objects.requireNonNull(MigrationPolicyTest.class.getResource("/upgrade/contracting-migrations.txt"))
                        .toURI());
        Map<String, Allowed> allowed = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = ENTRY.matcher(line);
            assertThat(m.matches())
                    .as("allow-list line \"%s\": want \"V<n> RULE object | release | reason\"", line)
                    .isTrue();
            assertThat(allowed.put(m.group(1), new Allowed(m.group(1), m.group(2), m.group(3))))
                    .as("listed twice: %s", m.group(1))
                    .isNull();
        }
        return allowed;
    }

    static List<Finding> findings(List<Path> roots) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.list(root)) {
                for (Path file : files.filter(f ->
                                f.toString().endsWith(".sql") || f.toString().endsWith(".java"))
                        .sorted()
                        .toList()) {
                    findings.addAll(MigrationLint.check(file));
                }
            }
        }
        return findings;
    }

    // A contracting statement merged without review would break the replicas still on the previous
    // release in the middle of an upgrade; the list makes each one a decision with a release named.
    @Test
    void everyContractingStatementInTheHubsMigrationsIsAllowListed() throws Exception {
        Map<String, Allowed> allowed = allowList();
        List<String> unlisted = findings(MIGRATIONS).stream()
                .filter(f -> !allowed.containsKey(f.key()))
                .map(f -> f.key() + "    (" + f.statement() + ")")
                .toList();
        assertThat(unlisted)
                .as("migrations that contract the schema under the previous release's replicas; make them additive"
                        + " (cloud-hub/README.md, \"Rolling upgrades\") or list them in"
                        + " src/test/resources/upgrade/contracting-migrations.txt with their release and reason")
                .isEmpty();
    }

    // An entry whose migration changed or went away would silently allow a later statement of that name.
    @Test
    void everyAllowListEntryStillMatchesAStatement() throws Exception {
        List<String> found =
                findings(MIGRATIONS).stream().map(Finding::key).distinct().toList();
        assertThat(allowList().keySet()).isSubsetOf(found);
    }

    // pre-policy is a fact about old migrations, not an excuse for new ones.
    @Test
    void entriesAfterTheBaselineNameTheReleaseTheyShipInAndWhy() throws Exception {
        for (Allowed entry : allowList().values()) {
            assertThat(entry.reason()).as(entry.key()).isNotBlank();
            int version = Integer.parseInt(entry.key().substring(1).split("[_. ]")[0]);
            if (version <= POLICY_BASELINE) {
                assertThat(entry.release()).as(entry.key()).matches("pre-policy|[0-9]+\\.[0-9]+\\.[0-9]+");
            } else {
                assertThat(entry.release())
                        .as("%s: the release (x.y.z) that ships the contraction", entry.key())
                        .matches("[0-9]+\\.[0-9]+\\.[0-9]+");
            }
        }
    }

    // The rolling-upgrade test's "next release" must itself follow the policy it demonstrates.
    @Test
    void theNextReleaseFixtureOfTheRollingUpgradeTestIsAdditive() throws Exception {
        Path root = Path.of(Objects.requireNonNull(getClass().getResource("/upgrade/next-release/db"))
                .toURI());
        assertThat(findings(List.of(root.resolve("migration"), root.resolve("postgresql"))))
                .isEmpty();
    }

    @Nested
    class TheLint {
        @ParameterizedTest
        @CsvSource(delimiter = '|', textBlock = """
                DROP TABLE doors                                                  | DROP_TABLE               | doors
                DROP TABLE IF EXISTS "doors"                                      | DROP_TABLE               | doors
                ALTER TABLE members DROP COLUMN notes                             | DROP_COLUMN              | members.notes
                ALTER TABLE members DROP notes                                    | DROP_COLUMN              | members.notes
                ALTER TABLE members ADD COLUMN a TEXT, DROP COLUMN IF EXISTS b    | DROP_COLUMN              | members.b
                DROP INDEX members_tenant                                         | DROP_OTHER               | members_tenant
                ALTER TABLE members DROP CONSTRAINT members_email_key             | DROP_OTHER               | members.members_email_key
                ALTER TABLE members RENAME TO people                              | RENAME                   | members
                ALTER TABLE members RENAME COLUMN full_name TO name               | RENAME                   | members.full_name
                ALTER TABLE members ALTER COLUMN email TYPE VARCHAR(40)           | ALTER_TYPE               | members.email
                ALTER TABLE ONLY members ALTER email SET DATA TYPE VARCHAR(40)    | ALTER_TYPE               | members.email
                ALTER TYPE member_status ADD VALUE 'gone'                         | ALTER_TYPE               | member_status
                ALTER TABLE members ALTER COLUMN phone SET NOT NULL               | SET_NOT_NULL             | members.phone
                ALTER TABLE members ADD COLUMN phone TEXT NOT NULL                | NOT_NULL_WITHOUT_DEFAULT | members.phone
                ALTER TABLE members ADD phone TEXT UNIQUE                         | NEW_CONSTRAINT           | members.phone
                ALTER TABLE members ADD CONSTRAINT email_once UNIQUE (email)      | NEW_CONSTRAINT           | members.email_once
                ALTER TABLE members ADD CHECK (length(email) < 40)                | NEW_CONSTRAINT           | members.check
                CREATE UNIQUE INDEX CONCURRENTLY members_phone ON members (phone) | NEW_CONSTRAINT           | members.members_phone
                CREATE INDEX members_phone ON members (phone)                     | INDEX_NOT_CONCURRENT     | members.members_phone
                DELETE FROM members WHERE status = 'gone'                         | DELETES_ROWS             | members
                TRUNCATE TABLE access_events                                      | DELETES_ROWS             | access_events
                """)
        void reportsWhatAnOlderReplicaCannotTolerate(String sql, Rule rule, String object) {
            assertThat(MigrationLint.check("V9", List.of(sql)))
                    .extracting(Finding::rule, Finding::object)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(rule, object));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "CREATE TABLE badges (id TEXT PRIMARY KEY, member_id TEXT NOT NULL)",
                    "ALTER TABLE members ADD COLUMN nickname TEXT",
                    "ALTER TABLE members ADD COLUMN tier INTEGER NOT NULL DEFAULT 0",
                    "CREATE INDEX CONCURRENTLY IF NOT EXISTS members_nickname ON members (nickname)",
                    "UPDATE members SET tier = 1 WHERE tier = 0",
                    "INSERT INTO settings (key, value) VALUES ('drop table', 'x; DROP TABLE members')",
                    "ALTER TABLE members ALTER COLUMN nickname SET DEFAULT ''",
                    "ALTER TABLE members ALTER COLUMN phone DROP NOT NULL"
                })
        void passesWhatOnlyExpands(String sql) {
            assertThat(MigrationLint.check("V9", MigrationLint.sqlStatements(sql)))
                    .isEmpty();
        }

        // What a migration made itself no running release reads yet: rebuilding it is not a contraction.
        @Test
        void ignoresObjectsTheMigrationCreatedItself() {
            String sql = """
                    CREATE TABLE scratch (id TEXT PRIMARY KEY); -- a comment; DROP TABLE members
                    CREATE UNIQUE INDEX scratch_id ON scratch (id);
                    ALTER TABLE scratch ADD COLUMN x TEXT NOT NULL;
                    /* DROP TABLE doors; */
                    DELETE FROM scratch;
                    DROP TABLE scratch;
                    """;
            assertThat(MigrationLint.check("V9", MigrationLint.sqlStatements(sql)))
                    .isEmpty();
        }

        // The README's pattern for an index both stores need: CONCURRENTLY on PostgreSQL, plain on SQLite.
        @Test
        void acceptsAJavaMigrationThatIndexesConcurrentlyOnPostgresAndPlainlyOnSqlite() {
            String java = """
                    class V9__x extends BaseJavaMigration {
                        public boolean canExecuteInTransaction() {
                            return false;
                        }

                        public void migrate(Context context) throws Exception {
                            String sql = postgres(context)
                                    ? "CREATE INDEX CONCURRENTLY IF NOT EXISTS members_phone ON members (phone)"
                                    : "CREATE INDEX IF NOT EXISTS members_phone ON members (phone)";
                            context.getConnection().createStatement().execute(sql);
                        }
                    }
                    """;
            assertThat(MigrationLint.check("V9", MigrationLint.javaStatements(java)))
                    .isEmpty();
        }

        @Test
        void readsTheSqlOfAJavaMigrationFromItsStringLiterals() {
            String java = """
                    class V9__x extends BaseJavaMigration {
                        public void migrate(Context context) throws Exception {
                            // statement.execute("DROP TABLE commented_out");
                            try (Statement s = context.getConnection().createStatement()) {
                                s.execute("ALTER TABLE members " + "RENAME COLUMN email TO mail");
                                s.execute(\"""
                                        CREATE TABLE t (id TEXT);
                                        DROP TABLE doors;
                                        \""");
                            }
                        }
                    }
                    """;
            assertThat(MigrationLint.check("V9", MigrationLint.javaStatements(java)))
                    .extracting(Finding::key)
                    .containsExactly("V9 RENAME members.email", "V9 DROP_TABLE doors");
        }
    }
}
