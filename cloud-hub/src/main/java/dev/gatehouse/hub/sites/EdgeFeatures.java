package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which protocol features a site's active edges report ({@code devices.features}): the hub sends a
 * form beyond the first version only to a site whose active edges all read it.
 */
public final class EdgeFeatures {
    private EdgeFeatures() {}

    /**
     * Whether every active edge of the site reports {@code feature} (a site with no edge does: nothing
     * there would misread it). A device that has not reported its features yet does not.
     */
    public static boolean siteReads(Connection c, String tenantId, String siteId, String feature) throws SQLException {
        return edgesBehind(c, tenantId, siteId, feature).isEmpty();
    }

    /** The site's active edges that have not reported {@code feature}: "Front desk Pi (dev-1, agent 0.9.0)". */
    public static List<String> edgesBehind(Connection c, String tenantId, String siteId, String feature)
            throws SQLException {
        List<String> behind = new ArrayList<>();
        for (String[] device : Sql.list(
                c,
                "SELECT id, name, version, COALESCE(features, '') FROM devices"
                        + " WHERE tenant_id = ? AND site_id = ? AND status = 'active' ORDER BY name, id",
                r -> new String[] {r.getString(1), r.getString(2), r.getString(3), r.getString(4)},
                tenantId,
                siteId)) {
            if (!Arrays.asList(device[3].split(",")).contains(feature)) {
                behind.add(device[1] + " (" + device[0] + ", "
                        + (device[2] == null ? "never reported" : "agent " + device[2]) + ")");
            }
        }
        return behind;
    }
}
