/// A mutual-exclusion gate for async code: one holder at a time, waiters admitted in arrival order. It keeps the
/// processing and routing of frames in log order when the routing task and `flushAll` both drain the inbox, and
/// keeps the stateful processors (detection windows, enricher caches) single-threaded.
actor AsyncGate {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Waits until the gate is free and takes it.
    func enter() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Frees the gate, handing it to the next waiter.
    func leave() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
