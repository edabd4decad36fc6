package dev.lockscope.nojavafx;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.record.RecordStore;
import dev.lockscope.record.SaveResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * A server that uses only the lock and record library, started by {@code NoJavaFxModulePathTest} on a module
 * path without JavaFX. Its class sits on the class path (a package the dev.lockscope module does not have),
 * so it reaches the library through the module's exports only. Main thread only.
 *
 * <p>Arguments: a directory to work in. Prints what it did, one fact per line.
 */
public final class LibraryUserMain {
    private LibraryUserMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Module library = LinkLock.class.getModule();
        System.out.println("module " + library.getName());
        System.out.println("javafx-modules [" + ModuleLayer.boot().modules().stream().map(Module::getName)
                .filter(n -> n.startsWith("javafx")).sorted().collect(Collectors.joining(",")) + "]");
        try (LockHandle held = LinkLock.at(dir.resolve("job.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(30))) {
            System.out.println("held " + held.token());
        }
        SaveResult saved = RecordStore.open(dir.resolve("records.json")).put("server", TextNode.valueOf("no JavaFX here"));
        System.out.println("saved generation " + saved.saved().generation());
        System.out.println("read " + RecordStore.open(dir.resolve("records.json")).readFresh().records().get("server").asText());
    }
}
