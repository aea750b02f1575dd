package dev.gatehouse.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.Room;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.SigningKey;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.time.DayOfWeek;
import java.util.List;
import java.util.Optional;

/** JSON for the entities that sync carries: {@code {"kind":"member","id":…,…}}. */
final class EntityJson {
    private EntityJson() {}

    static JsonOut write(Entity entity) {
        JsonOut out = new JsonOut().put("kind", entity.kind());
        switch (entity) {
            case Site site ->
                out.put("id", site.id()).put("zone", site.zone().getId()).sorted("holidays", site.holidays());
            case Member member ->
                out.put("id", member.id())
                        .put("status", member.status())
                        .sorted("roles", member.roles())
                        .opt("displayName", member.displayName());
            case Credential credential ->
                out.put("id", credential.id())
                        .put("member", credential.member())
                        .put("type", credential.type())
                        .opt("cardHash", credential.cardHash())
                        .put("status", credential.status())
                        .opt("validFrom", credential.validFrom())
                        .opt("validUntil", credential.validUntil());
            case Door door -> {
                out.put("id", door.id())
                        .put("name", door.name())
                        .put("unlockFor", door.unlockFor())
                        .put("untrustedClock", door.untrustedClock())
                        .put("offline", door.offline())
                        .put("offlineAfter", door.offlineAfter())
                        .opt("heldOpenAfter", door.heldOpenAfter());
                door.officeHours().ifPresent(windows -> out.objects("officeHours", windows(windows)));
            }
            case DoorGroup group -> out.put("id", group.id()).sorted("doors", group.doors());
            case Schedule schedule ->
                out.put("id", schedule.id())
                        .objects("windows", windows(schedule.windows()))
                        .put("holidays", schedule.holidays());
            case Grant grant -> {
                out.put("id", grant.id())
                        .put("member", grant.member())
                        .sorted("doorGroups", grant.doorGroups())
                        .sorted("doors", grant.doors())
                        .opt("schedule", grant.schedule())
                        .opt("validFrom", grant.validFrom())
                        .opt("validUntil", grant.validUntil());
                // Written only when present, so a grant without a limit keeps the first version's form.
                grant.entries().ifPresent(entries -> out.put("entries", entries(entries)));
            }
            case Booking booking -> {
                out.put("id", booking.id())
                        .put("member", booking.member())
                        .sorted("doors", booking.doors())
                        .put("start", booking.start())
                        .put("end", booking.end())
                        .put("bufferBefore", booking.bufferBefore())
                        .put("bufferAfter", booking.bufferAfter())
                        .opt("resource", booking.resource());
                // Written only when not default, so a booking without them keeps the first version's form.
                if (!booking.invitees().isEmpty()) {
                    out.sorted("invitees", booking.invitees());
                }
                booking.checkIn().ifPresent(checkIn -> out.put("checkIn", checkIn(checkIn)));
                out.opt("joinLink", booking.joinLink());
            }
            case VisitorPass pass ->
                out.put("id", pass.id())
                        .opt("host", pass.host())
                        .sorted("doorGroups", pass.doorGroups())
                        .sorted("doors", pass.doors())
                        .put("validFrom", pass.validFrom())
                        .put("validUntil", pass.validUntil())
                        .put("singleUse", pass.singleUse())
                        .put("status", pass.status())
                        .opt("pinHash", pass.pinHash());
            case SigningKey key -> out.put("kid", key.kid()).map("jwk", key.jwk());
            case Room room ->
                out.put("id", room.id())
                        .sorted("doors", room.doors())
                        .put("controller", room.controller())
                        .map("nodes", room.nodes());
            case Agreement agreement ->
                out.put("id", agreement.id())
                        .put("version", agreement.version())
                        .put("title", agreement.title())
                        .put("body", agreement.body())
                        .put("siteName", agreement.siteName())
                        .put("sha256", agreement.sha256());
            case WifiVoucher voucher ->
                out.put("id", voucher.id())
                        .put("device", voucher.device())
                        .put("code", voucher.code())
                        .opt("validFor", voucher.validFor())
                        .opt("expiresAt", voucher.expiresAt());
        }
        return out;
    }

    static Entity read(JsonNode node, String path) {
        JsonIn in = new JsonIn(node, path);
        EntityKind kind = in.enumValue("kind", EntityKind.class);
        Entity entity =
                switch (kind) {
                    case SITE -> new Site(in.id("id"), in.zone("zone"), in.dateSet("holidays"));
                    case MEMBER ->
                        new Member(
                                in.id("id", MemberId::new),
                                in.enumValue("status", MemberStatus.class),
                                in.stringSet("roles"),
                                in.optString("displayName"));
                    case CREDENTIAL ->
                        new Credential(
                                in.id("id", CredentialId::new),
                                in.id("member", MemberId::new),
                                in.enumValue("type", CredentialType.class),
                                in.optString("cardHash"),
                                in.enumValue("status", CredentialStatus.class),
                                in.optInstant("validFrom"),
                                in.optInstant("validUntil"));
                    case DOOR ->
                        new Door(
                                in.id("id", DoorId::new),
                                in.string("name"),
                                in.duration("unlockFor"),
                                in.enumValue("untrustedClock", DegradedMode.class),
                                in.enumValue("offline", DegradedMode.class),
                                in.duration("offlineAfter"),
                                in.has("heldOpenAfter") ? Optional.of(in.duration("heldOpenAfter")) : Optional.empty(),
                                in.has("officeHours")
                                        ? Optional.of(in.list("officeHours", EntityJson::window))
                                        : Optional.empty());
                    case DOOR_GROUP -> new DoorGroup(in.id("id", DoorGroupId::new), in.idSet("doors", DoorId::new));
                    case SCHEDULE ->
                        new Schedule(
                                in.id("id", ScheduleId::new),
                                in.list("windows", EntityJson::window),
                                in.enumValue("holidays", HolidayRule.class));
                    case GRANT ->
                        new Grant(
                                in.id("id", GrantId::new),
                                in.id("member", MemberId::new),
                                in.idSet("doorGroups", DoorGroupId::new),
                                in.idSet("doors", DoorId::new),
                                in.optId("schedule", ScheduleId::new),
                                in.optInstant("validFrom"),
                                in.optInstant("validUntil"),
                                in.has("entries") ? Optional.of(entries(in.object("entries"))) : Optional.empty());
                    case BOOKING ->
                        new Booking(
                                in.id("id", BookingId::new),
                                in.id("member", MemberId::new),
                                in.idSet("doors", DoorId::new),
                                in.instant("start"),
                                in.instant("end"),
                                in.duration("bufferBefore"),
                                in.duration("bufferAfter"),
                                in.optId("resource", value -> value),
                                in.has("invitees") ? in.idSet("invitees", MemberId::new) : java.util.Set.of(),
                                in.has("checkIn") ? Optional.of(checkIn(in.object("checkIn"))) : Optional.empty(),
                                in.optString("joinLink"));
                    case VISITOR_PASS ->
                        new VisitorPass(
                                in.id("id", PassId::new),
                                in.optId("host", MemberId::new),
                                in.idSet("doorGroups", DoorGroupId::new),
                                in.idSet("doors", DoorId::new),
                                in.instant("validFrom"),
                                in.instant("validUntil"),
                                in.bool("singleUse"),
                                in.enumValue("status", PassStatus.class),
                                in.optString("pinHash"));
                    case SIGNING_KEY -> new SigningKey(in.id("kid"), in.stringMap("jwk"));
                    case ROOM ->
                        new Room(
                                in.id("id"),
                                in.idSet("doors", DoorId::new),
                                in.string("controller"),
                                in.stringMap("nodes"));
                    case AGREEMENT ->
                        new Agreement(
                                in.id("id"),
                                in.intValue("version"),
                                in.string("title"),
                                in.string("body"),
                                in.string("siteName"),
                                in.string("sha256"));
                    case WIFI_VOUCHER ->
                        new WifiVoucher(
                                in.id("id"),
                                in.id("device"),
                                in.string("code"),
                                in.has("validFor") ? Optional.of(in.duration("validFor")) : Optional.empty(),
                                in.optInstant("expiresAt"));
                };
        in.end();
        return entity;
    }

    private static JsonOut checkIn(Booking.CheckIn checkIn) {
        return new JsonOut()
                .put("opensBefore", checkIn.opensBefore())
                .put("releaseAfter", checkIn.releaseAfter())
                .opt("checkedIn", checkIn.checkedIn());
    }

    private static Booking.CheckIn checkIn(JsonIn in) {
        Booking.CheckIn checkIn = new Booking.CheckIn(
                in.duration("opensBefore"), in.duration("releaseAfter"), in.optInstant("checkedIn"));
        in.end();
        return checkIn;
    }

    private static JsonOut entries(Grant.Entries entries) {
        return new JsonOut().put("limit", entries.limit()).sorted("spent", entries.spent());
    }

    private static Grant.Entries entries(JsonIn in) {
        int limit = in.intValue("limit");
        List<java.time.LocalDate> spent = in.dateList("spent");
        in.end();
        try {
            return new Grant.Entries(limit, spent);
        } catch (dev.gatehouse.protocol.ProtocolException e) {
            // The record names the field; the path says which grant of the batch it is.
            throw new dev.gatehouse.protocol.ProtocolException(e.error(), in.path() + ": " + e.getMessage());
        }
    }

    private static List<JsonOut> windows(List<TimeWindow> windows) {
        return windows.stream()
                .map(window -> new JsonOut()
                        .put("day", window.day())
                        .put("start", TimeWindow.format(window.startMinute()))
                        .put("end", TimeWindow.format(window.endMinute())))
                .toList();
    }

    private static TimeWindow window(JsonNode node, String path) {
        JsonIn in = new JsonIn(node, path);
        TimeWindow window = new TimeWindow(
                in.enumValue("day", DayOfWeek.class),
                TimeWindow.parse(in.string("start"), in.field("start")),
                TimeWindow.parse(in.string("end"), in.field("end")));
        in.end();
        return window;
    }

    static List<Entity> readAll(JsonIn in, String name) {
        return in.list(name, EntityJson::read);
    }
}
