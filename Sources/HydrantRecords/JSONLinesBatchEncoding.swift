/// An encoder of one dataset's records as JSON lines, a batch at a time, as the writers of sources that hand records
/// over in batches (the NetFlow collector, flow logs in captures) use it.
///
/// `JSONLinesEncoder` serves every dataset from its field table; a dataset on a hot path may have one written for
/// its layout (`NetFlowLineEncoder`), which must write the same bytes.
public protocol JSONLinesBatchEncoding {
    /// The records it encodes.
    associatedtype Record: DatasetRecord
    /// An encoder with nothing remembered.
    init()
    /// Appends every record of `records` as a line to `buffer`, and each line's end offset to `ends`.
    mutating func encode(_ records: UnsafeBufferPointer<Record>, into buffer: JSONLineBuffer, ends: inout [Int])
}

extension JSONLinesEncoder: JSONLinesBatchEncoding {}
