package dev.lockscope.lock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The one place that makes Lockscope's configured Jackson mappers, one per need. A mapper is thread-safe once
 * configured: any thread.
 *
 * <p>Why they differ: owner records, audit records and the CLI's JSON output are small documents of our own
 * making, read with Jackson's defaults (owner records are then checked field by field by {@link LockOwner}; audit
 * records are written pretty-printed, per write, and read leniently by {@link BreakAudit}). The records file
 * holds values of the user's making and is rewritten by every save, so its mapper alone is strict (duplicate
 * keys, trailing tokens and NaN refused), exact (1.10 stays 1.10, large decimals keep every digit), unlimited in
 * string length (the store's own size limit is the bound) and indents what it writes. Each mapper sits in its
 * own holder class, so a process that never parses (a lock holder's heartbeat) never loads Jackson.
 */
public final class JsonMappers {
    private JsonMappers() {
    }

    /** For lockscope owner records (lock and claim files): Jackson's defaults. */
    public static ObjectMapper ownerRecords() {
        return Owner.MAPPER;
    }

    /** For break audit records ({@link BreakAudit}): Jackson's defaults; records are written pretty-printed. */
    public static ObjectMapper audit() {
        return Audit.MAPPER;
    }

    /** For the records file and its values: strict, exact and indenting (see the class comment). */
    public static ObjectMapper recordsFile() {
        return Records.MAPPER;
    }

    /**
     * For JSON the CLI prints or reads back from another lockscope (verdicts, benchmark results, probe reports), and
     * the inspector's settings file: Jackson's defaults, compact unless a writer asks for indentation.
     */
    public static ObjectMapper cliOutput() {
        return Cli.MAPPER;
    }

    private static final class Owner {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private static final class Audit {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private static final class Cli {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private static final class Records {
        static final ObjectMapper MAPPER = newRecordsMapper();

        private static ObjectMapper newRecordsMapper() {
            JsonFactory f = JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    // The size limit of the store (default 64 MiB) is the bound; Jackson's default
                    // string limit (20 M chars) would reject legal large values.
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(1000).build())
                    .build();
            ObjectMapper m = new ObjectMapper(f);
            m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            // Exact numbers: 1.10 stays 1.10 and 12345678901234567890.5 stays itself across a rewrite.
            m.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
            m.setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
            m.enable(SerializationFeature.INDENT_OUTPUT);
            return m;
        }
    }
}
