extension TLSRecord {
    /// Writes the record as its field table (`TLSRecord.fields`) does, without the table's walk.
    @inlinable
    public mutating func writeJSONFields(_ writer: inout JSONFieldWriter) -> Bool {
        let event = writer.openCommonFields(timestamp: timestamp, dataset: "\"dataset\":\"network.tls\"",
                                            ingested: connection.ingested)
        writer.close(event)
        writer.commonFields(of: connection)
        let tls = writer.open("\"tls\":")
        writer.string("\"version\":", version)
        writer.string("\"version_protocol\":", version == nil ? nil : "tls")
        writer.string("\"cipher\":", cipher)
        writer.string("\"next_protocol\":", nextProtocol)
        let client = writer.open("\"client\":")
        writer.string("\"server_name\":", serverName)
        writer.string("\"ja3\":", ja3)
        writer.string("\"ja4\":", ja4)
        // Both lists come from the fingerprint cache, shared by every handshake of the same client software.
        writer.sharedStrings("\"supported_ciphers\":", supportedCiphers, field: 0)
        writer.ints("\"extensions\":", extensions)
        writer.sharedStrings("\"offered_versions\":", offeredVersions, field: 1)
        writer.close(client)
        let server = writer.open("\"server\":")
        writer.string("\"ja3s\":", ja3s)
        writer.close(server)
        writer.close(tls)
        return true
    }
}
