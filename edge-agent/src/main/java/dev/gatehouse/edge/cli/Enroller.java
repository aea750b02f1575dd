package dev.gatehouse.edge.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.edge.config.TrustedCas;
import dev.gatehouse.protocol.enroll.Enrollment;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code gatehouse-edge enroll HUB CODE [DIR]}: the device makes its own P-256 key pair, sends the
 * public key with the one-time code to the hub ({@code POST HUB/api/v1/enroll}, see {@link
 * Enrollment}), and writes what the hub answers — the same bundle as {@code provision} — plus its
 * private key ({@code device-key.json}, 0600) into DIR. Nothing is written unless the hub accepted
 * the code. HUB may also be the text of the console's enrollment QR code ({@code
 * gatehouse-enroll:HUB#CODE}), with no CODE then.
 *
 * <p>The answer carries the device's MQTT password and the tenant's card key, so plain {@code
 * http://} is refused unless the hub is on this machine or {@code --allow-http} says the network is
 * trusted. A hub whose certificate comes from a private CA is trusted through {@code --ca-file}, which
 * the written config keeps as {@code hub.ca-file} for the broker.
 */
public final class Enroller {
    public static final String QR_PREFIX = "gatehouse-enroll:";
    public static final String KEY_FILE = "device-key.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");
    private static final String ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789";

    private final HttpClient http;
    private final Optional<TrustedCas> cas;

    /** An enroller that trusts the JVM's public CAs. */
    public Enroller() {
        this(Optional.empty());
    }

    /**
     * An enroller that trusts exactly the CAs of {@code cas} for an https hub, when present (see {@link
     * TrustedCas}; the written config then names them in {@code hub.ca-file}), else the JVM's.
     */
    public Enroller(Optional<TrustedCas> cas) {
        HttpClient.Builder http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        cas.ifPresent(trusted -> http.sslContext(trusted.sslContext()));
        this.http = http.build();
        this.cas = cas;
    }

    /** The hub and the code a technician gave: either both, or the QR code's text alone. */
    public record Target(URI hub, String code) {}

    /** Why enrollment did not happen, in words for the technician. */
    public static final class EnrollException extends RuntimeException {
        EnrollException(String message) {
            super(message);
        }
    }

    /** Reads {@code HUB CODE} or {@code gatehouse-enroll:HUB#CODE}; checks the URL and the code's form. */
    public static Target target(String first, String codeOrNull, boolean allowHttp) {
        String hubText = first;
        String code = codeOrNull;
        if (first.startsWith(QR_PREFIX)) {
            int hash = first.lastIndexOf('#');
            if (hash < 0 || codeOrNull != null) {
                throw new EnrollException("the enrollment QR text is " + QR_PREFIX + "HUB#CODE, with no code after it");
            }
            hubText = first.substring(QR_PREFIX.length(), hash);
            code = first.substring(hash + 1);
        }
        if (code == null) {
            throw new EnrollException("give the code too: gatehouse-edge enroll " + first + " CODE");
        }
        String normal;
        try {
            normal = Enrollment.normalize(code);
        } catch (RuntimeException e) {
            throw new EnrollException(e.getMessage());
        }
        URI hub;
        try {
            hub = new URI(hubText.replaceAll("/+$", ""));
        } catch (URISyntaxException e) {
            throw new EnrollException("'" + hubText + "' is not the hub's URL (such as https://hub.example.org)");
        }
        String scheme = hub.getScheme() == null ? "" : hub.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || hub.getHost() == null) {
            throw new EnrollException("'" + hubText + "' is not the hub's URL: give it as https://HOST[:PORT]");
        }
        if (hub.getRawPath() != null && !hub.getRawPath().isEmpty() || hub.getRawQuery() != null) {
            throw new EnrollException("give the hub's URL without a path: " + scheme + "://" + hub.getRawAuthority());
        }
        if (scheme.equals("http") && !allowHttp && !LOOPBACK.contains(hub.getHost())) {
            throw new EnrollException("the hub's answer holds this device's password and the site's card key, and "
                    + hubText + " is plain HTTP: use the hub's https:// URL, or add --allow-http if this network"
                    + " is trusted");
        }
        return new Target(hub, normal);
    }

    /** What enrollment wrote. */
    public record Enrolled(Provisioning.Bundle bundle, Provisioning.Written written, Path keyFile) {}

    /**
     * Enrolls at the target and writes the files into {@code dir} ({@code dataDir} goes into a new
     * gatehouse.yaml); throws {@link EnrollException} with the hub's reason when it refuses.
     */
    public Enrolled enroll(Target target, Path dir, String dataDir, String agentVersion) throws IOException {
        ECKey key = SigningKeys.generate("edge-" + randomId());
        String body = Enrollment.request(target.code(), key, agentVersion);
        HttpRequest request = HttpRequest.newBuilder(target.hub().resolve("/api/v1/enroll"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpTimeoutException e) {
            throw new EnrollException("cannot reach the hub at " + target.hub() + " ("
                    + e.getClass().getSimpleName() + "): check the URL, this Pi's network and its DNS, then try again");
        } catch (IOException e) {
            // A certificate this Pi does not trust (a private CA), or one for another name: say what fixes it.
            Optional<String> advice =
                    TrustedCas.advice(e, target.hub().toString(), cas.map(TrustedCas::file), "--ca-file");
            if (advice.isPresent()) {
                throw new EnrollException(advice.get());
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnrollException("interrupted");
        }
        if (response.statusCode() != 201) {
            throw new EnrollException(
                    "the hub refused the code (HTTP " + response.statusCode() + "): " + detail(response.body()));
        }
        Provisioning.Bundle bundle;
        try {
            bundle = Provisioning.parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new EnrollException("the hub's answer is not a device bundle (" + e.getMessage() + "); is "
                    + target.hub() + " a Gatehouse hub?");
        }
        Provisioning.Written written = Provisioning.write(bundle, dir, dataDir, cas);
        Path keyFile = SecretFiles.writeOwnerOnly(dir.resolve(KEY_FILE), key.toJSONString() + "\n");
        return new Enrolled(bundle, written, keyFile);
    }

    private static String detail(String body) {
        try {
            JsonNode problem = JSON.readTree(body);
            if (problem != null && problem.hasNonNull("detail")) {
                return problem.get("detail").asText();
            }
        } catch (JacksonException e) {
            // not a problem document
        }
        String text = body == null ? "" : body.strip();
        return text.isEmpty() ? "no reason given" : text.substring(0, Math.min(200, text.length()));
    }

    private static String randomId() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
        }
        return id.toString();
    }
}
