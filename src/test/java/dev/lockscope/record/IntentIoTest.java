package dev.lockscope.record;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link IntentIo#each}: input order kept, calls overlapped when asked, a failure thrown only after all ended. */
class IntentIoTest {

    @Test
    void resultsComeBackInInputOrderEitherWay() throws Exception {
        List<Integer> in = IntStream.range(0, 40).boxed().toList();
        IntentIo.IoFunction<Integer, Integer> slowFirst = i -> {
            sleep(i < 5 ? 30 : 1);
            return i * 2;
        };
        assertThat(IntentIo.each(true, in, slowFirst)).containsExactlyElementsOf(in.stream().map(i -> i * 2).toList());
        assertThat(IntentIo.each(false, in, slowFirst)).containsExactlyElementsOf(in.stream().map(i -> i * 2).toList());
    }

    /** Eight calls that each wait for all eight to have started can only finish if they overlap. */
    @Test
    void overlappedCallsRunAtTheSameTime() throws Exception {
        CountDownLatch allStarted = new CountDownLatch(IntentIo.THREADS);
        List<Boolean> met = IntentIo.each(true, IntStream.range(0, IntentIo.THREADS).boxed().toList(), i -> {
            allStarted.countDown();
            try {
                return allStarted.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        });
        assertThat(met).containsOnly(true);
    }

    @Test
    void theFirstFailureInInputOrderIsThrownAfterEveryCallEnded() {
        AtomicInteger ended = new AtomicInteger();
        ConcurrentHashMap<Integer, Boolean> ran = new ConcurrentHashMap<>();
        assertThatThrownBy(() -> IntentIo.each(true, IntStream.range(0, 20).boxed().toList(), i -> {
            ran.put(i, true);
            try {
                sleep(i == 19 ? 200 : 1);
                if (i == 3 || i == 7) {
                    throw new IOException("failed " + i);
                }
                return i;
            } finally {
                ended.incrementAndGet();
            }
        })).isInstanceOf(IOException.class).hasMessage("failed 3");
        assertThat(ended).as("the slow last call had ended before the throw").hasValue(20);
        assertThat(ran).hasSize(20);
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }
}
