package dev.gatehouse.hub.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The chaos harness's hands on this machine: network namespaces joined to the root namespace by veth
 * pairs, cut with {@code ip link} or {@code tc netem}, and small tmpfs mounts. Every name it makes
 * starts with {@link #PREFIX}, so a run can remove what a killed earlier run left behind. Needs root
 * (or CAP_NET_ADMIN and CAP_SYS_ADMIN); {@link #unavailable()} says why not where it cannot work.
 */
final class Host {
    /** Namespaces are {@code ghc-eN}, the root side of a veth pair {@code ghc-rN}, its peer {@code ghc-pN}. */
    static final String PREFIX = "ghc-";
    /** Every tmpfs the harness mounts is under a directory whose name holds this. */
    static final String MOUNT_MARK = "gatehouse-chaos";

    private Host() {}

    static String namespace(int edge) {
        return PREFIX + "e" + edge;
    }

    static String rootLink(int edge) {
        return PREFIX + "r" + edge;
    }

    static String peerLink(int edge) {
        return PREFIX + "p" + edge;
    }

    /** The root namespace's address on edge {@code edge}'s veth pair, where the broker also listens. */
    static String brokerAddress(int edge) {
        return "10.213." + edge + ".1";
    }

    static String edgeAddress(int edge) {
        return "10.213." + edge + ".2";
    }

    /** Empty when namespaces, veth pairs and mounts can be made here; else why not. */
    static java.util.Optional<String> unavailable() {
        try {
            String uid = run("id", "-u").strip();
            if (!uid.equals("0")) {
                return java.util.Optional.of(
                        "it must run as root (network namespaces, veth pairs, tmpfs mounts);" + " this is uid " + uid);
            }
            String probe = PREFIX + "probe";
            runQuietly("ip", "netns", "del", probe);
            run("ip", "netns", "add", probe);
            run("ip", "netns", "del", probe);
            run("tc", "-V");
            return java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.of("network namespaces or tc are not usable here: " + e.getMessage());
        }
    }

    /** Makes namespace {@code ghc-eN} joined to the root namespace by a veth pair, both ends up. */
    static void addNamespace(int edge) throws IOException {
        String ns = namespace(edge);
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", rootLink(edge), "type", "veth", "peer", "name", peerLink(edge));
        run("ip", "link", "set", peerLink(edge), "netns", ns);
        run("ip", "addr", "add", brokerAddress(edge) + "/30", "dev", rootLink(edge));
        run("ip", "link", "set", rootLink(edge), "up");
        run("ip", "netns", "exec", ns, "ip", "addr", "add", edgeAddress(edge) + "/30", "dev", peerLink(edge));
        run("ip", "netns", "exec", ns, "ip", "link", "set", peerLink(edge), "up");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    }

    /**
     * The ways a partition is made: the root end of the veth pair taken down, the edge's end taken
     * down (inside its namespace), or every packet dropped both ways by {@code tc netem}.
     */
    enum Cut {
        LINK_DOWN,
        PEER_DOWN,
        NETEM_LOSS
    }

    /**
     * The cuts this machine can make: {@code netem} needs the kernel's {@code sch_netem}, which some
     * kernels (this project's VMs among them) lack; the links can always be taken down.
     */
    static List<Cut> cuts() {
        String probe = PREFIX + "netem";
        runQuietly("ip", "netns", "del", probe);
        try {
            run("ip", "netns", "add", probe);
            run("ip", "netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "loss", "100%");
            return List.of(Cut.LINK_DOWN, Cut.PEER_DOWN, Cut.NETEM_LOSS);
        } catch (IOException e) {
            return List.of(Cut.LINK_DOWN, Cut.PEER_DOWN);
        } finally {
            runQuietly("ip", "netns", "del", probe);
        }
    }

    static void cut(int edge, Cut how) throws IOException {
        switch (how) {
            case LINK_DOWN -> run("ip", "link", "set", rootLink(edge), "down");
            case PEER_DOWN -> run("ip", "netns", "exec", namespace(edge), "ip", "link", "set", peerLink(edge), "down");
            case NETEM_LOSS -> {
                run("tc", "qdisc", "add", "dev", rootLink(edge), "root", "netem", "loss", "100%");
                run(
                        "ip",
                        "netns",
                        "exec",
                        namespace(edge),
                        "tc",
                        "qdisc",
                        "add",
                        "dev",
                        peerLink(edge),
                        "root",
                        "netem",
                        "loss",
                        "100%");
            }
        }
    }

    static void restore(int edge, Cut how) throws IOException {
        switch (how) {
            case LINK_DOWN -> run("ip", "link", "set", rootLink(edge), "up");
            case PEER_DOWN -> run("ip", "netns", "exec", namespace(edge), "ip", "link", "set", peerLink(edge), "up");
            case NETEM_LOSS -> {
                run("tc", "qdisc", "del", "dev", rootLink(edge), "root");
                run("ip", "netns", "exec", namespace(edge), "tc", "qdisc", "del", "dev", peerLink(edge), "root");
            }
        }
    }

    /** Mounts a tmpfs of {@code megabytes} at {@code dir} (made if absent), readable by its owner only. */
    static void mountTmpfs(Path dir, int megabytes) throws IOException {
        if (!dir.toString().contains(MOUNT_MARK)) {
            throw new IllegalArgumentException("chaos mounts live under a '" + MOUNT_MARK + "' directory: " + dir);
        }
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0700", "tmpfs", dir.toString());
    }

    /**
     * Removes what this harness makes: processes in its namespaces (SIGKILL, by pid), the namespaces,
     * the root ends of the veth pairs (which takes their peers), and tmpfs mounts under a
     * {@link #MOUNT_MARK} directory. Run at the start (a killed run's leftovers) and at the end.
     */
    static List<String> cleanUp() {
        List<String> removed = new ArrayList<>();
        try {
            for (String line : run("ip", "netns", "list").split("\n")) {
                String ns = line.strip().split("\\s+")[0];
                if (!ns.startsWith(PREFIX)) {
                    continue;
                }
                for (String pid : runQuietly("ip", "netns", "pids", ns).split("\\s+")) {
                    if (pid.matches("[0-9]+")) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                runQuietly("ip", "netns", "del", ns);
                removed.add("namespace " + ns);
            }
            for (String line : run("ip", "-o", "link", "show").split("\n")) {
                String[] parts = line.split(":\\s+");
                if (parts.length > 1) {
                    String name = parts[1].split("@")[0];
                    if (name.startsWith(PREFIX)) {
                        runQuietly("ip", "link", "del", name);
                        removed.add("link " + name);
                    }
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] parts = line.split(" ");
                if (parts.length > 2 && parts[2].equals("tmpfs") && parts[1].contains(MOUNT_MARK)) {
                    runQuietly("umount", "-l", parts[1]);
                    removed.add("mount " + parts[1]);
                }
            }
        } catch (IOException e) {
            removed.add("(clean-up incomplete: " + e.getMessage() + ")");
        }
        return removed;
    }

    /** Runs a command to its end; its output, or an IOException with it. */
    static String run(String... command) throws IOException {
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (child.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + child.exitValue() + ": " + output.strip());
        }
        return output;
    }

    /** As {@link #run(String...)}, with a failure answered as empty output (clean-up of what may not exist). */
    static String runQuietly(String... command) {
        try {
            return run(command);
        } catch (IOException e) {
            return "";
        }
    }
}
