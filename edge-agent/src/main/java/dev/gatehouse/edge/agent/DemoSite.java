package dev.gatehouse.edge.agent;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A demo site for the simulator, the agent's tests and integrators: a config file with one door
 * (relay, contact, REX, an NFC reader and a QR scanner), a hub key, a card key, and signed
 * entitlements for a few members — as a technician would provision a Pi, with the hub's part played
 * by this class. The hub's private key is generated fresh and written only for the demo.
 */
public final class DemoSite {
    public static final String TENANT = "acme";
    public static final String SITE = "hq-berlin";
    public static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    public static final String DOOR = "main-entrance";
    public static final String NFC = "nfc-main";
    public static final String QR = "qr-main";
    public static final byte[] CARD_KEY =
            HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    public static final byte[] ADA = HexFormat.of().parseHex("04A22B1C5D8000");
    public static final byte[] BOB_SUSPENDED = HexFormat.of().parseHex("04112233445566");
    public static final byte[] CY_REVOKED = HexFormat.of().parseHex("04998877665544");
    public static final byte[] DEE_WEEKENDS = HexFormat.of().parseHex("04556677889900");
    public static final byte[] STRANGER = HexFormat.of().parseHex("DEADBEEF");

    public final ECKey hubKey = SigningKeys.generate("hub-1");
    public final CardHasher cards = new CardHasher(CARD_KEY);
    public final Path dir;
    public final Path configFile;

    public DemoSite(Path dir) throws IOException {
        this.dir = dir;
        SecretFiles.writeOwnerOnly(dir.resolve("card.key"), HexFormat.of().formatHex(CARD_KEY));
        Files.writeString(dir.resolve("hub-keys.json"), KeySet.of(hubKey).toJson());
        SecretFiles.writeOwnerOnly(dir.resolve("demo-hub-private.jwk"), hubKey.toJSONString());
        this.configFile = dir.resolve("gatehouse.yaml");
        Files.writeString(configFile, """
                site:
                  tenant: acme
                  id: hq-berlin
                  device: pi-1
                  zone: Europe/Berlin
                data-dir: data
                card-key-file: card.key
                trusted-keys-file: hub-keys.json
                doors:
                  - id: main-entrance
                    name: Main entrance
                    lock: fail-secure
                    relay-pin: 17
                    relay-active: low
                    contact-pin: 27
                    contact-type: normally-closed
                    contact-wired-to: ground
                    rex-pin: 22
                    rex-type: normally-open
                    rex-wired-to: ground
                    unlock-pulse: 1s
                    held-open-after: 3s
                    readers: [nfc-main, qr-main]
                readers:
                  - id: nfc-main
                    type: pn532
                    port: /dev/ttyS0
                  - id: qr-main
                    type: serial-qr
                    port: /dev/serial/by-id/usb-qr-scanner-if00
                    line-ending: crlf
                fire-release:
                  - id: fire-panel
                    pin: 26
                    doors: [main-entrance]
                """);
    }

    public EdgeConfig config() {
        return EdgeConfigLoader.load(configFile);
    }

    /** The site's entitlements as the hub would sync them, around {@code now}. */
    public List<Entity> entitlements(Instant now) {
        DayOfWeek today = now.atZone(ZONE).getDayOfWeek();
        List<Entity> entities = new ArrayList<>();
        entities.add(new Site(SITE, ZONE, Set.of()));
        entities.add(new Door(
                DoorId.of(DOOR),
                "Main entrance",
                Duration.ofSeconds(1),
                dev.gatehouse.protocol.model.DegradedMode.KEEP_GRANTING,
                dev.gatehouse.protocol.model.DegradedMode.KEEP_GRANTING,
                Duration.ZERO));
        // A schedule that excludes today: Dee's plan is for another day of the week.
        entities.add(new Schedule(
                ScheduleId.of("not-today"),
                List.of(TimeWindow.of(today.plus(1), "00:00", "24:00")),
                HolidayRule.IGNORED));
        member(entities, "ada", MemberStatus.ACTIVE, ADA, CredentialStatus.ACTIVE, Optional.empty());
        member(entities, "bob", MemberStatus.SUSPENDED, BOB_SUSPENDED, CredentialStatus.ACTIVE, Optional.empty());
        member(entities, "cy", MemberStatus.ACTIVE, CY_REVOKED, CredentialStatus.REVOKED, Optional.empty());
        member(
                entities,
                "dee",
                MemberStatus.ACTIVE,
                DEE_WEEKENDS,
                CredentialStatus.ACTIVE,
                Optional.of(ScheduleId.of("not-today")));
        entities.add(new Credential(
                CredentialId.of("ada-phone"),
                MemberId.of("ada"),
                CredentialType.MEMBER_QR,
                Optional.empty(),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty()));
        entities.add(new VisitorPass(
                PassId.of("visit-1"),
                Optional.of(MemberId.of("ada")),
                Set.of(),
                Set.of(DoorId.of(DOOR)),
                now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofHours(8)),
                true,
                PassStatus.ACTIVE));
        return entities;
    }

    private void member(
            List<Entity> entities,
            String id,
            MemberStatus status,
            byte[] card,
            CredentialStatus cardStatus,
            Optional<ScheduleId> schedule) {
        entities.add(new Member(MemberId.of(id), status, Set.of()));
        entities.add(new Credential(
                CredentialId.of(id + "-card"),
                MemberId.of(id),
                CredentialType.NFC_CARD,
                Optional.of(cards.hash(card)),
                cardStatus,
                Optional.empty(),
                Optional.empty()));
        entities.add(new Grant(
                GrantId.of(id + "-front"),
                MemberId.of(id),
                Set.<DoorGroupId>of(),
                Set.of(DoorId.of(DOOR)),
                schedule,
                Optional.empty(),
                Optional.empty()));
    }

    /** The entitlements as one signed sync batch 1..n, as the hub publishes it. */
    public String signedBatch(Instant now) {
        List<Change> changes =
                entitlements(now).stream().<Change>map(Change.Upsert::new).toList();
        return SignedMessages.sign(
                new Envelope("batch-1", now, new SyncBatch(TENANT, SITE, 1, changes.size(), changes)), hubKey);
    }

    /** A fresh member QR token for Ada's phone. */
    public String memberCode(Instant now) {
        return code(QrKind.MEMBER, "ada-phone", false, now.minusSeconds(5), now.plusSeconds(60), hubKey);
    }

    /** A single-use visitor token for the demo's visitor pass. */
    public String visitorCode(Instant now) {
        return code(QrKind.VISITOR, "visit-1", true, now.minusSeconds(5), now.plus(Duration.ofHours(8)), hubKey);
    }

    /** Ada's member token signed by an impostor key under the hub's key id. */
    public String forgedCode(Instant now) {
        return code(
                QrKind.MEMBER,
                "ada-phone",
                false,
                now.minusSeconds(5),
                now.plusSeconds(60),
                SigningKeys.generate("hub-1"));
    }

    /** Ada's member token that expired nine minutes ago. */
    public String expiredCode(Instant now) {
        return code(QrKind.MEMBER, "ada-phone", false, now.minusSeconds(600), now.minusSeconds(540), hubKey);
    }

    private static String code(
            QrKind kind, String subject, boolean singleUse, Instant notBefore, Instant expiresAt, ECKey key) {
        return QrTokens.issue(
                new QrClaims(
                        TENANT, Set.of(SITE), kind, subject, singleUse, notBefore, expiresAt, QrTokens.newTokenId()),
                key);
    }

    /** Writes the signed entitlements next to the config, for {@code gatehouse-edge apply}. */
    public Path writeSignedBatch(Instant now) throws IOException {
        return Files.writeString(dir.resolve("entitlements.jws"), signedBatch(now));
    }

    /** Starts the agent on simulated hardware for this site, with the entitlements applied. */
    public EdgeAgent startSimulated(SimulatedHardware hardware) {
        EdgeAgent agent = EdgeAgent.start(config(), hardware, Clock.systemUTC());
        agent.applySigned(signedBatch(Instant.now()));
        return agent;
    }
}
