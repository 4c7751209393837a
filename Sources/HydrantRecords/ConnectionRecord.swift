/// The endpoints and identity a record shares with the conversation it came from (SCHEMA.md "Common to every
/// dataset"), kept together so that DNS, HTTP and TLS records copy them from their flow in one assignment.
public struct Connection: Hashable, Sendable {
    /// When the delivery stream accepted the record; nil before it reaches one.
    public var ingested: Timestamp?
    /// The sensor that produced the record.
    public var observerName: String?
    /// The client's address.
    public var sourceIP: IPAddress
    /// The client's port.
    public var sourcePort: UInt16?
    /// The server's address.
    public var destinationIP: IPAddress
    /// The server's port.
    public var destinationPort: UInt16?
    /// IP protocol number.
    public var ianaNumber: UInt8
    /// Outer VLAN id.
    public var vlanID: UInt16?
    /// Inner VLAN id (QinQ).
    public var innerVLANID: UInt16?
    /// Community ID v1 of the conversation.
    public var communityID: String?

    /// A connection between a client and a server.
    public init(sourceIP: IPAddress, sourcePort: UInt16?, destinationIP: IPAddress, destinationPort: UInt16?,
                ianaNumber: UInt8, vlanID: UInt16? = nil, innerVLANID: UInt16? = nil, communityID: String? = nil,
                observerName: String? = nil) {
        self.sourceIP = sourceIP
        self.sourcePort = sourcePort
        self.destinationIP = destinationIP
        self.destinationPort = destinationPort
        self.ianaNumber = ianaNumber
        self.vlanID = vlanID
        self.innerVLANID = innerVLANID
        self.communityID = communityID
        self.observerName = observerName
    }
}

/// A network record whose common fields live in one `Connection` value (the application-layer datasets).
public protocol ConnectionRecord: NetworkRecord {
    /// The conversation the record came from.
    var connection: Connection { get }
}

extension ConnectionRecord {
    /// When the delivery stream accepted it.
    public var ingested: Timestamp? { connection.ingested }
    /// The sensor that produced it.
    public var observerName: String? { connection.observerName }
    /// The client's address.
    public var sourceIP: IPAddress { connection.sourceIP }
    /// The client's port.
    public var sourcePort: UInt16? { connection.sourcePort }
    /// The server's address.
    public var destinationIP: IPAddress { connection.destinationIP }
    /// The server's port.
    public var destinationPort: UInt16? { connection.destinationPort }
    /// IP protocol number.
    public var ianaNumber: UInt8 { connection.ianaNumber }
    /// Outer VLAN id.
    public var vlanID: UInt16? { connection.vlanID }
    /// Inner VLAN id.
    public var innerVLANID: UInt16? { connection.innerVLANID }
    /// Community ID v1.
    public var communityID: String? { connection.communityID }
}
