package dev.lockscope.scan;

import dev.lockscope.testing.TestJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Real child JVMs holding or waiting for locks, killed at the end of a test. Test thread only. */
final class Children implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();

    /** A {@link ScanHolder} child; its stdout lines arrive in the returned handle's queue. */
    Child start(Path lock, long leaseMillis, Map<String, String> env) throws IOException {
        ProcessBuilder pb = TestJvm.builder(ScanHolder.class, List.of(lock.toString(), Long.toString(leaseMillis)));
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        processes.add(p);
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.offer(line);
                }
            } catch (IOException ignored) {
                // the child ended
            }
        });
        t.setDaemon(true);
        t.start();
        return new Child(p, lines);
    }

    /** One child. */
    record Child(Process process, BlockingQueue<String> lines) {
        /** Waits for a line starting with {@code prefix}; returns it. */
        String await(String prefix, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                long left = deadline - System.nanoTime();
                String l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (l == null) {
                    throw new AssertionError("child pid " + process.pid() + " did not print " + prefix + " within "
                            + seconds + " s (alive: " + process.isAlive() + ")");
                }
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
        }

        long pid() {
            return process.pid();
        }

        /** SIGKILL, and wait until it is gone. */
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
