package dev.gatehouse.hub.secrets;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The hub's TLS identity: its certificate chain and private key, read from PEM files and checked to
 * belong together, for the web server (HTTPS) and the embedded broker (MQTT over TLS).
 */
public record TlsIdentity(PrivateKey privateKey, List<X509Certificate> chain) {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    public TlsIdentity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs a certificate");
        }
    }

    /** Reads and checks {@code hub.tls.certificate} and {@code hub.tls.private-key}. */
    public static TlsIdentity read(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key = privateKey(keyFile);
        requireMatch(key, chain.getFirst(), certificateFile, keyFile);
        return new TlsIdentity(key, chain);
    }

    private static List<X509Certificate> certificates(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SecretException("hub.tls.certificate: " + file.toAbsolutePath() + " does not exist");
        } catch (IOException e) {
            throw new SecretException(
                    "hub.tls.certificate: cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        List<X509Certificate> chain = new ArrayList<>();
        Matcher blocks = BLOCK.matcher(text);
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (blocks.find()) {
                if (blocks.group(1).equals("CERTIFICATE")) {
                    chain.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(Base64.getMimeDecoder().decode(blocks.group(2)))));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new SecretException("hub.tls.certificate: " + file.toAbsolutePath()
                    + " holds a certificate that cannot be read: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new SecretException("hub.tls.certificate: " + file.toAbsolutePath()
                    + " holds no PEM certificate (-----BEGIN CERTIFICATE-----): name the server's certificate,"
                    + " followed by its intermediates (e.g. Let's Encrypt's fullchain.pem)");
        }
        return chain;
    }

    private static PrivateKey privateKey(Path file) {
        String text = new String(SecretFiles.read(file, "hub.tls.private-key"), StandardCharsets.US_ASCII);
        Matcher block = BLOCK.matcher(text);
        if (!block.find()) {
            throw new SecretException("hub.tls.private-key: " + file.toAbsolutePath()
                    + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        String type = block.group(1);
        if (!type.equals("PRIVATE KEY")) {
            throw new SecretException("hub.tls.private-key: " + file.toAbsolutePath() + " holds a '" + type
                    + "' block; the hub reads an unencrypted PKCS#8 key (BEGIN PRIVATE KEY): convert it with"
                    + " 'openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem' (then chmod 600 key.pem)");
        }
        byte[] der = Base64.getMimeDecoder().decode(block.group(2));
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        throw new SecretException("hub.tls.private-key: " + file.toAbsolutePath()
                + " is not an EC, RSA or Ed25519 private key the hub can read");
    }

    private static void requireMatch(PrivateKey key, X509Certificate certificate, Path certificateFile, Path keyFile) {
        String algorithm =
                switch (key.getAlgorithm()) {
                    case "EC" -> "SHA256withECDSA";
                    case "RSA" -> "SHA256withRSA";
                    default -> key.getAlgorithm();
                };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // falls through to the refusal
        }
        throw new SecretException("hub.tls.private-key: " + keyFile.toAbsolutePath()
                + " is not the private key of the certificate in " + certificateFile.toAbsolutePath() + " ("
                + certificate.getSubjectX500Principal().getName() + "): name the key the certificate was issued for");
    }

    /** The identity in a PKCS12 key store (the embedded broker reads its TLS key from one). */
    public void writeKeyStore(Path file, char[] password) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("hub", privateKey, password, chain.toArray(Certificate[]::new));
            Files.deleteIfExists(file);
            SecretFiles.createOwnerOnly(file, "");
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the broker's key store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client context that trusts this certificate and nothing else: how the hub reaches its own
     * embedded broker over TLS, whatever name the certificate was issued for.
     */
    public SSLContext selfTrust() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("hub", chain.getFirst());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the hub's own TLS trust: " + e.getMessage(), e);
        }
    }
}
