package dev.gatehouse.sim.gpio;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfig;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfig;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProviderImpl;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProviderImpl;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Raspberry Pi's GPIO header on Pi4J's mock platform: relay coils on output pins, door contacts
 * and request-to-exit buttons on input pins.
 *
 * <p>The agent's production adapters are handed {@link #context()} and BCM pin numbers, exactly as
 * on a Pi, and create their own {@code DigitalOutput}s and {@code DigitalInput}s in it. This class
 * watches every output created on the mock platform and records each edge with the time of the
 * injected {@link Clock} ({@link #relay(int)}), and drives inputs with
 * {@link MockDigitalInput#mockState(DigitalState)}, so the adapters' Pi4J listeners fire as they
 * would on real hardware (synchronously, on the thread that drives the input).
 *
 * <p>The board outlives the agent process. {@link #restartAfterKill()} abandons the current context
 * the way SIGKILL would (no Pi4J shutdown, outputs keep their level) and hands out a fresh one for
 * the restarted agent; writes still made through the abandoned context no longer reach the pins,
 * and new inputs start at the level the pin physically has (a door left open stays open).
 *
 * <p><b>Inputs as copper wires them.</b> A door contact or a button declared with
 * {@link #wireSwitch(int, SwitchWiring)} is a switch between the pin and a rail (ground or 3.3 V),
 * normally open or normally closed: while it conducts the pin reads the rail; while it does not, the
 * pin reads what the pull resistor the agent configured on its input makes it (pull-up HIGH,
 * pull-down LOW, none: floating, which this board reads as LOW). So an agent that picks the wrong
 * pull or polarity reads a door that never changes, or reads it inverted, exactly as on a Pi; and
 * {@link #cutWire(int)} opens the circuit for good, as a cut or unplugged cable does. A pin not
 * declared as a switch is driven as a plain logic signal: HIGH while active.
 *
 * <p><b>Relay boards.</b> {@link #wireRelay(int, boolean)} declares a board that switches its coil on
 * a LOW input (most optocoupled boards); {@link #relay(int)} reports the coil, not the pin. A pin
 * released by a process (clean exit or SIGKILL) keeps the level it had, as a line released by
 * libgpiod on Raspberry Pi OS does.
 *
 * <p>Building a context on a machine that is not a Pi makes Pi4J's board detection log errors
 * about {@code /proc/cpuinfo}, and every context logs its life cycle at INFO. When slf4j-simple is
 * the logging backend and nothing else was configured, this class turns the
 * {@code com.pi4j.boardinfo} loggers off and the other {@code com.pi4j} loggers down to WARN before
 * the first context is built (system properties, set only where absent).
 */
public final class SimulatedGpio implements AutoCloseable {
    /** The GPIO numbers a Pi's 40-pin header exposes. */
    private static final int MAX_BCM_PIN = 27;

    static {
        quietBoardDetection();
    }

    private final Clock clock;
    private final Object lock = new Object();
    private final Map<Integer, RelayHistory> relays = new HashMap<>();
    private final Map<Integer, Boolean> inputLevels = new HashMap<>();
    private final Map<Integer, SwitchWiring> switches = new HashMap<>();
    private final Map<Integer, Boolean> actuated = new HashMap<>();
    private final Set<Integer> cutWires = new HashSet<>();
    private final Set<Integer> activeLowRelays = new HashSet<>();
    private Process live;
    private boolean closed;

    /** The rail a switch connects its pin to while it conducts. */
    public enum Rail {
        GROUND,
        SUPPLY
    }

    /**
     * How a contact or button is wired: {@code normallyClosed} says whether it conducts at rest (door
     * shut, button released), {@code rail} what it connects the pin to while it conducts.
     */
    public record SwitchWiring(boolean normallyClosed, Rail rail) {
        public SwitchWiring {
            Objects.requireNonNull(rail, "rail");
        }
    }

    private SimulatedGpio(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.live = startProcess();
    }

    /** A board whose relay transitions are stamped by {@code clock}. */
    public static SimulatedGpio create(Clock clock) {
        return new SimulatedGpio(clock);
    }

    /** A board stamped by the system clock, for demos. */
    public static SimulatedGpio create() {
        return new SimulatedGpio(Clock.systemUTC());
    }

    /** The Pi4J context of the running agent process: give it to the production adapters. */
    public Context context() {
        synchronized (lock) {
            requireOpen();
            return live.context;
        }
    }

    /**
     * Simulates the agent process being killed with SIGKILL and started again: the current
     * context is abandoned without a Pi4J shutdown (so no output is driven to its shutdown level,
     * and its listeners never hear from the board again), and a new context on the same board is
     * returned (also from now on by {@link #context()}).
     */
    public Context restartAfterKill() {
        synchronized (lock) {
            requireOpen();
            live.alive = false;
            live = startProcess();
            return live.context;
        }
    }

    /** The relay on output pin {@code bcmPin}: its coil now and every transition so far. */
    public RelayHistory relay(int bcmPin) {
        checkPin(bcmPin);
        synchronized (lock) {
            return relays.computeIfAbsent(bcmPin, pin -> new RelayHistory(pin, activeLowRelays.contains(pin)));
        }
    }

    /**
     * Declares the relay board on {@code bcmPin}: {@code activeLow} when its coil is energised by a
     * LOW input (the common optocoupled boards), else by HIGH. Declare it before the agent creates the
     * output. Unclaimed, the pin drives nothing and the coil is off.
     */
    public void wireRelay(int bcmPin, boolean activeLow) {
        checkPin(bcmPin);
        synchronized (lock) {
            if (relays.containsKey(bcmPin)) {
                throw new IllegalStateException("the relay on BCM " + bcmPin + " was already used; wire it first");
            }
            if (activeLow) {
                activeLowRelays.add(bcmPin);
            } else {
                activeLowRelays.remove(bcmPin);
            }
        }
    }

    /**
     * Wires a door contact or a button on {@code bcmPin} as a switch to a rail. At rest (door shut,
     * button released); the pin's level then follows the switch and the pull the agent configures.
     */
    public void wireSwitch(int bcmPin, SwitchWiring wiring) {
        checkPin(bcmPin);
        Objects.requireNonNull(wiring, "wiring");
        synchronized (lock) {
            switches.put(bcmPin, wiring);
            actuated.put(bcmPin, false);
        }
        settle(bcmPin);
    }

    /** Mends the cable cut by {@link #cutWire(int)}: the switch works again. */
    public void mendWire(int bcmPin) {
        checkPin(bcmPin);
        synchronized (lock) {
            cutWires.remove(bcmPin);
        }
        settle(bcmPin);
    }

    /** Cuts the cable of the switch on {@code bcmPin}: from now on it never conducts. */
    public void cutWire(int bcmPin) {
        checkPin(bcmPin);
        synchronized (lock) {
            if (!switches.containsKey(bcmPin)) {
                throw new IllegalStateException("BCM " + bcmPin + " has no switch wired to cut");
            }
            cutWires.add(bcmPin);
        }
        settle(bcmPin);
    }

    /** Opens the door whose contact is on {@code bcmPin}. */
    public void openDoor(int bcmPin) {
        setActive(bcmPin, true);
    }

    /** Closes the door whose contact is on {@code bcmPin}. */
    public void closeDoor(int bcmPin) {
        setActive(bcmPin, false);
    }

    /** Presses (and holds) the request-to-exit button on {@code bcmPin}. */
    public void pressRex(int bcmPin) {
        setActive(bcmPin, true);
    }

    /** Releases the request-to-exit button on {@code bcmPin}. */
    public void releaseRex(int bcmPin) {
        setActive(bcmPin, false);
    }

    /** Whether the input on {@code bcmPin} is HIGH now. */
    public boolean inputHigh(int bcmPin) {
        checkPin(bcmPin);
        synchronized (lock) {
            return levelOf(bcmPin);
        }
    }

    /**
     * Drives input {@code bcmPin} to HIGH ({@code true}) or LOW, whatever its wiring. The running
     * agent's listeners on that pin fire on this thread before this method returns.
     */
    public void drive(int bcmPin, boolean high) {
        checkPin(bcmPin);
        Optional<MockDigitalInput> input;
        synchronized (lock) {
            requireOpen();
            if (switches.containsKey(bcmPin)) {
                throw new IllegalStateException("BCM " + bcmPin + " is wired as a switch: open or close the door,"
                        + " press or release the button, or cut the wire instead of driving the pin");
            }
            inputLevels.put(bcmPin, high);
            input = Optional.ofNullable(live.inputs.get(bcmPin));
        }
        // Outside the lock: the listeners run now and may call back into this board.
        input.ifPresent(in -> in.mockState(high ? DigitalState.HIGH : DigitalState.LOW));
    }

    /**
     * Shuts the running agent's context down in order, as a clean process exit does: Pi4J drives
     * every output to its configured shutdown level (recorded in the relay histories) first.
     */
    @Override
    public void close() {
        Context context;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            context = live.context;
        }
        context.shutdown();
        synchronized (lock) {
            live.alive = false;
        }
    }

    private void setActive(int bcmPin, boolean active) {
        checkPin(bcmPin);
        boolean wired;
        synchronized (lock) {
            wired = switches.containsKey(bcmPin);
            if (wired) {
                actuated.put(bcmPin, active);
            }
        }
        if (wired) {
            settle(bcmPin);
        } else {
            drive(bcmPin, active);
        }
    }

    /** Drives the live input on a switch's pin to the level the switch and the pull make now. */
    private void settle(int bcmPin) {
        Optional<MockDigitalInput> input;
        boolean high;
        synchronized (lock) {
            requireOpen();
            high = levelOf(bcmPin);
            inputLevels.put(bcmPin, high);
            input = Optional.ofNullable(live.inputs.get(bcmPin));
        }
        input.ifPresent(in -> {
            if (in.state() != (high ? DigitalState.HIGH : DigitalState.LOW)) {
                in.mockState(high ? DigitalState.HIGH : DigitalState.LOW);
            }
        });
    }

    /** The physical level on {@code bcmPin}: a switch's (with the live input's pull), else as driven. */
    private boolean levelOf(int bcmPin) {
        SwitchWiring wiring = switches.get(bcmPin);
        if (wiring == null) {
            return inputLevels.getOrDefault(bcmPin, false);
        }
        boolean pressedOrOpen = actuated.getOrDefault(bcmPin, false);
        boolean conducts = !cutWires.contains(bcmPin) && (wiring.normallyClosed() != pressedOrOpen);
        if (conducts) {
            return wiring.rail() == Rail.SUPPLY;
        }
        MockDigitalInput input = live.inputs.get(bcmPin);
        PullResistance pull =
                input == null ? PullResistance.OFF : input.config().pull();
        // A floating pin reads whatever it picks up; this board reads it LOW.
        return pull == PullResistance.PULL_UP;
    }

    private Process startProcess() {
        Process process = new Process();
        process.context = Pi4J.newContextBuilder()
                .noAutoDetect()
                .add(new MockPlatform())
                .add(new BoardInputProvider(process), new BoardOutputProvider(process))
                .build();
        return process;
    }

    private void outputCreated(Process process, DigitalOutput output) {
        int pin = output.config().address();
        recordOutput(process, pin, output.state());
        output.addListener(event -> recordOutput(process, pin, event.state()));
    }

    private void recordOutput(Process process, int pin, DigitalState state) {
        if (state != DigitalState.HIGH && state != DigitalState.LOW) {
            return;
        }
        synchronized (lock) {
            if (!process.alive) {
                return; // a killed process drives nothing
            }
            relays.computeIfAbsent(pin, p -> new RelayHistory(p, activeLowRelays.contains(p)))
                    .record(clock.instant(), state == DigitalState.HIGH);
        }
    }

    private void inputCreated(Process process, MockDigitalInput input) {
        int pin = input.config().address();
        boolean high;
        synchronized (lock) {
            process.inputs.put(pin, input);
            high = process == live ? levelOf(pin) : inputLevels.getOrDefault(pin, false);
            inputLevels.put(pin, high);
        }
        // No listener can be attached yet: the adapter only gets the input once this returns.
        input.mockState(high ? DigitalState.HIGH : DigitalState.LOW);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the simulated GPIO board was closed; create a new SimulatedGpio");
        }
    }

    private static void checkPin(int bcmPin) {
        if (bcmPin < 0 || bcmPin > MAX_BCM_PIN) {
            throw new IllegalArgumentException(
                    "BCM pin " + bcmPin + " does not exist on a Pi's GPIO header (0-" + MAX_BCM_PIN + ")");
        }
    }

    private static void quietBoardDetection() {
        setIfAbsent("org.slf4j.simpleLogger.log.com.pi4j.boardinfo", "off");
        setIfAbsent("org.slf4j.simpleLogger.log.com.pi4j", "warn");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** One run of the agent: its Pi4J context and the inputs it created. */
    private static final class Process {
        volatile Context context;
        volatile boolean alive = true;
        final Map<Integer, MockDigitalInput> inputs = new ConcurrentHashMap<>();
    }

    /** The mock platform's output provider, telling the board about each output it creates. */
    private final class BoardOutputProvider extends MockDigitalOutputProviderImpl {
        private final Process process;

        BoardOutputProvider(Process process) {
            this.process = process;
        }

        @Override
        public DigitalOutput create(DigitalOutputConfig config) {
            DigitalOutput output = super.create(config);
            outputCreated(process, output);
            return output;
        }
    }

    /** The mock platform's input provider, telling the board about each input it creates. */
    private final class BoardInputProvider extends MockDigitalInputProviderImpl {
        private final Process process;

        BoardInputProvider(Process process) {
            this.process = process;
        }

        @Override
        public DigitalInput create(DigitalInputConfig config) {
            DigitalInput input = super.create(config);
            inputCreated(process, (MockDigitalInput) input);
            return input;
        }
    }
}
