import HydrantRecords

/// Records of any dataset already encoded as JSON lines: one buffer, and where each record's line ends. Lets
/// sources that are not packet captures (flow logs, flow export) feed the same outputs as `CaptureRecords`.
///
/// The bytes live in a `JSONLineBuffer` (a reference): a set belongs to one thread at a time, and a copy of the
/// struct shares its bytes.
struct EncodedRecords {
    /// The lines, each ending in `\n`.
    let buffer: JSONLineBuffer
    /// The end offset of each line in `buffer`.
    private(set) var ends: [Int] = []

    /// An empty set, with room for `records` lines of about 512 bytes.
    init(reservingRecords records: Int = 0) {
        buffer = JSONLineBuffer(capacity: max(records, 8) * 512)
        ends.reserveCapacity(records)
    }

    /// Lines held.
    var count: Int { ends.count }
    /// Whether no line is held.
    var isEmpty: Bool { ends.isEmpty }

    /// Encodes `record` as one more line.
    mutating func append<Record: DatasetRecord>(_ record: Record, with encoder: inout JSONLinesEncoder<Record>) {
        encoder.encode(record, into: buffer)
        ends.append(buffer.count)
    }

    /// Encodes each record of `records` as one more line, without copying the records.
    mutating func append<Encoder: JSONLinesBatchEncoding>(contentsOf records: [Encoder.Record], with encoder: inout Encoder) {
        records.withUnsafeBufferPointer { encoder.encode($0, into: buffer, ends: &ends) }
    }

    /// Calls `body` with all lines at once, each ending in a newline.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeBytes(body)
    }

    /// Calls `body` with each line, newline included.
    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try buffer.withUnsafeBytes { all in
            var start = 0
            for end in ends {
                try body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }

    /// Empties the set, keeping its storage (up to what a normal batch needs).
    mutating func removeAll() {
        buffer.removeAll()
        ends.removeAll(keepingCapacity: true)
    }
}

/// An output that also takes records already encoded as JSON lines (one stream record per line).
protocol EncodedRecordOutput: RecordOutput {
    /// Takes a batch of encoded records.
    func write(_ records: EncodedRecords) throws
}
