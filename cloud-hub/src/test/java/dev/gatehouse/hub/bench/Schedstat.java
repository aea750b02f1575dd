package dev.gatehouse.hub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * This JVM's threads as Linux's scheduler counts them ({@code /proc/self/task/<tid>/schedstat}, in
 * nanoseconds): time on a core and time runnable but waiting for one. Two snapshots around a request
 * say where its wall time went: this process's own work (by thread, e.g. the carrier serving the page,
 * the JIT, the GC) or the machine's other processes keeping it from a core.
 */
final class Schedstat {
    private static final Path TASKS = Path.of("/proc/self/task");

    /** Per thread id: its name, time on a core and time waiting for one. */
    private record Thread(String name, long cpu, long waiting) {}

    private final Map<String, Thread> threads;

    private Schedstat(Map<String, Thread> threads) {
        this.threads = threads;
    }

    static Schedstat now() {
        Map<String, Thread> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            tasks.forEach(task -> {
                try {
                    String[] fields =
                            Files.readString(task.resolve("schedstat")).strip().split(" ");
                    String name = Files.readString(task.resolve("comm")).strip();
                    threads.put(
                            task.getFileName().toString(),
                            new Thread(name, Long.parseLong(fields[0]), Long.parseLong(fields[1])));
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read: it is left out
                }
            });
        } catch (IOException e) {
            return new Schedstat(Map.of());
        }
        return new Schedstat(threads);
    }

    /** What happened between {@code before} and this snapshot. */
    Delta since(Schedstat before) {
        Map<String, Long> cpuByKind = new TreeMap<>();
        long cpu = 0;
        long waiting = 0;
        for (Map.Entry<String, Thread> entry : threads.entrySet()) {
            Thread after = entry.getValue();
            Thread earlier = before.threads.getOrDefault(entry.getKey(), new Thread(after.name(), 0, 0));
            long used = after.cpu() - earlier.cpu();
            cpu += used;
            waiting += after.waiting() - earlier.waiting();
            if (used > 0) {
                cpuByKind.merge(kind(after.name()), used, Long::sum);
            }
        }
        return new Delta(cpu, waiting, cpuByKind);
    }

    /** A thread's name without its number, so the JIT's or the pool's threads add up. */
    private static String kind(String name) {
        return name.replaceAll("[#-]?[0-9]+$", "").replaceAll("-[0-9]+-", "-");
    }

    /** Time on a core and waiting for one, over all threads; time on a core by kind of thread. */
    record Delta(long cpu, long waiting, Map<String, Long> cpuByKind) {
        /** Not measured ({@code --threads off}). */
        static final Delta NONE = new Delta(0, 0, Map.of());
    }
}
