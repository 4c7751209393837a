/// One step of a stream's processor chain, applied to each record in the order configured.
public enum ProcessorConfiguration: String, Hashable, Sendable, CaseIterable {
    /// Ends each record with a newline (Firehose's `AppendDelimiterToRecord`).
    case appendDelimiter = "append_delimiter"
    /// Splits a record of concatenated or newline-separated JSON objects into one record per object
    /// (Firehose's `RecordDeAggregation` with `SubRecordType: JSON`; at most 500 sub-records per record).
    case deaggregateJSON = "deaggregate_json"
}
