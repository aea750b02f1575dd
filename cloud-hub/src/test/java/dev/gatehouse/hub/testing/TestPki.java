package dev.gatehouse.hub.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.secrets.SecretFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway private CA made with the JDK's keytool, as an operator's own CA would be: the CA's
 * certificate ({@code ca.crt}, PEM), a server certificate it signed for the given names ({@code
 * fullchain.pem}: the server's certificate, then the CA's) with its key ({@code server.key},
 * unencrypted PKCS#8, owner-only), and the key of an unrelated pair ({@code other.key}).
 *
 * @param dir where the files are
 * @param caCertificate the CA's certificate, what an edge's {@code hub.ca-file} names
 * @param certificate the server's full chain, for {@code hub.tls.certificate}
 * @param privateKey the server's key, for {@code hub.tls.private-key}
 * @param otherKey a key that is not the certificate's
 */
public record TestPki(Path dir, Path caCertificate, Path certificate, Path privateKey, Path otherKey) {
    private static final String PASSWORD = "changeit";

    /**
     * Makes the CA and a server certificate for {@code subjectAltNames} (keytool's form, e.g. {@code
     * dns:localhost,ip:127.0.0.1}) in {@code dir}; valid two days.
     */
    public static TestPki create(Path dir, String subjectAltNames) throws Exception {
        Files.createDirectories(dir);
        String keyPair = "-genkeypair -keyalg EC -groupname secp256r1 -validity 2 -dname";
        keytool(dir, "ca", keyPair, "CN=Test CA", "-ext", "bc:c");
        keytool(dir, "server", keyPair, "CN=localhost");
        keytool(dir, "other", keyPair, "CN=other");
        keytool(dir, "server", "-certreq -file server.csr");
        keytool(
                dir,
                "ca",
                "-gencert -infile server.csr -outfile server.crt -rfc -validity 2 -ext",
                "SAN=" + subjectAltNames);
        keytool(dir, "ca", "-exportcert -rfc -file ca.crt");
        Path certificate = dir.resolve("fullchain.pem");
        Files.writeString(
                certificate, Files.readString(dir.resolve("server.crt")) + Files.readString(dir.resolve("ca.crt")));
        return new TestPki(
                dir,
                dir.resolve("ca.crt"),
                certificate,
                pem(dir.resolve("server.p12"), "server", dir.resolve("server.key")),
                pem(dir.resolve("other.p12"), "other", dir.resolve("other.key")));
    }

    /** A TLS context for clients that trust this CA and nothing else. */
    public SSLContext trustingCa() throws Exception {
        X509Certificate ca;
        try (InputStream in = Files.newInputStream(caCertificate)) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /**
     * Runs keytool in {@code dir} on {@code alias}'s store ({@code alias.p12}) with {@code words} (split at
     * spaces) and then {@code values} (kept whole: they may hold spaces).
     */
    private static void keytool(Path dir, String alias, String words, String... values)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(words.split(" ")));
        command.addAll(List.of(values));
        command.addAll(List.of("-alias", alias, "-keystore", alias + ".p12", "-storepass", PASSWORD));
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", command, output).isZero();
    }

    /** The key of {@code alias} as a PKCS#8 PEM file, owner-only, as an operator would have it. */
    private static Path pem(Path store, String alias, Path out) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) keys.getKey(alias, PASSWORD.toCharArray());
        String text = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        SecretFiles.createOwnerOnly(out, text);
        return out;
    }
}
