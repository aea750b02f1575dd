package dev.gatehouse.edge.reader;

import dev.gatehouse.edge.reader.Presentation.CardUid;
import dev.gatehouse.edge.reader.Presentation.QrText;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that records everything a reader reports, in order, for assertions from the test thread. */
final class RecordingListener implements ReaderListener {
    /** One report, in the order it arrived. */
    sealed interface Event permits Presented, Fault, Restored {}

    record Presented(String readerId, Presentation presentation) implements Event {}

    record Fault(String readerId, String detail) implements Event {}

    record Restored(String readerId) implements Event {}

    private final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void presented(String readerId, Presentation presentation) {
        events.add(new Presented(readerId, presentation));
    }

    @Override
    public void fault(String readerId, String detail) {
        events.add(new Fault(readerId, detail));
    }

    @Override
    public void restored(String readerId) {
        events.add(new Restored(readerId));
    }

    /** Forgets everything recorded so far. */
    void clear() {
        events.clear();
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    List<Presentation> presentations() {
        return events.stream()
                .filter(Presented.class::isInstance)
                .map(event -> ((Presented) event).presentation())
                .toList();
    }

    List<CardUid> cards() {
        return presentations().stream()
                .filter(CardUid.class::isInstance)
                .map(CardUid.class::cast)
                .toList();
    }

    List<String> texts() {
        return presentations().stream()
                .filter(QrText.class::isInstance)
                .map(presentation -> ((QrText) presentation).text())
                .toList();
    }

    List<String> faults() {
        return events.stream()
                .filter(Fault.class::isInstance)
                .map(event -> ((Fault) event).detail())
                .toList();
    }

    long restorations() {
        return events.stream().filter(Restored.class::isInstance).count();
    }

    /** Whether a restoration was reported after the first fault whose detail contains {@code text}. */
    boolean restoredAfterFault(String text) {
        boolean faulted = false;
        for (Event event : events) {
            if (event instanceof Fault fault && fault.detail().contains(text)) {
                faulted = true;
            } else if (faulted && event instanceof Restored) {
                return true;
            }
        }
        return false;
    }
}
