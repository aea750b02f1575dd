package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A directory that dpkg treats as a whole system ({@code dpkg --root}): its own package database,
 * {@code /etc/passwd} and {@code /etc/group}. The maintainer scripts run on this host with
 * {@code DPKG_ROOT} set to it ({@code --force-script-chrootless}), so installing here never changes the
 * build machine, which {@code dpkg -i} on the real root would.
 */
final class ScratchRoot {
    private final Path root;

    private ScratchRoot(Path root) {
        this.root = root;
    }

    /**
     * An empty system: the dpkg database, and the accounts a Debian base system has (root; dialout, which
     * Debian makes and the edge's user joins; no gpio, which only Raspberry Pi OS has).
     */
    static ScratchRoot create(Path root) throws IOException {
        Command.require("dpkg", "dpkg");
        Command.require("dpkg-deb", "dpkg");
        // Only root can give the data directories to the service users (chown), even in a scratch root.
        // CI runs as root; elsewhere these tests are skipped with this reason rather than failing.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "the package install tests run as root: the maintainer scripts give the data directories to the"
                        + " service users (chown), which only root can, even in a scratch root");
        Path admin = Files.createDirectories(root.resolve("var/lib/dpkg"));
        for (String dir : List.of("info", "updates", "triggers", "alternatives")) {
            Files.createDirectories(admin.resolve(dir));
        }
        Files.writeString(admin.resolve("status"), "");
        Files.writeString(admin.resolve("available"), "");
        Files.createDirectories(root.resolve("var/log"));
        Path etc = Files.createDirectories(root.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\ndialout:x:20:\n");
        Files.writeString(etc.resolve("shadow"), "root:*:19000:0:99999:7:::\n");
        Files.writeString(etc.resolve("gshadow"), "root:*::\ndialout:*::\n");
        for (String secret : List.of("shadow", "gshadow")) {
            Files.setPosixFilePermissions(etc.resolve(secret), PosixFilePermissions.fromString("rw-r-----"));
        }
        return new ScratchRoot(root);
    }

    Path path(String absolute) {
        return root.resolve(absolute.replaceFirst("^/", ""));
    }

    Path dir() {
        return root;
    }

    /** {@code dpkg --install} of these files, in one transaction; returns dpkg's output. */
    String install(Path... debs) throws IOException, InterruptedException {
        List<String> argv = dpkg("--install");
        for (Path deb : debs) {
            argv.add(deb.toString());
        }
        return new Command(argv, java.util.Map.of(), Optional.empty()).succeeds();
    }

    /** What dpkg answers to installing these files, whether it succeeded or not. */
    Command.Result tryInstall(Path... debs) throws IOException, InterruptedException {
        List<String> argv = dpkg("--install");
        for (Path deb : debs) {
            argv.add(deb.toString());
        }
        return new Command(argv, java.util.Map.of(), Optional.empty()).run();
    }

    String remove(String pkg) throws IOException, InterruptedException {
        List<String> argv = dpkg("--remove");
        argv.add(pkg);
        return new Command(argv, java.util.Map.of(), Optional.empty()).succeeds();
    }

    String purge(String pkg) throws IOException, InterruptedException {
        List<String> argv = dpkg("--purge");
        argv.add(pkg);
        return new Command(argv, java.util.Map.of(), Optional.empty()).succeeds();
    }

    /** {@code Status} and {@code Version} of an installed package ("install ok installed 1.0"), or empty. */
    String status(String pkg) throws IOException, InterruptedException {
        Command.Result result = Command.of(
                        "dpkg-query",
                        "--admindir=" + path("/var/lib/dpkg"),
                        "--show",
                        "--showformat=${Status} ${Version}",
                        pkg)
                .run();
        return result.exit() == 0 ? result.output().strip() : "";
    }

    /** The account's line in this root's /etc/passwd (or /etc/group), split on ':'. */
    List<String> account(String file, String name) throws IOException {
        return Files.readAllLines(path("/etc/" + file)).stream()
                .filter(line -> line.startsWith(name + ":"))
                .findFirst()
                .map(line -> List.of(line.split(":", -1)))
                .orElseGet(() -> fail("no %s in the scratch root's /etc/%s", name, file));
    }

    int uid(String user) throws IOException {
        return Integer.parseInt(account("passwd", user).get(2));
    }

    int gid(String group) throws IOException {
        return Integer.parseInt(account("group", group).get(2));
    }

    /** The members of a group in this root's /etc/group. */
    List<String> members(String group) throws IOException {
        String members = account("group", group).get(3);
        return members.isEmpty() ? List.of() : List.of(members.split(","));
    }

    private List<String> dpkg(String action) {
        // --force-not-root: dpkg itself needs no root here; creating the users does (see the README).
        return new ArrayList<>(List.of(
                "dpkg",
                "--root=" + root,
                "--force-script-chrootless",
                "--force-not-root",
                "--log=" + path("/var/log/dpkg.log"),
                action));
    }
}
