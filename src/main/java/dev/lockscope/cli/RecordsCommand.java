package dev.lockscope.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.record.CorruptRecordFileException;
import dev.lockscope.record.MergeSaveResult;
import dev.lockscope.record.RecordConflictException;
import dev.lockscope.record.RecordMerge;
import dev.lockscope.record.RecordMergeConflictException;
import dev.lockscope.record.RecordFormat;
import dev.lockscope.record.RecordSnapshot;
import dev.lockscope.record.RecordStore;
import dev.lockscope.record.RecordStoreOptions;
import dev.lockscope.record.SaveResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code lockscope records}: read and change a shared record file through the locked save path.
 * Main thread only.
 */
@Command(name = "records", mixinStandardHelpOptions = true,
        description = {"Read and change a shared JSON record file (see docs/RECORDS.md).",
                "Reads take no lock; every change goes through the locked save path.",
                "Exit: 0 ok; 1 record absent or edit conflict (nothing written); 64 usage; 65 invalid JSON or",
                "corrupt record file; 66 no such directory; 70 lock lost before the commit; 74 other I/O error;",
                "75 lock timeout; 77 permission denied or read-only filesystem."},
        subcommands = {RecordsCommand.ListRecords.class, RecordsCommand.Get.class, RecordsCommand.Put.class,
                RecordsCommand.Delete.class, RecordsCommand.Edit.class})
public final class RecordsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every records subcommand takes. Main thread only. */
    public static final class StoreOptions {
        @Option(names = {"-t", "--timeout"}, paramLabel = "DUR", converter = DurationConverter.class,
                defaultValue = "60s", description = "how long a change waits for the lock (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Option(names = "--max-size", paramLabel = "BYTES", defaultValue = "67108864",
                description = "largest record file read or written (default: ${DEFAULT-VALUE} = 64 MiB)")
        long maxSize;

        @Option(names = "--group-commit", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "a put or delete that finds the lock held is published for the holder to commit with"
                        + " its own change (default: on); --no-group-commit waits for the lock and writes its own"
                        + " generation")
        boolean groupCommit;

        RecordStore open(Path file) {
            return RecordStore.open(file, RecordStoreOptions.defaults().withLockTimeout(timeout).withMaxBytes(maxSize)
                    .withGroupCommit(groupCommit));
        }
    }

    /** Shared plumbing: run a body and turn failures into the documented exit codes. */
    abstract static class Base implements Callable<Integer>, ExitCodes.Operation {
        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "FILE", description = "the record file (put and edit create it)")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        abstract int body() throws Exception;

        /** Prints one line to standard error, escaped: messages name records and writers read from the file. */
        void error(String message) {
            err().println("lockscope: " + TerminalText.escape(message));
        }

        @Override
        public Integer call() {
            try {
                LockPaths.requireRecordFile(spec, file);
                int code = body();
                out().flush();
                return code;
            } catch (CommandLine.ParameterException e) {
                throw e; // picocli reports it as a usage error (64)
            } catch (Exception e) {
                out().flush();
                err().println(ExitCodes.describe(e, operation()));
                err().flush();
                return exitCodeFor(e);
            }
        }
    }

    /** The exit code for a failure: the record store's own cases, then the mapping every command shares. */
    static int exitCodeFor(Throwable e) {
        if (e instanceof RecordConflictException) {
            return ExitCodes.NOTHING_DONE;
        }
        if (e instanceof CorruptRecordFileException || e instanceof JsonProcessingException) {
            return ExitCodes.DATA_ERROR;
        }
        return ExitCodes.forFailure(e);
    }

    static String quote(String name) {
        return "'" + name + "'";
    }

    static String describe(RecordSnapshot s) {
        if (!s.exists()) {
            return s.file() + ": does not exist yet (generation 0, no records)";
        }
        return s.file() + ": generation " + s.generation() + ", " + s.records().size()
                + (s.records().size() == 1 ? " record" : " records") + ", last written by " + s.writer().describe();
    }

    static void reportSave(PrintWriter out, PrintWriter err, SaveResult r, String what) {
        if (r.written()) {
            out.println(TerminalText.escape(r.saved().file() + ": " + what + ", generation " + r.previousGeneration()
                    + " -> " + r.saved().generation()));
        } else {
            out.println(TerminalText.escape(r.saved().file() + ": " + what + ": no change (generation "
                    + r.saved().generation() + ")"));
        }
        if (r.warning() != null) {
            err.println("lockscope: warning: " + TerminalText.escape(r.warning()));
        }
    }

    /** {@code records list FILE [--json]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the records: a header line, then one line per record: NAME <tab> compact JSON.",
                    "With --json, one JSON object: file, exists, generation, writer, records."})
    static final class ListRecords extends Base {
        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        int body() throws IOException {
            RecordSnapshot s = store.open(file).readFresh();
            if (json) {
                ObjectNode n = RecordFormat.mapper().createObjectNode();
                n.put("file", s.file().toString());
                n.put("exists", s.exists());
                n.put("generation", s.generation());
                if (s.writer() != null) {
                    ObjectNode w = n.putObject("writer");
                    w.put("host", s.writer().host());
                    w.put("hostId", s.writer().hostId());
                    w.put("user", s.writer().user());
                    w.put("pid", s.writer().pid());
                    w.put("writtenAt", s.writer().writtenAt().toString());
                    w.put("tool", s.writer().tool());
                } else {
                    n.putNull("writer");
                }
                ObjectNode r = n.putObject("records");
                s.records().forEach(r::set);
                out().println(RecordFormat.toJson(n, true));
            } else {
                out().println(TerminalText.escape(describe(s)));
                for (Map.Entry<String, JsonNode> e : s.records().entrySet()) {
                    out().println(TerminalText.escape(e.getKey()) + "\t" + TerminalJson.of(e.getValue(), false));
                }
            }
            return ExitCodes.OK;
        }

        @Override
        public String operation() {
            return "list the records of " + file;
        }
    }

    /** {@code records get FILE NAME}. */
    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Print the JSON value of record NAME. Exit 1 if there is no such record."})
    static final class Get extends Base {
        @Parameters(index = "1", paramLabel = "NAME", description = "the record name")
        String name;

        @Option(names = "--pretty", description = "indent the JSON")
        boolean pretty;

        @Override
        int body() throws IOException {
            RecordSnapshot s = store.open(file).readFresh();
            Optional<JsonNode> v = s.get(name);
            if (v.isEmpty()) {
                error("no record " + quote(name) + " in " + s.file() + " (generation " + s.generation() + ")");
                return ExitCodes.NOTHING_DONE;
            }
            out().println(TerminalJson.of(v.get(), pretty));
            return ExitCodes.OK;
        }

        @Override
        public String operation() {
            return "get record " + quote(name) + " from " + file;
        }
    }

    /** {@code records put FILE NAME JSON}. */
    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Set record NAME to the JSON value JSON ('-' reads it from standard input).",
                    "Invalid JSON is an error (exit 65) and nothing is written."})
    static final class Put extends Base {
        @Parameters(index = "1", paramLabel = "NAME", description = "the record name")
        String name;

        @Parameters(index = "2", paramLabel = "JSON", description = "the value, e.g. '{\"state\":\"done\"}' or '42'")
        String json;

        @Override
        int body() throws IOException {
            RecordFormat.validateName(name);
            String text = "-".equals(json) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : json;
            JsonNode value;
            try {
                value = RecordFormat.parseValue(text);
            } catch (JsonProcessingException e) {
                error("invalid JSON for record " + quote(name) + ": " + RecordFormat.describeJsonError(e)
                        + "; nothing was written to " + file);
                return ExitCodes.DATA_ERROR;
            }
            SaveResult r = store.open(file).put(name, value);
            reportSave(out(), err(), r, "put " + quote(name));
            return ExitCodes.OK;
        }

        @Override
        public String operation() {
            return "put record " + quote(name) + " into " + file;
        }
    }

    /** {@code records delete FILE NAME}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete record NAME. Exit 1 if there is no such record (nothing is written)."})
    static final class Delete extends Base {
        @Parameters(index = "1", paramLabel = "NAME", description = "the record name")
        String name;

        @Override
        int body() throws IOException {
            RecordFormat.validateName(name);
            SaveResult r = store.open(file).delete(name);
            if (!r.written()) {
                error("no record " + quote(name) + " in " + r.saved().file() + " (generation "
                        + r.saved().generation() + "); nothing was written");
                return ExitCodes.NOTHING_DONE;
            }
            reportSave(out(), err(), r, "deleted " + quote(name));
            return ExitCodes.OK;
        }

        @Override
        public String operation() {
            return "delete record " + quote(name) + " from " + file;
        }
    }

    /** {@code records edit FILE NAME}. */
    @Command(name = "edit", mixinStandardHelpOptions = true,
            description = {"Open $VISUAL or $EDITOR (default vi) on the value of record NAME (null if absent)",
                    "and save the result through the save path, merged per record with what others saved meanwhile:",
                    "their changes to other records are kept; a change to NAME itself is a conflict (exit 1,",
                    "base, yours and theirs shown, your text kept) unless --force saves your value over theirs."})
    static final class Edit extends Base {
        @Parameters(index = "1", paramLabel = "NAME", description = "the record name")
        String name;

        @Option(names = "--force", description = "on a conflict over NAME itself, save your value anyway")
        boolean force;

        @Override
        int body() throws Exception {
            RecordFormat.validateName(name);
            RecordStore rs = store.open(file);
            RecordSnapshot loaded = rs.readFresh();
            Optional<JsonNode> original = loaded.get(name);
            String before = original.map(v -> RecordFormat.toJson(v, true)).orElse("null") + "\n";
            Path edited = Files.createTempFile("lockscope-edit-", ".json");
            Files.writeString(edited, before, StandardCharsets.UTF_8);
            int editorExit = runEditor(edited);
            if (editorExit != 0) {
                error("the editor exited with status " + editorExit + "; nothing was saved; your"
                        + " text is in " + edited);
                return ExitCodes.NOTHING_DONE;
            }
            String after = Files.readString(edited, StandardCharsets.UTF_8);
            JsonNode value;
            try {
                value = RecordFormat.parseValue(after);
            } catch (JsonProcessingException e) {
                error("invalid JSON for record " + quote(name) + ": " + RecordFormat.describeJsonError(e)
                        + "; nothing was saved; your text is kept in " + edited);
                return ExitCodes.DATA_ERROR;
            }
            if (after.equals(before) || RecordFormat.sameValue(original.orElse(null), value)) {
                Files.deleteIfExists(edited);
                out().println(TerminalText.escape(rs.file() + ": " + quote(name) + " unchanged (generation "
                        + loaded.generation() + ")"));
                return ExitCodes.OK;
            }
            // The library's three-way merge: base = what the editor was given, mine = base with the edit,
            // theirs = the file under the lock. Others' changes to other records are kept; a change to
            // NAME itself is a conflict, never overwritten unless --force says so.
            RecordSnapshot base = loaded;
            for (int attempt = 0; ; attempt++) {
                java.util.TreeMap<String, JsonNode> mine = base.recordsCopy();
                mine.put(name, value);
                try {
                    MergeSaveResult r = rs.saveMerging(base, mine);
                    Files.deleteIfExists(edited);
                    int kept = r.merge().theirsKept().size();
                    if (r.save().reapplied() && kept > 0) {
                        error(rs.file() + " moved from generation " + base.generation()
                                + " to " + r.save().previousGeneration() + " while you edited; kept their change"
                                + (kept == 1 ? "" : "s") + " to " + kept + (kept == 1 ? " other record" : " other records")
                                + " and merged your edit");
                    }
                    reportSave(out(), err(), r.save(), "edited " + quote(name));
                    return ExitCodes.OK;
                } catch (RecordMergeConflictException c) {
                    RecordMerge.Conflict conflict = c.conflicts().get(0);
                    if (force && attempt < 20) {
                        error("record " + quote(name) + " was also changed in " + rs.file()
                                + " (generation " + base.generation() + " -> " + c.actualGeneration()
                                + "); --force: saving your value over theirs, " + show(conflict.theirs()));
                        base = c.current();
                        continue;
                    }
                    error("conflict: record " + quote(name) + " in " + rs.file()
                            + " was changed by " + (c.current().writer() == null ? "someone"
                            : c.current().writer().describe()) + " while you edited (generation "
                            + c.expectedGeneration() + " -> " + c.actualGeneration() + "); nothing was saved.");
                    err().println("  base:   " + show(conflict.base()));
                    err().println("  mine:   " + show(conflict.mine()));
                    err().println("  theirs: " + show(conflict.theirs()));
                    err().println(TerminalText.escape("Your text is kept in " + edited + "; edit again, or use --force to save it anyway."));
                    return ExitCodes.NOTHING_DONE;
                }
            }
        }

        @Override
        public String operation() {
            return "edit record " + quote(name) + " in " + file;
        }

        private static String show(JsonNode v) {
            return v == null ? "(absent)" : TerminalJson.of(v, false);
        }

        private int runEditor(Path edited) throws IOException, InterruptedException {
            String editor = System.getenv("VISUAL");
            if (editor == null || editor.isBlank()) {
                editor = System.getenv("EDITOR");
            }
            if (editor == null || editor.isBlank()) {
                editor = "vi";
            }
            // Through sh, so that EDITOR may carry arguments ("code --wait").
            Process p = new ProcessBuilder("sh", "-c", editor + " \"$1\"", "lockscope-edit", edited.toString())
                    .inheritIO().start();
            return p.waitFor();
        }
    }
}
