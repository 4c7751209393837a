/// The operations of `Firehose_20150804` (reference §1.2), named by the `X-Amz-Target` header.
public enum FirehoseOperation: String, Sendable, CaseIterable {
    /// Every `X-Amz-Target` starts with this and a dot.
    public static let targetPrefix = "Firehose_20150804"

    /// `CreateDeliveryStream`.
    case createDeliveryStream = "CreateDeliveryStream"
    /// `DeleteDeliveryStream`.
    case deleteDeliveryStream = "DeleteDeliveryStream"
    /// `DescribeDeliveryStream`.
    case describeDeliveryStream = "DescribeDeliveryStream"
    /// `ListDeliveryStreams`.
    case listDeliveryStreams = "ListDeliveryStreams"
    /// `ListTagsForDeliveryStream`.
    case listTagsForDeliveryStream = "ListTagsForDeliveryStream"
    /// `PutRecord`.
    case putRecord = "PutRecord"
    /// `PutRecordBatch`.
    case putRecordBatch = "PutRecordBatch"
    /// `StartDeliveryStreamEncryption`.
    case startDeliveryStreamEncryption = "StartDeliveryStreamEncryption"
    /// `StopDeliveryStreamEncryption`.
    case stopDeliveryStreamEncryption = "StopDeliveryStreamEncryption"
    /// `TagDeliveryStream`.
    case tagDeliveryStream = "TagDeliveryStream"
    /// `UntagDeliveryStream`.
    case untagDeliveryStream = "UntagDeliveryStream"
    /// `UpdateDestination`.
    case updateDestination = "UpdateDestination"

    /// The operation named by an `X-Amz-Target` value, or an `UnknownOperationException` saying why not.
    public static func parse(target: String?) throws(FirehoseError) -> FirehoseOperation {
        guard let target, !target.isEmpty else {
            throw FirehoseError(type: "UnknownOperationException",
                                message: "The request has no X-Amz-Target header; expected "
                                    + "'\(targetPrefix).<Operation>', e.g. '\(targetPrefix).PutRecordBatch'.")
        }
        let prefix = targetPrefix + "."
        guard target.hasPrefix(prefix), let operation = FirehoseOperation(rawValue: String(target.dropFirst(prefix.count)))
        else {
            let shown = target.count > 100 ? String(target.prefix(100)) + "…" : target
            throw FirehoseError(type: "UnknownOperationException",
                                message: "Unknown operation '\(shown)'; this endpoint serves \(prefix)<Operation> for "
                                    + allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        return operation
    }
}
