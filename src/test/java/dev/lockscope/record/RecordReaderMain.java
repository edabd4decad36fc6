package dev.lockscope.record;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A reader process for the multi-process tests. Main thread only.
 *
 * <p>Args: {@code FILE START_DELAY_MS EXPECTED_RECORDS DEADLINE_MS}. Reads until it has seen
 * EXPECTED_RECORDS records (plus a few more reads), or the deadline passes. Each round does one
 * {@link RecordStore#read()} (which must never fail) and one raw read: plain bytes decoded by
 * {@link RecordFormat#decode}, with no retry, so that a torn file would show. Prints one summary line:
 * {@code SUMMARY reads=N failed=N rawReads=N rawTorn=N rawStale=N backwards=N maxGen=N maxRecords=N}.
 */
public final class RecordReaderMain {
    private RecordReaderMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long startDelay = Long.parseLong(args[1]);
        int expected = Integer.parseInt(args[2]);
        long deadline = System.currentTimeMillis() + Long.parseLong(args[3]);
        RecordStore store = RecordStore.open(file);
        Thread.sleep(startDelay);
        int reads = 0;
        int failed = 0;
        int rawReads = 0;
        int rawTorn = 0;
        int rawStale = 0;
        int backwards = 0;
        long maxGen = 0;
        int maxRecords = 0;
        int extraAfterComplete = 3;
        while (System.currentTimeMillis() < deadline) {
            try {
                RecordSnapshot s = store.read();
                reads++;
                if (s.generation() < maxGen) {
                    backwards++;
                    System.out.println("BACKWARDS " + maxGen + " -> " + s.generation());
                }
                maxGen = Math.max(maxGen, s.generation());
                maxRecords = Math.max(maxRecords, s.records().size());
            } catch (Exception e) {
                failed++;
                System.out.println("FAILED " + e);
            }
            try {
                byte[] b = Files.readAllBytes(file);
                rawReads++;
                try {
                    RecordFormat.decode(file, b);
                } catch (CorruptRecordFileException e) {
                    rawTorn++;
                    System.out.println("RAWTORN " + e.getMessage());
                }
            } catch (NoSuchFileException e) {
                // not created yet
            } catch (java.io.IOException e) {
                rawStale++;
            }
            if (maxRecords >= expected && --extraAfterComplete <= 0) {
                break;
            }
            Thread.sleep(ThreadLocalRandom.current().nextLong(50, 300));
        }
        System.out.println("SUMMARY reads=" + reads + " failed=" + failed + " rawReads=" + rawReads
                + " rawTorn=" + rawTorn + " rawStale=" + rawStale + " backwards=" + backwards
                + " maxGen=" + maxGen + " maxRecords=" + maxRecords);
        System.out.flush();
        System.exit(failed == 0 ? 0 : 2);
    }
}
