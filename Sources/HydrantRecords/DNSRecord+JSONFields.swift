extension DNSRecord {
    /// Writes the record as its field table (`DNSRecord.fields`) does, without the table's walk: DNS records are
    /// the most numerous application records of a capture.
    @inlinable
    public mutating func writeJSONFields(_ writer: inout JSONFieldWriter) -> Bool {
        let event = writer.openCommonFields(timestamp: timestamp, dataset: "\"dataset\":\"network.dns\"",
                                            ingested: connection.ingested)
        writer.int("\"duration\":", duration)
        writer.close(event)
        writer.commonFields(of: connection)
        let dns = writer.open("\"dns\":")
        writer.int("\"id\":", Int64(id))
        let question = writer.open("\"question\":")
        writer.string("\"name\":", questionName)
        writer.string("\"registered_domain\":", questionRegisteredDomain)
        writer.string("\"subdomain\":", questionSubdomain)
        writer.string("\"type\":", questionType)
        writer.string("\"class\":", questionClass)
        writer.close(question)
        writer.string("\"response_code\":", responseCode)
        // One shared list per flag combination; the answers are the record's own.
        writer.sharedStrings("\"header_flags\":", headerFlags, field: 0)
        let answers = writer.open("\"answers\":")
        writer.strings("\"data\":", answerData)
        writer.strings("\"type\":", answerTypes)
        writer.ints("\"ttl\":", answerTTLs)
        writer.close(answers)
        writer.strings("\"resolved_ip\":", resolvedIPs)
        writer.close(dns)
        return true
    }
}
