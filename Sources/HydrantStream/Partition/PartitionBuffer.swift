import HydrantRecords

/// The records of one partition waiting to become an object: JSON lines, back to back, with the write-ahead log
/// segments they came from so that delivery can release them.
final class PartitionBuffer {
    /// The evaluated prefix objects of this buffer are delivered under.
    let prefix: String
    /// What the buffer holds.
    let kind: PendingObject.Kind
    /// When the buffer received its first record (drives the interval flush).
    let openedAt: ContinuousClock.Instant
    /// The arrival time of the oldest record (the object name's time, and `!{timestamp:…}`).
    let oldestArrival: Timestamp
    /// The object body so far.
    private(set) var body: [UInt8] = []
    /// Records in the body.
    private(set) var records = 0
    /// Records per log segment, in the order first seen (usually one or two segments).
    private(set) var segments: [SegmentCount] = []

    /// Where the body's memory comes from and returns to.
    private let pool: ObjectBodyPool

    init(prefix: String, kind: PendingObject.Kind, oldestArrival: Timestamp, openedAt: ContinuousClock.Instant,
         pool: ObjectBodyPool) {
        self.pool = pool
        self.prefix = prefix
        self.kind = kind
        self.oldestArrival = oldestArrival
        self.openedAt = openedAt
    }

    /// Appends one record as a JSON line: its bytes, a newline when `appendDelimiter` (Firehose's processor), and
    /// one more unless the record already ends with one, so that every record stays on its own line.
    func append(_ record: UnsafeBufferPointer<UInt8>, appendDelimiter: Bool, segment: UInt64) {
        if body.capacity == 0 { body = pool.take() }
        body.append(contentsOf: record)
        if appendDelimiter || record.last != 0x0A { body.append(0x0A) }
        count(segment: segment)
    }

    /// Appends bytes written by `write` (an error record), counted as one record.
    func appendLine(segment: UInt64, _ write: (inout [UInt8]) -> Void) {
        if body.capacity == 0 { body = pool.take() }
        write(&body)
        if body.last != 0x0A { body.append(0x0A) }
        count(segment: segment)
    }

    private func count(segment: UInt64) {
        records += 1
        if let last = segments.indices.last, segments[last].segment == segment {
            segments[last].count += 1
        } else if let index = segments.firstIndex(where: { $0.segment == segment }) {
            segments[index].count += 1
        } else {
            segments.append(SegmentCount(segment: segment, count: 1))
        }
    }

    /// The buffer as an object to deliver. The body moves into the object: the buffer is done afterwards.
    func seal() -> PendingObject {
        var sealed: [UInt8] = []
        swap(&sealed, &body)
        return PendingObject(kind: kind, prefix: prefix, body: sealed, pool: pool, records: records,
                             oldestArrival: oldestArrival, segments: segments)
    }
}
