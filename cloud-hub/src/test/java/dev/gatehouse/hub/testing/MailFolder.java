package dev.gatehouse.hub.testing;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads the mails a hub wrote into its mail folder (the demo's and the tests' mail transport). */
public final class MailFolder {
    private MailFolder() {}

    /** The one-time link under {@code path} in the newest mail to {@code to} in {@code folder}. */
    public static String linkMailedTo(Path folder, String to, String path) throws Exception {
        List<Path> mails;
        try (Stream<Path> files = Files.list(folder)) {
            mails = files.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path mail : mails) {
            try (InputStream in = Files.newInputStream(mail)) {
                MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), in);
                if (message.getAllRecipients()[0].toString().equals(to)) {
                    Matcher link = Pattern.compile("http://[^\\s]+" + Pattern.quote(path) + "[A-Za-z0-9_-]{43}")
                            .matcher(text(message));
                    assertThat(link.find()).as("a link in the mail to " + to).isTrue();
                    return link.group();
                }
            }
        }
        throw new AssertionError("no mail to " + to + " in " + folder);
    }

    /** The text of a mail: its body, or its parts' first alternatives one after the other. */
    public static String text(MimeMessage message) throws Exception {
        Object content = message.getContent();
        if (content instanceof String text) {
            return text;
        }
        var multipart = (Multipart) content;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < multipart.getCount(); i++) {
            Object part = multipart.getBodyPart(i).getContent();
            text.append(part instanceof Multipart inner ? inner.getBodyPart(0).getContent() : part);
        }
        return text.toString();
    }
}
