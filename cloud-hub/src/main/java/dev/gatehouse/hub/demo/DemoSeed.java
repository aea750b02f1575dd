package dev.gatehouse.hub.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.hub.tenants.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The demo's tenant, made through the hub's own REST API as an operator would make it: a site with
 * two doors, a plan, three members with NFC cards (one suspended), a member QR credential, a visitor
 * pass, and one edge device, provisioned, whose simulated site is written to {@code dir/edge}.
 */
public final class DemoSeed {
    public static final String SLUG = "demo";
    public static final String ADA_CARD = "04A22B1C5D8000";
    public static final String BOB_CARD = "04112233445566";
    public static final String CY_CARD = "04998877665544";
    public static final String STRANGER_CARD = "DEADBEEF";
    public static final String MAIN_NFC = "nfc-main";
    public static final String MAIN_QR = "qr-main";
    public static final String ROOM_NFC = "nfc-room";
    /** The meeting room's A/V in the edge's config, on a simulated OPC UA room controller. */
    public static final String ROOM_AV = "room-ada";

    /** The demo operator's e-mail; the password is random at each demo. */
    public static final String OPERATOR = "operator@demo.example";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the seed made: ids and secrets the demo prints and the tests use. */
    public record Seeded(
            String baseUrl,
            String token,
            String tenantId,
            String siteId,
            String mainDoor,
            String roomDoor,
            String deviceId,
            String ada,
            String bob,
            String cy,
            String adaQrCredential,
            String visitorPass,
            String visitorToken,
            String mqttUrl,
            Path edgeConfig,
            String operatorEmail,
            String operatorPassword,
            Path mailFolder) {}

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final String baseUrl;
    private String token;

    private DemoSeed(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /**
     * Seeds the demo tenant through the hub's API at {@code baseUrl} with a platform-admin token, and
     * writes the simulated edge under {@code dir/edge}.
     */
    public static Seeded seed(String baseUrl, String adminToken, Path dir, Path mailFolder) throws IOException {
        return new DemoSeed(baseUrl, adminToken).run(dir, mailFolder);
    }

    private Seeded run(Path dir, Path mailFolder) throws IOException {
        JsonNode tenant = post("/api/v1/tenants", "{\"slug\":\"" + SLUG + "\",\"name\":\"Demo Coworking\"}");
        String tenantId = tenant.at("/tenant/id").asText();
        token = tenant.get("token").asText();
        // The console's demo operator: an owner with a password made here, printed once, never a default.
        String operatorPassword = Tokens.secret().substring(0, 20);
        post(
                "/api/v1/accounts",
                "{\"email\":\"" + OPERATOR + "\",\"name\":\"Demo Operator\",\"role\":\"owner\",\"password\":\""
                        + operatorPassword + "\"}");
        String site = id(post(
                "/api/v1/sites",
                "{\"name\":\"Demo Coworking Berlin\",\"address\":\"Torstrasse 1, Berlin\",\"timeZone\":"
                        + "\"Europe/Berlin\"}"));
        String main = id(post("/api/v1/sites/" + site + "/doors", "{\"name\":\"Main entrance\",\"unlockSeconds\":3}"));
        String room =
                id(post("/api/v1/sites/" + site + "/doors", "{\"name\":\"Meeting room Ada\",\"unlockSeconds\":3}"));
        String everywhere = id(post(
                "/api/v1/sites/" + site + "/door-groups",
                "{\"name\":\"Everywhere\",\"doorIds\":[\"" + main + "\",\"" + room + "\"]}"));
        String plan = id(post(
                "/api/v1/plans",
                "{\"name\":\"Resident\",\"description\":\"Every door, any time\",\"doorGroupIds\":[\"" + everywhere
                        + "\"],\"schedule\":[],\"holidays\":\"ignored\"}"));
        catalogue(site, main, plan);
        String ada = member("ada@demo.example", "Ada Lovelace", plan, ADA_CARD);
        String bob = member("bob@demo.example", "Bob Suspended", plan, BOB_CARD);
        String cy = member("cy@demo.example", "Cy Cardless", plan, CY_CARD);
        patch("/api/v1/members/" + bob, "{\"status\":\"suspended\"}");
        String adaQr =
                id(post("/api/v1/members/" + ada + "/credentials", "{\"type\":\"member-qr\",\"label\":\"Phone\"}"));
        Instant now = Instant.now();
        JsonNode pass = post(
                "/api/v1/sites/" + site + "/visitor-passes",
                "{\"visitorName\":\"Grace Hopper\",\"hostMemberId\":\"" + ada + "\",\"doorIds\":[\"" + main
                        + "\"],\"validFrom\":\"" + now.minusSeconds(60) + "\",\"validUntil\":\""
                        + now.plus(Duration.ofHours(12)) + "\",\"singleUse\":false}");
        String device = id(post("/api/v1/sites/" + site + "/devices", "{\"name\":\"Front desk Pi (simulated)\"}"));
        JsonNode bundle = post("/api/v1/devices/" + device + "/provision", "");
        Path config = EdgeSiteFiles.write(
                bundle,
                dir.resolve("edge"),
                List.of(
                        new EdgeSiteFiles.SimDoor(
                                main,
                                "Main entrance",
                                17,
                                27,
                                22,
                                List.of(
                                        new EdgeSiteFiles.SimReader(MAIN_NFC, "pn532", "/dev/ttyS0"),
                                        new EdgeSiteFiles.SimReader(
                                                MAIN_QR, "serial-qr", "/dev/serial/by-id/usb-qr-scanner-if00"))),
                        new EdgeSiteFiles.SimDoor(
                                room,
                                "Meeting room Ada",
                                23,
                                24,
                                25,
                                List.of(new EdgeSiteFiles.SimReader(
                                        ROOM_NFC, "pn532", "/dev/serial/by-id/usb-pn532-room-if00")))),
                List.of(new EdgeSiteFiles.SimRoom(ROOM_AV, "Meeting room Ada", List.of(room), freePort())),
                "5s");
        bookable(site, room, ada, cy);
        return new Seeded(
                baseUrl,
                token,
                tenantId,
                site,
                main,
                room,
                device,
                ada,
                bob,
                cy,
                adaQr,
                id(pass),
                pass.at("/qr/token").asText(),
                bundle.at("/mqtt/url").asText(),
                config,
                OPERATOR,
                operatorPassword,
                mailFolder);
    }

    /**
     * The demo's bookable resources (priced in euro cents) and a few bookings: Ada's meeting in the
     * room from now, which powers the room's simulated display within seconds, Cy's phone booth
     * tomorrow morning, and Cy's request for the event space, which waits for an operator's approval.
     */
    private void bookable(String site, String roomDoor, String ada, String cy) throws IOException {
        String room = id(post(
                "/api/v1/sites/" + site + "/resources",
                "{\"name\":\"Meeting room Ada\",\"kind\":\"meeting-room\",\"capacity\":6,\"amenities\":[\"screen\","
                        + "\"video call\"],\"x\":70,\"y\":30,\"pricePerHour\":2500,\"creditsPerHour\":2,"
                        + "\"doorIds\":[\"" + roomDoor + "\"],\"rules\":{\"bufferAfterMinutes\":10}}"));
        String booth = id(post(
                "/api/v1/sites/" + site + "/resources",
                "{\"name\":\"Phone booth 1\",\"kind\":\"phone-booth\",\"x\":20,\"y\":30,\"pricePerHour\":500,"
                        + "\"creditsPerHour\":1}"));
        String events = id(post(
                "/api/v1/sites/" + site + "/resources",
                "{\"name\":\"Event space\",\"kind\":\"event-space\",\"capacity\":40,\"x\":45,\"y\":75,"
                        + "\"pricePerHour\":9000,\"rules\":{\"approvalHoldHours\":48}}"));
        for (String desk : List.of("A1", "A2", "A3")) {
            post(
                    "/api/v1/sites/" + site + "/resources",
                    "{\"name\":\"Hot desk " + desk + "\",\"kind\":\"hot-desk\",\"pricePerHour\":300}");
        }
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        post(
                "/api/v1/bookings",
                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + ada + "\",\"title\":\"Demo stand-up\","
                        + "\"start\":\"" + now.plus(Duration.ofMinutes(1)) + "\",\"end\":\""
                        + now.plus(Duration.ofMinutes(46))
                        + "\",\"overrideReason\":\"demo: a meeting that starts with the demo\"}");
        java.time.ZoneId berlin = java.time.ZoneId.of("Europe/Berlin");
        Instant tomorrow = java.time.LocalDate.now(berlin)
                .plusDays(1)
                .atTime(10, 0)
                .atZone(berlin)
                .toInstant();
        post(
                "/api/v1/bookings",
                "{\"resourceId\":\"" + booth + "\",\"memberId\":\"" + cy + "\",\"title\":\"Call with a client\","
                        + "\"start\":\"" + tomorrow + "\",\"end\":\"" + tomorrow.plus(Duration.ofHours(1)) + "\"}");
        Instant evening = tomorrow.plus(Duration.ofDays(2)).plus(Duration.ofHours(8));
        post(
                "/api/v1/bookings",
                "{\"resourceId\":\"" + events + "\",\"memberId\":\"" + cy + "\",\"title\":\"Meetup\",\"start\":\""
                        + evening + "\",\"end\":\"" + evening.plus(Duration.ofHours(3)) + "\",\"awaitApproval\":true}");
    }

    /**
     * Seed 002's catalogue as the demo's packages, in euro cents for Berlin: Day Pass, 10-Pass and
     * Weekly open the main entrance ("Day access"); Monthly, Dedicated Desk and the Team plan every
     * door ("Resident"); a locker is an add-on.
     */
    private void catalogue(String site, String main, String resident) throws IOException {
        String entrance = id(post(
                "/api/v1/sites/" + site + "/door-groups", "{\"name\":\"Entrance\",\"doorIds\":[\"" + main + "\"]}"));
        String day = id(post(
                "/api/v1/plans",
                "{\"name\":\"Day access\",\"description\":\"The main entrance\",\"doorGroupIds\":[\"" + entrance
                        + "\"],\"schedule\":[],\"holidays\":\"ignored\"}"));
        for (String body : List.of(
                "{\"name\":\"Day Pass\",\"kind\":\"pass\",\"price\":2500,\"interval\":\"one-off\",\"passes\":1,"
                        + "\"passValidDays\":1,\"publicSale\":true,\"planId\":\"" + day + "\","
                        + "\"description\":\"A hot desk for a day\"}",
                "{\"name\":\"10-Pass\",\"kind\":\"pass\",\"price\":20000,\"interval\":\"one-off\",\"passes\":10,"
                        + "\"passValidDays\":180,\"publicSale\":true,\"planId\":\"" + day + "\","
                        + "\"description\":\"Ten days within six months\"}",
                "{\"name\":\"Weekly\",\"kind\":\"membership\",\"price\":8900,\"interval\":\"week\",\"planId\":\"" + day
                        + "\",\"credits\":{\"meeting-room\":2}}",
                "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":24900,\"interval\":\"month\",\"planId\":\""
                        + resident + "\",\"credits\":{\"meeting-room\":8},\"publicSale\":true}",
                "{\"name\":\"Dedicated Desk\",\"kind\":\"membership\",\"price\":39900,\"interval\":\"month\","
                        + "\"commitmentPeriods\":3,\"planId\":\"" + resident + "\",\"credits\":{\"meeting-room\":12}}",
                "{\"name\":\"Team of 5\",\"kind\":\"team\",\"price\":149000,\"interval\":\"month\",\"seats\":5,"
                        + "\"commitmentPeriods\":6,\"planId\":\"" + resident + "\",\"credits\":{\"meeting-room\":40},"
                        + "\"description\":\"A custom team plan\"}",
                "{\"name\":\"Locker\",\"kind\":\"add-on\",\"price\":1500,\"interval\":\"month\"}")) {
            post("/api/v1/packages", body);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private String member(String email, String name, String plan, String card) throws IOException {
        String member = id(post("/api/v1/members", "{\"email\":\"" + email + "\",\"fullName\":\"" + name + "\"}"));
        send("PUT", "/api/v1/members/" + member + "/plans/" + plan, "{}");
        post("/api/v1/members/" + member + "/credentials", "{\"type\":\"nfc-card\",\"uid\":\"" + card + "\"}");
        return member;
    }

    private static String id(JsonNode node) {
        return node.get("id").asText();
    }

    private JsonNode post(String path, String body) throws IOException {
        return send("POST", path, body);
    }

    private JsonNode patch(String path, String body) throws IOException {
        return send("PATCH", path, body);
    }

    private JsonNode send(String method, String path, String body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while seeding the demo", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("demo seed: " + method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    /** Writes the demo's instructions to {@code dir/demo.txt} and answers them. */
    public static String instructions(Seeded seeded, String launcher) throws IOException {
        String cfg = seeded.edgeConfig().toString();
        String text = """

                Gatehouse demo: a hub and one simulated site, connected over MQTT.

                  Console      %s   (open it in a browser)
                    workspace  %s
                    e-mail     %s
                    password   %s
                  Member portal %s/portal/signin   (workspace %s, e-mail ada@demo.example;
                               the sign-in link is mailed: mails land in %s)
                  Public page  %s/join/%s   (Day Pass, 10-Pass, Monthly for non-members; buying online
                               needs the tenant's Stripe keys: PUT /api/v1/billing/stripe)

                  Hub          %s   (REST API under /api/v1, OpenAPI at /openapi)
                  API token    %s   (operator of tenant '%s')
                  Broker       %s   (embedded HiveMQ; each device has its own password)
                  Site         Demo Coworking Berlin (%s), doors: main entrance %s, meeting room %s
                  Edge agent   %s on simulated hardware, config %s

                Try it from another terminal:
                  %s edge watch --config %s          # live decisions at the doors
                  %s edge sim tap %s %s --config %s     # Ada: GRANTED
                  %s edge sim tap %s %s --config %s     # Bob, suspended: DENIED
                  %s edge sim tap %s %s --config %s           # an unknown card: DENIED
                  %s edge sim scan %s '%s' --config %s   # Grace's visitor pass: GRANTED

                  curl -s -H 'Authorization: Bearer %s' %s/api/v1/access-events        # the events, at the hub
                  curl -sN -H 'Authorization: Bearer %s' %s/api/v1/access-events/stream # live feed (server-sent events)
                  curl -s -H 'Authorization: Bearer %s' %s/api/v1/sites/%s/sync        # the edge's sync state and lag

                Rooms: Ada's stand-up in Meeting room Ada starts now; the room's simulated A/V controller
                (OPC UA) is powered for it (display on, HDMI1, lights 80 %%, 21.5 °C):
                  %s edge sim av %s --config %s
                  curl -s -H 'Authorization: Bearer %s' '%s/api/v1/sites/%s/availability?from=%s&until=%s'
                Cy's request for the Event space waits for an operator's approval: in the console, Bookings,
                then "Requests waiting for approval".

                Revoke in a second: suspend Ada, then tap her card again (DENIED):
                  curl -s -X PATCH -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\
                       -d '{"status":"suspended"}' %s/api/v1/members/%s
                Remote unlock of the main entrance:
                  curl -s -X POST -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\
                       -d '{"action":{"type":"unlock-once","door":"%s","unlockFor":"PT5S"}}' %s/api/v1/sites/%s/commands

                Ctrl-C stops the hub and the site.
                """.formatted(
                seeded.baseUrl(),
                SLUG,
                seeded.operatorEmail(),
                seeded.operatorPassword(),
                seeded.baseUrl(),
                SLUG,
                seeded.mailFolder(),
                seeded.baseUrl(),
                SLUG,
                seeded.baseUrl(),
                seeded.token(),
                SLUG,
                seeded.mqttUrl(),
                seeded.siteId(),
                seeded.mainDoor(),
                seeded.roomDoor(),
                seeded.deviceId(),
                cfg,
                launcher,
                cfg,
                launcher,
                MAIN_NFC,
                ADA_CARD,
                cfg,
                launcher,
                MAIN_NFC,
                BOB_CARD,
                cfg,
                launcher,
                MAIN_NFC,
                STRANGER_CARD,
                cfg,
                launcher,
                MAIN_QR,
                seeded.visitorToken(),
                cfg,
                seeded.token(),
                seeded.baseUrl(),
                seeded.token(),
                seeded.baseUrl(),
                seeded.token(),
                seeded.baseUrl(),
                seeded.siteId(),
                launcher,
                ROOM_AV,
                cfg,
                seeded.token(),
                seeded.baseUrl(),
                seeded.siteId(),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(Duration.ofDays(1)),
                seeded.token(),
                seeded.baseUrl(),
                seeded.ada(),
                seeded.token(),
                seeded.mainDoor(),
                seeded.baseUrl(),
                seeded.siteId());
        // The instructions hold the demo tenant's API token and the operator's password.
        DemoSecrets.writeOwnerOnly(seeded.edgeConfig().getParent().getParent().resolve("demo.txt"), text);
        return text;
    }
}
