package dev.lockscope.cli;

import dev.lockscope.lock.LockException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every I/O error told to a person names the operation and the path (issue 10, item 10). */
class IoErrorContextTest {

    @TempDir
    Path dir;

    /**
     * The reported failure: one `records put` out of 50 on a network mount said only "lockscope: Bad
     * address" (EFAULT from a read or write, which Java reports without a path). A standard input that
     * fails the same way goes through the same command and handler.
     */
    @Test
    void aPathlessIOExceptionInRecordsPutNamesTheOperationAndTheFile() {
        Path file = dir.resolve("records.json");
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Bad address");
            }
        };
        InputStream stdin = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setIn(failing);
            code = LockscopeCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute("records", "put", file.toString(), "a", "-");
        } finally {
            System.setIn(stdin);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(ExitCodes.IO_ERROR);
        assertThat(message).isEqualTo("lockscope: cannot put record 'a' into " + file + ": Bad address\n");
    }

    /** A real failing operation whose IOException carries no path: reading a directory through a channel. */
    @Test
    void aRealPathlessFailureIsToldWithOperationAndPath() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        IOException e;
        try (FileChannel ch = FileChannel.open(sub, StandardOpenOption.READ)) {
            e = catchThrowableOfType(() -> ch.read(ByteBuffer.allocate(8)), IOException.class);
        }
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).doesNotContain(sub.toString()); // what Java gives: no path
        assertThat(ExitCodes.describe(e, "read record file " + sub))
                .isEqualTo("lockscope: cannot read record file " + sub + ": " + e.getMessage());
        // One that names a file gets both: the operation's path and the file that failed.
        FileSystemException fse = new FileSystemException(sub.resolve("x.tmp").toString(), null, "Bad address");
        assertThat(ExitCodes.describe(fse, "save " + sub.resolve("records.json")))
                .isEqualTo("lockscope: cannot save " + sub.resolve("records.json") + ": " + sub.resolve("x.tmp")
                        + ": Bad address");
    }

    /** `break` on a read-only mount: the lock core's error for the guard's claim, mapped like `records` maps it. */
    @Test
    void readOnlyIsNoPermissionWhereverItIsWrapped() {
        String claim = "/ro/.job.lock.break.host.1.00112233445566778899aabbccddeeff";
        LockException e = new LockException("cannot create claim file " + claim + ": Read-only file system",
                new FileSystemException(claim, null, "Read-only file system"));
        assertThat(ExitCodes.forFailure(e)).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(ExitCodes.forFailure(new java.nio.file.AccessDeniedException(claim))).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(ExitCodes.forFailure(new IOException("Bad address"))).isEqualTo(ExitCodes.IO_ERROR);
    }
}
