package dev.gatehouse.hub.accounts;

import dev.gatehouse.hub.tenants.TenantView;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.URI;
import java.util.Optional;

/**
 * Invitation and password-reset links by e-mail. A link carries 256 random bits, is stored only as
 * its SHA-256, works once, and expires (invitation 7 days, reset 1 hour). Issuing a new one voids the
 * person's earlier unused one. Links start with {@code hub.public-url}, else the address the request
 * came to.
 */
public record Invitations(OneTimeLinks links, Mailer mailer, Optional<URI> publicUrl) {

    /** Sends {@code account} (invited, no password yet) a link to choose its password. */
    public void invite(ServerRequest req, TenantView tenant, Account account) {
        String token = links.issue(tenant.id(), OneTimeLinks.Purpose.INVITATION, account.id());
        String link = base(req) + "/invite/" + token;
        mailer.send(new Mail(
                account.email(),
                "You are invited to " + tenant.name() + " on Gatehouse",
                "Hello " + account.name() + ",\n\nyou have been invited to run " + tenant.name()
                        + " in the Gatehouse console. Choose your password here (the link works once, for 7 days):\n\n"
                        + link + "\n\nWorkspace: " + tenant.slug() + "\nE-mail: " + account.email()
                        + "\n\nIf you did not expect this, ignore this mail.\n"));
    }

    /** Sends {@code account} a link to choose a new password. */
    public void reset(ServerRequest req, TenantView tenant, Account account) {
        String token = links.issue(tenant.id(), OneTimeLinks.Purpose.PASSWORD_RESET, account.id());
        String link = base(req) + "/reset/" + token;
        mailer.send(new Mail(
                account.email(),
                "Reset your Gatehouse password for " + tenant.name(),
                "Hello " + account.name() + ",\n\nsomeone asked to reset your password for " + tenant.name()
                        + ". Choose a new one here (the link works once, for one hour):\n\n" + link
                        + "\n\nIf it was not you, ignore this mail: your password stays as it is.\n"));
    }

    /** {@code scheme://host[:port]} of the hub as people reach it. */
    public String base(ServerRequest req) {
        String host = req.headers().first(HeaderNames.HOST).orElse("127.0.0.1");
        return publicUrl
                .map(url -> url.toString().replaceAll("/+$", ""))
                .orElse((req.isSecure() ? "https" : "http") + "://" + host);
    }
}
