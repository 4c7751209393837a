extension JSONFieldWriter {
    /// `@timestamp` and the `event` object's common members (`dataset`, given whole as `"dataset":"…"`, and
    /// `ingested`) of a network record; returns the mark of the open `event` object, which the caller closes after
    /// its dataset's own event members.
    @inlinable @inline(__always)
    public mutating func openCommonFields(timestamp: Timestamp, dataset: StaticString, ingested: Timestamp?) -> Int {
        self.timestamp("\"@timestamp\":", timestamp)
        let event = open("\"event\":")
        member(dataset)
        self.timestamp("\"ingested\":", ingested)
        return event
    }

    /// The common fields after `event` (`observer`, `source`, `destination`, `network`), as
    /// `NetworkRecord.commonFields` declares them, of a record whose common fields live in `connection`.
    @inlinable
    public mutating func commonFields(of connection: Connection) {
        let observer = open("\"observer\":")
        string("\"name\":", connection.observerName)
        close(observer)
        let source = open("\"source\":")
        ip("\"ip\":", connection.sourceIP)
        int("\"port\":", connection.sourcePort.map(Int64.init))
        close(source)
        let destination = open("\"destination\":")
        ip("\"ip\":", connection.destinationIP)
        int("\"port\":", connection.destinationPort.map(Int64.init))
        close(destination)
        let network = open("\"network\":")
        // The names of TCP and UDP (every DNS, HTTP and TLS record) as literals; `transportName` for the rest.
        switch connection.ianaNumber {
        case 6: member("\"transport\":\"tcp\"")
        case 17: member("\"transport\":\"udp\"")
        default: string("\"transport\":", transportName(ianaNumber: connection.ianaNumber))
        }
        int("\"iana_number\":", Int64(connection.ianaNumber))
        member(connection.sourceIP.isIPv6 ? "\"type\":\"ipv6\"" : "\"type\":\"ipv4\"")
        string("\"community_id\":", connection.communityID)
        let vlan = open("\"vlan\":")
        int("\"id\":", connection.vlanID.map(Int64.init))
        close(vlan)
        let inner = open("\"inner\":")
        let innerVLAN = open("\"vlan\":")
        int("\"id\":", connection.innerVLANID.map(Int64.init))
        close(innerVLAN)
        close(inner)
        close(network)
    }
}
