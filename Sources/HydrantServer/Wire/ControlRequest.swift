/// The members of the control-plane requests Hydrant answers (ListDeliveryStreams, DescribeDeliveryStream,
/// ListTagsForDeliveryStream, …): all optional here; each operation checks what it requires. Unknown members are
/// skipped.
public struct ControlRequest: Sendable, Hashable {
    /// `DeliveryStreamName`.
    public var deliveryStreamName: String?
    /// `Limit`.
    public var limit: Int?
    /// `DeliveryStreamType` (ListDeliveryStreams).
    public var deliveryStreamType: String?
    /// `ExclusiveStartDeliveryStreamName` (ListDeliveryStreams).
    public var exclusiveStartDeliveryStreamName: String?

    /// A request with the given members.
    public init(deliveryStreamName: String? = nil, limit: Int? = nil, deliveryStreamType: String? = nil,
                exclusiveStartDeliveryStreamName: String? = nil) {
        self.deliveryStreamName = deliveryStreamName
        self.limit = limit
        self.deliveryStreamType = deliveryStreamType
        self.exclusiveStartDeliveryStreamName = exclusiveStartDeliveryStreamName
    }

    /// Parses a body; an empty body is `{}` (the JSON protocol allows it for operations without input).
    public static func parse(_ body: UnsafeRawBufferPointer) throws(FirehoseError) -> ControlRequest {
        var request = ControlRequest()
        guard let base = body.baseAddress?.assumingMemoryBound(to: UInt8.self), !body.isEmpty else { return request }
        var reader = JSONReader(base, count: body.count)
        if reader.peek() == nil { return request }
        do throws(JSONSyntaxError) {
            try reader.beginObject("the request")
            var first = true
            while let name = try reader.nextMember(first: &first) {
                if try reader.readNull() { continue }
                if reader.matches(name, "DeliveryStreamName") {
                    request.deliveryStreamName = try reader.readStringValue("DeliveryStreamName")
                } else if reader.matches(name, "Limit") {
                    request.limit = try reader.readInt("Limit")
                } else if reader.matches(name, "DeliveryStreamType") {
                    request.deliveryStreamType = try reader.readStringValue("DeliveryStreamType")
                } else if reader.matches(name, "ExclusiveStartDeliveryStreamName") {
                    request.exclusiveStartDeliveryStreamName = try reader.readStringValue("ExclusiveStartDeliveryStreamName")
                } else {
                    try reader.skipValue()
                }
            }
            try reader.finish()
        } catch {
            throw .serialization(error)
        }
        return request
    }
}
