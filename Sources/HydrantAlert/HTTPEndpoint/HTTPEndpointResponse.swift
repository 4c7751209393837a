import Foundation

/// Firehose's judgement of an HTTP endpoint's response (firehose-reference.md §5.3): only 200 with a JSON body
/// echoing the request id is success; 413 is permanent; everything else is retried.
public enum HTTPEndpointResponse: Hashable, Sendable {
    /// The endpoint took the batch.
    case accepted
    /// The batch was not taken; `retryable` false only for 413. `errorCode` is one of Firehose's CloudWatch codes
    /// (`HttpEndpoint.DestinationException`, `.InvalidResponseFromDestination`, `.ResponseTooLarge`).
    case failed(errorCode: String, message: String, retryable: Bool)

    /// The largest response body Firehose reads.
    public static let maximumBodyBytes = 1 << 20

    /// Validates a response to the request with `requestID`.
    public static func validate(status: Int, headers: [(name: String, value: String)], body: [UInt8],
                                requestID: String) -> HTTPEndpointResponse {
        let excerpt = String(decoding: body.prefix(8192), as: UTF8.self)
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        guard body.count <= maximumBodyBytes else {
            return .failed(errorCode: "HttpEndpoint.ResponseTooLarge",
                           message: "the response body is \(body.count) bytes, more than 1 MiB", retryable: true)
        }
        if status == 413 {
            return .failed(errorCode: "HttpEndpoint.DestinationException",
                           message: "Received the following response from the endpoint destination. \(excerpt)",
                           retryable: false)
        }
        guard status == 200 else {
            return .failed(errorCode: "HttpEndpoint.DestinationException",
                           message: "Received the following response from the endpoint destination. \(status): \(excerpt)",
                           retryable: true)
        }
        let invalid = { (reason: String) in
            HTTPEndpointResponse.failed(errorCode: "HttpEndpoint.InvalidResponseFromDestination",
                                        message: "\(reason). Response: \(excerpt)", retryable: true)
        }
        guard header("Content-Encoding") == nil else { return invalid("the response must not be content-encoded") }
        guard let type = header("Content-Type"),
              type.lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces) == "application/json" else {
            return invalid("the response Content-Type must be application/json")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return invalid("the response body is not a JSON object")
        }
        guard let echoed = object["requestId"] as? String else { return invalid("the response has no requestId") }
        guard echoed == requestID else {
            return invalid("the response requestId \(echoed) does not match the request's \(requestID)")
        }
        guard object["timestamp"] is NSNumber || object["timestamp"] is String else {
            return invalid("the response has no timestamp")
        }
        return .accepted
    }
}
