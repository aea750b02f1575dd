package dev.gatehouse.edge.sync;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The last {@value #MAX} problems the link met (rejected messages, a refusing broker), each with its
 * time, for {@code device.state}. Any thread may record one (Paho's callback thread, a door's queue,
 * the worker); nothing waits for a lock.
 */
final class RecentProblems {
    /** How many problems {@code device.state} carries (the protocol's limit). */
    static final int MAX = 20;

    private record Problem(Instant at, String text) {}

    private final Clock clock;
    private final ConcurrentLinkedDeque<Problem> problems = new ConcurrentLinkedDeque<>();

    RecentProblems(Clock clock) {
        this.clock = clock;
    }

    /** Records {@code text}; the same text as the newest problem only moves that one's time. */
    void record(String text) {
        Problem newest = problems.peekLast();
        if (newest != null && newest.text().equals(text)) {
            // A link failing the same way at every retry must not push the other problems out.
            problems.removeLastOccurrence(newest);
        }
        problems.addLast(new Problem(clock.instant(), text));
        while (problems.size() > MAX) {
            problems.pollFirst();
        }
    }

    /** Newest first, each as its time and text. */
    List<String> newestFirst() {
        List<String> out = new ArrayList<>();
        for (Iterator<Problem> it = problems.descendingIterator(); it.hasNext(); ) {
            Problem problem = it.next();
            out.add(problem.at() + " " + problem.text());
        }
        return out;
    }
}
