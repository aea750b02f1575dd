package dev.gatehouse.edge.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CA certificates of a hub whose certificate comes from the operator's own (private) CA, read from
 * {@code hub.ca-file} or {@code gatehouse-edge enroll --ca-file}: a PEM file with one or more
 * certificates. With it the agent trusts exactly these certificates, <em>instead of</em> the JVM's
 * public CAs, for the hub's broker ({@code ssl://}) and its https enrollment; to trust a public CA as
 * well, put that CA's certificate in the file too. Host names are verified as always: the hub's
 * certificate must name the host of the URL.
 */
public final class TrustedCas {
    private static final Pattern CERTIFICATE =
            Pattern.compile("-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*?)-----END CERTIFICATE-----");

    private final Path file;
    private final List<X509Certificate> certificates;

    private TrustedCas(Path file, List<X509Certificate> certificates) {
        this.file = file;
        this.certificates = List.copyOf(certificates);
    }

    /**
     * Reads {@code file}; a missing, unreadable or empty file, one without a PEM certificate, a damaged
     * certificate or a private key in it is a {@link ConfigException} naming {@code key} (the config key
     * or the command's option) and what to do.
     */
    public static TrustedCas read(Path file, String key) {
        String text;
        try {
            // Latin-1 reads any bytes: a DER or binary file is then refused for what it is, not as unreadable.
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new ConfigException(
                    key,
                    file + " does not exist: copy the certificate of the CA that signed the hub's certificate there"
                            + " (PEM, -----BEGIN CERTIFICATE-----), or leave " + key
                            + " out to trust the public CAs the JVM knows");
        } catch (IOException e) {
            throw new ConfigException(
                    key,
                    "cannot read " + file + " (" + e.getMessage() + "): it must be a file the agent's user can"
                            + " read, e.g. chmod 644 " + file,
                    e);
        }
        if (text.contains("PRIVATE KEY-----")) {
            throw new ConfigException(
                    key,
                    file + " holds a private key: give only the CA's certificate (a CA's key never belongs on a"
                            + " door controller)");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher block = CERTIFICATE.matcher(text);
        while (block.find()) {
            try {
                byte[] der = Base64.getMimeDecoder().decode(block.group(1));
                certificates.add((X509Certificate)
                        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)));
            } catch (IllegalArgumentException | CertificateException e) {
                throw new ConfigException(
                        key,
                        "certificate " + (certificates.size() + 1) + " in " + file + " is damaged (" + e.getMessage()
                                + "): copy the CA's certificate again",
                        e);
            }
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(
                    key,
                    file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA's certificate;"
                            + " a DER file converts with openssl x509 -inform der -in ca.der -out ca.pem");
        }
        return new TrustedCas(file, certificates);
    }

    public Path file() {
        return file;
    }

    public List<X509Certificate> certificates() {
        return certificates;
    }

    /** A TLS context that trusts these certificates and nothing else (no client certificate). */
    public SSLContext sslContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                trust.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JVM cannot make a TLS context: " + e, e);
        }
    }

    /**
     * What a technician should do when a TLS connection to {@code url} failed because the hub's
     * certificate is not trusted or does not name the host; empty for any other failure. {@code caFile}
     * is the CA file in use, if any, and {@code key} where it is set ({@code hub.ca-file}, {@code
     * --ca-file}). Short, the key first: it is also a line of the device's state (at most 200 characters).
     */
    public static Optional<String> advice(Throwable failure, String url, Optional<Path> caFile, String key) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (cause instanceof CertPathBuilderException
                    || cause instanceof CertPathValidatorException
                    || message.contains("PKIX path")) {
                return Optional.of(caFile.map(file -> "untrusted certificate at " + url + ": no CA in " + key + " ("
                                + file + ") signed it; put the CA that did in that file")
                        .orElse("untrusted certificate at " + url + ": if the hub's CA is private, set " + key
                                + " to its certificate (PEM)"));
            }
            if (cause instanceof CertificateException
                    && message.toLowerCase(Locale.ROOT).contains("matching")) {
                return Optional.of("certificate at " + url + " does not name "
                        + URI.create(url).getHost() + ": use the host name on the hub's certificate");
            }
        }
        return Optional.empty();
    }
}
