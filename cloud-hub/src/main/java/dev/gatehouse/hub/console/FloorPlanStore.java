package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A site's floor plan (an SVG {@link FloorPlanSvg} accepted) and its doors' positions on it, in
 * percent, per tenant. Only a checked plan reaches {@link #save}.
 */
public record FloorPlanStore(Database database, Clock clock) {
    /** A stored plan: its SVG text and when it was last replaced (epoch millis, a cache key for the image). */
    public record Plan(String svg, long updatedAt) {}

    /** Where a door sits on the plan: {@code x} from the left, {@code y} from the top, 0–100 %. */
    public record Position(int x, int y) {}

    public Optional<Plan> plan(String tenantId, String siteId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT svg, updated_at FROM floor_plans WHERE tenant_id = ? AND site_id = ?",
                r -> new Plan(r.getString(1), r.getLong(2)),
                tenantId,
                siteId));
    }

    /** Stores the site's plan, replacing the one before; answers whether there was one. */
    boolean save(String tenantId, String siteId, FloorPlanSvg.Clean svg) {
        long now = clock.millis();
        return database.write(c -> {
            boolean replaced = Sql.update(
                            c,
                            "UPDATE floor_plans SET svg = ?, updated_at = ? WHERE tenant_id = ? AND site_id = ?",
                            svg.svg(),
                            now,
                            tenantId,
                            siteId)
                    == 1;
            if (!replaced) {
                Sql.update(
                        c,
                        "INSERT INTO floor_plans (site_id, tenant_id, svg, updated_at) VALUES (?, ?, ?, ?)",
                        siteId,
                        tenantId,
                        svg.svg(),
                        now);
            }
            return replaced;
        });
    }

    /** The positions of the site's doors that have one, by door id. */
    public Map<String, Position> positions(String tenantId, String siteId) {
        return database.read(c -> {
            Map<String, Position> positions = new HashMap<>();
            for (var entry : Sql.list(
                    c,
                    "SELECT door_id, x, y FROM door_positions WHERE tenant_id = ? AND site_id = ?",
                    r -> Map.entry(r.getString(1), new Position(r.getInt(2), r.getInt(3))),
                    tenantId,
                    siteId)) {
                positions.put(entry.getKey(), entry.getValue());
            }
            return positions;
        });
    }

    /** Places a door of the tenant's site (the caller checked it is one); answers its position before. */
    Optional<Position> place(String tenantId, String siteId, String doorId, Position position) {
        return database.write(c -> {
            Optional<Position> before = Sql.one(
                    c,
                    "SELECT x, y FROM door_positions WHERE tenant_id = ? AND door_id = ?",
                    r -> new Position(r.getInt(1), r.getInt(2)),
                    tenantId,
                    doorId);
            if (before.isPresent()) {
                Sql.update(
                        c,
                        "UPDATE door_positions SET x = ?, y = ? WHERE tenant_id = ? AND door_id = ?",
                        position.x(),
                        position.y(),
                        tenantId,
                        doorId);
            } else {
                Sql.update(
                        c,
                        "INSERT INTO door_positions (door_id, tenant_id, site_id, x, y) VALUES (?, ?, ?, ?, ?)",
                        doorId,
                        tenantId,
                        siteId,
                        position.x(),
                        position.y());
            }
            return before;
        });
    }
}
