package dev.lockscope.record;

/** The group-commit tests' store options: on, as by default, but said explicitly so the tests do not depend on the default. Any thread. */
final class GroupCommitTesting {
    static final RecordStoreOptions GROUP_COMMIT = RecordStoreOptions.defaults().withGroupCommit(true);

    private GroupCommitTesting() {
    }
}
