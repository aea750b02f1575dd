package dev.gatehouse.edge.camera;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.imageio.ImageIO;

/**
 * Frames from a capture command that writes one PNG or JPEG image to standard output per run, e.g.
 * {@code libcamera-still -n -t 1 --width 640 --height 480 -e png -o -} or
 * {@code ffmpeg -loglevel error -f v4l2 -i /dev/video0 -frames:v 1 -f image2pipe -vcodec png -}.
 */
public final class CommandFrameSource implements FrameSource {
    /** A frame larger than this is not a camera frame the agent asked for. */
    static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /** Larger frames cost memory and decode time for nothing: a QR code at a door fills a VGA frame. */
    static final long MAX_PIXELS = 1280L * 960;

    private final List<String> command;
    private volatile Process current;
    private final long timeoutMillis;

    public CommandFrameSource(List<String> command, long timeoutMillis) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the capture command is empty");
        }
        this.command = List.copyOf(command);
        this.timeoutMillis = timeoutMillis;
    }

    /** Splits a configured command line on whitespace (quotes are not interpreted). */
    public static CommandFrameSource of(String commandLine, long timeoutMillis) {
        return new CommandFrameSource(List.of(commandLine.trim().split("\\s+")), timeoutMillis);
    }

    @Override
    public Optional<BufferedImage> next() throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        current = process;
        // Read the output on its own thread so that a command that hangs, or floods, is bounded by the
        // timeout instead of blocking the reader.
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(
                () -> {
                    try (InputStream out = process.getInputStream()) {
                        return out.readNBytes(MAX_FRAME_BYTES + 1);
                    } catch (IOException e) {
                        return new byte[0];
                    }
                },
                runnable -> Thread.ofVirtual().name("capture").start(runnable));
        byte[] bytes;
        try {
            bytes = output.get(timeoutMillis, TimeUnit.MILLISECONDS);
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new TimeoutException();
            }
        } catch (TimeoutException e) {
            throw new IOException(
                    "the capture command " + command.get(0) + " did not finish in " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while capturing a frame", e);
        } catch (ExecutionException e) {
            throw new IOException("capturing a frame failed: " + e.getCause(), e);
        } finally {
            process.destroyForcibly();
            current = null;
        }
        if (process.exitValue() != 0) {
            throw new IOException("the capture command " + command.get(0) + " exited with " + process.exitValue());
        }
        if (bytes.length > MAX_FRAME_BYTES) {
            throw new IOException("the capture command wrote more than " + MAX_FRAME_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            return Optional.empty();
        }
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        if (image == null) {
            throw new IOException("the capture command's output is not a PNG or JPEG image");
        }
        if ((long) image.getWidth() * image.getHeight() > MAX_PIXELS) {
            throw new IOException("the frame is " + image.getWidth() + "x" + image.getHeight() + "; capture at most "
                    + MAX_PIXELS + " pixels (e.g. 1280x960)");
        }
        return Optional.of(image);
    }

    /** Stops a capture in progress. */
    @Override
    public void close() {
        Process running = current;
        if (running != null) {
            running.destroyForcibly();
        }
    }
}
