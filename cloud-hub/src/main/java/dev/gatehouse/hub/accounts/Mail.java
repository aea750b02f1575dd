package dev.gatehouse.hub.accounts;

import java.util.List;

/**
 * One e-mail the hub sends (an invitation, a reset link, a member's sign-in link, a visitor's pass):
 * a plain-text body every client can show, an optional HTML body, and attachments such as a QR code.
 *
 * @param to the recipient's address
 * @param html the HTML alternative of {@code text}, or null for a text-only mail
 */
public record Mail(String to, String subject, String text, String html, List<Attachment> attachments) {
    public Mail {
        if (to == null || to.isBlank()) {
            throw new IllegalArgumentException("a mail needs a recipient");
        }
        if (subject == null || subject.isBlank() || subject.contains("\r") || subject.contains("\n")) {
            throw new IllegalArgumentException("a mail needs a subject on one line");
        }
        if (text == null) {
            throw new IllegalArgumentException("a mail needs a text body");
        }
        attachments = List.copyOf(attachments);
    }

    /** A text-only mail without attachments. */
    public Mail(String to, String subject, String text) {
        this(to, subject, text, null, List.of());
    }

    /** A file sent with a mail. */
    public record Attachment(String fileName, String contentType, byte[] bytes) {
        public Attachment {
            if (fileName == null || fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")) {
                throw new IllegalArgumentException("an attachment needs a file name without a folder, not " + fileName);
            }
            if (contentType == null || !contentType.matches("[a-z0-9.+-]+/[a-z0-9.+-]+")) {
                throw new IllegalArgumentException(
                        "an attachment needs a content type such as image/png, not " + contentType);
            }
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }
}
