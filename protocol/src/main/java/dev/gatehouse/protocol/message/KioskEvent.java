package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A sign-in or check-in at a kiosk served by the edge, recorded in the edge's outbox before the kiosk
 * says welcome and delivered to the hub exactly once like every event. The envelope id is made at the
 * edge; the envelope time is when the kiosk recorded it. {@code offline} says the edge could not reach
 * the hub at that moment (the hub then learns of it on reconnect). Sent only to a hub whose {@code
 * hub.time} says it reads {@link #FEATURE}; until then kiosk events wait in the outbox.
 *
 * <p>A visitor's sign-in may carry the {@code signature} of the site's visitor agreement made with it
 * and the id of the Wi-Fi {@code voucher} handed out with it (never its code). Both are optional and
 * sent only to a hub that says it reads {@link #SIGNATURES_FEATURE}; a sign-in carrying either waits
 * in the outbox until then (an older hub refuses the fields).
 */
public record KioskEvent(
        String site,
        String kiosk,
        KioskEventKind kind,
        Optional<PassId> pass,
        Optional<MemberId> member,
        Optional<MemberId> host,
        Optional<String> name,
        Optional<String> email,
        Optional<KioskSignature> signature,
        Optional<String> voucher,
        boolean offline)
        implements Message {
    /** Edges reporting this send {@code event.kiosk}; a hub reading it says so in {@code hub.time}'s {@code reads}. */
    public static final String FEATURE = "kiosk-events";

    /**
     * Edges reporting this may send a sign-in's {@code signature} and {@code voucher}; a hub reading them
     * says so in {@code hub.time}'s {@code reads}.
     */
    public static final String SIGNATURES_FEATURE = "kiosk-signatures";

    /** The longest visitor name and e-mail address. */
    public static final int MAX_NAME = 100;

    public static final int MAX_EMAIL = 254;

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    public KioskEvent {
        Ids.require(site, "kiosk event site");
        Ids.require(kiosk, "kiosk event kiosk");
        Checks.present(kind, "kiosk event kind");
        Checks.present(pass, "kiosk event pass");
        Checks.present(member, "kiosk event member");
        Checks.present(host, "kiosk event host");
        Checks.present(name, "kiosk event name");
        Checks.present(email, "kiosk event email");
        Checks.present(signature, "kiosk event signature");
        Checks.present(voucher, "kiosk event voucher");
        voucher.ifPresent(value -> Ids.require(value, "kiosk event voucher"));
        if (kind == KioskEventKind.MEMBER_CHECKED_IN && (signature.isPresent() || voucher.isPresent())) {
            throw Checks.bad("a member-checked-in kiosk event carries no signature and no voucher");
        }
        name.ifPresent(value -> {
            Checks.text(value, MAX_NAME, "kiosk event name");
            if (value.isBlank()) {
                throw Checks.bad("kiosk event name is blank");
            }
        });
        email.ifPresent(value -> {
            Checks.text(value, MAX_EMAIL, "kiosk event email");
            if (!EMAIL.matcher(value).matches()) {
                throw Checks.bad("kiosk event email '" + Ids.printable(value) + "' is not an e-mail address");
            }
        });
        switch (kind) {
            case VISITOR_SIGNED_IN -> {
                if (pass.isEmpty() || member.isPresent() || name.isPresent() || email.isPresent()) {
                    throw Checks.bad("a visitor-signed-in kiosk event names the pass (and its host), nothing else");
                }
            }
            case WALK_IN_SIGNED_IN -> {
                if (host.isEmpty() || name.isEmpty() || pass.isPresent() || member.isPresent()) {
                    throw Checks.bad(
                            "a walk-in-signed-in kiosk event names the host and the visitor's name (and an e-mail),"
                                    + " no pass and no member");
                }
            }
            case MEMBER_CHECKED_IN -> {
                if (member.isEmpty() || pass.isPresent() || host.isPresent() || name.isPresent() || email.isPresent()) {
                    throw Checks.bad("a member-checked-in kiosk event names the member, nothing else");
                }
            }
        }
    }

    /** A visitor signed in with pass {@code pass}, whose host (if the pass has one) is {@code host}. */
    public static KioskEvent visitor(String site, String kiosk, PassId pass, Optional<MemberId> host, boolean offline) {
        return new KioskEvent(
                site,
                kiosk,
                KioskEventKind.VISITOR_SIGNED_IN,
                Optional.of(pass),
                Optional.empty(),
                host,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                offline);
    }

    /** A walk-in named {@code name} who chose {@code host}. */
    public static KioskEvent walkIn(
            String site, String kiosk, MemberId host, String name, Optional<String> email, boolean offline) {
        return new KioskEvent(
                site,
                kiosk,
                KioskEventKind.WALK_IN_SIGNED_IN,
                Optional.empty(),
                Optional.empty(),
                Optional.of(host),
                Optional.of(name),
                email,
                Optional.empty(),
                Optional.empty(),
                offline);
    }

    /** A member's check-in at the kiosk's reader. */
    public static KioskEvent member(String site, String kiosk, MemberId member, boolean offline) {
        return new KioskEvent(
                site,
                kiosk,
                KioskEventKind.MEMBER_CHECKED_IN,
                Optional.empty(),
                Optional.of(member),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                offline);
    }

    /** This sign-in with the agreement's {@code signature} made with it and the Wi-Fi {@code voucher} handed out. */
    public KioskEvent with(Optional<KioskSignature> signature, Optional<String> voucher) {
        return new KioskEvent(site, kiosk, kind, pass, member, host, name, email, signature, voucher, offline);
    }

    /** Whether it carries what only a hub reading {@link #SIGNATURES_FEATURE} reads. */
    public boolean carriesSupplies() {
        return signature.isPresent() || voucher.isPresent();
    }

    @Override
    public MessageType type() {
        return MessageType.KIOSK_EVENT;
    }
}
