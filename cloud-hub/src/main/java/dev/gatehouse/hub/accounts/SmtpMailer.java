package dev.gatehouse.hub.accounts;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import java.util.Properties;

/**
 * Sends mail through an SMTP server (Jakarta Mail, Eclipse Angus): the provider's submission port
 * with STARTTLS and an account, or a local relay without. Each mail opens its own connection, which
 * is plenty for invitations and sign-in links; a connection or read that hangs fails after {@code
 * timeout}.
 */
public final class SmtpMailer implements Mailer {
    private static final String UTF_8 = StandardCharsets.UTF_8.name();

    private final String host;
    private final int port;
    private final Optional<String> username;
    private final Optional<String> password;
    private final String from;
    private final Session session;

    /**
     * @param username and {@code password}: the account on the server, both present or both empty
     * @param starttls upgrade the connection with STARTTLS, and refuse a server that cannot
     */
    public SmtpMailer(
            String host,
            int port,
            Optional<String> username,
            Optional<String> password,
            boolean starttls,
            String from,
            Duration timeout) {
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("an SMTP account needs both a user name and a password");
        }
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.from = from;
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.host", host);
        properties.setProperty("mail.smtp.port", Integer.toString(port));
        properties.setProperty("mail.smtp.auth", Boolean.toString(username.isPresent()));
        properties.setProperty("mail.smtp.starttls.enable", Boolean.toString(starttls));
        properties.setProperty("mail.smtp.starttls.required", Boolean.toString(starttls));
        String millis = Long.toString(timeout.toMillis());
        properties.setProperty("mail.smtp.connectiontimeout", millis);
        properties.setProperty("mail.smtp.timeout", millis);
        properties.setProperty("mail.smtp.writetimeout", millis);
        this.session = Session.getInstance(properties);
    }

    @Override
    public void send(Mail mail) {
        try {
            MimeMessage message = message(session, from, mail);
            if (username.isPresent()) {
                Transport.send(message, username.get(), password.orElseThrow());
            } else {
                Transport.send(message);
            }
        } catch (MessagingException e) {
            throw new MailException(
                    "cannot send '" + mail.subject() + "' to " + mail.to() + " through the SMTP server " + host + ":"
                            + port + " (hub.mail.smtp.*): " + e.getMessage(),
                    e);
        }
    }

    /**
     * The mail as a MIME message, the one builder for every mailer: text alone, or text and HTML as
     * {@code multipart/alternative}; with attachments, that body and each file in a {@code
     * multipart/mixed}. Subject and bodies are UTF-8.
     */
    static MimeMessage message(Session session, String from, Mail mail) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from, true));
        message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(mail.to(), true));
        message.setSubject(mail.subject(), UTF_8);
        message.setSentDate(new Date());
        if (mail.attachments().isEmpty()) {
            body(message, mail);
        } else {
            MimeMultipart mixed = new MimeMultipart("mixed");
            MimeBodyPart body = new MimeBodyPart();
            body(body, mail);
            mixed.addBodyPart(body);
            for (Mail.Attachment attachment : mail.attachments()) {
                MimeBodyPart part = new MimeBodyPart();
                part.setDataHandler(
                        new DataHandler(new ByteArrayDataSource(attachment.bytes(), attachment.contentType())));
                part.setFileName(attachment.fileName());
                part.setDisposition(MimeBodyPart.ATTACHMENT);
                mixed.addBodyPart(part);
            }
            message.setContent(mixed);
        }
        message.saveChanges();
        return message;
    }

    private static void body(jakarta.mail.internet.MimePart part, Mail mail) throws MessagingException {
        if (mail.html() == null) {
            part.setText(mail.text(), UTF_8);
            return;
        }
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(mail.text(), UTF_8);
        alternative.addBodyPart(text);
        MimeBodyPart html = new MimeBodyPart();
        html.setText(mail.html(), UTF_8, "html");
        alternative.addBodyPart(html);
        part.setContent(alternative);
    }

    @Override
    public String toString() {
        return "SMTP " + host + ":" + port + username.map(u -> " as " + u).orElse("");
    }
}
