package dev.lockscope.record;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
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
        RecordStoreOptions options = RecordStoreOptions.defaults().withLockTimeout(Duration.ofSeconds(240));
        if ("1".equals(System.getenv("LOCKSCOPE_TEST_GROUP_COMMIT"))) {
            options = options.withGroupCommit(true);
        }
        RecordStore store = RecordStore.open(file, options);
        // Diagnostics for a loss: every step with its time, and a copy of every generation this process was
        // about to rename into place (at FENCED its temp file is complete), in LOCKSCOPE_TEST_HISTORY.
        String historyDir = System.getenv("LOCKSCOPE_TEST_HISTORY");
        Path history = historyDir == null ? null : Files.createDirectories(Path.of(historyDir));
        if (jitter > 0 || history != null) {
            store = store.withStepListener(step -> {
                if (history != null) {
                    record(history, file, prefix, step);
                }
                if (jitter > 0) {
                    try {
                        Thread.sleep(ThreadLocalRandom.current().nextLong(jitter + 1));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
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
                if (history != null) {
                    append(history, prefix, Instant.now() + " COMMITTED " + name + " " + r.saved().generation()
                            + " combined=" + r.combined());
                }
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

    private static void record(Path history, Path file, String prefix, RecordStore.SaveStep step) {
        append(history, prefix, Instant.now() + " " + step);
        if (step != RecordStore.SaveStep.FENCED) {
            return;
        }
        String mine = "." + file.getFileName() + ".tmp.";
        String pid = "." + ProcessHandle.current().pid() + ".";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(file.getParent())) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (n.startsWith(mine) && n.contains(pid)) {
                    Path copy = history.resolve(prefix + "-" + System.nanoTime() + ".json");
                    Files.copy(p, copy);
                    append(history, prefix, Instant.now() + " copied " + n + " to " + copy.getFileName());
                }
            }
        } catch (IOException e) {
            append(history, prefix, Instant.now() + " cannot copy the temp file: " + e);
        }
    }

    private static void append(Path history, String prefix, String line) {
        try {
            Files.writeString(history.resolve(prefix + ".steps"), line + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot write history: " + e);
        }
    }
}
