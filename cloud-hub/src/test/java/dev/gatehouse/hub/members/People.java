package dev.gatehouse.hub.members;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Builds sites, doors, members and plans through the API for the people tests, and reads change logs. */
public record People(TestHub hub, String token) {
    public Api api() {
        return hub.api();
    }

    public String site(String zone) {
        return hub.create(
                "/api/v1/sites", token, "{\"name\":\"Site\",\"address\":\"1 Main St\",\"timeZone\":\"" + zone + "\"}");
    }

    public String door(String siteId) {
        return hub.create("/api/v1/sites/" + siteId + "/doors", token, "{\"name\":\"Door\"}");
    }

    public String group(String siteId, String... doorIds) {
        return hub.create(
                "/api/v1/sites/" + siteId + "/door-groups",
                token,
                "{\"name\":\"Group\",\"doorIds\":" + strings(doorIds) + "}");
    }

    public String member(String email) {
        return hub.create("/api/v1/members", token, "{\"email\":\"" + email + "\",\"fullName\":\"Test Member\"}");
    }

    /** A plan over {@code groupIds} with the given schedule JSON array (or "[]") and holiday rule. */
    public String plan(String schedule, String holidays, String... groupIds) {
        return hub.create(
                "/api/v1/plans",
                token,
                "{\"name\":\"Plan\",\"doorGroupIds\":" + strings(groupIds) + ",\"schedule\":" + schedule
                        + ",\"holidays\":\"" + holidays + "\"}");
    }

    /**
     * What the site's doors decide for the member at the door at {@code at}, as the hub's explain
     * answers it: "granted", or "denied" and the reason ("denied grant-expired").
     */
    public String decision(String memberId, String doorId, java.time.Instant at) {
        Api.Response answer =
                api().get("/api/v1/explain?memberId=" + memberId + "&doorId=" + doorId + "&at=" + at, token);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json().get("decision").asText()
                + (answer.json().has("reason")
                        ? " " + answer.json().get("reason").asText()
                        : "");
    }

    public Api.Response assign(String memberId, String planId, String body) {
        return api().put("/api/v1/members/" + memberId + "/plans/" + planId, token, body);
    }

    public long head(String siteId) {
        Api.Response site = api().get("/api/v1/sites/" + siteId, token);
        assertThat(site.status()).as(site.toString()).isEqualTo(200);
        return site.json().get("changeSeq").asLong();
    }

    /** The site's change-log entries after {@code afterSeq}, in order. */
    public List<JsonNode> changes(String siteId, long afterSeq) {
        List<JsonNode> items = new ArrayList<>();
        long after = afterSeq;
        while (true) {
            Api.Response page = api().get("/api/v1/sites/" + siteId + "/changes?after=" + after + "&limit=1000", token);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            JsonNode got = page.json().get("items");
            if (got.isEmpty()) {
                return items;
            }
            got.forEach(items::add);
            after = got.get(got.size() - 1).get("seq").asLong();
        }
    }

    /** "op KIND key" for each entry, e.g. "upsert GRANT gr_…", to compare logs compactly. */
    public static List<String> summary(List<JsonNode> changes) {
        return changes.stream()
                .map(c -> c.get("op").asText() + " " + c.get("kind").asText() + " "
                        + c.get("key").asText())
                .toList();
    }

    /**
     * Enrolls a credential by writing its row directly: the credentials API is built elsewhere, and
     * explain and the projection only read the table.
     */
    public String credential(String tenantId, String memberId, String type, String status) {
        String id = HubIds.next("cred");
        String hash = type.equals("NFC_CARD") ? randomHash() : null;
        hub.hub().database().write(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO credentials (id, tenant_id, member_id,"
                    + " type, card_hash, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, tenantId);
                insert.setString(3, memberId);
                insert.setString(4, type);
                insert.setString(5, hash);
                insert.setString(6, status);
                insert.setLong(7, System.currentTimeMillis());
                insert.setLong(8, System.currentTimeMillis());
                insert.executeUpdate();
            }
            return null;
        });
        return id;
    }

    private static String randomHash() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static String strings(String... values) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(values[i]).append('"');
        }
        return json.append(']').toString();
    }
}
