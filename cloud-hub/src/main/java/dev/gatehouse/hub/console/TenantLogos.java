package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * A tenant's logo: checked before it is stored, served as an image. Two kinds are taken:
 *
 * <ul>
 *   <li>SVG text, passed through {@link FloorPlanSvg} (no script, event handlers, external references
 *       or DOCTYPE), at most {@value #MAX_SVG_CHARS} characters;
 *   <li>a PNG as a {@code data:image/png;base64,…} URL (what the settings page's script reads a
 *       chosen file into), at most {@value #MAX_PNG_BYTES} bytes and {@value #MAX_PNG_SIDE} pixels a
 *       side. It is decoded and written again, so nothing but pixels survives.
 * </ul>
 */
public record TenantLogos(Database database, Clock clock) {
    public static final int MAX_SVG_CHARS = 30_000;
    public static final int MAX_PNG_BYTES = 200_000;
    public static final int MAX_PNG_SIDE = 1024;
    private static final String PNG_DATA_URL = "data:image/png;base64,";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** A stored logo: its content type, its bytes, and when it was set (epoch millis, a cache key). */
    public record Logo(String contentType, byte[] bytes, long updatedAt) {}

    /** What {@link #check} made of a submitted logo: one to store, or why not. */
    public sealed interface Checked permits Accepted, Refused {}

    public record Accepted(String contentType, String body) implements Checked {}

    public record Refused(String reason) implements Checked {}

    /** Checks a submitted logo: SVG text or a PNG data URL. */
    public static Checked check(String submitted) {
        String text = submitted == null ? "" : submitted.strip();
        if (text.isEmpty()) {
            return new Refused("choose an SVG or PNG file for the logo");
        }
        if (text.startsWith("data:")) {
            return png(text);
        }
        if (text.length() > MAX_SVG_CHARS) {
            return new Refused("the SVG has " + text.length() + " characters; a logo may have at most " + MAX_SVG_CHARS
                    + ": simplify it or export it as PNG");
        }
        return switch (FloorPlanSvg.check(text)) {
            case FloorPlanSvg.Clean clean -> new Accepted("image/svg+xml", clean.svg());
            case FloorPlanSvg.Refused refused -> new Refused(refused.reason());
        };
    }

    private static Checked png(String dataUrl) {
        if (!dataUrl.startsWith(PNG_DATA_URL)) {
            return new Refused("a logo file must be SVG or PNG; convert it to one of them");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(dataUrl.substring(PNG_DATA_URL.length()));
        } catch (IllegalArgumentException e) {
            return new Refused("the PNG did not arrive whole (its base64 text is broken): choose the file again");
        }
        if (bytes.length > MAX_PNG_BYTES) {
            return new Refused("the PNG has " + bytes.length + " bytes; a logo may have at most " + MAX_PNG_BYTES
                    + ": make it smaller");
        }
        if (bytes.length < PNG_SIGNATURE.length
                || !java.util.Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
            return new Refused("the file is not a PNG image: choose an SVG or PNG file");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            image = null;
        }
        if (image == null) {
            return new Refused("the PNG could not be read (the file is damaged): export it again");
        }
        if (image.getWidth() > MAX_PNG_SIDE || image.getHeight() > MAX_PNG_SIDE) {
            return new Refused("the PNG is " + image.getWidth() + "×" + image.getHeight()
                    + " pixels; a logo may be at most " + MAX_PNG_SIDE + " pixels a side: scale it down");
        }
        ByteArrayOutputStream clean = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", clean);
        } catch (IOException e) {
            return new Refused("the PNG could not be read (the file is damaged): export it again");
        }
        return new Accepted("image/png", Base64.getEncoder().encodeToString(clean.toByteArray()));
    }

    public Optional<Logo> logo(String tenantId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT content_type, body, updated_at FROM tenant_logos WHERE tenant_id = ?",
                r -> new Logo(r.getString(1), bytes(r.getString(1), r.getString(2)), r.getLong(3)),
                tenantId));
    }

    /** When the tenant's logo was last set, or empty when it has none (a cheap read for page links). */
    public Optional<Long> version(String tenantId) {
        return database.read(
                c -> Sql.one(c, "SELECT updated_at FROM tenant_logos WHERE tenant_id = ?", Sql.LONG, tenantId));
    }

    private static byte[] bytes(String contentType, String body) {
        return contentType.equals("image/png")
                ? Base64.getDecoder().decode(body)
                : body.getBytes(StandardCharsets.UTF_8);
    }

    /** Stores a checked logo, replacing the tenant's one before; answers whether there was one. */
    boolean save(String tenantId, Accepted logo) {
        long now = clock.millis();
        return database.write(c -> {
            boolean replaced = Sql.update(
                            c,
                            "UPDATE tenant_logos SET content_type = ?, body = ?, updated_at = ? WHERE tenant_id = ?",
                            logo.contentType(),
                            logo.body(),
                            now,
                            tenantId)
                    == 1;
            if (!replaced) {
                Sql.update(
                        c,
                        "INSERT INTO tenant_logos (tenant_id, content_type, body, updated_at) VALUES (?, ?, ?, ?)",
                        tenantId,
                        logo.contentType(),
                        logo.body(),
                        now);
            }
            return replaced;
        });
    }

    /** Removes the tenant's logo; answers whether it had one. */
    boolean remove(String tenantId) {
        return database.write(c -> Sql.update(c, "DELETE FROM tenant_logos WHERE tenant_id = ?", tenantId) == 1);
    }
}
