import HydrantRecords
import HydrantServer

/// The PutRecordBatch body the load generator re-sends: `records` JSON records of exactly `recordBytes` bytes
/// (`{"event":{"dataset":"bench"},"seq":N,"pad":"xx…"}`), base64-encoded, so that a stream with the default
/// `partitionKeyFromQuery:dataset` prefix files them under one partition.
enum BenchBatchBody {
    /// The body bytes for `stream`.
    static func make(stream: String, records: Int, recordBytes: Int) -> [UInt8] {
        var body = Array("{\"DeliveryStreamName\":\"\(stream)\",\"Records\":[".utf8)
        body.reserveCapacity(records * (Base64.encodedCount(decodedCount: recordBytes) + 12) + 64)
        for index in 0..<records {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: Array("{\"Data\":\"".utf8))
            Base64.encode(record(index: index, bytes: recordBytes), into: &body)
            body.append(contentsOf: Array("\"}".utf8))
        }
        body.append(contentsOf: Array("]}".utf8))
        return body
    }

    /// The body bytes for `stream` whose records are real records: record `i` is a line of `lines` (a JSON object;
    /// taken in turn from `start`, wrapping around, passing over lines too long for `recordBytes`) with one more
    /// member, `"more":"…"`, holding as much of the following line's text as fits, with its quotes and backslashes
    /// turned into apostrophes and slashes (text with a few escapes, as most fields of network records are, not a
    /// string of escaped JSON), so that each record is exactly `recordBytes` bytes of real text (padded with spaces
    /// when the following line is shorter than the room or holds a non-ASCII byte there). The records
    /// keep their own `@timestamp` and `event.dataset`, so they are partitioned as real ones are, and they compress
    /// as real traffic does. `next` is where the following body should start.
    static func make(stream: String, records: Int, recordBytes: Int, lines: [[UInt8]],
                     start: Int) -> (body: [UInt8], next: Int) {
        var body = Array("{\"DeliveryStreamName\":\"\(stream)\",\"Records\":[".utf8)
        body.reserveCapacity(records * (Base64.encodedCount(decodedCount: recordBytes) + 12) + 64)
        let opening = Array(",\"more\":\"".utf8)
        let closing = 2  // "\"}"
        // Objects that leave room for the extra member; the rest are passed over.
        let usable = lines.filter { $0.first == UInt8(ascii: "{") && $0.last == UInt8(ascii: "}")
            && $0.count - 1 + opening.count + closing <= recordBytes }
        var cursor = start
        var record: [UInt8] = []
        record.reserveCapacity(recordBytes)
        for index in 0..<records {
            record.removeAll(keepingCapacity: true)
            if usable.isEmpty {
                record = self.record(index: index, bytes: recordBytes)
            } else {
                let line = usable[cursor % usable.count]
                record.append(contentsOf: line.dropLast())
                record.append(contentsOf: opening)
                // The next line's text, cut where it no longer fits (only at ASCII bytes, so the string stays valid
                // UTF-8; JSON lines hold no raw control bytes).
                for byte in usable[(cursor + 1) % usable.count] {
                    guard byte < 0x80, record.count + closing < recordBytes else { break }
                    switch byte {
                    case UInt8(ascii: "\""): record.append(UInt8(ascii: "'"))
                    case UInt8(ascii: "\\"): record.append(UInt8(ascii: "/"))
                    default: record.append(byte)
                    }
                }
                cursor += 2
                if record.count + closing < recordBytes {
                    record.append(contentsOf: repeatElement(UInt8(ascii: " "), count: recordBytes - record.count - closing))
                }
                record.append(contentsOf: Array("\"}".utf8))
            }
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: Array("{\"Data\":\"".utf8))
            Base64.encode(record, into: &body)
            body.append(contentsOf: Array("\"}".utf8))
        }
        body.append(contentsOf: Array("]}".utf8))
        return (body, cursor % max(1, usable.count))
    }

    /// One record of exactly `bytes` bytes (or the bare JSON when `bytes` is smaller).
    static func record(index: Int, bytes: Int) -> [UInt8] {
        let head = Array("{\"event\":{\"dataset\":\"bench\"},\"seq\":\(index),\"pad\":\"".utf8)
        let tail = Array("\"}".utf8)
        let padding = max(0, bytes - head.count - tail.count)
        return head + [UInt8](repeating: UInt8(ascii: "x"), count: padding) + tail
    }
}
