package dev.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The protocol module is pure: no files, sockets, threads or clock reads outside the command-line
 * tool ({@code dev.gatehouse.protocol.cli}). Edge and hub must get the same decision for the same
 * inputs, and time must be passed in so that tests can move it. This test reads the constant pool of
 * every compiled class and fails on a reference to a forbidden class or method.
 */
class PurityTest {
    private static final List<String> FORBIDDEN_CLASS_PREFIXES = List.of(
            "java/io/File",
            "java/io/RandomAccessFile",
            "java/nio/file/",
            "java/nio/channels/",
            "java/net/",
            "java/util/concurrent/Executor",
            "java/util/concurrent/ForkJoinPool",
            "java/util/Timer",
            "java/lang/ProcessBuilder");
    private static final Set<String> FORBIDDEN_CLASSES =
            Set.of("java/lang/Thread", "java/lang/Runtime", "java/time/Clock");
    private static final Set<String> FORBIDDEN_MEMBERS = Set.of(
            "java/lang/System.currentTimeMillis",
            "java/lang/System.nanoTime",
            "java/lang/System.out",
            "java/lang/System.err",
            "java/lang/System.in",
            "java/lang/System.exit",
            "java/lang/System.getenv",
            "java/lang/System.getProperty",
            "java/time/Instant.now",
            "java/time/LocalDate.now",
            "java/time/LocalDateTime.now",
            "java/time/LocalTime.now",
            "java/time/ZonedDateTime.now",
            "java/time/OffsetDateTime.now");

    @Test
    void protocolCoreDoesNoIoStartsNoThreadsAndReadsNoClock() throws Exception {
        Path classes = classesRoot();
        List<String> violations = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(file -> file.toString().endsWith(".class")).toList();
        }
        int checked = 0;
        for (Path file : files) {
            String name = classes.relativize(file).toString().replace('\\', '/');
            if (name.startsWith("dev/gatehouse/protocol/cli/")) {
                continue;
            }
            checked++;
            References references = read(file);
            for (String type : references.classes) {
                if (FORBIDDEN_CLASSES.contains(type)
                        || FORBIDDEN_CLASS_PREFIXES.stream().anyMatch(type::startsWith)) {
                    violations.add(name + " uses " + type);
                }
            }
            for (String member : references.members) {
                if (FORBIDDEN_MEMBERS.contains(member)) {
                    violations.add(name + " uses " + member);
                }
            }
        }
        assertThat(checked).as("classes checked").isGreaterThan(30);
        assertThat(violations).as("impure references in the protocol core").isEmpty();
    }

    @Test
    void theCheckerSeesAClockReadWhenThereIsOne() throws Exception {
        // Guards the guard: the CLI reads the clock and stdin, and the parser must notice.
        Path cli = classesRoot().resolve("dev/gatehouse/protocol/cli/ProtocolTool.class");
        References references = read(cli);
        assertThat(references.members).contains("java/time/Instant.now", "java/lang/System.in");
    }

    private static Path classesRoot() throws URISyntaxException {
        return Path.of(ProtocolException.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }

    private record References(Set<String> classes, Set<String> members) {}

    /** A minimal class-file constant-pool reader (JVMS §4.4): classes, and owner.name of field and method refs. */
    private static References read(Path file) throws IOException {
        try (InputStream stream = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(stream)) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException(file + " is not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNameIndex = new int[count];
            int[][] refs = new int[count][];
            int[] nameAndTypeName = new int[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    case 7 -> classNameIndex[i] = in.readUnsignedShort();
                    case 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 9, 10, 11 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                    case 12 -> {
                        nameAndTypeName[i] = in.readUnsignedShort();
                        in.readUnsignedShort();
                    }
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    case 17, 18 -> in.readInt();
                    default -> throw new IOException(file + ": unknown constant pool tag " + tag);
                }
            }
            Set<String> classes = new HashSet<>();
            Set<String> members = new HashSet<>();
            for (int i = 1; i < count; i++) {
                if (classNameIndex[i] != 0) {
                    classes.add(utf8[classNameIndex[i]]);
                }
            }
            for (int i = 1; i < count; i++) {
                if (refs[i] != null) {
                    String owner = utf8[classNameIndex[refs[i][0]]];
                    String member = utf8[nameAndTypeName[refs[i][1]]];
                    members.add(owner + "." + member);
                }
            }
            return new References(classes, members);
        }
    }
}
