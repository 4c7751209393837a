import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raised by SIGHUP; a lock-free atomic store is safe inside a signal handler.
private let reloadRequested = Atomic<Bool>(false)

/// Turns SIGHUP into a flag the record writer polls between batches, so rules are reloaded on the thread that
/// evaluates them.
struct ReloadSignal {
    /// Installs the handler (replacing SIGHUP's default action, which would end the process).
    init() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGHUP)
        signal(SIGHUP) { _ in reloadRequested.store(true, ordering: .relaxed) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Whether a reload was asked for since the last call; clears the request.
    func take() -> Bool {
        reloadRequested.exchange(false, ordering: .relaxed)
    }
}
