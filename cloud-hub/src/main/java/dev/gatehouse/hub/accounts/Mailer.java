package dev.gatehouse.hub.accounts;

/**
 * Sends mail: over SMTP ({@link SmtpMailer}) or into a folder of {@code .eml} files ({@link
 * FolderMailer}, for development and hubs without a mail server), as {@link MailSettings} chooses.
 */
public interface Mailer {
    /** Sends {@code mail} now, or throws {@link MailException} saying why it could not. */
    void send(Mail mail);

    /** A mail that could not be sent, with the reason and what to check. */
    final class MailException extends RuntimeException {
        public MailException(String message, Throwable cause) {
            super(message, cause);
        }

        public MailException(String message) {
            super(message);
        }
    }
}
