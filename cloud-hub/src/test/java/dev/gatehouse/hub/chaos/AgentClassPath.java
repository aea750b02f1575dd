package dev.gatehouse.hub.chaos;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * The class path the harness's agents run on: this JVM's, with every class directory the agent may
 * need (its own module's, the protocol's, the simulator's, when built but not packaged) made into a
 * jar, and the hub's own directories left out. The installed agent runs from jars only, and a JVM
 * writes or maps a class data archive only for a class path of jars.
 */
final class AgentClassPath {
    private AgentClassPath() {}

    static String jarsOnly(Path workDir) throws IOException {
        List<String> entries = new ArrayList<>();
        Path jars = Files.createDirectories(workDir.resolve("agent-classes"));
        int made = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.isDirectory(path)) {
                entries.add(entry);
            } else if (!Files.isDirectory(path.resolve("dev/gatehouse/hub"))) {
                Path jar = jars.resolve((++made) + "-" + path.getParent().getFileName() + ".jar");
                jar(path, jar);
                entries.add(jar.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** {@code dir}'s files as an uncompressed jar (stored, as the class loader reads them fastest). */
    private static void jar(Path dir, Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.filter(Files::isRegularFile).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(path);
                JarEntry entry = new JarEntry(dir.relativize(path).toString().replace(File.separatorChar, '/'));
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(bytes.length);
                entry.setCompressedSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                entry.setCrc(crc.getValue());
                out.putNextEntry(entry);
                out.write(bytes);
                out.closeEntry();
            }
        }
    }
}
