package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge package installed with dpkg into a scratch root, its agent run from the installed files
 * (simulated hardware), then upgraded, removed and purged. A site's cache and outbox are what a Pi must
 * never lose to a package operation: the outbox holds door events the hub has not received yet, and the
 * cache is what doors decide on while the hub is unreachable.
 */
class EdgePackageIT {
    private static final Pattern READY = Pattern.compile("^ready in \\d+ ms: ");
    private static final Pattern CACHE = Pattern.compile("(?m)^cache\\s+seq (\\d+), ([\\d,]+) credentials");
    private static final Pattern OUTBOX = Pattern.compile("(?m)^outbox\\s+(\\d+) events waiting");
    private static final Pattern EVENT = Pattern.compile("(?m)^eventId: (\\S+)");
    /** As the systemd unit runs the agent (the heap and GC the edge benchmark measures). */
    private static final String JAVA_OPTS = "-Xmx128m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";

    @Test
    void installingCreatesTheUserItsGroupsAndAPrivateDataDirectory(@TempDir Path work) throws Exception {
        ScratchRoot root = ScratchRoot.create(work.resolve("root"));

        root.install(Packages.javaStub(work), Packages.edgeDeb());

        assertThat(root.status(Packages.EDGE)).startsWith("install ok installed ");
        List<String> user = root.account("passwd", "gatehouse");
        assertThat(user.get(5)).isEqualTo("/var/lib/gatehouse");
        assertThat(user.get(6)).isEqualTo("/usr/sbin/nologin");
        assertThat(Integer.parseInt(user.get(2))).as("a system uid").isLessThan(1000);
        // Debian has no gpio group (Raspberry Pi OS does): the package makes it, since the unit needs it.
        assertThat(root.members("gpio")).containsExactly("gatehouse");
        assertThat(root.members("dialout")).containsExactly("gatehouse");
        Path data = root.path("/var/lib/gatehouse");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                .isEqualTo("rwx------");
        assertThat(Files.getAttribute(data, "unix:uid")).isEqualTo(root.uid("gatehouse"));
        assertThat(Files.getAttribute(data, "unix:gid")).isEqualTo(root.gid("gatehouse"));
        assertThat(root.path("/usr/bin/gatehouse-edge")).isExecutable();
        assertThat(root.path("/usr/lib/systemd/system/gatehouse-edge.service")).isRegularFile();
        assertThat(root.path("/etc/gatehouse/gatehouse.yaml.example")).isRegularFile();
        // enrollment, run as the agent's user, writes its keys into /etc/gatehouse
        assertThat(Files.getAttribute(root.path("/etc/gatehouse"), "unix:uid")).isEqualTo(root.uid("gatehouse"));
    }

    @Test
    void withoutAJavaRuntimePackageDpkgRefusesToConfigureIt(@TempDir Path work) throws Exception {
        // The dependency is what makes apt bring a Java 21 along; a package that installed without one
        // would leave a service that cannot start.
        ScratchRoot root = ScratchRoot.create(work.resolve("root"));

        Command.Result result = root.tryInstall(Packages.edgeDeb());

        assertThat(result.exit()).isNotZero();
        assertThat(result.output()).contains("depends on " + Packages.JAVA);
        assertThat(root.status(Packages.EDGE)).doesNotStartWith("install ok installed");
    }

    @Test
    void upgradeAndRemoveKeepEveryEventAndEntitlementAndPurgeDeletesThem(@TempDir Path work) throws Exception {
        ScratchRoot root = ScratchRoot.create(work.resolve("root"));
        Path edge = Packages.edgeDeb();
        String version = Packages.field(edge, "Version");
        Path next = Packages.withVersion(edge, version + "+next", work);
        root.install(Packages.javaStub(work), edge);
        Path launcher = root.path("/usr/bin/gatehouse-edge");
        Path site = root.path("/var/lib/gatehouse");

        // Version N: a demo site in the package's data directory, its entitlements applied, two taps.
        String init = Launcher.command(launcher, JAVA_OPTS, "init-demo", site.toString())
                .succeeds();
        Path batch = Path.of(find(Pattern.compile("(?m)^\\s*entitlements\\s+(\\S+)"), init));
        Path config = site.resolve("gatehouse.yaml");
        List<String> events = new ArrayList<>();
        String cacheBefore;
        try (Background agent =
                Launcher.start(launcher, JAVA_OPTS, "run", "--simulate", "--config", config.toString())) {
            agent.awaitLine(READY, Duration.ofSeconds(90));
            edge(launcher, "apply", "--config", config.toString())
                    .withStdin(batch)
                    .succeeds();
            String granted = edge(launcher, "sim", "tap", "nfc-main", "04A22B1C5D8000", "--config", config.toString())
                    .succeeds();
            assertThat(granted).contains("GRANTED");
            events.add(find(EVENT, granted));
            String denied = edge(launcher, "sim", "tap", "nfc-main", "04112233445566", "--config", config.toString())
                    .succeeds();
            assertThat(denied).contains("DENIED");
            events.add(find(EVENT, denied));
            String status =
                    edge(launcher, "status", "--config", config.toString()).succeeds();
            assertThat(status).contains("outbox   2 events waiting for the hub");
            cacheBefore = find(CACHE, status, 0);
            agent.stop();
        }
        Path cache = site.resolve("data/cache.db");
        Store before = Store.read(cache);
        assertThat(before.entitlements()).as("entitlements in the cache").isNotEmpty();
        // The two taps, then what the agent recorded as it stopped (its doors driven locked).
        assertThat(before.outboxIds()).startsWith(events.toArray(String[]::new));

        // Version N+1 over it: the same rows, and the agent starts on them.
        String upgrade = root.install(next);
        assertThat(upgrade).contains("Preparing to unpack").contains("over (" + version + ")");
        assertThat(root.status(Packages.EDGE)).isEqualTo("install ok installed " + version + "+next");
        assertThat(Store.read(cache)).isEqualTo(before);
        try (Background agent =
                Launcher.start(launcher, JAVA_OPTS, "run", "--simulate", "--config", config.toString())) {
            agent.awaitLine(READY, Duration.ofSeconds(90));
            String status =
                    edge(launcher, "status", "--config", config.toString()).succeeds();
            assertThat(find(CACHE, status, 0)).isEqualTo(cacheBefore);
            assertThat(Integer.parseInt(find(OUTBOX, status)))
                    .isGreaterThanOrEqualTo(before.outboxIds().size());
            agent.stop();
        }
        Store afterUpgrade = Store.read(cache);
        assertThat(afterUpgrade.entitlements()).isEqualTo(before.entitlements());
        // Every event still waits for the hub, in its order; the second run may only have added some.
        assertThat(afterUpgrade.outboxIds()).startsWith(before.outboxIds().toArray(String[]::new));

        // Remove: the program goes, the data and the config stay (a reinstall picks them up).
        root.remove(Packages.EDGE);
        assertThat(root.status(Packages.EDGE)).startsWith("deinstall ok config-files");
        assertThat(launcher).doesNotExist();
        assertThat(Store.read(cache)).isEqualTo(afterUpgrade);
        assertThat(root.path("/etc/gatehouse/gatehouse.yaml.example")).exists();

        // Purge: now they go.
        root.purge(Packages.EDGE);
        assertThat(root.status(Packages.EDGE)).isEmpty();
        assertThat(site).doesNotExist();
        assertThat(root.path("/etc/gatehouse/gatehouse.yaml.example")).doesNotExist();
    }

    @Test
    void theAgentStartsFromAClassDataArchiveItsFirstCleanStopWrote(@TempDir Path work) throws Exception {
        // The agent's start after a crash is how long its doors wait to be claimed locked; the launcher
        // maps its classes from an archive in the service's cache directory, written at a clean stop.
        ScratchRoot root = ScratchRoot.create(work.resolve("root"));
        root.install(Packages.javaStub(work), Packages.edgeDeb());
        Path launcher = root.path("/usr/bin/gatehouse-edge");
        Path site = work.resolve("site");
        Launcher.command(launcher, JAVA_OPTS, "init-demo", site.toString()).succeeds();
        String config = site.resolve("gatehouse.yaml").toString();
        Path cache = Files.createDirectory(
                work.resolve("cache"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path archive = cache.resolve("gatehouse-edge.jsa");
        Map<String, String> env =
                Map.of("JAVA_HOME", Launcher.javaHome(), "JAVA_OPTS", JAVA_OPTS, "CACHE_DIRECTORY", cache.toString());
        List<String> run = List.of(launcher.toString(), "run", "--simulate", "--config", config);

        try (Background agent = Background.start(run, env)) {
            agent.awaitLine(READY, Duration.ofSeconds(90));
            assertThat(archive).as("no archive until the first clean stop").doesNotExist();
            agent.stop();
        }
        assertThat(archive).isRegularFile();
        assertThat(Files.size(archive)).as("the agent's classes").isGreaterThan(1_000_000);
        FileTime written = Files.getLastModifiedTime(archive);

        // The next start maps it (the JVM says so with -Xlog:cds) and leaves it as it was.
        Map<String, String> logged = new java.util.HashMap<>(env);
        logged.put("JAVA_OPTS", JAVA_OPTS + " -Xlog:cds=info");
        try (Background agent = Background.start(run, logged)) {
            agent.awaitLine(READY, Duration.ofSeconds(90));
            assertThat(agent.said()).contains("Opened shared archive file " + archive);
            agent.stop();
        }
        assertThat(Files.getLastModifiedTime(archive)).isEqualTo(written);

        // A cache directory others can write is not trusted with code: said, and the agent runs without.
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (Background agent = Background.start(run, logged)) {
            agent.awaitLine(READY, Duration.ofSeconds(90));
            assertThat(agent.said())
                    .contains("gatehouse-edge: not using a class data archive: " + cache
                            + " must be a directory of this user's that no one else can write")
                    .doesNotContain("Opened shared archive file " + archive);
            agent.stop();
        }
        assertThat(Files.getLastModifiedTime(archive)).isEqualTo(written);

        // Other commands never use nor write it: only the agent's run is worth an archive of its classes.
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwx------"));
        Files.delete(archive);
        new Command(List.of(launcher.toString(), "status", "--config", config), env, java.util.Optional.empty()).run();
        assertThat(archive).doesNotExist();
    }

    private static Command edge(Path launcher, String... args) {
        return Launcher.command(launcher, JAVA_OPTS, args);
    }

    private static String find(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).as("/%s/ in:%n%s", pattern, text).isTrue();
        return matcher.group(1);
    }

    private static String find(Pattern pattern, String text, int group) {
        Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).as("/%s/ in:%n%s", pattern, text).isTrue();
        return matcher.group(group);
    }

    /** The agent's SQLite file as rows: every entitlement (the entity table), and the outbox's event ids. */
    record Store(List<String> entitlements, List<String> outboxIds) {
        static Store read(Path file) throws IOException, SQLException {
            assertThat(file).isRegularFile();
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement statement = db.createStatement()) {
                List<String> entities = rows(statement, "SELECT * FROM entity ORDER BY kind, key");
                List<String> outbox = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("SELECT id FROM outbox ORDER BY position")) {
                    while (rows.next()) {
                        outbox.add(rows.getString(1));
                    }
                }
                return new Store(entities, outbox);
            }
        }

        private static List<String> rows(Statement statement, String sql) throws SQLException {
            List<String> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery(sql)) {
                ResultSetMetaData meta = result.getMetaData();
                while (result.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int column = 1; column <= meta.getColumnCount(); column++) {
                        Object value = result.getObject(column);
                        row.append(
                                        value instanceof byte[] bytes
                                                ? java.util.HexFormat.of().formatHex(bytes)
                                                : value)
                                .append('|');
                    }
                    rows.add(row.toString());
                }
            }
            return rows;
        }
    }
}
