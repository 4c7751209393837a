import HydrantRecords

/// Per value entry of the current record, its text parsed as an address once however many CIDR tests read it
/// (a flow's destination is tested against a whole list of ranges).
///
/// Valid for the entries whose stamp equals the record's stamp, so nothing is cleared between records. Held in
/// memory this class owns: as two `Array`s, every write checked their uniqueness. Owned by one engine and grown
/// to the most entries one record had.
final class EntryAddressCache {
    private var stamps: UnsafeMutablePointer<UInt32>
    private var addresses: UnsafeMutablePointer<IPAddress?>
    private var capacity: Int

    /// An empty cache.
    init() {
        capacity = 16
        stamps = .allocate(capacity: capacity)
        stamps.initialize(repeating: 0, count: capacity)
        addresses = .allocate(capacity: capacity)
        addresses.initialize(repeating: nil, count: capacity)
    }

    deinit {
        stamps.deallocate()
        addresses.deallocate()
    }

    /// The address `text` spells (nil when it is none), for value entry `entry` of the record stamped `stamp`:
    /// parsed the first time the record asks, remembered after.
    @inline(__always)
    func address(entry: Int, stamp: UInt32, text: () -> UnsafeBufferPointer<UInt8>) -> IPAddress? {
        if entry >= capacity { grow(to: entry + 1) }
        if stamps[entry] == stamp { return addresses[entry] }
        let parsed = IPAddress(utf8: text())
        stamps[entry] = stamp
        addresses[entry] = parsed
        return parsed
    }

    /// Forgets every entry (the engine's stamps wrapped, so an old stamp could look current).
    func clear() { stamps.update(repeating: 0, count: capacity) }

    private func grow(to needed: Int) {
        let size = max(needed, capacity * 2)
        let newStamps = UnsafeMutablePointer<UInt32>.allocate(capacity: size)
        newStamps.moveInitialize(from: stamps, count: capacity)
        (newStamps + capacity).initialize(repeating: 0, count: size - capacity)
        stamps.deallocate()
        stamps = newStamps
        let newAddresses = UnsafeMutablePointer<IPAddress?>.allocate(capacity: size)
        newAddresses.moveInitialize(from: addresses, count: capacity)
        (newAddresses + capacity).initialize(repeating: nil, count: size - capacity)
        addresses.deallocate()
        addresses = newAddresses
        capacity = size
    }
}
