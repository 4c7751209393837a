import HydrantCapture

/// Where a capture run's records go: a JSON-lines file or stdout (`RecordWriter`), or a delivery stream
/// (`StreamRecordOutput`). Used from one thread at a time (the background writer's).
protocol RecordOutput: AnyObject {
    /// Records taken so far.
    var recordsWritten: Int { get }
    /// Takes a batch of records.
    func write(_ records: CaptureRecords) throws
    /// Hands on everything taken so far (a file is flushed; a stream has the records durably).
    func flush() throws
    /// Flushes and releases the output.
    func close() throws
}

extension RecordWriter: RecordOutput {}
