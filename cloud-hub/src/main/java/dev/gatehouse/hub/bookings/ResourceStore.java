package dev.gatehouse.hub.bookings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.model.TimeWindow;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A site's bookable resources with their rules, doors and plans. */
public record ResourceStore(Database database, Clock clock) {
    static final String COLUMNS = "id, site_id, parent_id, name, kind, capacity, amenities, x, y, price_per_hour,"
            + " credits_per_hour, status, granularity_minutes, min_minutes, max_minutes, min_notice_minutes,"
            + " max_advance_days, buffer_before_minutes, buffer_after_minutes, max_hours_per_day,"
            + " max_hours_per_week, cancel_window_minutes, opening_hours, closed_on_holidays,"
            + " check_in_opens_before_minutes, release_after_minutes, approval_hold_hours, created_at, updated_at";

    /** What an API client sets on a resource; the store checks what refers to other rows. */
    public record ResourceInput(
            Optional<String> parentId,
            String name,
            ResourceKind kind,
            int capacity,
            List<String> amenities,
            Optional<Integer> x,
            Optional<Integer> y,
            long pricePerHour,
            long creditsPerHour,
            Resource.ResourceStatus status,
            BookingRules rules,
            List<String> doorIds,
            List<String> planIds) {
        public ResourceInput {
            amenities = List.copyOf(amenities);
            doorIds = List.copyOf(doorIds);
            planIds = List.copyOf(planIds);
        }
    }

    public StoreResult<Resource> create(String tenantId, String siteId, ResourceInput input) {
        String id = HubIds.next("res");
        Instant now = clock.instant();
        return database.write(c -> {
            if (!SiteStore.siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            List<FieldError> errors = references(c, tenantId, siteId, Optional.empty(), input);
            if (!errors.isEmpty()) {
                return new StoreResult.Invalid<>(errors);
            }
            Sql.update(
                    c,
                    "INSERT INTO resources (" + COLUMNS + ", tenant_id) VALUES (" + "?, ".repeat(29) + "?)",
                    row(id, siteId, input, now, now, tenantId));
            writeLinks(c, id, input);
            return StoreResult.found(find(c, tenantId, id).orElseThrow());
        });
    }

    /** Replaces the resource's settings; bookings already made keep their price and buffers. */
    public StoreResult<Resource> update(String tenantId, String resourceId, ResourceInput input) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<Resource> current = find(c, tenantId, resourceId);
            if (current.isEmpty()) {
                return new StoreResult.NotFound<>("resource", resourceId);
            }
            List<FieldError> errors =
                    new ArrayList<>(references(c, tenantId, current.get().siteId(), Optional.of(resourceId), input));
            errors.addAll(RoomControllerStore.problems(c, tenantId, resourceId, input.kind(), input.doorIds(), false));
            if (!errors.isEmpty()) {
                return new StoreResult.Invalid<>(errors);
            }
            Sql.update(
                    c,
                    "UPDATE resources SET parent_id = ?, name = ?, kind = ?, capacity = ?, amenities = ?, x = ?, y = ?,"
                            + " price_per_hour = ?, credits_per_hour = ?, status = ?, granularity_minutes = ?,"
                            + " min_minutes = ?, max_minutes = ?, min_notice_minutes = ?, max_advance_days = ?,"
                            + " buffer_before_minutes = ?, buffer_after_minutes = ?, max_hours_per_day = ?,"
                            + " max_hours_per_week = ?, cancel_window_minutes = ?, opening_hours = ?,"
                            + " closed_on_holidays = ?, check_in_opens_before_minutes = ?, release_after_minutes = ?,"
                            + " approval_hold_hours = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                    settings(input, now, resourceId, tenantId));
            Sql.update(c, "DELETE FROM resource_doors WHERE resource_id = ?", resourceId);
            Sql.update(c, "DELETE FROM resource_plans WHERE resource_id = ?", resourceId);
            writeLinks(c, resourceId, input);
            if (!input.doorIds().equals(current.get().doorIds())
                    && Sql.exists(c, "SELECT 1 FROM room_controllers WHERE resource_id = ?", resourceId)) {
                // The room's doors are part of what the site's edges run it by.
                RoomControllers.logChange(c, tenantId, current.get().siteId(), resourceId, now);
            }
            return StoreResult.found(find(c, tenantId, resourceId).orElseThrow());
        });
    }

    public Optional<Resource> find(String tenantId, String resourceId) {
        return database.read(c -> find(c, tenantId, resourceId));
    }

    public List<Resource> list(String tenantId, String siteId) {
        return database.read(c -> {
            List<Resource> resources = new ArrayList<>();
            for (String id : Sql.list(
                    c,
                    "SELECT id FROM resources WHERE tenant_id = ? AND site_id = ? ORDER BY name, id",
                    Sql.STRING,
                    tenantId,
                    siteId)) {
                find(c, tenantId, id).ifPresent(resources::add);
            }
            return List.copyOf(resources);
        });
    }

    /** A resource's name, kind and status: what availability shows beside its intervals. */
    public record Summary(String id, String name, ResourceKind kind, Resource.ResourceStatus status) {}

    /** The site's resources by name, in one query. */
    public List<Summary> summaries(String tenantId, String siteId) {
        return database.read(c -> Sql.list(
                c,
                "SELECT id, name, kind, status FROM resources WHERE tenant_id = ? AND site_id = ? ORDER BY name, id",
                row -> new Summary(
                        row.getString(1),
                        row.getString(2),
                        WireNames.of(ResourceKind.class, row.getString(3)),
                        WireNames.of(Resource.ResourceStatus.class, row.getString(4))),
                tenantId,
                siteId));
    }

    static Optional<Resource> find(Connection c, String tenantId, String resourceId) throws SQLException {
        Optional<Resource> bare =
                Sql.byId(c, "resources", COLUMNS, row -> read(row, List.of(), List.of()), tenantId, resourceId);
        if (bare.isEmpty()) {
            return bare;
        }
        List<String> doors = Sql.list(
                c, "SELECT door_id FROM resource_doors WHERE resource_id = ? ORDER BY door_id", Sql.STRING, resourceId);
        List<String> plans = Sql.list(
                c, "SELECT plan_id FROM resource_plans WHERE resource_id = ? ORDER BY plan_id", Sql.STRING, resourceId);
        Resource r = bare.get();
        return Optional.of(new Resource(
                r.id(),
                r.siteId(),
                r.parentId(),
                r.name(),
                r.kind(),
                r.capacity(),
                r.amenities(),
                r.x(),
                r.y(),
                r.pricePerHour(),
                r.creditsPerHour(),
                r.status(),
                r.rules(),
                doors,
                plans,
                r.createdAt(),
                r.updatedAt()));
    }

    /** The resource and every part below it, to any depth: what a booking of it blocks. */
    static List<String> withParts(Connection c, String resourceId) throws SQLException {
        List<String> all = new ArrayList<>(List.of(resourceId));
        for (int i = 0; i < all.size(); i++) {
            all.addAll(Sql.list(c, "SELECT id FROM resources WHERE parent_id = ? ORDER BY id", Sql.STRING, all.get(i)));
        }
        return List.copyOf(all);
    }

    private static Resource read(ResultSet row, List<String> doors, List<String> plans) throws SQLException {
        String amenities = row.getString(7);
        int x = row.getInt(8);
        Optional<Integer> px = row.wasNull() ? Optional.empty() : Optional.of(x);
        int y = row.getInt(9);
        Optional<Integer> py = row.wasNull() ? Optional.empty() : Optional.of(y);
        BookingRules rules = new BookingRules(
                row.getInt(13),
                row.getInt(14),
                row.getInt(15),
                row.getInt(16),
                row.getInt(17),
                row.getInt(18),
                row.getInt(19),
                row.getInt(20),
                row.getInt(21),
                row.getInt(22),
                windows(row.getString(23)),
                row.getBoolean(24),
                row.getInt(25),
                row.getInt(26),
                row.getInt(27));
        return new Resource(
                row.getString(1),
                row.getString(2),
                Optional.ofNullable(row.getString(3)),
                row.getString(4),
                WireNames.of(ResourceKind.class, row.getString(5)),
                row.getInt(6),
                amenities.isEmpty() ? List.of() : Arrays.asList(amenities.split(",")),
                px,
                py,
                row.getLong(10),
                row.getLong(11),
                WireNames.of(Resource.ResourceStatus.class, row.getString(12)),
                rules,
                doors,
                plans,
                Times.iso(row.getLong(28)),
                Times.iso(row.getLong(29)));
    }

    private static Object[] row(
            String id, String siteId, ResourceInput input, Instant created, Instant now, String tenantId) {
        List<Object> values = new ArrayList<>(List.of(id, siteId));
        values.add(input.parentId());
        values.addAll(Arrays.asList(settingValues(input)));
        values.add(created);
        values.add(now);
        values.add(tenantId);
        return values.toArray();
    }

    private static Object[] settings(ResourceInput input, Instant now, String id, String tenantId) {
        List<Object> values = new ArrayList<>();
        values.add(input.parentId());
        values.addAll(Arrays.asList(settingValues(input)));
        values.add(now);
        values.add(id);
        values.add(tenantId);
        return values.toArray();
    }

    /** name … approval_hold_hours, in the order of {@link #COLUMNS}. */
    private static Object[] settingValues(ResourceInput input) {
        BookingRules rules = input.rules();
        return new Object[] {
            input.name(),
            input.kind(),
            input.capacity(),
            String.join(",", input.amenities()),
            input.x(),
            input.y(),
            input.pricePerHour(),
            input.creditsPerHour(),
            input.status(),
            rules.granularityMinutes(),
            rules.minMinutes(),
            rules.maxMinutes(),
            rules.minNoticeMinutes(),
            rules.maxAdvanceDays(),
            rules.bufferBeforeMinutes(),
            rules.bufferAfterMinutes(),
            rules.maxHoursPerDay(),
            rules.maxHoursPerWeek(),
            rules.cancelWindowMinutes(),
            windowsJson(rules.openingHours()),
            rules.closedOnHolidays(),
            rules.checkInOpensBeforeMinutes(),
            rules.releaseAfterMinutes(),
            rules.approvalHoldHours()
        };
    }

    private static void writeLinks(Connection c, String resourceId, ResourceInput input) throws SQLException {
        Sql.batch(
                c,
                "INSERT INTO resource_doors (resource_id, door_id) VALUES (?, ?)",
                input.doorIds().stream().map(door -> List.of(resourceId, door)).toList());
        Sql.batch(
                c,
                "INSERT INTO resource_plans (resource_id, plan_id) VALUES (?, ?)",
                input.planIds().stream().map(plan -> List.of(resourceId, plan)).toList());
    }

    /** Doors of the site, plans of the tenant, a parent at the site that is not the resource or one of its parts. */
    private static List<FieldError> references(
            Connection c, String tenantId, String siteId, Optional<String> self, ResourceInput input)
            throws SQLException {
        List<FieldError> errors = new ArrayList<>();
        for (String door : input.doorIds()) {
            if (!Sql.exists(
                    c, "SELECT 1 FROM doors WHERE id = ? AND tenant_id = ? AND site_id = ?", door, tenantId, siteId)) {
                errors.add(new FieldError("doorIds", "door '" + door + "' is not a door of this site"));
            }
        }
        for (String plan : input.planIds()) {
            if (!Sql.exists(c, "SELECT 1 FROM plans WHERE id = ? AND tenant_id = ?", plan, tenantId)) {
                errors.add(new FieldError("planIds", "plan '" + plan + "' does not exist"));
            }
        }
        if (input.parentId().isPresent()) {
            String parent = input.parentId().get();
            if (!Sql.exists(
                    c,
                    "SELECT 1 FROM resources WHERE id = ? AND tenant_id = ? AND site_id = ?",
                    parent,
                    tenantId,
                    siteId)) {
                errors.add(new FieldError("parentId", "resource '" + parent + "' is not a resource of this site"));
            } else if (self.isPresent() && withParts(c, self.get()).contains(parent)) {
                errors.add(new FieldError(
                        "parentId", "resource '" + parent + "' is this resource or one of its parts: no cycles"));
            }
        }
        return errors;
    }

    static String windowsJson(List<TimeWindow> windows) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (TimeWindow window : windows) {
            array.addObject()
                    .put("day", window.day().name().toLowerCase(Locale.ROOT))
                    .put("from", TimeWindow.format(window.startMinute()))
                    .put("to", TimeWindow.format(window.endMinute()));
        }
        return array.toString();
    }

    /** Reads {@code resources.opening_hours} as {@link #windowsJson} wrote it. */
    public static List<TimeWindow> windows(String json) {
        try {
            List<TimeWindow> windows = new ArrayList<>();
            for (JsonNode node : Json.MAPPER.readTree(json)) {
                windows.add(TimeWindow.of(
                        DayOfWeek.valueOf(node.get("day").asText().toUpperCase(Locale.ROOT)),
                        node.get("from").asText(),
                        node.get("to").asText()));
            }
            return List.copyOf(windows);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("resources.opening_hours is not the JSON the hub writes: " + json, e);
        }
    }
}
