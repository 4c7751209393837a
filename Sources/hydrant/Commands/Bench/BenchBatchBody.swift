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

    /// The body bytes for `stream` whose records carry real records as their content: record `i` is
    /// `{"event":{"dataset":"bench"},"seq":N,"records":[…]}` holding as many whole lines of `lines` (taken in turn
    /// from `start`, wrapping around) as fit, padded with spaces to exactly `recordBytes` bytes. Unlike the padded
    /// records, these compress as real traffic does; `next` is where the following body should start.
    static func make(stream: String, records: Int, recordBytes: Int, lines: [[UInt8]],
                     start: Int) -> (body: [UInt8], next: Int) {
        var body = Array("{\"DeliveryStreamName\":\"\(stream)\",\"Records\":[".utf8)
        body.reserveCapacity(records * (Base64.encodedCount(decodedCount: recordBytes) + 12) + 64)
        var cursor = start
        var record: [UInt8] = []
        record.reserveCapacity(recordBytes)
        for index in 0..<records {
            record.removeAll(keepingCapacity: true)
            record.append(contentsOf: Array("{\"event\":{\"dataset\":\"bench\"},\"seq\":\(index),\"records\":[".utf8))
            let closing = 2  // "]}"
            var placed = 0
            // Lines longer than the room are passed over; a full lap without placing one ends the record.
            var tried = 0
            while !lines.isEmpty && tried < lines.count {
                let line = lines[cursor % lines.count]
                let separator = placed > 0 ? 1 : 0
                guard record.count + separator + line.count + closing <= recordBytes else {
                    if placed > 0 { break }
                    cursor += 1
                    tried += 1
                    continue
                }
                if separator == 1 { record.append(UInt8(ascii: ",")) }
                record.append(contentsOf: line)
                placed += 1
                cursor += 1
            }
            if record.count + closing < recordBytes {
                record.append(contentsOf: repeatElement(UInt8(ascii: " "), count: recordBytes - record.count - closing))
            }
            record.append(contentsOf: Array("]}".utf8))
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: Array("{\"Data\":\"".utf8))
            Base64.encode(record, into: &body)
            body.append(contentsOf: Array("\"}".utf8))
        }
        body.append(contentsOf: Array("]}".utf8))
        return (body, cursor % max(1, lines.count))
    }

    /// One record of exactly `bytes` bytes (or the bare JSON when `bytes` is smaller).
    static func record(index: Int, bytes: Int) -> [UInt8] {
        let head = Array("{\"event\":{\"dataset\":\"bench\"},\"seq\":\(index),\"pad\":\"".utf8)
        let tail = Array("\"}".utf8)
        let padding = max(0, bytes - head.count - tail.count)
        return head + [UInt8](repeating: UInt8(ascii: "x"), count: padding) + tail
    }
}
