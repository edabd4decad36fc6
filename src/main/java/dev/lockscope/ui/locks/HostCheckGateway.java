package dev.lockscope.ui.locks;

import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.probe.AskHostsAllowList;
import dev.lockscope.probe.HostCheck;
import dev.lockscope.probe.HostChecker;
import dev.lockscope.probe.SshSettings;

/**
 * How the inspector asks a lock owner's host whether the owner still runs ("Check on host", issue 15). The view
 * models get this injected, so they never read the ssh settings or start ssh themselves. Both methods do I/O:
 * I/O threads only.
 */
public interface HostCheckGateway {

    /**
     * The checker for the inspector: the operator's ssh settings (LOCKSCOPE_SSH_CONFIG, LOCKSCOPE_ASK_HOSTS,
     * ~/.config/lockscope/ask-hosts) with the inspector's own allow-list added. Reads files.
     */
    HostChecker checkerFor(AskHostsAllowList fromSettings);

    /** Asks {@code owner}'s host over ssh, with {@code checker}'s settings, whether the owner still runs. */
    HostCheck check(HostChecker checker, LockOwner owner);

    /** The probe package's ssh checks, as the CLI's {@code lockscope probe} makes them. */
    static HostCheckGateway ssh() {
        return new HostCheckGateway() {
            @Override
            public HostChecker checkerFor(AskHostsAllowList fromSettings) {
                SshSettings s = SshSettings.fromEnvironment();
                return new HostChecker(s.withAllowList(s.allowList().plus(fromSettings)), HostIdentity.current());
            }

            @Override
            public HostCheck check(HostChecker checker, LockOwner owner) {
                return checker.check(owner);
            }
        };
    }
}
