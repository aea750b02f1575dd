package dev.gatehouse.hub.announcements;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.Ids;
import io.helidon.webserver.http.ServerRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Posting, editing and withdrawing announcements, for the API and the console alike. A site's
 * announcement needs {@link Permission#MANAGE_MEMBERS} at that site; one for the whole tenant needs
 * it for every site. An announcement of a site outside the caller's sites is a 404.
 */
public record Announcements(AnnouncementStore store, Audit audit, Clock clock) {
    static final int MAX_TITLE = 120;
    static final int MAX_BODY = 5000;

    /** Reads an announcement from JSON (or a form turned into JSON): 422 naming each bad field. */
    public static AnnouncementStore.Draft read(ObjectNode body) {
        Input input = Input.of(body, "siteId", "title", "body", "publishAt", "expiresAt");
        Optional<String> siteId = input.optionalText("siteId", 64);
        siteId.filter(id -> !Ids.isValid(id)).ifPresent(id -> input.error("siteId", "is not a site id"));
        String title = input.text("title", MAX_TITLE);
        String text = "";
        if (!body.has("body")
                || !body.get("body").isTextual()
                || body.get("body").asText().isBlank()) {
            input.error("body", "is required: the announcement's text");
        } else {
            text = body.get("body").asText().strip().replace("\r\n", "\n");
            if (text.length() > MAX_BODY) {
                input.error("body", "is " + text.length() + " characters; the limit is " + MAX_BODY);
            }
            if (text.chars().anyMatch(ch -> Character.isISOControl(ch) && ch != '\n' && ch != '\t')) {
                input.error("body", "must not contain control characters");
            }
        }
        Optional<Instant> publishAt = input.instant("publishAt");
        Optional<Instant> expiresAt = input.instant("expiresAt");
        input.done();
        return new AnnouncementStore.Draft(siteId, title, text, publishAt, expiresAt);
    }

    private static void mayPostTo(Caller.Operator caller, Optional<String> siteId) {
        caller.require(Permission.MANAGE_MEMBERS);
        if (siteId.isPresent()) {
            caller.require(Permission.MANAGE_MEMBERS, siteId.get());
        } else if (!caller.access().allSites()) {
            throw ApiException.forbidden(
                    "an announcement to the whole space needs a role for every site; name one of your sites in siteId");
        }
    }

    public AnnouncementStore.View create(ServerRequest req, Caller.Operator caller, AnnouncementStore.Draft draft) {
        mayPostTo(caller, draft.siteId());
        AnnouncementStore.View made = StoreResults.value(
                store.create(caller.tenantId(), caller.actor().label(), draft));
        audit.record(
                req,
                caller,
                "announcement.create",
                "announcement",
                made.id(),
                made.siteId().orElse(null),
                null,
                json(made));
        return made;
    }

    /** The announcement, when the caller may see it (404 otherwise, as for none). */
    public AnnouncementStore.View find(Caller.Operator caller, String id) {
        caller.require(Permission.VIEW_MEMBERS);
        AnnouncementStore.View found = Optional.ofNullable(id)
                .filter(Ids::isValid)
                .flatMap(valid -> store.find(caller.tenantId(), valid))
                .orElseThrow(() -> ApiException.notFound("announcement", Ids.printable(String.valueOf(id))));
        found.siteId().ifPresent(site -> caller.requireCovers(site, "announcement", found.id()));
        return found;
    }

    public List<AnnouncementStore.View> list(Caller.Operator caller) {
        caller.require(Permission.VIEW_MEMBERS);
        return store.list(
                caller.tenantId(),
                caller.access().allSites() ? Set.of() : caller.access().siteIds(),
                200);
    }

    /** Edits the text and times; the audience (site or tenant) stays as posted. */
    public AnnouncementStore.View update(
            ServerRequest req, Caller.Operator caller, String id, AnnouncementStore.Draft draft) {
        AnnouncementStore.View before = find(caller, id);
        mayPostTo(caller, before.siteId());
        if (draft.siteId().isPresent() && !draft.siteId().equals(before.siteId())) {
            throw ApiException.invalid("siteId", "cannot change: withdraw this announcement and post a new one");
        }
        AnnouncementStore.Draft kept = new AnnouncementStore.Draft(
                before.siteId(), draft.title(), draft.body(), draft.publishAt(), draft.expiresAt());
        AnnouncementStore.View after = StoreResults.value(store.update(caller.tenantId(), before.id(), kept));
        audit.record(
                req,
                caller,
                "announcement.update",
                "announcement",
                after.id(),
                after.siteId().orElse(null),
                json(before),
                json(after));
        return after;
    }

    public AnnouncementStore.View withdraw(ServerRequest req, Caller.Operator caller, String id) {
        AnnouncementStore.View before = find(caller, id);
        mayPostTo(caller, before.siteId());
        AnnouncementStore.View after = StoreResults.value(store.withdraw(caller.tenantId(), before.id()));
        if (before.withdrawnAt().isEmpty()) {
            audit.record(
                    req,
                    caller,
                    "announcement.withdraw",
                    "announcement",
                    after.id(),
                    after.siteId().orElse(null),
                    json(before),
                    json(after));
        }
        return after;
    }

    /** An announcement as the API shows it. */
    public ObjectNode json(AnnouncementStore.View a) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", a.id());
        a.siteId().ifPresentOrElse(site -> node.put("siteId", site), () -> node.putNull("siteId"));
        node.put("title", a.title())
                .put("body", a.body())
                .put("publishAt", a.publishAt().toString())
                .put("expiresAt", a.expiresAt().map(Object::toString).orElse(null))
                .put("withdrawnAt", a.withdrawnAt().map(Object::toString).orElse(null))
                .put("state", a.state(clock.instant()))
                .put("createdBy", a.createdBy())
                .put("createdAt", a.createdAt().toString());
        node.putObject("mail").put("sent", a.mailed()).put("failed", a.failed());
        return node;
    }
}
