package dev.gatehouse.hub.kiosk;

import java.util.List;

/** What the hub's kiosk templates show; every text is escaped by the templates. */
public final class KioskViews {
    private KioskViews() {}

    /**
     * Every kiosk page's frame: its title, the tablet's name, the form token, an error to show, and
     * where the page returns by itself after {@code returnAfter} idle seconds (none when 0).
     */
    public record Frame(
            String title,
            String kioskName,
            String brandQuery,
            String csrf,
            String error,
            String returnTo,
            int returnAfter) {}

    /** A host a walk-in may choose: the name only. */
    public record Host(String id, String name, boolean chosen) {}

    /** The walk-in form as typed, with the hosts found for {@code query}. */
    public record WalkIn(String name, String email, String query, List<Host> hosts, boolean searched) {}

    /**
     * What the agreement page carries back with the visitor's consent: how they signed in ({@code pin}
     * or {@code walk-in}) and what they typed, so the sign-in is checked again in full.
     */
    public record Pending(String action, String pin, String name, String email, String host) {}

    /** The agreement to read and sign: its text as rendered for this visitor, and what names its version. */
    public record ToSign(String title, String text, String agreementId, int version, String sha256, boolean changed) {}

    /** The welcome: who is told, and the Wi-Fi code when the pool had one. */
    public record Welcome(String heading, String text, String wifiCode, String wifiUntil) {}

    /** A member greeted after a check-in by QR code, with their bookings here today (times local). */
    public record Greeting(String name, List<String> bookings) {}

    /** A day pass sold in public, with the address the visitor's phone opens to buy it. */
    public record Offer(String id, String name, String description, String price, String gives, String url) {}
}
