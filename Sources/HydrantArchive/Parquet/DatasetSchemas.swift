import HydrantRecords

/// The archive tables generated from the record types of `HydrantRecords`, with the enrichment fields.
public enum DatasetSchemas {
    /// The fields the enrich stage adds to records with addresses (docs/enrichment.md). They are not in the record
    /// types' field tables because capture never sets them, but an enriched record carries them.
    public static let enrichmentColumns: [ArchiveColumn] = {
        var columns: [ArchiveColumn] = []
        for side in ["source", "destination"] {
            columns.append(ArchiveColumn(name: side + ".geo.country_iso_code", type: .scalar(.string)))
            columns.append(ArchiveColumn(name: side + ".geo.city_name", type: .scalar(.string)))
            columns.append(ArchiveColumn(name: side + ".as.number", type: .scalar(.int)))
            columns.append(ArchiveColumn(name: side + ".as.organization.name", type: .scalar(.string)))
            for field in ["name", "zone", "owner", "criticality"] {
                columns.append(ArchiveColumn(name: side + ".asset." + field, type: .scalar(.string)))
            }
        }
        columns.append(ArchiveColumn(name: "network.direction", type: .scalar(.string)))
        columns.append(ArchiveColumn(name: "threat.indicator.type", type: .scalar(.string)))
        columns.append(ArchiveColumn(name: "threat.indicator.value", type: .scalar(.string)))
        columns.append(ArchiveColumn(name: "threat.indicator.matched.field", type: .scalar(.string)))
        columns.append(ArchiveColumn(name: "threat.indicator.count", type: .scalar(.int)))
        columns.append(ArchiveColumn(name: "threat.feed.name", type: .scalar(.string)))
        return columns
    }()

    /// The DNS name scores the enrich stage adds to `network.dns`.
    public static let dnsScoreColumns: [ArchiveColumn] = [
        ArchiveColumn(name: "dns.question.entropy", type: .scalar(.double)),
        ArchiveColumn(name: "dns.question.dga_score", type: .scalar(.double)),
    ]

    /// The schema of a network record type: its field table plus the enrichment fields.
    public static func network<Record: NetworkRecord>(_ record: Record.Type, extra: [ArchiveColumn] = [])
        throws(ArchiveSchemaError) -> ArchiveSchema
    {
        try ArchiveSchema(record: record, extra: enrichmentColumns + extra)
    }

    /// `network.flow`, `network.dns`, `network.http`, `network.tls` and `alert`, keyed by dataset name.
    public static func records() throws(ArchiveSchemaError) -> [String: ArchiveSchema] {
        let schemas = [
            try network(FlowRecord.self),
            try network(DNSRecord.self, extra: dnsScoreColumns),
            try network(HTTPRecord.self),
            try network(TLSRecord.self),
            try ArchiveSchema(record: AlertRecord.self),
        ]
        var byName: [String: ArchiveSchema] = [:]
        for schema in schemas { byName[schema.name] = schema }
        return byName
    }
}
