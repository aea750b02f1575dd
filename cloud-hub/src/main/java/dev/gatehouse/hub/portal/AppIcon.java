package dev.gatehouse.hub.portal;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * The portal's home-screen icon, drawn in the tenant's brand colour: a white door with its handle on
 * a full square (launchers round or mask it themselves), so every space's app looks like its own.
 */
final class AppIcon {
    private AppIcon() {}

    static byte[] png(Color brand, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(brand);
            g.fillRect(0, 0, size, size);
            int width = size * 3 / 8;
            int height = size * 5 / 8;
            int x = (size - width) / 2;
            int y = (size - height) / 2;
            g.setColor(Color.WHITE);
            g.fillRoundRect(x, y, width, height, size / 32, size / 32);
            int knob = Math.max(2, size / 16);
            g.setColor(brand);
            g.fillOval(x + width - knob * 2, y + height / 2 - knob / 2, knob, knob);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
