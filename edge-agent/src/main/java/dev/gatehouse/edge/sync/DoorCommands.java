package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.door.DoorError;
import dev.gatehouse.edge.door.DoorException;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.DoorSelection;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.policy.DoorMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Executes commands on the agent's doors, each through the door's serial queue (the queue card
 * decisions use, so no command lands between a decision and its unlock). Lockdown and emergency
 * release are persisted in the cache on the same queue step that changes the mode, so a restarted
 * agent starts the door in them; a release removes them. The door controller applies the life-safety
 * rules (no lockdown over an emergency release, no remote unlock in lockdown).
 */
public final class DoorCommands implements CommandExecutor {
    private final Map<String, DoorController> doors;
    private final EdgeCache cache;

    /** @param doors the agent's doors by id, in configuration order */
    public DoorCommands(Map<String, DoorController> doors, EdgeCache cache) {
        this.doors = Map.copyOf(doors);
        this.cache = cache;
        this.order = List.copyOf(doors.keySet());
    }

    private final List<String> order;

    @Override
    public Optional<Outcome> notHere(CommandAction action) {
        DoorSelection selection =
                switch (action) {
                    case CommandAction.UnlockOnce unlock -> DoorSelection.of(unlock.door());
                    case CommandAction.Lockdown lockdown -> lockdown.doors();
                    case CommandAction.EmergencyRelease release -> release.doors();
                    case CommandAction.Release release -> release.doors();
                    case CommandAction.SetConfig config -> DoorSelection.all();
                };
        if (selection.allDoors()
                ? !doors.isEmpty() || action instanceof CommandAction.SetConfig
                : selection.doors().stream().anyMatch(id -> doors.containsKey(id.value()))) {
            return Optional.empty();
        }
        List<String> named =
                selection.doors().stream().map(DoorId::value).sorted().toList();
        return Optional.of(new Outcome(
                CommandStatus.NOT_HERE,
                named.isEmpty()
                        ? "this device has no doors; nothing changed"
                        : "none of the named doors is on this device (" + String.join(", ", named)
                                + "); nothing changed"));
    }

    @Override
    public CompletableFuture<Outcome> execute(CommandAction action) {
        Optional<Outcome> away = notHere(action);
        if (away.isPresent()) {
            return CompletableFuture.completedFuture(away.get());
        }
        try {
            return switch (action) {
                case CommandAction.UnlockOnce unlock -> unlockOnce(unlock);
                case CommandAction.Lockdown lockdown ->
                    modes(lockdown.doors(), new DoorMode.Lockdown(lockdown.allowedRoles()), "locked down");
                case CommandAction.EmergencyRelease release ->
                    modes(release.doors(), DoorMode.EMERGENCY_RELEASE, "emergency released");
                case CommandAction.Release release -> modes(release.doors(), DoorMode.NORMAL, "released");
                case CommandAction.SetConfig config ->
                    CompletableFuture.completedFuture(new Outcome(
                            CommandStatus.REJECTED,
                            "set-config is not supported yet; edit gatehouse.yaml on the device"));
            };
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Outcome(CommandStatus.REJECTED, e.getMessage()));
        }
    }

    private CompletableFuture<Outcome> unlockOnce(CommandAction.UnlockOnce unlock) {
        DoorController door = doors.get(unlock.door().value()); // there: execute asked notHere first
        return door.unlockOnce(unlock.unlockFor())
                .handle((ignored, failure) -> failure == null
                        ? new Outcome(CommandStatus.DONE, unlock.door() + " unlocked for " + unlock.unlockFor())
                        : new Outcome(CommandStatus.REJECTED, unlock.door() + ": " + reason(failure)));
    }

    private CompletableFuture<Outcome> modes(DoorSelection selection, DoorMode mode, String verb) {
        List<String> unknown = new ArrayList<>();
        List<DoorController> targets = new ArrayList<>();
        if (selection.allDoors()) {
            order.forEach(id -> targets.add(doors.get(id)));
        } else {
            for (DoorId id : selection.doors().stream()
                    .sorted((a, b) -> a.value().compareTo(b.value()))
                    .toList()) {
                DoorController door = doors.get(id.value());
                if (door == null) {
                    unknown.add(id.value());
                } else {
                    targets.add(door);
                }
            }
        }
        // A site may have several edges, each with its own doors, and the hub sends every command to all
        // of them: act on the named doors this edge has (execute answered "not here" if it has none).
        String elsewhere = unknown.isEmpty() ? "" : "; not on this device: " + String.join(", ", unknown);
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (DoorController door : targets) {
            results.add(door.onQueue(() -> {
                        door.setMode(mode).join(); // on the queue: takes effect at once
                        cache.setDoorMode(door.id(), mode);
                        return (String) null;
                    })
                    .handle((ignored, failure) -> failure == null ? null : door.id() + ": " + reason(failure)));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    List<String> refused = results.stream()
                            .map(CompletableFuture::join)
                            .filter(text -> text != null)
                            .toList();
                    List<String> names =
                            targets.stream().map(door -> door.id().value()).toList();
                    if (refused.isEmpty()) {
                        return new Outcome(CommandStatus.DONE, String.join(", ", names) + " " + verb + elsewhere);
                    }
                    return new Outcome(CommandStatus.REJECTED, String.join("; ", refused) + elsewhere);
                });
    }

    private static String reason(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof DoorException door) {
            if (door.error() == DoorError.EMERGENCY_RELEASE_ACTIVE) {
                return "emergency release active";
            }
            if (door.error() == DoorError.LOCKDOWN_ACTIVE) {
                return "lockdown active";
            }
        }
        return cause.getMessage();
    }
}
