package dev.gatehouse.hub.secrets;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code hub.tls.certificate} and {@code hub.tls.private-key}: the operator's certificate (PEM, the
 * server's certificate first, then any intermediates) and its private key (PEM, PKCS#8, owner-only).
 * Both or neither: with both, the console and API are served over HTTPS only and the embedded broker
 * listens for MQTT over TLS only.
 */
public record TlsSettings(Optional<Path> certificate, Optional<Path> privateKey) {
    public TlsSettings {
        if (certificate.isPresent() != privateKey.isPresent()) {
            String given = certificate.isPresent() ? "hub.tls.certificate" : "hub.tls.private-key";
            String missing = certificate.isPresent() ? "hub.tls.private-key" : "hub.tls.certificate";
            throw new IllegalArgumentException(given + " is set but " + missing
                    + " is not: TLS needs both the certificate (PEM) and its private key (PEM, PKCS#8, chmod 600),"
                    + " or neither for plain HTTP and MQTT");
        }
    }

    public static TlsSettings off() {
        return new TlsSettings(Optional.empty(), Optional.empty());
    }

    public static TlsSettings of(Path certificate, Path privateKey) {
        return new TlsSettings(Optional.of(certificate), Optional.of(privateKey));
    }

    public boolean enabled() {
        return certificate.isPresent();
    }

    /** The certificate and key, read and checked; empty when TLS is off. */
    public Optional<TlsIdentity> load() {
        if (!enabled()) {
            return Optional.empty();
        }
        return Optional.of(TlsIdentity.read(certificate.orElseThrow(), privateKey.orElseThrow()));
    }
}
