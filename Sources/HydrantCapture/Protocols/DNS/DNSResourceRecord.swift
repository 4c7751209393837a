/// One answer record of a DNS message.
public struct DNSResourceRecord: Equatable, Sendable {
    /// The owner name, in presentation form.
    public var name: String
    /// The record type.
    public var type: UInt16
    /// The class (1 = IN); mDNS uses the top bit as its cache-flush flag.
    public var dnsClass: UInt16
    /// Time to live in seconds, as sent.
    public var ttl: UInt32
    /// The decoded record data.
    public var data: DNSRecordData
}
