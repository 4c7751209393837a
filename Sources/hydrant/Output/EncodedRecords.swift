import HydrantRecords

/// Records of any dataset already encoded as JSON lines: one buffer, and where each record's line ends. Lets
/// sources that are not packet captures (flow logs, flow export) feed the same outputs as `CaptureRecords`.
struct EncodedRecords: Sendable {
    /// The lines, each ending in `\n`.
    private(set) var bytes: [UInt8] = []
    /// The end offset of each line in `bytes`.
    private(set) var ends: [Int] = []

    /// An empty set, with room for `records` lines of about 400 bytes.
    init(reservingRecords records: Int = 0) {
        bytes.reserveCapacity(records * 400)
        ends.reserveCapacity(records)
    }

    /// Lines held.
    var count: Int { ends.count }
    /// Whether no line is held.
    var isEmpty: Bool { ends.isEmpty }

    /// Encodes `record` as one more line.
    mutating func append<Record: DatasetRecord>(_ record: Record, with encoder: inout JSONLinesEncoder<Record>) {
        encoder.encode(record, to: &bytes)
        ends.append(bytes.count)
    }

    /// Calls `body` with each line, newline included.
    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            var start = 0
            for end in ends {
                try body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }

    /// Empties the set, keeping its storage.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }
}

/// An output that also takes records already encoded as JSON lines (one stream record per line).
protocol EncodedRecordOutput: RecordOutput {
    /// Takes a batch of encoded records.
    func write(_ records: EncodedRecords) throws
}
