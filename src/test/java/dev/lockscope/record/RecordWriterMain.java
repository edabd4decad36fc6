package dev.lockscope.record;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A writer process for the multi-process tests. Main thread only.
 *
 * <p>Args: {@code FILE PREFIX COUNT START_DELAY_MS STEP_JITTER_MS}. Sleeps START_DELAY_MS, then puts COUNT
 * records {@code PREFIX.0 .. PREFIX.(COUNT-1)}, one save each, and after each save returns prints
 * {@code COMMITTED <name> <generation> <millis> <fenced retries>}; a save
 * refused by fencing (never committed) is retried and reported as {@code FENCED <name> <why>}. With STEP_JITTER_MS > 0 it sleeps a random 0..STEP_JITTER_MS at
 * every step of the save path, so that a SIGKILL lands anywhere in it. Exit 0 on success, 2 on error.
 */
public final class RecordWriterMain {
    private RecordWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        long startDelay = Long.parseLong(args[3]);
        long jitter = Long.parseLong(args[4]);
        RecordStore store = RecordStore.open(file, RecordStoreOptions.defaults()
                .withLockTimeout(Duration.ofSeconds(240)));
        if (jitter > 0) {
            store = store.withStepListener(step -> {
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(jitter + 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        Thread.sleep(startDelay);
        try {
            for (int i = 0; i < count; i++) {
                String name = prefix + "." + i;
                ObjectNode v = JsonNodeFactory.instance.objectNode();
                v.put("writer", prefix);
                v.put("seq", i);
                v.put("pid", ProcessHandle.current().pid());
                long t0 = System.nanoTime();
                SaveResult r;
                int fenced = 0;
                while (true) {
                    try {
                        r = store.put(name, v);
                        break;
                    } catch (RecordFencingException e) {
                        // Not committed (that is what fencing guarantees), so trying again is safe.
                        System.out.println("FENCED " + name + " " + e.getMessage());
                        if (++fenced > 5) {
                            throw e;
                        }
                    }
                }
                System.out.println("COMMITTED " + name + " " + r.saved().generation() + " "
                        + (System.nanoTime() - t0) / 1_000_000 + " " + fenced);
                System.out.flush();
            }
        } catch (Exception e) {
            System.out.println("ERROR " + e);
            System.out.flush();
            e.printStackTrace();
            System.exit(2);
        }
        System.exit(0);
    }
}
