import HydrantCapture
import HydrantRecords

/// JSON-lines encoders for every dataset a capture run emits, used by the record outputs.
struct CaptureRecordEncoder {
    private var flow = JSONLinesEncoder<FlowRecord>()
    private var dns = JSONLinesEncoder<DNSRecord>()
    private var http = JSONLinesEncoder<HTTPRecord>()
    private var tls = JSONLinesEncoder<TLSRecord>()

    /// Calls `body` once per record (flows, then DNS, HTTP and TLS), with a function that appends the record's JSON
    /// line to a buffer.
    mutating func forEach(_ records: CaptureRecords, _ body: ((inout [UInt8]) -> Void) throws -> Void) rethrows {
        for record in records.flows { try body { flow.encode(record, to: &$0) } }
        for record in records.dns { try body { dns.encode(record, to: &$0) } }
        for record in records.http { try body { http.encode(record, to: &$0) } }
        for record in records.tls { try body { tls.encode(record, to: &$0) } }
    }

    /// Appends every record's JSON line (flows, then DNS, HTTP and TLS) to `buffer`, encoding each in place.
    mutating func encode(_ records: CaptureRecords, into buffer: JSONLineBuffer) {
        var ends: [Int] = []
        records.flows.withUnsafeBufferPointer { flow.encode($0, into: buffer, ends: &ends) }
        records.dns.withUnsafeBufferPointer { dns.encode($0, into: buffer, ends: &ends) }
        records.http.withUnsafeBufferPointer { http.encode($0, into: buffer, ends: &ends) }
        records.tls.withUnsafeBufferPointer { tls.encode($0, into: buffer, ends: &ends) }
    }
}
