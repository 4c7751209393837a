/// An answer of the API before it is put on the wire: status, JSON body and, for errors, the error type.
public struct APIResponse: Sendable, Hashable {
    /// The HTTP status code.
    public var status: Int
    /// The JSON body.
    public var body: [UInt8]
    /// The error shape name for `x-amzn-ErrorType`, nil on success.
    public var errorType: String?

    /// A response.
    public init(status: Int = 200, body: [UInt8], errorType: String? = nil) {
        self.status = status
        self.body = body
        self.errorType = errorType
    }

    /// The error's JSON 1.1 body `{"__type": …, "message": …}` with its status.
    public init(_ error: FirehoseError) {
        var writer = JSONWriter(capacity: 64 + error.message.utf8.count)
        writer.raw("{\"__type\":")
        writer.string(error.type)
        writer.raw(",\"message\":")
        writer.string(error.message)
        writer.raw("}")
        self.init(status: error.status, body: writer.bytes, errorType: error.type)
    }
}
