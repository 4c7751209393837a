import Foundation

/// Where the write-ahead log's committer thread drops committed frames for the stream's routing task, with a signal
/// that coalesces wake-ups (one per group, never one per record).
final class FrameInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [WALFrame] = []
    private var records = 0
    /// Wakes the routing task; holds at most one pending wake-up.
    let signals: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds frames and wakes the routing task.
    func push(_ new: [WALFrame]) {
        guard !new.isEmpty else { return }
        lock.lock()
        frames.append(contentsOf: new)
        for frame in new { records += frame.records.count }
        lock.unlock()
        continuation.yield()
    }

    /// Takes every frame waiting.
    func takeAll() -> [WALFrame] {
        lock.lock()
        defer { lock.unlock() }
        let taken = frames
        frames = []
        records = 0
        return taken
    }

    /// Records waiting to be routed.
    var waitingRecords: Int {
        lock.lock()
        defer { lock.unlock() }
        return records
    }

    /// Wakes the routing task without frames (to make it notice a stop).
    func wake() {
        continuation.yield()
    }

    /// Ends the signal sequence.
    func finish() {
        continuation.finish()
    }
}
