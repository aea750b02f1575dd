package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A long-running program (the agent, the hub) whose output is read line by line as it comes. */
final class Background implements AutoCloseable {
    private static final String END = "\u0000end";

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer said = new StringBuffer();

    private Background(Process process) {
        this.process = process;
        Thread reader = new Thread(this::pump, "output of " + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static Background start(List<String> argv, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        return new Background(process);
    }

    private void pump() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                said.append(line).append('\n');
                lines.add(line);
            }
        } catch (IOException e) {
            said.append("(reading its output failed: ").append(e).append(")\n");
        } finally {
            lines.add(END);
        }
    }

    /** Waits for a line matching {@code pattern}; fails with everything the program said if none comes. */
    Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null || line.equals(END)) {
                String why = line == null ? "within " + timeout : "before it ended";
                return fail("no line matching /%s/ %s; it said:%n%s", pattern, why, said);
            }
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return matcher;
            }
        }
    }

    /** SIGTERM, as systemd stops a service; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("did not stop within 60 s of SIGTERM; it said:%n%s", said);
        }
        return process.exitValue();
    }

    /** The program the process runs now: after the launcher's {@code exec}, java itself. */
    String command() {
        return process.info().command().orElse("");
    }

    String said() {
        return said.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
