package dev.gatehouse.hub.accounts;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * "Sends" mail by writing each one as an RFC 822 {@code .eml} file (any mail client opens it) into
 * a folder: for development, tests and hubs with no mail server, where the operator forwards the
 * links by hand. The mails hold sign-in links, so the folder is owner-only (0700) and each file 0600
 * from its first byte. File names start with the UTC time, so a listing sorts oldest first.
 */
public final class FolderMailer implements Mailer {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Set<PosixFilePermission> OWNER_FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path folder;
    private final String from;
    private final Clock clock;
    private final Session session = Session.getInstance(new Properties());

    public FolderMailer(Path folder, String from, Clock clock) {
        this.folder = folder;
        this.from = from;
        this.clock = clock;
    }

    public Path folder() {
        return folder;
    }

    @Override
    public void send(Mail mail) {
        try {
            MimeMessage message = SmtpMailer.message(session, from, mail);
            ownerOnlyFolder();
            String name = STAMP.format(clock.instant()) + "-"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            Path temp = folder.resolve("." + name + ".tmp");
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_FILE));
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING)) {
                message.writeTo(out);
            }
            Files.move(temp, folder.resolve(name + ".eml"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | MessagingException e) {
            throw new MailException(
                    "cannot write '" + mail.subject() + "' to " + mail.to() + " into the mail folder "
                            + folder.toAbsolutePath() + " (hub.mail.folder): " + e.getMessage(),
                    e);
        }
    }

    private void ownerOnlyFolder() throws IOException {
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder.toAbsolutePath().getParent());
            try {
                Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(OWNER_FOLDER));
            } catch (FileAlreadyExistsException e) {
                // another thread made it a moment ago; the permissions are set below either way
            }
        }
        Files.setPosixFilePermissions(folder, OWNER_FOLDER);
    }

    @Override
    public String toString() {
        return "mail folder " + folder.toAbsolutePath();
    }
}
