package dev.gatehouse.edge.console;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.config.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The technician console's password: kept only as an Argon2id hash (password4j, the PHC string with
 * its parameters, as the hub keeps operators' passwords) in an owner-only (0600) file next to the
 * config, written by {@code gatehouse-edge console-password}. The console reads the file at each
 * sign-in, so a new password takes effect without a restart.
 */
public final class ConsolePassword {
    /** Shortest password accepted: a console that pulses relays deserves what the hub asks of operators. */
    public static final int MIN_LENGTH = 12;

    public static final int MAX_LENGTH = 256;

    // OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane (about 100 ms on a Pi's core).
    private static final Argon2Function ARGON2 = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);

    private ConsolePassword() {}

    /** What is wrong with a new password, in words; empty when it is acceptable. */
    public static Optional<String> problem(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return Optional.of("the console password must be at least " + MIN_LENGTH + " characters");
        }
        if (password.length() > MAX_LENGTH) {
            return Optional.of("the console password must be at most " + MAX_LENGTH + " characters");
        }
        if (password.isBlank()) {
            return Optional.of("the console password must not be only spaces");
        }
        return Optional.empty();
    }

    /** Hashes {@code password} and writes the hash to {@code file}, owner-only, replacing it atomically. */
    public static void write(Path file, String password) throws IOException {
        Optional<String> problem = problem(password);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        SecretFiles.writeOwnerOnly(file, hash(password) + "\n");
    }

    static String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
    }

    /**
     * The stored hash; empty when no password was set yet. A file that others may read, or that holds
     * no Argon2id hash, is a {@link ConfigException} naming {@code local-console.password-file}.
     */
    static Optional<String> stored(Path file) {
        String text;
        try {
            text = Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ConfigException("local-console.password-file", "cannot read " + file + ": " + e.getMessage(), e);
        }
        SecretFiles.requireOwnerOnly(file, "local-console.password-file");
        if (!text.startsWith("$argon2id$")) {
            throw new ConfigException(
                    "local-console.password-file",
                    file + " holds no Argon2id hash: set the password with gatehouse-edge console-password");
        }
        return Optional.of(text);
    }

    /** Whether {@code password} matches {@code storedHash}. */
    static boolean matches(String password, String storedHash) {
        if (password.length() > MAX_LENGTH) {
            return false;
        }
        return Password.check(password, storedHash).with(ARGON2);
    }
}
