import HydrantRecords

/// The records a capture run emits, by dataset, in the order each dataset's records were made.
public struct CaptureRecords: Sendable {
    /// `network.flow` records.
    public var flows: [FlowRecord] = []
    /// `network.dns` records.
    public var dns: [DNSRecord] = []
    /// `network.http` records.
    public var http: [HTTPRecord] = []
    /// `network.tls` records.
    public var tls: [TLSRecord] = []

    /// No records.
    public init() {}

    /// Records of every dataset together.
    public var count: Int { flows.count + dns.count + http.count + tls.count }
    /// Whether there is no record.
    public var isEmpty: Bool { flows.isEmpty && dns.isEmpty && http.isEmpty && tls.isEmpty }

    /// Appends every record of `other`, dataset by dataset (a sink collecting a run's batches).
    public mutating func append(contentsOf other: CaptureRecords) {
        flows.append(contentsOf: other.flows)
        dns.append(contentsOf: other.dns)
        http.append(contentsOf: other.http)
        tls.append(contentsOf: other.tls)
    }

    /// Moves the application-layer records of `other` to the end of these.
    mutating func takeApplicationRecords(from other: inout CaptureRecords) {
        CaptureRecords.move(&other.dns, to: &dns)
        CaptureRecords.move(&other.http, to: &http)
        CaptureRecords.move(&other.tls, to: &tls)
    }

    /// Moves `source`'s elements to the end of `target`; when `target` is empty the arrays trade storage instead of
    /// copying records (each copy would retain every string in them).
    private static func move<Element>(_ source: inout [Element], to target: inout [Element]) {
        if target.isEmpty {
            swap(&source, &target)
        } else {
            target.append(contentsOf: source)
        }
        source.removeAll(keepingCapacity: true)
    }

    /// Empties every dataset, keeping the storage.
    mutating func removeAll() {
        flows.removeAll(keepingCapacity: true)
        dns.removeAll(keepingCapacity: true)
        http.removeAll(keepingCapacity: true)
        tls.removeAll(keepingCapacity: true)
    }
}
