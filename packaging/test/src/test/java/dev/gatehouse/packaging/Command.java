package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs a program to its end: its exit code and its stdout and stderr, merged. */
record Command(List<String> argv, Map<String, String> env, Optional<Path> stdin) {
    Command {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    static Command of(String... argv) {
        return new Command(List.of(argv), Map.of(), Optional.empty());
    }

    Command withEnv(Map<String, String> more) {
        var all = new java.util.HashMap<>(env);
        all.putAll(more);
        return new Command(argv, all, stdin);
    }

    Command withStdin(Path file) {
        return new Command(argv, env, Optional.of(file));
    }

    record Result(int exit, String output) {}

    /** Runs it; a program that runs for more than two minutes fails the test. */
    Result run() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().putAll(env);
        stdin.ifPresent(file -> builder.redirectInput(file.toFile()));
        Process process = builder.start();
        if (stdin.isEmpty()) {
            process.getOutputStream().close();
        }
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("%s did not finish in 2 minutes; it said:%n%s", argv, output);
        }
        return new Result(process.exitValue(), output);
    }

    /** Runs it and asserts it exited 0; returns what it said. */
    String succeeds() throws IOException, InterruptedException {
        Result result = run();
        assertThat(result.exit())
                .as("exit code of %s; it said:%n%s", String.join(" ", argv), result.output())
                .isZero();
        return result.output();
    }

    /** The program on PATH, or a failed test that says which Debian package brings it. */
    static Path require(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("%s is missing: the package tests need it (apt-get install %s; Debian always has dpkg)"
                .formatted(program, debianPackage));
    }
}
