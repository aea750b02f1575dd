package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The publish window alone, over a transport the test answers as a broker would: a publish's answer
 * is the broker's verdict and nothing else, at most a window's worth is in flight, and what waits
 * leaves in order. The window runs its serial queue on the test's thread, so each step is exact.
 */
class PublishWindowTest {
    static final int CAPACITY = 5;
    static final int WINDOW = 3;

    /** A client whose publishes the test answers; it can be away, busy or refusing. */
    static final class FakeTransport implements PublishWindow.Transport {
        record Sent(Topic topic, String payload, PublishWindow.Answer answer) {}

        final List<Sent> sent = new ArrayList<>();
        boolean ready = true;
        /** The next handovers answered busy. */
        int busy;
        /** The next handover refused. */
        boolean refuse;
        /** The next handover throws. */
        boolean explode;

        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public PublishWindow.Handover send(Topic topic, byte[] payload, PublishWindow.Answer answer) {
            if (explode) {
                explode = false;
                throw new IllegalStateException("the client broke");
            }
            if (busy > 0) {
                busy--;
                return new PublishWindow.Handover.Busy();
            }
            if (refuse) {
                refuse = false;
                return new PublishWindow.Handover.Refused(
                        new PublishException(PublishException.Reason.REFUSED, "test: refused by the client"));
            }
            sent.add(new Sent(topic, new String(payload), answer));
            return new PublishWindow.Handover.Sent();
        }

        List<String> payloads() {
            return sent.stream().map(Sent::payload).toList();
        }
    }

    /** A timer whose tasks the test runs. */
    static final class FakeTimer implements PublishWindow.Timer {
        final List<Runnable> due = new ArrayList<>();

        @Override
        public void after(Duration delay, Runnable task) {
            assertThat(delay).isEqualTo(PublishWindow.BUSY_PAUSE);
            due.add(task);
        }

        void runAll() {
            List<Runnable> now = List.copyOf(due);
            due.clear();
            now.forEach(Runnable::run);
        }
    }

    final FakeTransport transport = new FakeTransport();
    final FakeTimer timer = new FakeTimer();
    final PublishWindow window = new PublishWindow("the test link", CAPACITY, WINDOW, transport, Runnable::run, timer);

    static Topic topic() {
        return Topic.of("acme", "site_1", "dev_1", Channel.SYNC);
    }

    CompletableFuture<Void> offer(String payload) {
        return window.offer(topic(), payload.getBytes()).toCompletableFuture();
    }

    List<CompletableFuture<Void>> offer(int count) {
        return IntStream.range(0, count).mapToObj(i -> offer("m" + i)).toList();
    }

    static PublishException.Reason reason(CompletableFuture<Void> answer) {
        assertThat(answer).isCompletedExceptionally();
        try {
            answer.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return ((PublishException) e.getCause()).reason();
        }
    }

    @Nested
    class TheWindow {
        @Test
        void atMostAWindowIsInFlightAndEachAnswerLetsTheNextOneGoInOrder() {
            // More than the broker's receive maximum in flight and Paho refuses the publish.
            List<CompletableFuture<Void>> answers = offer(5);
            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2");

            transport.sent.get(1).answer().accepted();
            assertThat(answers.get(1)).isCompleted();
            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2", "m3");

            transport.sent.get(0).answer().accepted();
            transport.sent.get(2).answer().accepted();
            transport.sent.get(3).answer().accepted();
            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(answers.subList(0, 4)).allMatch(a -> a.isDone() && !a.isCompletedExceptionally());
            assertThat(answers.get(4)).isNotDone();
            assertThat(window.unsettled()).isEqualTo(1);
        }

        @Test
        void aWiderWindowHandsOverWhatWaitsAtOnce() {
            // The broker's CONNACK says it takes more than the first window: a fan-out waiting behind
            // the first window goes without waiting for answers.
            List<CompletableFuture<Void>> answers = offer(5);
            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2");

            window.limitInFlight(5);

            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(answers).noneMatch(CompletableFuture::isDone);
        }

        @Test
        void aNarrowerWindowLetsWhatIsInFlightBeAnsweredAndThenHoldsToIt() {
            // A broker that takes fewer: Paho would refuse more, so nothing new goes until the
            // publishes in flight are down to the new window.
            offer(5);
            window.limitInFlight(1);

            transport.sent.get(0).answer().accepted();
            transport.sent.get(1).answer().accepted();
            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2");

            transport.sent.get(2).answer().accepted();
            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2", "m3");
            assertThat(window.inFlightLimit().toCompletableFuture().join()).isEqualTo(1);
        }

        @Test
        void anAnswerIsTheBrokersVerdictOnThatPublishOnly() {
            List<CompletableFuture<Void>> answers = offer(2);
            transport.sent.get(0).answer().failed(new PublishException(PublishException.Reason.REFUSED, "test: 0x87"));

            assertThat(reason(answers.get(0))).isEqualTo(PublishException.Reason.REFUSED);
            assertThat(answers.get(1)).isNotDone();
        }

        @Test
        void aVerdictRepeatedCountsOnceAndFreesOneSlotOnly() {
            // Paho fails a publish when the connection drops, then may report the PUBACK of its resend.
            List<CompletableFuture<Void>> answers = offer(5);
            PublishWindow.Answer first = transport.sent.get(0).answer();
            first.failed(new PublishException(PublishException.Reason.CONNECTION_LOST, "test: lost"));
            first.accepted();
            first.failed(new PublishException(PublishException.Reason.CONNECTION_LOST, "test: lost again"));

            assertThat(reason(answers.get(0))).isEqualTo(PublishException.Reason.CONNECTION_LOST);
            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2", "m3");
        }
    }

    @Nested
    class WhileTheBrokerIsAway {
        @Test
        void publishesWaitAndLeaveInOrderOnceTheTransportIsReady() {
            transport.ready = false;
            List<CompletableFuture<Void>> answers = offer(4);
            assertThat(transport.sent).isEmpty();
            assertThat(answers).noneMatch(CompletableFuture::isDone);

            window.wake(); // still away: nothing leaves
            assertThat(transport.sent).isEmpty();

            transport.ready = true;
            window.wake();
            assertThat(transport.payloads()).containsExactly("m0", "m1", "m2");
        }

        @Test
        void aFullQueueFailsTheNextPublishAtOnce() {
            transport.ready = false;
            List<CompletableFuture<Void>> answers = offer(CAPACITY + 2);

            assertThat(answers.subList(0, CAPACITY)).noneMatch(CompletableFuture::isDone);
            assertThat(reason(answers.get(CAPACITY))).isEqualTo(PublishException.Reason.QUEUE_FULL);
            assertThat(reason(answers.get(CAPACITY + 1))).isEqualTo(PublishException.Reason.QUEUE_FULL);

            // handed over, they make room again
            transport.ready = true;
            window.wake();
            assertThat(offer("after")).isNotDone();
        }

        @Test
        void aBusyClientIsTriedAgainAfterAPause() {
            transport.busy = 1;
            CompletableFuture<Void> answer = offer("m0");
            assertThat(transport.sent).isEmpty();
            assertThat(timer.due).hasSize(1);

            offer("m1"); // one retry is pending: no second one
            assertThat(timer.due).hasSize(1);

            timer.runAll();
            assertThat(transport.payloads()).containsExactly("m0", "m1");
            assertThat(answer).isNotDone();
        }
    }

    @Nested
    class Refusals {
        @ParameterizedTest(name = "the client throws: {0}")
        @ValueSource(booleans = {false, true})
        void aPublishTheClientRefusesFailsAtOnceAndTheNextOneGoes(boolean throwing) {
            transport.refuse = !throwing;
            transport.explode = throwing;
            List<CompletableFuture<Void>> answers = offer(2);

            assertThat(reason(answers.get(0))).isEqualTo(PublishException.Reason.REFUSED);
            assertThat(transport.payloads()).containsExactly("m1");
        }
    }

    @Nested
    class Closing {
        @Test
        void aClosedWindowRefusesNewPublishesAndTheOthersMayStillBeAccepted() {
            List<CompletableFuture<Void>> answers = offer(4);
            window.close();
            assertThat(reason(offer("late"))).isEqualTo(PublishException.Reason.CLOSED);

            CompletableFuture<Void> empty = window.whenEmpty();
            assertThat(empty).isNotDone();
            for (int i = 0; i < 4; i++) {
                transport.sent.get(i).answer().accepted();
            }
            assertThat(answers).allMatch(a -> a.isDone() && !a.isCompletedExceptionally());
            assertThat(empty).isCompleted();
            assertThat(window.unsettled()).isZero();
        }

        @Test
        void abandoningFailsEveryPublishStillUnansweredAndIgnoresLaterVerdicts() {
            List<CompletableFuture<Void>> answers = offer(5);
            transport.sent.get(0).answer().accepted();

            assertThat(window.abandon()).isCompleted();
            assertThat(answers.getFirst()).isCompleted();
            assertThat(answers.subList(1, 5))
                    .allSatisfy(a -> assertThat(reason(a)).isEqualTo(PublishException.Reason.CLOSED));
            assertThat(window.whenEmpty()).isCompleted();

            // a PUBACK after the link closed changes nothing, and nothing more is handed over
            transport.sent.get(1).answer().accepted();
            assertThat(reason(answers.get(1))).isEqualTo(PublishException.Reason.CLOSED);
            assertThat(reason(offer("after"))).isEqualTo(PublishException.Reason.CLOSED);
            assertThat(transport.sent).hasSize(4);
        }

        @Test
        void anEmptyWindowIsEmptyAtOnce() {
            assertThat(window.whenEmpty()).isCompleted();
            offer("m0");
            assertThat(window.whenEmpty()).isNotDone();
        }
    }
}
