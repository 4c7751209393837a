import Foundation

/// An immutable value loaded from files, replaced whole when any of the files changes.
///
/// Readers take `current` (one lock-protected reference read) and use that value for a whole batch, so a reload
/// never shows them half a table: the new value is built completely off to the side, then swapped in. A reload that
/// fails keeps the previous value and reports the error; the stream goes on with the old data.
public final class ReloadableResource<Value: Sendable>: @unchecked Sendable {
    /// The files the value is loaded from.
    public let paths: [String]
    private let load: @Sendable ([String]) throws -> Value
    private let lock = NSLock()
    private var value: Value
    private var fingerprints: [FileFingerprint?]
    private var generationCount: UInt64 = 0

    /// Loads the value now from `paths` with `load`; a failure here is a start-up error and is thrown.
    public init(paths: [String], load: @escaping @Sendable ([String]) throws -> Value) throws {
        self.paths = paths
        self.load = load
        let before = paths.map(FileFingerprint.of)
        value = try load(paths)
        fingerprints = before
    }

    /// The value in use now.
    public var current: Value {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    /// How many times the value has been replaced since it was first loaded.
    public var generation: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return generationCount
    }

    /// Reloads when a file changed since the last load: returns true when a new value was swapped in, false when
    /// nothing changed, and throws (keeping the old value) when the changed files cannot be loaded.
    @discardableResult
    public func reloadIfChanged() throws -> Bool {
        let now = paths.map(FileFingerprint.of)
        lock.lock()
        let unchanged = now == fingerprints
        lock.unlock()
        if unchanged { return false }
        let fresh: Value
        do {
            fresh = try load(paths)
        } catch {
            // Remember the broken version so that one bad file is reported once, not on every batch.
            lock.lock()
            fingerprints = now
            lock.unlock()
            throw error
        }
        lock.lock()
        value = fresh
        fingerprints = now
        generationCount &+= 1
        lock.unlock()
        return true
    }
}
