package dev.gatehouse.edge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.edge.agent.ControlServer;
import dev.gatehouse.edge.agent.DemoSite;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.Hardware;
import dev.gatehouse.edge.agent.PiHardware;
import dev.gatehouse.edge.agent.SafeHold;
import dev.gatehouse.edge.agent.SimClock;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.edge.agent.Watchdog;
import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.config.TrustedCas;
import dev.gatehouse.edge.console.ConsolePassword;
import dev.gatehouse.edge.console.TechConsole;
import dev.gatehouse.edge.kiosk.Kiosk;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The edge agent's command line, for the Pi's service and for technicians:
 *
 * <pre>
 * gatehouse-edge run --config FILE [--simulate]    run the agent (on the hardware simulator with --simulate)
 * gatehouse-edge status --config FILE              doors, readers, cache seq and size, clock trust, outbox depth
 * gatehouse-edge test-relay DOOR --config FILE     pulse a door's relay
 * gatehouse-edge watch --config FILE               live decisions and door events
 * gatehouse-edge apply --config FILE &lt; FILE.jws    apply a signed sync batch or snapshot chunk from the hub
 * gatehouse-edge sim ACTION TARGET [VALUE] --config FILE
 *                                                   drive a simulated site: tap READER UID, scan READER TEXT,
 *                                                   open|close|rex|relay DOOR, fire INPUT on|off,
 *                                                   clock OFFSET (the simulated run's clock: +2h, -90s, 0)
 * gatehouse-edge init-demo DIR                     write a demo site (config, keys, signed entitlements)
 * gatehouse-edge provision BUNDLE.json DIR         write a device's provisioning bundle from the hub into DIR
 * gatehouse-edge selftest --config FILE             check the JVM, GPIO, pins, ports, clock, data dir and secrets
 * gatehouse-edge enroll HUB CODE [DIR] [--ca-file FILE]
 *                                                   enroll with a one-time code from the console (see Enroller)
 * gatehouse-edge console-password --config FILE    set the technician console's password (read from stdin)
 * </pre>
 *
 * Exit codes: 0 done, 1 failed (one line on stderr says why), 2 usage error, 3 the agent could not start
 * past its doors and held them locked until it was stopped (stderr says what to fix).
 */
public final class EdgeMain {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;

    public EdgeMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new EdgeMain(System.out, System.err).run(args));
    }

    public int run(String[] args) {
        if (args.length == 0) {
            return usage("no command");
        }
        List<String> positional = new ArrayList<>();
        Optional<Path> config = Optional.empty();
        boolean simulate = false;
        boolean allowHttp = false;
        Optional<Path> caFile = Optional.empty();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--ca-file" -> {
                    if (i + 1 >= args.length || !args[0].equals("enroll")) {
                        return usage("--ca-file FILE belongs to enroll (the agent reads hub.ca-file from its config)");
                    }
                    caFile = Optional.of(Path.of(args[++i]));
                }
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        return usage("--config needs a file");
                    }
                    config = Optional.of(Path.of(args[++i]));
                }
                case "--simulate" -> simulate = true;
                case "--allow-http" -> allowHttp = true;
                default -> {
                    if (args[i].startsWith("--")) {
                        // A misspelt --simulate must not start the agent on real GPIO.
                        return usage("unknown option " + args[i]);
                    }
                    positional.add(args[i]);
                }
            }
        }
        try {
            return switch (args[0]) {
                case "run" -> runAgent(requireConfig(config), simulate);
                case "init-demo" -> initDemo(positional);
                case "provision" -> provision(positional);
                case "enroll" -> enroll(positional, allowHttp, caFile);
                case "status" -> status(requireConfig(config));
                case "selftest" -> new SelfTest(out).run(requireConfig(config));
                case "console-password" -> consolePassword(requireConfig(config));
                case "watch" -> watch(requireConfig(config));
                case "test-relay" ->
                    request(requireConfig(config), command("test-relay").put("door", arg(positional, 0, "DOOR")));
                case "apply" ->
                    request(
                            requireConfig(config),
                            command("apply")
                                    .put("jws", new String(System.in.readAllBytes(), StandardCharsets.US_ASCII)));
                case "sim" -> sim(requireConfig(config), positional);
                case "help", "--help", "-h" -> {
                    out.println(usageText());
                    yield 0;
                }
                default -> usage("unknown command '" + args[0] + "'");
            };
        } catch (UsageError e) {
            return usage(e.getMessage());
        } catch (ConfigException e) {
            err.println("gatehouse-edge: configuration: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("gatehouse-edge: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    private int runAgent(Path configFile, boolean simulate) throws IOException {
        long started = System.nanoTime();
        EdgeConfig config = EdgeConfigLoader.load(configFile);
        // Only the simulated run's clock can be moved (sim clock OFFSET); real hardware reads the host's.
        Optional<SimClock> simClock = simulate ? Optional.of(new SimClock(Clock.systemUTC())) : Optional.empty();
        Clock clock = simClock.map(Clock.class::cast).orElse(Clock.systemUTC());
        Hardware hardware = simulate
                ? SimulatedHardware.forConfig(config, config.dataDir().resolve("sim-devices"), clock)
                : new PiHardware();
        EdgeAgent agent;
        try {
            switch (EdgeAgent.startOrHold(config, hardware, clock)) {
                case EdgeAgent.Started.Running running -> agent = running.agent();
                case EdgeAgent.Started.Held held -> {
                    return holdDoors(held.hold(), hardware);
                }
            }
        } catch (RuntimeException e) {
            hardware.close();
            throw e;
        }
        ControlServer control;
        try {
            control = ControlServer.start(
                    agent,
                    hardware instanceof SimulatedHardware simulated ? Optional.of(simulated.site()) : Optional.empty(),
                    simClock);
        } catch (IOException | RuntimeException e) {
            agent.close(); // doors to their safe state, cache closed
            hardware.close();
            throw e;
        }
        Optional<TechConsole> console = startConsole(agent, configFile, config);
        // READY=1 once the doors run and the control socket answers; STOPPING=1 before the doors close.
        Watchdog watchdog = Watchdog.start(
                agent.doors().values(), "running: " + agent.doors().size() + " doors");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            watchdog.close();
                            console.ifPresent(TechConsole::close);
                            control.close();
                            agent.close(); // doors to their safe state, cache closed
                            hardware.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        long readyMillis = (System.nanoTime() - started) / 1_000_000;
        out.println("ready in " + readyMillis + " ms: " + config.site().tenant() + "/"
                + config.site().id() + "/"
                + config.site().device() + " on " + hardware.kind() + " hardware, "
                + config.doors().size()
                + " doors, cache seq " + agent.cache().seq() + ", "
                + agent.cache().credentialCount() + " credentials");
        out.println("control socket " + ControlServer.socketIn(config.dataDir()));
        if (simulate) {
            String c = " --config " + configFile;
            out.println("try:  gatehouse-edge sim tap " + firstReader(config, EdgeConfig.ReaderType.PN532)
                    + " 04A22B1C5D8000" + c);
            out.println("      gatehouse-edge watch" + c + "      gatehouse-edge status" + c);
        }
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * Starts the technician console when the config has a {@code local-console} section. A console that
     * cannot start (its address taken or not this Pi's) is reported and left out: the doors matter more.
     */
    private Optional<TechConsole> startConsole(EdgeAgent agent, Path configFile, EdgeConfig config) {
        if (config.localConsole().isEmpty()) {
            return Optional.empty();
        }
        EdgeConfig.LocalConsole settings = config.localConsole().get();
        try {
            TechConsole console = TechConsole.start(agent, configFile, settings, Clock.systemUTC());
            out.println("technician console " + console.address());
            Kiosk kiosk = Kiosk.attach(agent, console, Clock.systemUTC());
            out.println("kiosk " + kiosk.address() + " (pair a tablet in the console's Kiosks section)");
            if (!java.nio.file.Files.exists(settings.passwordFile())) {
                out.println("  no console password yet: set one with gatehouse-edge console-password --config "
                        + configFile);
            }
            return Optional.of(console);
        } catch (IOException | RuntimeException e) {
            err.println("gatehouse-edge: the technician console did not start on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage() + " (the doors run without it)");
            return Optional.empty();
        }
    }

    /**
     * Sets the technician console's password: typed twice on a terminal, or the first line of stdin
     * (for scripts), stored as an Argon2id hash in the {@code local-console.password-file} (0600).
     */
    private int consolePassword(Path configFile) throws IOException {
        EdgeConfig config = EdgeConfigLoader.load(configFile);
        EdgeConfig.LocalConsole settings = config.localConsole()
                .orElseThrow(() -> new ConfigException(
                        "local-console",
                        "is missing: add a local-console section with its listen address first (see"
                                + " edge-agent/README.md, Technician console)"));
        String password;
        java.io.Console terminal = System.console();
        if (interactive(terminal)) {
            char[] first = terminal.readPassword(
                    "new console password (at least %d characters): ", ConsolePassword.MIN_LENGTH);
            char[] again = terminal.readPassword("the same again: ");
            if (first == null || again == null || !java.util.Arrays.equals(first, again)) {
                err.println("gatehouse-edge: the two passwords differ; nothing was written");
                return 1;
            }
            password = new String(first);
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? "" : line;
        }
        Optional<String> problem = ConsolePassword.problem(password);
        if (problem.isPresent()) {
            err.println("gatehouse-edge: " + problem.get() + "; nothing was written");
            return 1;
        }
        ConsolePassword.write(settings.passwordFile(), password);
        out.println("console password set: wrote its Argon2id hash to " + settings.passwordFile()
                + " (0600); sessions signed in with the old one are signed out");
        return 0;
    }

    /**
     * Whether {@code terminal} is a person at a terminal. From JDK 22 {@code System.console()} exists
     * even when stdin is a pipe and {@code Console.isTerminal()} tells; on 21 it is null then.
     */
    private static boolean interactive(java.io.Console terminal) {
        if (terminal == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(terminal);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The agent could not start past its doors: they are held locked with REX working. Says what to fix
     * and stays up until stopped (exiting would let systemd restart it into the same failure).
     */
    private int holdDoors(SafeHold hold, Hardware hardware) {
        // Ready too: the doors are in their safe state, and the watchdog still checks their queues.
        Watchdog watchdog = Watchdog.start(
                hold.doors().values(),
                "holding " + hold.doors().size() + " doors locked, cannot start: " + hold.problem());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            watchdog.close();
                            hold.close();
                            hardware.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        err.println("gatehouse-edge: cannot start: " + hold.problem());
        err.println("  the " + hold.doors().size() + " doors are held locked (REX and the contacts work) and every"
                + " card and code is refused; fix the problem above and restart the agent");
        err.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 3;
    }

    private static String firstReader(EdgeConfig config, EdgeConfig.ReaderType type) {
        return config.readers().stream()
                .filter(reader -> reader.type() == type)
                .map(EdgeConfig.Reader::id)
                .findFirst()
                .orElse("READER");
    }

    private int provision(List<String> positional) throws IOException {
        Path bundleFile = Path.of(arg(positional, 0, "BUNDLE.json"));
        Path dir = Path.of(arg(positional, 1, "DIR"));
        Provisioning.Bundle bundle = Provisioning.parse(Files.readString(bundleFile));
        Provisioning.Written written = Provisioning.write(bundle, dir);
        out.println("provisioned " + bundle.tenant() + "/" + bundle.site() + "/" + bundle.device() + " in " + dir);
        report(bundle, written);
        return 0;
    }

    /** Where the package keeps the agent's configuration, and its data. */
    static final Path PACKAGE_CONFIG_DIR = Path.of("/etc/gatehouse");

    static final String PACKAGE_DATA_DIR = "/var/lib/gatehouse";

    private int enroll(List<String> positional, boolean allowHttp, Optional<Path> caFile) throws IOException {
        String first = arg(positional, 0, "HUB");
        boolean qr = first.startsWith(Enroller.QR_PREFIX);
        int dirIndex = qr ? 1 : 2;
        if (positional.size() > dirIndex + 1) {
            throw new UsageError("enroll takes HUB CODE [DIR] (or the QR code's text and [DIR])");
        }
        Enroller.Target target;
        try {
            target = Enroller.target(first, qr ? null : (positional.size() > 1 ? positional.get(1) : null), allowHttp);
        } catch (Enroller.EnrollException e) {
            err.println("gatehouse-edge: enroll: " + e.getMessage());
            return 2;
        }
        Path dir = positional.size() > dirIndex ? Path.of(positional.get(dirIndex)) : PACKAGE_CONFIG_DIR;
        String dataDir = dir.toAbsolutePath().normalize().equals(PACKAGE_CONFIG_DIR) ? PACKAGE_DATA_DIR : "data";
        Optional<TrustedCas> cas;
        try {
            cas = caFile.map(file -> TrustedCas.read(file, "--ca-file"));
        } catch (ConfigException e) {
            err.println("gatehouse-edge: enroll: " + e.getMessage());
            err.println("nothing was written");
            return 2;
        }
        Enroller.Enrolled enrolled;
        try {
            enrolled = new Enroller(cas).enroll(target, dir, dataDir, EdgeAgent.AGENT_VERSION);
        } catch (Enroller.EnrollException e) {
            err.println("gatehouse-edge: enroll: " + e.getMessage());
            err.println("nothing was written");
            return 1;
        }
        Provisioning.Bundle bundle = enrolled.bundle();
        out.println("enrolled as device " + bundle.device() + " of site " + bundle.site() + " (" + bundle.tenant()
                + ") with " + target.hub() + "; " + bundle.doors().size() + " doors");
        out.println("  wrote " + enrolled.keyFile() + " (0600): this device's private key, made here");
        report(bundle, enrolled.written());
        return 0;
    }

    private void report(Provisioning.Bundle bundle, Provisioning.Written written) {
        written.files().forEach(file -> out.println("  wrote " + file + " (0600)"));
        written.caFile()
                .ifPresent(file -> out.println(
                        "  wrote " + file + ": the hub's CA certificates, trusted instead of the public CAs"));
        if (written.configWritten()) {
            out.println("  wrote " + written.config() + " with the site and hub sections");
            out.println("next: the hub's " + bundle.doors().size()
                    + " doors are in it commented out: set each door's lock and GPIO pins (and its readers),"
                    + " uncomment them, then run the agent with --config " + written.config());
        } else {
            out.println("  kept " + written.config() + " (it already exists); its hub section should read:");
            out.println("    hub:\n      mqtt-url: " + bundle.mqttUrl() + "\n      password-file: mqtt-password"
                    + written.caFile()
                            .map(file -> "\n      ca-file: " + file.getFileName())
                            .orElse(""));
        }
    }

    private int initDemo(List<String> positional) throws IOException {
        Path dir = Path.of(arg(positional, 0, "DIR"));
        Files.createDirectories(dir);
        if (Files.exists(dir.resolve("gatehouse.yaml"))) {
            throw new IllegalStateException(dir + " already holds a site (gatehouse.yaml); pick an empty directory");
        }
        DemoSite demo = new DemoSite(dir);
        Path batch = demo.writeSignedBatch(Instant.now());
        out.println("demo site written to " + dir);
        out.println("  config        " + demo.configFile);
        out.println("  entitlements  " + batch + " (signed by the demo hub key)");
        out.println("next:");
        out.println("  gatehouse-edge run --simulate --config " + demo.configFile + " &");
        out.println("  gatehouse-edge apply --config " + demo.configFile + " < " + batch);
        out.println(
                "  gatehouse-edge sim tap nfc-main 04A22B1C5D8000 --config " + demo.configFile + "   # ada: granted");
        out.println(
                "  gatehouse-edge sim tap nfc-main 04112233445566 --config " + demo.configFile + "   # bob: suspended");
        return 0;
    }

    private int status(Path configFile) throws IOException {
        JsonNode answer = call(configFile, command("status"), Optional.empty());
        if (!answer.path("ok").asBoolean()) {
            err.println("gatehouse-edge: " + answer.path("error").asText());
            return 1;
        }
        JsonNode s = answer.path("status");
        out.printf(
                "site     %s/%s/%s (%s hardware)%n",
                s.path("tenant").asText(),
                s.path("site").asText(),
                s.path("device").asText(),
                s.path("hardware").asText());
        out.printf(
                "cache    seq %d, %,d credentials, %,d KB%n",
                s.path("cacheSeq").asLong(),
                s.path("credentials").asLong(),
                s.path("cacheBytes").asLong() / 1024);
        out.printf("clock    %s%n", s.path("clockReason").asText(s.path("clock").asText()));
        out.printf(
                "outbox   %d events waiting for the hub%n",
                s.path("outboxDepth").asLong());
        out.printf("hub      %s%n", s.path("hub").asText());
        out.println("doors");
        for (JsonNode door : s.path("doors")) {
            List<String> readers = new ArrayList<>();
            door.path("readers").forEach(reader -> readers.add(reader.asText()));
            out.printf(
                    "  %-20s %-10s %-20s readers %s; %s%n",
                    door.path("id").asText(),
                    door.path("state").asText(),
                    door.path("mode").asText(),
                    String.join(", ", readers),
                    door.path("policy").asText());
        }
        out.println("readers");
        for (JsonNode reader : s.path("readers")) {
            out.printf(
                    "  %-20s %-10s %s%n",
                    reader.path("id").asText(),
                    reader.path("type").asText(),
                    reader.path("healthy").asBoolean()
                            ? "ok"
                            : "FAULT: " + reader.path("fault").asText());
        }
        return 0;
    }

    private int watch(Path configFile) throws IOException {
        JsonNode answer = call(configFile, command("watch"), Optional.of(out));
        err.println("gatehouse-edge: "
                + (answer.path("ok").asBoolean()
                        ? "the agent stopped"
                        : answer.path("error").asText()));
        return 1;
    }

    private int sim(Path configFile, List<String> positional) throws IOException {
        String action = arg(positional, 0, "ACTION");
        ObjectNode request = command("sim").put("action", action).put("target", arg(positional, 1, "TARGET"));
        switch (action) {
            case "tap" -> request.put("uid", arg(positional, 2, "UID"));
            case "scan" -> request.put("text", arg(positional, 2, "TEXT"));
            case "fire" -> request.put("state", arg(positional, 2, "on|off"));
            default -> {}
        }
        return request(configFile, request);
    }

    private int request(Path configFile, ObjectNode request) throws IOException {
        JsonNode answer = call(configFile, request, Optional.empty());
        if (!answer.path("ok").asBoolean()) {
            err.println("gatehouse-edge: " + answer.path("error").asText());
            return 1;
        }
        for (String field : List.of("decision", "eventId", "message", "result", "energised", "claimedAt")) {
            if (answer.has(field)) {
                out.println(field + ": " + answer.path(field).asText());
            }
        }
        answer.path("transitions").forEach(line -> out.println(line.asText()));
        return 0;
    }

    /** Sends one request; the first answer line is returned, and further lines go to {@code stream}. */
    private static JsonNode call(Path configFile, ObjectNode request, Optional<PrintStream> stream) throws IOException {
        EdgeConfig config = EdgeConfigLoader.load(configFile);
        Path socket = ControlServer.socketIn(config.dataDir());
        if (!Files.exists(socket)) {
            throw new IOException("no agent is running for " + configFile + " (no control socket at " + socket + ")");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new IOException("no agent answers on " + socket + " (" + e.getMessage()
                        + "): it is not running, or was killed and left its socket behind; start it with 'run'");
            }
            PrintStream writer = new PrintStream(Channels.newOutputStream(channel), true, StandardCharsets.UTF_8);
            writer.println(JSON.writeValueAsString(request));
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            String first = reader.readLine();
            if (first == null) {
                throw new IOException("the agent closed the connection without answering");
            }
            JsonNode answer = JSON.readTree(first);
            if (stream.isPresent() && answer.path("ok").asBoolean()) {
                String line;
                while ((line = reader.readLine()) != null) {
                    stream.get().println(line);
                }
            }
            return answer;
        }
    }

    private static ObjectNode command(String cmd) {
        return JSON.createObjectNode().put("cmd", cmd);
    }

    private static Path requireConfig(Optional<Path> config) {
        return config.orElseThrow(() -> new UsageError("--config FILE is required"));
    }

    private static String arg(List<String> positional, int index, String name) {
        if (positional.size() <= index) {
            throw new UsageError("missing " + name);
        }
        return positional.get(index);
    }

    private int usage(String problem) {
        err.println("gatehouse-edge: " + problem);
        err.println(usageText());
        return 2;
    }

    private static String usageText() {
        return """
                usage: gatehouse-edge COMMAND [ARGS] --config FILE
                  run [--simulate]              run the agent (on the hardware simulator with --simulate)
                  status                        doors, readers, cache seq and size, clock trust, outbox depth
                  selftest                      check this Pi before the first door: Java, GPIO, pins, readers'
                                                ports, clock sync, data dir, secrets, the hub (exit 1 on a FAIL)
                  test-relay DOOR               pulse a door's relay
                  watch                         live decisions and door events
                  apply < FILE.jws              apply a signed sync batch or snapshot chunk from the hub
                  sim tap READER UID | sim scan READER TEXT | sim open|close|rex|relay DOOR
                  sim fire INPUT on|off         the fire panel's alarm on a fire-release input
                  sim av ROOM                   a simulated room controller's display, lights and climate
                  sim clock OFFSET              move the simulated agent's clock from the host's (+2h, -90s, 0)
                                                drive a simulated site
                  init-demo DIR                 write a demo site (config, keys, signed entitlements)
                  provision BUNDLE.json DIR     write the hub's provisioning bundle: card key, trusted keys,
                                                MQTT password (0600) and, if absent, gatehouse.yaml
                  enroll HUB CODE [DIR]         enroll with the console's one-time code: make this device's key
                                                pair, send its public key, write what provision writes and the
                                                private key into DIR (/etc/gatehouse); HUB CODE may also be the
                                                code's QR text. --allow-http for a plain-HTTP hub not on this host;
                                                --ca-file FILE: the hub's certificate is from this private CA (PEM),
                                                trusted instead of the public CAs and kept as hub.ca-file
                  console-password              set the technician console's password (typed twice, or the first
                                                line of stdin), kept as an Argon2id hash in local-console's
                                                password-file (0600)""";
    }

    /** A command-line mistake: exit 2 with the usage text. */
    private static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }
}
