package dev.lockscope.lock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** How fast waiters poll a hot lock on a local filesystem: by the number of claim files of that lock. */
class HotPollingTest {

    @TempDir
    Path dir;

    @Test
    void countsOnlyTheClaimsOfThatLock() throws Exception {
        Files.createFile(dir.resolve("r.lock"));
        for (int i = 0; i < 5; i++) {
            Files.createFile(dir.resolve(".r.lock.host." + i + ".token" + i));
        }
        Files.createFile(dir.resolve(".r.lock.break.host.9.tokenguard")); // the break guard's claim
        Files.createFile(dir.resolve(".other.lock.host.1.token"));
        Files.createFile(dir.resolve(".r.json.tmp.host.1.abc"));
        Files.createFile(dir.resolve("r.lock.broken.123.tag"));
        assertThat(HotPolling.countClaims(dir, "r.lock")).isEqualTo(5);
        assertThat(HotPolling.countClaims(dir.resolve("missing"), "r.lock")).isZero();
    }

    @Test
    void moreWaitersPollEachMoreSlowlySoTogetherTheyLookAboutOncePer2ms() throws Exception {
        LockOptions o = LockOptions.defaults();
        double fewMs = meanPollMillis(o, 4);   // 3 waiters
        double manyMs = meanPollMillis(o, 16); // 15 waiters
        assertThat(fewMs).isBetween(5.0, 7.0);
        assertThat(manyMs).isBetween(27.0, 33.0);
        // Never above backoffMax, however many claims there are.
        LockOptions capped = o.withBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
        assertThat(meanPollMillis(capped, 16)).isBetween(17.0, 23.0);
    }

    private double meanPollMillis(LockOptions o, int claims) throws Exception {
        Path d = Files.createTempDirectory(dir, "c");
        for (int i = 0; i < claims; i++) {
            Files.createFile(d.resolve(".r.lock.host." + i + ".t" + i));
        }
        HotPolling hot = new HotPolling(LockClock.SYSTEM);
        long sum = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            sum += hot.pollNanos(d, "r.lock", o);
        }
        return sum / (double) n / TimeUnit.MILLISECONDS.toNanos(1);
    }
}
