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

    /// One record of exactly `bytes` bytes (or the bare JSON when `bytes` is smaller).
    static func record(index: Int, bytes: Int) -> [UInt8] {
        let head = Array("{\"event\":{\"dataset\":\"bench\"},\"seq\":\(index),\"pad\":\"".utf8)
        let tail = Array("\"}".utf8)
        let padding = max(0, bytes - head.count - tail.count)
        return head + [UInt8](repeating: UInt8(ascii: "x"), count: padding) + tail
    }
}
