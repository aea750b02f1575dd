package dev.gatehouse.edge.camera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Optional;

/** Where camera frames come from: a capture command on a Pi, the simulator in tests. */
public interface FrameSource extends AutoCloseable {
    /** The next frame, or empty when none is available right now. */
    Optional<BufferedImage> next() throws IOException;

    @Override
    default void close() {}
}
