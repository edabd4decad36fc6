package dev.lockscope.record;

/** The group-commit tests' store options: group commit is off by default, these turn it on. Any thread. */
final class GroupCommitTesting {
    static final RecordStoreOptions GROUP_COMMIT = RecordStoreOptions.defaults().withGroupCommit(true);

    private GroupCommitTesting() {
    }
}
