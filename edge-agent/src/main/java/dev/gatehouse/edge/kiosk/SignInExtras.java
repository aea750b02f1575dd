package dev.gatehouse.edge.kiosk;

import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.edge.cache.Kiosks;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.KioskSignature;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a visitor's sign-in adds beyond the event (issue 17): the site's visitor agreement, signed
 * before the sign-in is recorded, and a Wi-Fi voucher from this edge's slice of the site's pool,
 * handed out with it. Both come from the hub through sync ({@code agreement}, {@code wifi-voucher}), so
 * both work offline.
 *
 * <p>Who must sign: when the site has an agreement in force, every walk-in (the kiosk cannot tell a
 * returning walk-in from a new one), and a pre-registered visitor unless their pass signed that very
 * version at this edge before ({@code agreement_signed}, recorded with the sign-in). A new version is
 * a new (id, version), so everyone signs again. The text the visitor reads is the published version
 * rendered with {@code visitorName} (the name they sign with), {@code hostName}, {@code siteName} and
 * {@code date} (site-local); the signature keeps the version's hash and the rendered text's hash.
 */
final class SignInExtras {
    /** The host's name in the text when the kiosk does not know it (a pass without a host, a name not synced). */
    static final String SOME_HOST = "your host";

    private static final DateTimeFormatter UNTIL = DateTimeFormatter.ofPattern("HH:mm, d MMM yyyy", Locale.ROOT);

    /** Who is signing in. {@code pass} present: a pre-registered visitor; else a walk-in named {@code name}. */
    record Visitor(String kiosk, Optional<PassId> pass, Optional<String> name, Optional<MemberId> host) {}

    /** The agreement a visitor must sign, with the values it is shown with (all but the signer's name). */
    record ToSign(Agreement agreement, Map<String, String> values) {
        ToSign {
            values = Map.copyOf(values);
        }

        /** The variables the text is rendered with when {@code signer} signs it. */
        Map<String, String> variables(String signer) {
            Map<String, String> variables = new LinkedHashMap<>(values);
            variables.put("visitorName", signer);
            return variables;
        }

        /** The text {@code signer} reads and signs. */
        String text(String signer) {
            return agreement.render(variables(signer));
        }

        /** The signature of this text by {@code signer}. */
        KioskSignature signature(String signer) {
            return new KioskSignature(
                    agreement.id(),
                    agreement.version(),
                    agreement.sha256(),
                    Agreement.renderedSha256(text(signer)),
                    signer,
                    variables(signer));
        }
    }

    /** A sign-in as committed: its event, and the voucher handed out with it if the slice had one. */
    record Written(Envelope event, Optional<WifiVoucher> voucher) {}

    private final EdgeCache cache;
    private final Kiosks kiosks;
    private final String device;
    private final ZoneId zone;
    private final Optional<String> network;

    SignInExtras(EdgeCache cache, String device, ZoneId zone, Optional<String> network) {
        this.cache = cache;
        this.kiosks = cache.kiosks();
        this.device = device;
        this.zone = zone;
        this.network = network;
    }

    /**
     * The agreement {@code visitor} must sign before the sign-in is recorded, at {@code now}: empty when
     * the site has none, or when the visitor's pass signed this version here before.
     */
    Optional<ToSign> agreementToSign(Visitor visitor, Instant now) {
        Optional<Agreement> current = cache.agreement();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Agreement agreement = current.get();
        if (visitor.pass().isPresent() && cache.passSigned(visitor.pass().get(), agreement.id(), agreement.version())) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("hostName", visitor.host().flatMap(kiosks::displayName).orElse(SOME_HOST));
        values.put("siteName", agreement.siteName());
        values.put("date", now.atZone(zone).toLocalDate().toString());
        return Optional.of(new ToSign(agreement, values));
    }

    /**
     * Writes sign-in {@code base} at {@code at} in the caller's transaction: a voucher taken for it from
     * this edge's slice (if any is left), the pass's signature remembered, and the event naming both
     * appended to the outbox. All of it commits with the caller's other writes, or none of it does.
     */
    Written write(EdgeCache.Transaction tx, KioskEvent base, Optional<KioskSignature> signature, Instant at) {
        String id = EventIds.next(at);
        Optional<WifiVoucher> voucher = tx.takeVoucher(device, id, at);
        KioskEvent event = base.with(signature, voucher.map(WifiVoucher::id));
        if (signature.isPresent() && base.pass().isPresent()) {
            tx.recordPassSigned(
                    base.pass().get(),
                    signature.get().agreement(),
                    signature.get().version(),
                    id);
        }
        Envelope envelope = new Envelope(id, at, event);
        tx.append(envelope);
        return new Written(envelope, voucher);
    }

    /** What the welcome screen shows of a voucher handed out at {@code at}: network, code and when it ends. */
    KioskViews.Voucher view(WifiVoucher voucher, Instant at) {
        Instant until =
                voucher.expiresAt().orElseGet(() -> at.plus(voucher.validFor().orElseThrow()));
        return new KioskViews.Voucher(network.orElse(""), voucher.code(), UNTIL.format(until.atZone(zone)));
    }
}
