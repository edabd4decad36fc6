package dev.lockscope.record;

import dev.lockscope.lock.HostIdentity;

import java.time.Instant;
import java.util.Objects;

/**
 * Who wrote a generation of a record file, and when (in the writer's own clock). Immutable; any thread.
 *
 * @param host     host name, for people
 * @param hostId   machine identity (see {@link HostIdentity})
 * @param user     user name
 * @param pid      process id
 * @param writtenAt time of the save in the writer's clock
 * @param tool     the program that wrote it, e.g. {@code lockscope 0.1.0}
 */
public record WriterStamp(String host, String hostId, String user, long pid, Instant writtenAt, String tool) {

    public WriterStamp {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(writtenAt, "writtenAt");
        Objects.requireNonNull(tool, "tool");
    }

    /** The stamp for a save by this process, now. */
    public static WriterStamp now(String tool) {
        HostIdentity id = HostIdentity.current();
        return new WriterStamp(id.hostName(), id.hostId(), System.getProperty("user.name", "?"),
                ProcessHandle.current().pid(), Instant.now(), tool);
    }

    /** {@code user@host pid N at T}. */
    public String describe() {
        return user + "@" + host + " pid " + pid + " at " + writtenAt;
    }
}
