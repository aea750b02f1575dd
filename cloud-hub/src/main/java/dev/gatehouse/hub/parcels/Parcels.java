package dev.gatehouse.hub.parcels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.Ids;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;

/**
 * What the front desk does with mail and parcels, for the API and the console alike: log an item
 * (checked, stored, audited, then the member is told), hand it over against a signature, send the
 * notice again. Roles are checked here: logging and handing over need {@link
 * Permission#MANAGE_MEMBERS} at the item's site, reading {@link Permission#VIEW_MEMBERS}; an item at
 * a site outside the caller's sites is a 404.
 */
public record Parcels(ParcelStore store, ParcelNotices notices, Audit audit) {
    static final String[] FIELDS = {"siteId", "memberId", "kind", "carrier", "trackingNumber", "note", "shelf", "photo"
    };

    /** Reads an item from JSON (or a form turned into JSON): 422 naming each bad field. */
    public static ParcelStore.NewParcel read(ObjectNode body) {
        Input input = Input.of(body, FIELDS);
        String siteId = input.text("siteId", 64);
        String memberId = input.text("memberId", 64);
        if (!siteId.isEmpty() && !Ids.isValid(siteId)) {
            input.error("siteId", "is not a site id");
        }
        if (!memberId.isEmpty() && !Ids.isValid(memberId)) {
            input.error("memberId", "is not a member id");
        }
        Optional<ParcelStore.Kind> kind = input.enumValue("kind", ParcelStore.Kind.class);
        if (kind.isEmpty() && !body.has("kind")) {
            input.error("kind", "is required: letter or parcel");
        }
        Optional<String> carrier = input.optionalText("carrier", 60);
        Optional<String> tracking = input.optionalText("trackingNumber", 100);
        Optional<String> note = input.optionalText("note", 500);
        Optional<String> shelf = input.optionalText("shelf", 40);
        Optional<ParcelImages.Image> photo = Optional.empty();
        Optional<String> photoText = body.has("photo") && body.get("photo").isTextual()
                ? Optional.of(body.get("photo").asText()).filter(text -> !text.isBlank())
                : Optional.empty();
        if (body.has("photo")
                && !body.get("photo").isNull()
                && !body.get("photo").isTextual()) {
            input.error("photo", "must be a string: the JPEG or PNG as base64 or a data URL");
        }
        if (photoText.isPresent()) {
            switch (ParcelImages.fromText(photoText.get(), false)) {
                case ParcelImages.Image image -> photo = Optional.of(image);
                case ParcelImages.Refused refused -> input.error("photo", refused.reason());
            }
        }
        input.done();
        return new ParcelStore.NewParcel(siteId, memberId, kind.orElseThrow(), carrier, tracking, note, shelf, photo);
    }

    /** Logs the item, audits it and tells the member; answers the item with its notice's state. */
    public ParcelStore.ParcelView log(ServerRequest req, Caller.Operator caller, ParcelStore.NewParcel parcel) {
        caller.require(Permission.MANAGE_MEMBERS, parcel.siteId());
        ParcelStore.ParcelView logged =
                StoreResults.value(store.log(caller.tenantId(), caller.actor().label(), parcel));
        audit.record(req, caller, "parcel.log", "parcel", logged.id(), logged.siteId(), null, json(logged));
        // After the commit: a mail that fails is recorded on the item and tried again.
        notices.send(caller.tenantId(), logged.id(), false);
        return store.find(caller.tenantId(), logged.id()).orElseThrow();
    }

    /** The item, when the caller may see its site (404 otherwise, as for no such item). */
    public ParcelStore.ParcelView find(Caller.Operator caller, String id) {
        caller.require(Permission.VIEW_MEMBERS);
        ParcelStore.ParcelView parcel = Optional.of(id)
                .filter(Ids::isValid)
                .flatMap(valid -> store.find(caller.tenantId(), valid))
                .orElseThrow(() -> ApiException.notFound("parcel", Ids.printable(id)));
        caller.requireCovers(parcel.siteId(), "parcel", parcel.id());
        return parcel;
    }

    /** Reads a pickup from JSON: who collected it, and a drawn signature or the desk's confirmation. */
    public static Pickup readPickup(ObjectNode body) {
        Input input = Input.of(body, "collectedBy", "signature", "confirmed");
        String collectedBy = input.text("collectedBy", 100);
        Optional<Boolean> confirmed = input.bool("confirmed");
        Optional<ParcelImages.Image> signature = Optional.empty();
        Optional<String> text = input.optionalText("signature", ParcelImages.MAX_BYTES * 2);
        if (text.isPresent()) {
            switch (ParcelImages.fromText(text.get(), true)) {
                case ParcelImages.Image image -> signature = Optional.of(image);
                case ParcelImages.Refused refused -> input.error("signature", refused.reason());
            }
        } else if (!confirmed.orElse(false) && !body.has("signature")) {
            input.error(
                    "signature",
                    "is required: the member signs, or send confirmed: true when they confirmed receipt another way");
        }
        input.done();
        return new Pickup(collectedBy, signature);
    }

    /** A handover: the name of who collected it and their signature, if drawn. */
    public record Pickup(String collectedBy, Optional<ParcelImages.Image> signature) {}

    /** Records the handover at the desk and audits it. */
    public ParcelStore.ParcelView collect(ServerRequest req, Caller.Operator caller, String id, Pickup pickup) {
        ParcelStore.ParcelView before = find(caller, id);
        caller.require(Permission.MANAGE_MEMBERS, before.siteId());
        ParcelStore.ParcelView after = StoreResults.value(store.collect(
                caller.tenantId(),
                before.id(),
                pickup.collectedBy(),
                caller.actorId(),
                caller.actor().label(),
                pickup.signature()));
        audit.record(req, caller, "parcel.collect", "parcel", after.id(), after.siteId(), json(before), json(after));
        return after;
    }

    /** Sends the notice again (the desk's button after a failure); 409 once the item was collected. */
    public ParcelStore.ParcelView notifyAgain(ServerRequest req, Caller.Operator caller, String id) {
        ParcelStore.ParcelView before = find(caller, id);
        caller.require(Permission.MANAGE_MEMBERS, before.siteId());
        if (before.status() == ParcelStore.Status.COLLECTED) {
            throw ApiException.conflict("this item was already collected; there is nothing to tell the member");
        }
        notices.send(caller.tenantId(), before.id(), true);
        ParcelStore.ParcelView after =
                store.find(caller.tenantId(), before.id()).orElseThrow();
        audit.record(req, caller, "parcel.notify", "parcel", after.id(), after.siteId(), json(before), json(after));
        return after;
    }

    /** Sends the item's photo or signature, never cached by shared caches. */
    public void image(ServerResponse res, String tenantId, ParcelStore.ParcelView parcel, boolean signature) {
        ParcelImages.Image image = store.image(
                        tenantId, parcel.id(), signature ? ParcelStore.Purpose.SIGNATURE : ParcelStore.Purpose.PHOTO)
                .orElseThrow(() ->
                        ApiException.notFound(signature ? "signature of parcel" : "photo of parcel", parcel.id()));
        res.header(HeaderNames.CONTENT_TYPE, image.contentType());
        res.header(HeaderNames.CACHE_CONTROL, "private, no-store");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.send(image.bytes());
    }

    /** An item as the API shows it. */
    public static ObjectNode json(ParcelStore.ParcelView parcel) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", parcel.id())
                .put("siteId", parcel.siteId())
                .put("memberId", parcel.memberId())
                .put("memberName", parcel.memberName())
                .put("kind", dev.gatehouse.hub.store.WireNames.wire(parcel.kind()))
                .put("status", dev.gatehouse.hub.store.WireNames.wire(parcel.status()));
        put(node, "carrier", parcel.carrier());
        put(node, "trackingNumber", parcel.trackingNumber());
        put(node, "note", parcel.note());
        put(node, "shelf", parcel.shelf());
        node.put("loggedBy", parcel.loggedBy())
                .put("loggedAt", parcel.loggedAt().toString())
                .put("photo", parcel.photo() ? "/api/v1/parcels/" + parcel.id() + "/photo" : null);
        ObjectNode notice = node.putObject("notice");
        notice.put("state", dev.gatehouse.hub.store.WireNames.wire(parcel.noticeState()))
                .put("attempts", parcel.noticeAttempts());
        put(notice, "error", parcel.noticeError());
        put(notice, "at", parcel.noticeAt().map(Object::toString));
        if (parcel.status() == ParcelStore.Status.COLLECTED) {
            ObjectNode pickup = node.putObject("pickup");
            put(pickup, "collectedAt", parcel.collectedAt().map(Object::toString));
            put(pickup, "collectedBy", parcel.collectedBy());
            put(pickup, "handedOverBy", parcel.handedOverBy());
            pickup.put("signature", parcel.signature() ? "/api/v1/parcels/" + parcel.id() + "/signature" : null);
        } else {
            node.putNull("pickup");
        }
        return node;
    }

    private static void put(ObjectNode node, String field, Optional<String> value) {
        value.ifPresentOrElse(v -> node.put(field, v), () -> node.putNull(field));
    }
}
