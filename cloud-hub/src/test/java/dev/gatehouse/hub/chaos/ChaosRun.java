package dev.gatehouse.hub.chaos;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./gatehouse chaos [--duration 10m] [--seed N] [--faults kill-edge,kill-hub,…] [--edges 2]
 * [--min-each 1] [--longest-partition 20s]}: the chaos harness ({@link ChaosHarness}) as a command.
 * Prints each fault as it runs, then per-fault counts and totals; exits 1 when anything was lost,
 * duplicated, wrongly decided or left unsafe, 2 on a usage error, 3 where it cannot run (not root).
 */
public final class ChaosRun {
    private ChaosRun() {}

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofMinutes(10);
        long seed = System.currentTimeMillis();
        List<ChaosHarness.Fault> faults = List.of(ChaosHarness.Fault.values());
        int edges = 2;
        int minEach = 1;
        Duration longestPartition = Duration.ofSeconds(20);
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : "";
                switch (args[i]) {
                    case "--duration" -> duration = duration(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--faults" ->
                        faults = Arrays.stream(value.split(","))
                                .map(ChaosHarness.Fault::parse)
                                .distinct()
                                .toList();
                    case "--edges" -> edges = Integer.parseInt(value);
                    case "--min-each" -> minEach = Integer.parseInt(value);
                    case "--longest-partition" -> longestPartition = duration(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("gatehouse chaos: " + e.getMessage());
            System.err.println("usage: ./gatehouse chaos [--duration 10m] [--seed N] [--faults "
                    + "kill-edge,kill-hub,broker-restart,partition,disk-full,clock-jump] [--edges 2] [--min-each 1]"
                    + " [--longest-partition 20s]");
            System.exit(2);
            return;
        }
        var unavailable = ChaosHarness.unavailable();
        if (unavailable.isPresent()) {
            System.err.println("gatehouse chaos: cannot run here: " + unavailable.get());
            System.exit(3);
            return;
        }
        ChaosHarness.Totals totals = ChaosHarness.run(
                new ChaosHarness.Options(duration, seed, faults, minEach, edges, longestPartition), System.out);
        boolean clean = totals.lost() == 0
                && totals.duplicated() == 0
                && totals.storedDifferently() == 0
                && totals.wrongGrants() == 0
                && totals.wrongRefusals() == 0
                && totals.unsafeDoors() == 0
                && totals.notRecovered() == 0;
        System.out.println(clean ? "chaos: clean (seed " + seed + ")" : "chaos: FAILED (seed " + seed + ")");
        System.exit(clean ? 0 : 1);
    }

    /** {@code 90s}, {@code 10m}, {@code 1h}. */
    static Duration duration(String text) {
        if (!text.matches("[0-9]{1,6}[smh]")) {
            throw new IllegalArgumentException("a duration is a number and s, m or h (90s, 10m), not '" + text + "'");
        }
        long amount = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
