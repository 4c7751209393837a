/// Records handed to a delivery stream in one call, stored back to back so that a batch of 500 records is a
/// couple of allocations rather than 500.
public struct IngestBatch: Sendable, Hashable {
    /// Every record's bytes, one after another.
    public private(set) var bytes: [UInt8]
    /// The end offset in `bytes` of each record; record `i` spans `ends[i-1]..<ends[i]` (from 0 for the first).
    public private(set) var ends: [Int]

    /// An empty batch with room for `records` records of `bytes` bytes in all.
    public init(reservingRecords records: Int = 0, bytes byteCapacity: Int = 0) {
        bytes = []
        ends = []
        bytes.reserveCapacity(byteCapacity)
        ends.reserveCapacity(records)
    }

    /// A batch over records already laid out back to back; `ends` must rise and stay within `bytes` (the
    /// processors' outputs are built that way).
    init(bytes: [UInt8], ends: [Int]) {
        self.bytes = bytes
        self.ends = ends
    }

    /// The number of records.
    public var count: Int { ends.count }
    /// Whether the batch holds no record.
    public var isEmpty: Bool { ends.isEmpty }
    /// The total size of the records' bytes.
    public var byteCount: Int { bytes.count }

    /// The byte range of record `index`.
    public func range(of index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// The bytes of record `index`.
    public subscript(index: Int) -> ArraySlice<UInt8> { bytes[range(of: index)] }

    /// Appends one record.
    public mutating func append(_ record: some Sequence<UInt8>) {
        bytes.append(contentsOf: record)
        ends.append(bytes.count)
    }

    /// Appends one record written in place by `write` (e.g. a base64 decoder), avoiding a temporary copy.
    public mutating func appendRecord(_ write: (inout [UInt8]) throws -> Void) rethrows {
        let start = bytes.count
        do {
            try write(&bytes)
        } catch {
            bytes.removeSubrange(start...)
            throw error
        }
        ends.append(bytes.count)
    }
}
