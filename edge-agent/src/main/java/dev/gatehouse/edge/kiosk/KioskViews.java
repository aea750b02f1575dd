package dev.gatehouse.edge.kiosk;

import java.util.List;

/**
 * What the kiosk's templates show (src/main/jte/kiosk): plain values, already worded for a visitor.
 * Nothing here is a secret: never a PIN, a token or a member's contact details.
 */
public final class KioskViews {
    private KioskViews() {}

    /**
     * Every kiosk page's frame: its title, the kiosk's name, the form token, whether the hub is
     * unreachable (the degraded notice), an error for the visitor, and a page to return to after
     * {@code returnAfter} seconds (0: stay).
     */
    public record Frame(
            String title, String kiosk, String csrf, boolean offline, String error, String returnTo, int returnAfter) {}

    /** A member a walk-in may choose as host: the id (the form's value) and the display name. */
    public record Host(String id, String name, boolean chosen) {}

    /** The walk-in form as typed so far. */
    public record WalkIn(String name, String email, String query, List<Host> hosts, boolean searched) {
        public WalkIn {
            hosts = List.copyOf(hosts);
        }
    }

    /**
     * The visitor agreement to read and sign: the pending sign-in's one-time {@code ticket}, the
     * agreement's title and version, the text as the visitor signs it, the name typed so far, and
     * whether the text names the signer (a pass visitor, whose name the kiosk learns only here).
     */
    public record AgreementForm(
            String ticket, String title, int version, String text, String signer, boolean nameFromSigner) {}

    /** A Wi-Fi voucher handed out: the network's name (empty when the Pi's configuration names none), code, end. */
    public record Voucher(String network, String code, String validUntil) {}

    /** The welcome after a sign-in: who is greeted and what follows. */
    public record Welcome(String heading, String text, boolean offline) {}

    /** A member greeted after a check-in at the reader, with today's bookings (times local). */
    public record Greeting(String name, List<String> bookings, boolean offline) {
        public Greeting {
            bookings = List.copyOf(bookings);
        }
    }
}
