package dev.gatehouse.hub.accounts;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code hub.mail.*} settings: how the hub sends invitations, reset and sign-in links. A wrong
 * combination fails at start ({@link IllegalArgumentException} naming the key).
 *
 * @param mode {@code off} (nothing can be sent), {@code folder} ({@code .eml} files, the default) or {@code smtp}
 * @param folder where {@code folder} mode writes
 * @param from the sender address of every mail
 * @param smtpHost the SMTP server (required in {@code smtp} mode)
 * @param smtpUsername the account on it, with {@code smtpPasswordFile} holding its password
 * @param starttls upgrade to TLS with STARTTLS (required when on)
 */
public record MailSettings(
        Mode mode,
        Path folder,
        String from,
        Optional<String> smtpHost,
        int smtpPort,
        Optional<String> smtpUsername,
        Optional<Path> smtpPasswordFile,
        boolean starttls) {
    /** How long an SMTP connection, read or write may take before sending fails. */
    public static final Duration SMTP_TIMEOUT = Duration.ofSeconds(20);

    /** Where mail goes. */
    public enum Mode {
        OFF,
        FOLDER,
        SMTP
    }

    public MailSettings {
        try {
            new InternetAddress(from, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException(
                    "hub.mail.from '" + from + "' is not an e-mail address such as gatehouse@example.com");
        }
        if (smtpPort < 1 || smtpPort > 65535) {
            throw new IllegalArgumentException(
                    "hub.mail.smtp.port is " + smtpPort + "; use 1 to 65535 (587: submission)");
        }
        if (mode == Mode.SMTP && smtpHost.isEmpty()) {
            throw new IllegalArgumentException(
                    "hub.mail.smtp.host is empty but hub.mail.mode is smtp; name the mail server, e.g. smtp.example.com");
        }
        if (smtpUsername.isPresent() && smtpPasswordFile.isEmpty()) {
            throw new IllegalArgumentException(
                    "hub.mail.smtp.password-file is empty but hub.mail.smtp.username is set; name the file holding its password");
        }
        if (smtpPasswordFile.isPresent() && smtpUsername.isEmpty()) {
            throw new IllegalArgumentException(
                    "hub.mail.smtp.username is empty but hub.mail.smtp.password-file is set; name the account");
        }
    }

    /** Mail written as files into {@code folder}, sent from {@code gatehouse@localhost}: tests and first starts. */
    public static MailSettings folder(Path folder) {
        return new MailSettings(
                Mode.FOLDER,
                folder,
                "gatehouse@localhost",
                Optional.empty(),
                587,
                Optional.empty(),
                Optional.empty(),
                true);
    }

    /**
     * The mailer of the mode. In {@code smtp} mode the password file is read now, so a missing file
     * stops the start; in {@code off} mode every send fails saying mail is off.
     */
    public Mailer mailer(Clock clock) {
        return switch (mode) {
            case OFF ->
                mail -> {
                    throw new Mailer.MailException("cannot send '" + mail.subject() + "' to " + mail.to()
                            + ": hub.mail.mode is off; set it to folder or smtp");
                };
            case FOLDER -> new FolderMailer(folder, from, clock);
            case SMTP ->
                new SmtpMailer(
                        smtpHost.orElseThrow(),
                        smtpPort,
                        smtpUsername,
                        smtpPasswordFile.map(MailSettings::readPassword),
                        starttls,
                        from,
                        SMTP_TIMEOUT);
        };
    }

    /** {@link #mailer(Clock)} on the system clock. */
    public Mailer mailer() {
        return mailer(Clock.systemUTC());
    }

    private static String readPassword(Path file) {
        String password;
        try {
            password = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read hub.mail.smtp.password-file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("hub.mail.smtp.password-file " + file.toAbsolutePath()
                    + " is empty; put the SMTP account's password in it");
        }
        return password;
    }
}
