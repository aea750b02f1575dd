package dev.gatehouse.hub.testing;

import dev.gatehouse.hub.accounts.MailSettings;
import java.nio.file.Path;
import java.util.Optional;

/** The hub's mail settings for a test's in-process SMTP server (GreenMail) on {@code port}: no login, no TLS. */
public final class SmtpSettings {
    private SmtpSettings() {}

    public static MailSettings local(int port, String from, Path folder) {
        return new MailSettings(
                MailSettings.Mode.SMTP,
                folder,
                from,
                Optional.of("127.0.0.1"),
                port,
                Optional.empty(),
                Optional.empty(),
                false);
    }
}
