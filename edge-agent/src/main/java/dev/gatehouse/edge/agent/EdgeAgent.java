package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.access.DecisionService;
import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.edge.access.PinAttempt;
import dev.gatehouse.edge.access.PinThrottle;
import dev.gatehouse.edge.av.MiloRoomAv;
import dev.gatehouse.edge.av.RoomAvListener;
import dev.gatehouse.edge.av.RoomAvs;
import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.edge.av.RoomSetup;
import dev.gatehouse.edge.bookings.BookingReleases;
import dev.gatehouse.edge.cache.ApplyResult;
import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.edge.cache.SnapshotResult;
import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.reader.Presentation;
import dev.gatehouse.edge.reader.Reader;
import dev.gatehouse.edge.reader.ReaderListener;
import dev.gatehouse.edge.sync.DoorCommands;
import dev.gatehouse.edge.sync.PahoSyncClient;
import dev.gatehouse.edge.sync.SyncClient;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.MessageType;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge agent: the configured doors on their relays, contacts and REX buttons, the readers, the
 * entitlement cache and outbox, and the decision path between them. It decides every door from the
 * local cache and needs no network; with a {@code hub} section in its config it also keeps that cache
 * in sync with the hub over MQTT ({@link #sync()}).
 */
public final class EdgeAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeAgent.class);
    /** How often the clock-trusted-source command runs. */
    static final Duration CLOCK_SOURCE_INTERVAL = Duration.ofMinutes(1);

    private final EdgeConfig config;
    private final Hardware hardware;
    private final Clock clock;
    private final FileChannel lock;
    private final ClaimedDoors claimed;
    private final EdgeCache cache;
    private final OutboxRecorder recorder;
    private final AgentClockTrust clockTrust;
    private final Map<String, DoorController> doors = new LinkedHashMap<>();
    private final Map<String, String> doorOfReader = new LinkedHashMap<>();
    private final List<Reader> readers = new ArrayList<>();
    private final Map<String, String> readerFaults = new ConcurrentHashMap<>();
    /** Rooms' A/V faults by "room function", as their schedulers report them. */
    private final Map<String, String> roomFaults = new ConcurrentHashMap<>();

    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final List<Consumer<Decided>> decisionListeners = new CopyOnWriteArrayList<>();
    private final DecisionService decisions;
    /** Wrong PINs per kiosk or door: a lock after too many (see {@link #tryPin}). */
    private final PinThrottle pins;

    private final Duration startedIn;
    /** The link to the hub, when the config has a hub section; started once the doors are up. */
    private volatile SyncClient sync;
    /**
     * The meeting rooms' A/V, when the config has rooms or the hub pushed some for this edge's doors;
     * each room on a thread of its own, apart from the doors. Replaced whole when the rooms change.
     */
    private volatile RoomAvs rooms;
    /** The rooms {@link #rooms} runs: the config's, with those the hub pushed in their place ({@link PushedRooms}). */
    private volatile List<EdgeConfig.Room> activeRooms = List.of();
    /** Sets the rooms up again when the hub's change them, off the sync thread (closing one waits for its controller). */
    private final ScheduledExecutorService roomSetup = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().name("room-setup").daemon(true).unstarted(task));
    /** Runs the clock-trusted-source command, off every door and reader thread. */
    private final ScheduledExecutorService clockChecks = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().name("clock-check").daemon(true).unstarted(task));
    /** No-show releases, decided here whether the hub is reachable or not. */
    private final BookingReleases releases;
    /** Runs the release sweep, off every door and reader thread. */
    private final ScheduledExecutorService releaseSweeps = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().name("booking-releases").daemon(true).unstarted(task));

    private EdgeAgent(EdgeConfig config, Hardware hardware, Clock clock, ClaimedDoors claimed, FileChannel lock) {
        long started = System.nanoTime();
        this.config = config;
        this.hardware = hardware;
        this.clock = clock;
        this.pins = new PinThrottle(clock);
        this.claimed = claimed;
        this.lock = lock;
        EdgeConfig.Site site = config.site();
        boolean done = false;
        try {
            this.cache = openCache(config, lock);
            cache.seedKeys(readKeys(config.trustedKeysFile()));
            CardHasher cards = new CardHasher(readCardKey(config.cardKeyFile()));
            this.recorder = new OutboxRecorder(cache);
            this.clockTrust = new AgentClockTrust(
                    clock,
                    System::nanoTime,
                    config.clockTolerance(),
                    cache::hubTimeHighWater,
                    hardware::clockSynchronised,
                    hardware.clockSyncSource(),
                    config.clockTrustedSource());
            if (config.clockTrustedSource().isPresent()) {
                clockChecks.scheduleWithFixedDelay(
                        clockTrust::checkSource, 0, CLOCK_SOURCE_INTERVAL.toSeconds(), TimeUnit.SECONDS);
            }
            this.decisions = new DecisionService(
                    site.tenant(),
                    site.id(),
                    cache::reading,
                    this::trustedKeys,
                    cards,
                    clock,
                    clockTrust,
                    this::offlineFor,
                    recorder,
                    this::decided);
            // The doors were claimed first and are held locked: now they can record their events and
            // take their stored modes and unlock windows.
            doors.putAll(claimed.doors());
            doors.values().forEach(door -> door.followClockTrust(() -> clockTrust.status() == ClockStatus.TRUSTED));
            claimed.attach(event -> doorEvent(event.door(), event.kind(), event.detail(), false, event.at()));
            claimed.resume(cache::doorMode);
            applyDoorPolicies();
            for (EdgeConfig.Door door : config.doors()) {
                door.readers().forEach(reader -> doorOfReader.put(reader, door.id()));
            }
            for (EdgeConfig.Reader readerConfig : config.readers()) {
                Reader reader = hardware.reader(readerConfig);
                readers.add(reader);
                reader.start(new Listener());
            }
            setUpRooms();
            // Bookings come with batches (fed at once); this also moves each room's horizon along.
            clockChecks.scheduleWithFixedDelay(this::feedRooms, 5, 5, TimeUnit.MINUTES);
            this.releases = new BookingReleases(
                    site.id(), cache, clock, () -> clockTrust.status() == ClockStatus.TRUSTED, this::released);
            releaseSweeps.scheduleWithFixedDelay(
                    this::sweepReleases,
                    BookingReleases.INTERVAL.toMillis(),
                    BookingReleases.INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);
            config.hub()
                    .ifPresent(hub -> sync = PahoSyncClient.start(
                            site, hub, cache, new SyncHost(), clock, new DoorCommands(doors, cache)));
            done = true;
        } finally {
            if (!done) {
                closeQuietly(false); // the doors are the caller's: start() releases them, startOrHold() keeps them
            }
        }
        config.warnings().forEach(warning -> log.warn("config {}", warning));
        this.startedIn = Duration.ofNanos(System.nanoTime() - started);
        log.info(
                "agent {}/{}/{} ready in {} ms: {} doors, {} readers, cache seq {}",
                site.tenant(),
                site.id(),
                site.device(),
                startedIn.toMillis(),
                doors.size(),
                readers.size(),
                cache.seq());
    }

    /**
     * Starts the agent; returns when every door is in its starting state and every reader is started.
     * The doors are claimed first (relays at their locked level, REX working) and released again if
     * anything after them fails, which is then thrown; {@link #startOrHold} keeps them instead.
     */
    public static EdgeAgent start(EdgeConfig config, Hardware hardware, Clock clock) {
        ownerOnlyDirectory(config.dataDir());
        FileChannel lock;
        try {
            lock = lockDataDir(config.dataDir());
        } catch (AnotherAgent e) {
            throw e.asConfigException();
        }
        ClaimedDoors claimed;
        try {
            claimed = ClaimedDoors.claim(config, hardware, clock);
        } catch (RuntimeException e) {
            closeLock(lock);
            throw e;
        }
        try {
            return new EdgeAgent(config, hardware, clock, claimed, lock);
        } catch (RuntimeException e) {
            claimed.close();
            throw e;
        }
    }

    /** What {@link #startOrHold} started: the agent, or its doors held safe because it could not start. */
    public sealed interface Started {
        /** The agent runs. */
        record Running(EdgeAgent agent) implements Started {}

        /** The doors are held locked with REX working, and every credential is refused; {@code hold} says why. */
        record Held(SafeHold hold) implements Started {}
    }

    /**
     * Starts the agent as {@link #start} does, but when something after the doors fails — the data
     * directory, the cache, the trusted keys, the card key — keeps the doors claimed in their safe
     * state instead of exiting: locked, REX and the door contact working, every card and code refused
     * with the reason logged, and the problem logged every minute until someone fixes it and restarts
     * the agent. A configuration whose doors cannot be claimed at all (a pin in use, no GPIO chip) and a
     * data directory held by another running agent still throw: there is nothing this process may drive.
     */
    public static Started startOrHold(EdgeConfig config, Hardware hardware, Clock clock) {
        FileChannel lock = null;
        RuntimeException early = null;
        try {
            ownerOnlyDirectory(config.dataDir());
            lock = lockDataDir(config.dataDir());
        } catch (AnotherAgent e) {
            throw e.asConfigException();
        } catch (RuntimeException e) {
            early = e;
        }
        ClaimedDoors claimed;
        try {
            claimed = ClaimedDoors.claim(config, hardware, clock);
        } catch (RuntimeException e) {
            if (lock != null) {
                closeLock(lock);
            }
            throw e;
        }
        if (early == null) {
            try {
                return new Started.Running(new EdgeAgent(config, hardware, clock, claimed, lock));
            } catch (RuntimeException e) {
                early = e;
            }
        }
        return new Started.Held(SafeHold.start(config, hardware, claimed, early));
    }

    /** How long {@link #start} took, from opening the cache to the last reader started. */
    public Duration startedIn() {
        return startedIn;
    }

    public EdgeConfig config() {
        return config;
    }

    public EdgeCache cache() {
        return cache;
    }

    public Optional<DoorController> door(String id) {
        return Optional.ofNullable(doors.get(id));
    }

    /** Every door by id, in configuration order (the watchdog checks each one's queue). */
    public Map<String, DoorController> doors() {
        return java.util.Collections.unmodifiableMap(doors);
    }

    /**
     * The meeting rooms' A/V, if the config has rooms: what the booking side feeds with each room's
     * upcoming bookings ({@link RoomAvs#bookings}), releases and overrides.
     */
    public Optional<RoomAvs> rooms() {
        return Optional.ofNullable(rooms);
    }

    /**
     * The agent's own problems for {@code device.state}: reader faults, rooms' A/V faults and doors a
     * fire release holds open.
     */
    List<String> localProblems() {
        List<String> out = new ArrayList<>();
        readerFaults.forEach((reader, fault) -> out.add("reader " + reader + ": " + fault));
        roomFaults.forEach((function, fault) ->
                out.add("room " + function.substring(0, function.indexOf(' ')) + " A/V: " + fault));
        doors.values().stream()
                .filter(DoorController::fireReleased)
                .forEach(door -> out.add("door " + door.id() + ": held unlocked by a fire-release input"));
        java.util.Collections.sort(out);
        return out;
    }

    /** What the sync client needs of the agent. */
    private final class SyncHost implements SyncClient.Host {
        @Override
        public ClockStatus clockStatus() {
            return clockTrust.status();
        }

        @Override
        public void hubTimeReceived(Instant signed) {
            clockChanges(() -> clockTrust.hubTimeReceived(signed));
        }

        @Override
        public void hubTimeAnswered(Instant signed, long requestSentNanos) {
            clockChanges(() -> clockTrust.hubTimeAnswered(signed, requestSentNanos));
        }

        @Override
        public Optional<String> refuseByHubTime(Instant signedAt, Instant expiresAt) {
            return clockTrust.refuseByHubTime(signedAt, expiresAt);
        }

        @Override
        public List<String> localProblems() {
            return EdgeAgent.this.localProblems();
        }

        @Override
        public String agentVersion() {
            return AGENT_VERSION;
        }

        @Override
        public List<String> features() {
            return List.of(
                    dev.gatehouse.protocol.model.Door.POLICY_FEATURE,
                    Booking.FEATURE,
                    dev.gatehouse.protocol.message.DeviceState.ROOMS_FEATURE,
                    dev.gatehouse.protocol.model.Room.FEATURE,
                    dev.gatehouse.protocol.model.Grant.FEATURE,
                    dev.gatehouse.protocol.model.VisitorPass.USED_FEATURE,
                    dev.gatehouse.protocol.model.VisitorPass.PIN_FEATURE,
                    dev.gatehouse.protocol.model.Agreement.FEATURE,
                    dev.gatehouse.protocol.message.KioskEvent.FEATURE,
                    dev.gatehouse.protocol.message.KioskEvent.SIGNATURES_FEATURE,
                    dev.gatehouse.protocol.model.Member.NAMES_FEATURE);
        }

        @Override
        public List<dev.gatehouse.protocol.message.RoomState> rooms() {
            RoomAvs av = rooms;
            if (av == null) {
                return List.of();
            }
            Map<String, List<String>> doors = new java.util.HashMap<>();
            activeRooms.forEach(room -> doors.put(room.id(), room.doors()));
            return av.status().stream()
                    .map(status -> RoomReports.of(status, doors.getOrDefault(status.room(), List.of())))
                    .flatMap(Optional::stream)
                    .toList();
        }

        @Override
        public void applied() {
            applyDoorPolicies();
            roomsChanged();
        }
    }

    /** The agent's version as reported to the hub. */
    public static final String AGENT_VERSION = Optional.ofNullable(
                    EdgeAgent.class.getPackage().getImplementationVersion())
            .orElse("0.1.0-SNAPSHOT");

    /** The link to the hub, if the config has a {@code hub} section. */
    public Optional<SyncClient> sync() {
        return Optional.ofNullable(sync);
    }

    private record Keys(long seq, KeySet keys) {}

    private volatile Keys keys = new Keys(-1, KeySet.of(List.of()));

    /**
     * The trusted keys, rebuilt only when the cache's seq moved (keys change only through sync):
     * parsing and checking every key on each QR scan would cost more than the signature check.
     */
    private KeySet trustedKeys() {
        long seq = cache.seq();
        Keys current = keys;
        if (current.seq() != seq) {
            current = new Keys(seq, cache.trustedKeys());
            keys = current;
        }
        return current.keys();
    }

    /**
     * How long the hub has been unreachable: zero while the MQTT session is up; otherwise the longer of
     * the time since the session dropped and the time since the newest hub time seen (which covers an
     * agent restarted while the hub is away). Without a hub section, the latter alone.
     */
    private Duration offlineFor() {
        SyncClient link = sync;
        if (link != null && link.connected()) {
            return Duration.ZERO;
        }
        Instant now = clock.instant();
        Duration sinceHub = cache.hubTimeHighWater()
                .filter(now::isAfter)
                .map(last -> Duration.between(last, now))
                .orElse(Duration.ZERO);
        if (link == null) {
            return sinceHub;
        }
        Duration sinceLink = link.offlineFor();
        return sinceLink.compareTo(sinceHub) > 0 ? sinceLink : sinceHub;
    }

    private void doorEvent(DoorId door, DoorEventKind kind, String detail) {
        doorEvent(door, kind, detail, false);
    }

    /** Records a door event; with {@code required}, a failure to record is thrown instead of logged. */
    private void doorEvent(DoorId door, DoorEventKind kind, String detail, boolean required) {
        doorEvent(door, kind, detail, required, clock.instant());
    }

    private void doorEvent(DoorId door, DoorEventKind kind, String detail, boolean required, Instant at) {
        Optional<String> text = detail == null || detail.isBlank()
                ? Optional.empty()
                : Optional.of(detail.length() > 200 ? detail.substring(0, 200) : detail);
        Envelope event =
                new Envelope(EventIds.next(at), at, new DoorEvent(config.site().id(), door, kind, text));
        try {
            recorder.record(event, Optional.empty(), Optional.empty(), Optional.empty());
        } catch (RuntimeException e) {
            if (required) {
                throw e;
            }
            log.error("door {}: could not record {}: {}", door, kind, e.toString());
        }
        eventsWaiting();
        watch(at + "  " + door + "  " + kind + text.map(value -> "  " + value).orElse(""));
    }

    /**
     * Releases the bookings due for release now (see {@link BookingReleases}); the agent does this
     * every {@link BookingReleases#INTERVAL} on its own. Answers the ids released by this call.
     */
    public List<BookingId> releaseDueBookings() {
        return releases.sweep().stream().map(r -> r.booking().id()).toList();
    }

    private void sweepReleases() {
        try {
            releases.sweep();
        } catch (RuntimeException e) {
            log.warn("booking release sweep failed, tried again in {}: {}", BookingReleases.INTERVAL, e.toString());
        }
    }

    private void released(BookingReleases.Released released) {
        Booking booking = released.booking();
        releaseRooms(booking);
        log.info(
                "booking {} released: nobody checked it in by {}",
                booking.id(),
                booking.releaseAt().orElseThrow());
        watch(released.event().time() + "  booking " + booking.id() + "  RELEASED  nobody checked it in by "
                + booking.releaseAt().orElseThrow());
        eventsWaiting();
    }

    private void decided(Decided decided) {
        var event = decided.accessEvent();
        String who = event.member()
                .map(member -> "member " + member)
                .or(() -> event.pass().map(pass -> "pass " + pass))
                .orElse("unknown");
        String verdict =
                switch (decided.decision()) {
                    case Decision.Granted granted ->
                        "GRANTED  " + granted.basis() + "  " + granted.basis().sentence();
                    case Decision.Denied denied ->
                        "DENIED   " + denied.reason() + "  " + denied.reason().sentence();
                };
        watch(decided.at() + "  " + decided.door() + "  " + verdict + "  (" + who + ", "
                + event.presented().name().toLowerCase().replace('_', '-') + ")"
                + decided.checksIn()
                        .map(booking -> "  checked in booking " + booking)
                        .orElse(""));
        decisionListeners.forEach(listener -> listener.accept(decided));
        eventsWaiting();
    }

    private void eventsWaiting() {
        SyncClient link = sync;
        if (link != null) {
            link.eventsWaiting();
        }
    }

    /** Hands a line to every watcher without blocking: this runs on door queues and reader threads. */
    private void watch(String line) {
        for (Watcher watcher : watchers) {
            if (!watcher.lines.offer(line)) {
                // A watcher that stopped reading must never hold up a door: it is dropped.
                log.warn("a watcher fell {} lines behind and was disconnected", Watcher.CAPACITY);
                watchers.remove(watcher);
                watcher.stop();
            }
        }
    }

    /**
     * Live decisions and door events, one line each, until the returned handle is closed. Lines are
     * delivered on the watcher's own thread from a bounded queue; a watcher that falls behind is
     * dropped, so a slow or stalled client never delays a door.
     */
    public AutoCloseable watch(Consumer<String> consumer) {
        Watcher watcher = new Watcher(consumer);
        watchers.add(watcher);
        return () -> {
            watchers.remove(watcher);
            watcher.stop();
        };
    }

    private static final class Watcher {
        static final int CAPACITY = 1_000;
        private static final String STOP = new String("stop");

        final java.util.concurrent.BlockingQueue<String> lines =
                new java.util.concurrent.ArrayBlockingQueue<>(CAPACITY);
        private final Thread sender;

        Watcher(Consumer<String> consumer) {
            this.sender = Thread.ofVirtual().name("watcher").start(() -> {
                try {
                    while (true) {
                        String line = lines.take();
                        if (line == STOP) {
                            return;
                        }
                        consumer.accept(line);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    log.debug("watcher gone: {}", e.toString());
                }
            });
        }

        void stop() {
            lines.clear();
            lines.offer(STOP);
            sender.interrupt();
        }
    }

    /** Every decision as it is made (after it is recorded). */
    public AutoCloseable onDecision(Consumer<Decided> listener) {
        decisionListeners.add(listener);
        return () -> decisionListeners.remove(listener);
    }

    /**
     * A visitor's 6-digit PIN typed at door {@code doorId}: as {@link #tryPin} from the door itself, the
     * lock reported as a failed future ({@link IllegalStateException} saying how long it lasts).
     */
    public java.util.concurrent.CompletableFuture<Decided> admitByPin(String doorId, String pin) {
        return tryPin(doorId, pin, "door " + doorId).thenCompose(attempt -> switch (attempt) {
            case PinAttempt.Made made -> java.util.concurrent.CompletableFuture.completedFuture(made.decided());
            case PinAttempt.Locked locked ->
                java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(
                        "too many wrong PINs at door " + doorId + "; PINs are refused for another "
                                + locked.remaining().toSeconds() + " s"));
        });
    }

    /**
     * A visitor's 6-digit PIN typed at {@code place} (a kiosk, or a door's keypad) for door {@code
     * doorId}: decided offline like the pass's QR code, recorded as presented {@code visitor-pin}, and
     * the door opened if granted; a single-use pass is spent site-wide by its first use, QR or PIN.
     * {@link PinThrottle#MAX_WRONG} unknown PINs at one place within {@link PinThrottle#WINDOW} lock it
     * for {@link PinThrottle#LOCK}: nothing is looked up meanwhile ({@link PinAttempt.Locked}).
     */
    public java.util.concurrent.CompletableFuture<PinAttempt> tryPin(String doorId, String pin, String place) {
        return tryPin(doorId, pin, place, Optional.empty());
    }

    /**
     * As {@link #tryPin(String, String, String)}, for a kiosk's sign-in: a granted PIN's access event and
     * {@code signIn}'s writes commit in one transaction before the door opens; a kiosk that stopped
     * waiting before the door's queue reached the PIN gets a cancelled future, with nothing recorded and
     * the door shut (see {@link dev.gatehouse.edge.access.PinSignIn}).
     */
    public java.util.concurrent.CompletableFuture<PinAttempt> tryPin(
            String doorId, String pin, String place, Optional<dev.gatehouse.edge.access.PinSignIn> signIn) {
        DoorController door = doors.get(doorId);
        if (door == null) {
            throw new IllegalArgumentException("no door '" + doorId + "' (doors: " + doors.keySet() + ")");
        }
        Optional<Duration> locked = pins.locked(place);
        if (locked.isPresent()) {
            return java.util.concurrent.CompletableFuture.completedFuture(new PinAttempt.Locked(locked.get()));
        }
        return decisions.presentPin(door, pin, signIn).thenApply(decided -> {
            if (decided.decision() instanceof Decision.Denied denied
                    && denied.reason() == dev.gatehouse.protocol.model.DenyReason.UNKNOWN_CREDENTIAL) {
                pins.wrong(place)
                        .ifPresent(lock -> log.warn(
                                "{} wrong PINs at {} within {}: PINs there are refused for {}",
                                PinThrottle.MAX_WRONG,
                                place,
                                PinThrottle.WINDOW,
                                lock));
            }
            return new PinAttempt.Made(decided);
        });
    }

    /**
     * Records a kiosk's sign-in or check-in in the outbox (one autocommitted insert) and answers its
     * envelope: the kiosk says welcome only after this returns. Sent to the hub like every event, once
     * the hub says it reads kiosk events.
     *
     * @throws dev.gatehouse.edge.cache.CacheException when it could not be recorded (the kiosk then
     *     says so instead of welcome)
     */
    public Envelope recordKioskEvent(dev.gatehouse.protocol.message.KioskEvent kiosk) {
        Instant at = clock.instant();
        Envelope event = new Envelope(EventIds.next(at), at, kiosk);
        cache.outbox().append(event);
        kioskEventRecorded(event);
        return event;
    }

    /**
     * A kiosk event the kiosk committed itself, in a transaction with what goes with it (a signature, a
     * voucher, a PIN's access event): sent on to the hub, and shown to the technician's {@code watch}.
     */
    public void kioskEventRecorded(Envelope event) {
        dev.gatehouse.protocol.message.KioskEvent kiosk =
                event.payloadAs(dev.gatehouse.protocol.message.KioskEvent.class);
        eventsWaiting();
        watch(event.time() + "  kiosk " + kiosk.kiosk() + "  "
                + kiosk.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + kiosk.pass().map(pass -> "  pass " + pass).orElse("")
                + kiosk.member().map(member -> "  member " + member).orElse("")
                + kiosk.host().map(host -> "  host " + host).orElse("")
                + kiosk.signature()
                        .map(sig -> "  signed " + sig.agreement() + " v" + sig.version())
                        .orElse("")
                + kiosk.voucher().map(voucher -> "  wifi " + voucher).orElse("")
                + (kiosk.offline() ? "  (offline)" : ""));
    }

    /** Whether the MQTT session with the hub is up now (false for an offline-only agent). */
    public boolean hubReachable() {
        SyncClient link = sync;
        return link != null && link.connected();
    }

    /**
     * The visitor pass {@code pin} names, without deciding or recording anything: the kiosk's look-up
     * before it asks for the visitor agreement. Bounded by the caller's throttle like {@link #tryPin}.
     */
    public Optional<dev.gatehouse.protocol.model.PassId> passByPin(String pin) {
        return decisions.passByPin(pin);
    }

    /** The agent's wrong-PIN throttle: what {@link #tryPin} counts, for other guesses worth bounding (pairing codes). */
    public PinThrottle pinThrottle() {
        return pins;
    }

    /** A technician's relay test from the command line: unlocks the door for its pulse. */
    public void testRelay(String doorId) {
        testRelay(doorId, "the command line");
    }

    /**
     * A technician's relay test: unlocks the door for its pulse. {@code from} says where it was asked
     * for ("the command line", "the technician console") in the door event's detail.
     */
    public void testRelay(String doorId, String from) {
        DoorController door = doors.get(doorId);
        if (door == null) {
            throw new IllegalArgumentException("no door '" + doorId + "' (doors: " + doors.keySet() + ")");
        }
        log.info("technician relay test on door {}", doorId);
        try {
            // Recorded first, on the door's queue: no door opens without its event on record.
            door.onQueue(() -> {
                        doorEvent(door.id(), DoorEventKind.RELAY_TEST, "relay pulsed from " + from, true);
                        door.unlockOnce(door.settings().unlockPulse());
                        return null;
                    })
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("relay test on " + doorId + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Applies a signed sync batch or snapshot chunk received other than over MQTT (a file from the
     * hub, for offline provisioning and tests): verified against the trusted keys, then applied.
     */
    public String applySigned(String compactJws) {
        EdgeConfig.Site site = config.site();
        Envelope envelope = SignedMessages.verify(
                compactJws.strip(),
                cache.trustedKeys(),
                site.tenant(),
                site.id(),
                clock.instant(),
                clockTrust.status());
        if (envelope.type() == MessageType.SYNC_BATCH) {
            ApplyResult result = cache.apply(envelope);
            clockChanges(() -> clockTrust.hubTimeReceived(envelope.time()));
            applyDoorPolicies();
            roomsChanged();
            return result.toString();
        }
        if (envelope.type() == MessageType.SNAPSHOT_CHUNK) {
            SnapshotResult result = cache.offer(envelope);
            clockChanges(() -> clockTrust.hubTimeReceived(envelope.time()));
            applyDoorPolicies();
            roomsChanged();
            return result.toString();
        }
        throw new IllegalArgumentException(envelope.type().wireName() + " is not sync data; commands arrive over MQTT");
    }

    /**
     * Runs {@code noteHubTime}, which hands the clock trust a verified hub time: the trust may change,
     * and with it whether the doors' unlock windows apply, so they are re-checked at once rather than
     * within the minute.
     */
    private void clockChanges(Runnable noteHubTime) {
        ClockStatus before = clockTrust.status();
        noteHubTime.run();
        if (clockTrust.status() != before) {
            log.info("clock {}", clockTrust.verdict().reason());
            doors.values().forEach(DoorController::recheckSchedule);
        }
    }

    /** "held open after 45 s (hub), 2 office-hours windows (local)". */
    static String policyText(DoorController.Policy policy) {
        return "held open after " + policy.heldOpenAfter().toSeconds() + " s ("
                + (policy.heldOpenPushed() ? "hub" : "local") + "), "
                + policy.unlockWindows().size()
                + " office-hours windows (" + (policy.windowsPushed() ? "hub" : "local") + ")";
    }

    /** How far ahead each room is told its bookings: the next day (fed again every 5 minutes). */
    static final Duration ROOM_HORIZON = Duration.ofHours(24);

    /**
     * Tells each room with A/V its bookings from the cache: those of the next {@link #ROOM_HORIZON}
     * (and any running now) that open one of the room's doors. Runs at start, after every applied
     * batch or snapshot, and every 5 minutes. A room's scheduler takes the list on its own thread; a
     * failure here is logged and tried again at the next call, and never touches a door.
     */
    private void feedRooms() {
        RoomAvs av = rooms;
        if (av == null) {
            return;
        }
        Instant now = clock.instant();
        List<dev.gatehouse.protocol.model.Booking> bookings;
        try {
            bookings = cache.bookingsBetween(now.minus(Duration.ofHours(1)), now.plus(ROOM_HORIZON));
        } catch (RuntimeException e) {
            log.warn("rooms: cannot read the bookings from the cache: {}", e.getMessage());
            return;
        }
        // A booking released for want of a check-in runs no room, now or when fed again.
        bookings =
                bookings.stream().filter(booking -> !releasedNow(booking, now)).toList();
        for (EdgeConfig.Room room : activeRooms) {
            List<dev.gatehouse.edge.av.RoomBooking> upcoming = new ArrayList<>();
            for (dev.gatehouse.protocol.model.Booking booking : bookings) {
                if (opensRoom(booking, room)) {
                    upcoming.add(new dev.gatehouse.edge.av.RoomBooking(
                            booking.id().value(), booking.start(), booking.end(), booking.joinLink()));
                }
            }
            av.bookings(room.id(), upcoming);
        }
    }

    /**
     * After a batch or snapshot: sets the rooms up again (on {@code room-setup}) if the hub's rooms
     * changed what this edge runs, else feeds them their bookings.
     */
    private void roomsChanged() {
        if (effectiveRooms().equals(activeRooms)) {
            feedRooms();
            return;
        }
        try {
            roomSetup.execute(this::setUpRooms);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the agent is closing
        }
    }

    /** The config's rooms with the hub's in their place; the config's alone if the cache cannot be read. */
    private List<EdgeConfig.Room> effectiveRooms() {
        List<dev.gatehouse.protocol.model.Room> pushed;
        try {
            pushed = cache.rooms();
        } catch (RuntimeException e) {
            log.warn("rooms: cannot read the hub's rooms from the cache: {}", e.getMessage());
            return activeRooms.isEmpty() ? config.rooms() : activeRooms;
        }
        Set<String> wired = new java.util.HashSet<>();
        config.doors().forEach(door -> wired.add(door.id()));
        return PushedRooms.effective(config.rooms(), pushed, wired);
    }

    /**
     * Starts the rooms' A/V for the rooms this edge runs now, after stopping the ones it ran (their
     * overrides and unconfirmed values start afresh; a room's controller session is opened again).
     * At start, and on {@code room-setup} when the hub's rooms change.
     */
    private synchronized void setUpRooms() {
        List<EdgeConfig.Room> wanted = effectiveRooms();
        RoomAvs old = rooms;
        if (old != null && wanted.equals(activeRooms)) {
            feedRooms();
            return;
        }
        rooms = null;
        activeRooms = List.of();
        if (old != null) {
            try {
                old.close();
            } catch (RuntimeException e) {
                log.warn("closing the rooms' A/V: {}", e.toString());
            }
        }
        Set<String> kept = new java.util.HashSet<>();
        wanted.forEach(room -> kept.add(room.id()));
        roomFaults.keySet().removeIf(key -> !kept.contains(key.substring(0, key.indexOf(' '))));
        if (wanted.isEmpty()) {
            return;
        }
        List<RoomSetup> setups = wanted.stream().map(EdgeConfig.Room::setup).toList();
        try {
            rooms = RoomAvs.start(setups, new MiloRoomAv(setups), clock, new RoomFaults());
        } catch (RuntimeException e) {
            log.error("rooms: cannot start the rooms' A/V for {}: {}", wanted, e.toString());
            throw e;
        }
        activeRooms = wanted;
        if (old != null) {
            log.info(
                    "rooms set up again from the hub's: {}",
                    wanted.stream().map(EdgeConfig.Room::id).toList());
        }
        feedRooms();
    }

    private static boolean opensRoom(Booking booking, EdgeConfig.Room room) {
        return booking.doors().stream().anyMatch(door -> room.doors().contains(door.value()));
    }

    private boolean releasedNow(Booking booking, Instant now) {
        return booking.checkIn().isPresent() && booking.releasedAt(now, cache.checkedIn(booking.id()));
    }

    /** A released booking's rooms leave its scene at once, rather than at the next feed. */
    private void releaseRooms(Booking booking) {
        RoomAvs av = rooms;
        if (av == null) {
            return;
        }
        for (EdgeConfig.Room room : activeRooms) {
            if (opensRoom(booking, room)) {
                av.release(room.id(), booking.id().value());
            }
        }
    }

    /**
     * Applies each door's policy from the hub as the cache holds it: a pushed held-open threshold or
     * office hours win over the local configuration, and an absent one returns the door to it. Runs at
     * start and after every applied batch or snapshot.
     */
    private void applyDoorPolicies() {
        for (DoorController door : doors.values()) {
            Optional<dev.gatehouse.protocol.model.Door> entity;
            try {
                entity = cache.door(door.id());
            } catch (RuntimeException e) {
                log.warn("door {}: cannot read its policy from the cache: {}", door.id(), e.getMessage());
                continue;
            }
            door.applyPolicy(
                    entity.flatMap(dev.gatehouse.protocol.model.Door::heldOpenAfter),
                    entity.flatMap(dev.gatehouse.protocol.model.Door::officeHours));
        }
    }

    public AgentStatus status() {
        EdgeConfig.Site site = config.site();
        AgentClockTrust.Verdict clockVerdict = clockTrust.verdict();
        List<AgentStatus.DoorStatus> doorStatus = new ArrayList<>();
        for (EdgeConfig.Door door : config.doors()) {
            DoorController controller = doors.get(door.id());
            doorStatus.add(new AgentStatus.DoorStatus(
                    door.id(),
                    door.name(),
                    controller.state().name().toLowerCase(),
                    modeName(controller),
                    door.readers(),
                    policyText(controller.policy())));
        }
        List<AgentStatus.ReaderStatus> readerStatus = new ArrayList<>();
        for (EdgeConfig.Reader reader : config.readers()) {
            Optional<String> fault = Optional.ofNullable(readerFaults.get(reader.id()));
            readerStatus.add(new AgentStatus.ReaderStatus(
                    reader.id(), reader.type().name().toLowerCase().replace('_', '-'), fault.isEmpty(), fault));
        }
        return new AgentStatus(
                site.tenant(),
                site.id(),
                site.device(),
                hardware.kind(),
                cache.seq(),
                cache.credentialCount(),
                cache.sizeOnDiskBytes(),
                clockVerdict.status(),
                clockVerdict.reason(),
                cache.outbox().depth(),
                doorStatus,
                readerStatus,
                hubLine());
    }

    /** The status line of the hub link: connected or offline since when, the last batch applied, events in flight. */
    private String hubLine() {
        SyncClient link = sync;
        if (link == null) {
            return "not configured (offline-only)";
        }
        SyncClient.LinkStatus s = link.linkStatus();
        String state = (s.connected() ? "connected since " : "offline since ")
                + s.since().map(Instant::toString).orElse("start");
        String applied = s.lastAppliedAt()
                .map(at -> "last batch applied at seq " + s.lastAppliedSeq() + " at " + at)
                .orElse("no batch applied since start");
        return state + ", " + applied + ", " + s.eventsInFlight() + " events in flight";
    }

    private static String modeName(DoorController controller) {
        return switch (controller.mode()) {
            case dev.gatehouse.protocol.policy.DoorMode.Normal normal -> "normal";
            case dev.gatehouse.protocol.policy.DoorMode.Lockdown lockdown -> "lockdown " + lockdown.allowedRoles();
            case dev.gatehouse.protocol.policy.DoorMode.EmergencyRelease release -> "emergency-release";
        };
    }

    /**
     * Where readers report: each presentation is decided on the reader's thread (it only reads the
     * cache, which never waits for a writer) and carried out on its door's queue; the reader never
     * waits for the door.
     */
    private final class Listener implements ReaderListener {
        @Override
        public void presented(String readerId, Presentation presentation) {
            String doorId = doorOfReader.get(readerId);
            if (doorId == null) {
                log.warn("reader {} belongs to no door; presentation ignored", readerId);
                return;
            }
            DoorController door = doors.get(doorId);
            var decision =
                    switch (presentation) {
                        case Presentation.CardUid card -> decisions.presentCard(door, card.uid(), card.arrivedNanos());
                        case Presentation.QrText qr -> decisions.presentQr(door, qr.text(), qr.arrivedNanos());
                    };
            decision.whenComplete((decided, failure) -> {
                if (failure != null) {
                    log.error("door {}: decision failed, door stays locked: {}", doorId, failure.toString());
                }
            });
        }

        @Override
        public void fault(String readerId, String detail) {
            boolean first = readerFaults.put(readerId, detail) == null;
            if (first) {
                Optional.ofNullable(doorOfReader.get(readerId))
                        .ifPresent(door ->
                                doorEvent(DoorId.of(door), DoorEventKind.READER_FAULT, readerId + ": " + detail));
            }
        }

        @Override
        public void restored(String readerId) {
            if (readerFaults.remove(readerId) != null) {
                Optional.ofNullable(doorOfReader.get(readerId))
                        .ifPresent(
                                door -> doorEvent(DoorId.of(door), DoorEventKind.RESTORED, readerId + " works again"));
            }
        }
    }

    /**
     * Where the rooms' schedulers report, on each room's thread: a fault is kept for {@code device.state}
     * until the function works again; either sends the state soon (at most once a second), so the hub
     * hears of a room that cannot be set, and of its recovery, without waiting for the heartbeat.
     */
    private final class RoomFaults implements RoomAvListener {
        @Override
        public void fault(String room, RoomFunction function, String detail) {
            roomFaults.put(room + " " + function.key(), detail);
            stateChanged();
        }

        @Override
        public void restored(String room, RoomFunction function) {
            roomFaults.remove(room + " " + function.key());
            stateChanged();
        }

        private void stateChanged() {
            SyncClient link = sync;
            if (link != null) {
                link.stateChanged();
            }
        }
    }

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /**
     * Creates the data directory readable by the agent's user only (0700): it holds the entitlement
     * cache and the outbox, which name every member and every entry. An existing one with group or
     * other access is tightened, and the agent says so.
     */
    private static void ownerOnlyDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
            if (!OWNER_ONLY.containsAll(permissions)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
                log.warn(
                        "data-dir {} was {}; made it rwx------ (it holds the cache and the outbox)",
                        dir,
                        PosixFilePermissions.toString(permissions));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access rules apply
        } catch (IOException e) {
            throw new ConfigException(
                    "data-dir", "cannot create " + dir + " for the agent's user only: " + e.getMessage(), e);
        }
    }

    /** Another agent holds the data directory: this one must not drive anything. */
    private static final class AnotherAgent extends RuntimeException {
        AnotherAgent(String message) {
            super(message);
        }

        ConfigException asConfigException() {
            return new ConfigException("data-dir", getMessage(), this);
        }
    }

    /** One agent per data directory: a second one would fight over the cache, the relays and the socket. */
    private static FileChannel lockDataDir(Path dataDir) {
        Path file = dataDir.resolve("agent.lock");
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock held = channel.tryLock();
            if (held == null) {
                channel.close();
                throw new AnotherAgent("another agent is running with " + dataDir + " (it holds " + file
                        + "); stop it first, or give this one its own data-dir");
            }
            return channel;
        } catch (OverlappingFileLockException e) {
            throw new AnotherAgent("another agent is running with " + dataDir + " in this process");
        } catch (IOException e) {
            throw new ConfigException("data-dir", "cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static EdgeCache openCache(EdgeConfig config, FileChannel lock) {
        try {
            return SqliteEntitlementCache.open(
                    config.dataDir().resolve("cache.db"),
                    config.site().tenant(),
                    config.site().id());
        } catch (RuntimeException e) {
            closeLock(lock);
            throw e;
        }
    }

    private static void closeLock(FileChannel lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("releasing the data-dir lock: {}", e.toString());
        }
    }

    private static KeySet readKeys(Path file) {
        try {
            return KeySet.parse(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("trusted-keys-file", "cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ConfigException(
                    "trusted-keys-file", file + " is not the hub's public JWK set: " + e.getMessage(), e);
        }
    }

    private static byte[] readCardKey(Path file) {
        SecretFiles.requireOwnerOnly(file, "card-key-file");
        String text;
        try {
            text = Files.readString(file).strip();
        } catch (IOException e) {
            throw new ConfigException("card-key-file", "cannot read " + file + ": " + e.getMessage(), e);
        }
        byte[] key;
        try {
            key = HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("card-key-file", file + " must hold the key as hex digits");
        }
        if (key.length < CardHasher.MIN_KEY_BYTES) {
            throw new ConfigException(
                    "card-key-file",
                    file + " holds " + key.length + " bytes; the key is at least " + CardHasher.MIN_KEY_BYTES);
        }
        return key;
    }

    private void closeQuietly(boolean doorsToo) {
        roomSetup.shutdownNow();
        try {
            if (!roomSetup.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("the rooms' set-up did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RoomAvs av = rooms;
        if (av != null) {
            try {
                av.close();
            } catch (RuntimeException e) {
                log.warn("closing the rooms' A/V: {}", e.toString());
            }
        }
        SyncClient link = sync;
        if (link != null) {
            try {
                link.close();
            } catch (RuntimeException e) {
                log.warn("closing the hub link: {}", e.toString());
            }
        }
        clockChecks.shutdownNow();
        releaseSweeps.shutdownNow();
        for (Reader reader : readers) {
            try {
                reader.close();
            } catch (RuntimeException e) {
                log.warn("closing reader {}: {}", reader.id(), e.toString());
            }
        }
        if (doorsToo) {
            claimed.close();
        }
        if (cache != null) {
            try {
                cache.close();
            } catch (RuntimeException e) {
                log.warn("closing the cache: {}", e.toString());
            }
        }
        closeLock(lock);
    }

    /** Stops readers, drives every door to its safe state, closes the cache. The hardware stays open. */
    @Override
    public void close() {
        closeQuietly(true);
    }
}
