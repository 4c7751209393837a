import Foundation
import HydrantRecords

/// Builds transform invocation bodies and reads their responses, exactly as Firehose's Lambda data transformation
/// defines them (firehose-reference §4.2–4.3). Pure functions; the caller does the HTTP POST, the retries and the
/// error output.
public enum TransformCodec {
    /// The largest response body accepted, Lambda's 6 MB payload limit.
    public static let maximumResponseBytes = 6 * 1024 * 1024

    /// The JSON body `{"invocationId","deliveryStreamArn","region","records":[{recordId,approximateArrivalTimestamp,
    /// data}]}` with `data` base64-encoded.
    public static func requestBody(invocationId: String, deliveryStreamArn: String, region: String,
                                   records: [TransformRecord]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.reduce(128) { $0 + $1.data.count * 4 / 3 + 96 })
        out.append(contentsOf: #"{"invocationId":"#.utf8)
        appendJSONString(invocationId, to: &out)
        out.append(contentsOf: #","deliveryStreamArn":"#.utf8)
        appendJSONString(deliveryStreamArn, to: &out)
        out.append(contentsOf: #","region":"#.utf8)
        appendJSONString(region, to: &out)
        out.append(contentsOf: #","records":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"recordId":"#.utf8)
            appendJSONString(record.recordId, to: &out)
            out.append(contentsOf: #","approximateArrivalTimestamp":"#.utf8)
            out.append(contentsOf: String(record.approximateArrivalTimestamp).utf8)
            out.append(contentsOf: #","data":""#.utf8)
            Base64.encode(record.data, into: &out)
            out.append(contentsOf: "\"}".utf8)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// The outcome of each record of `requestedIds`, in that order, read from a response body; throws when the
    /// response cannot be applied (malformed JSON, a record without `recordId`, `result` or `data`, an unknown
    /// `result`, bad base64, a `recordId` returned twice, not sent, or not returned).
    public static func outcomes(response body: [UInt8], requestedIds: [String]) throws(TransformResponseError)
        -> [TransformOutcome] {
        func malformed(_ message: String) -> TransformResponseError {
            TransformResponseError(code: TransformResponseError.jsonProcessing, message: message)
        }
        guard body.count <= maximumResponseBytes else { throw malformed("response larger than 6 MB") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw malformed("response is not JSON")
        }
        guard let object = parsed as? [String: Any], let records = object["records"] as? [Any] else {
            throw malformed("response has no `records` array")
        }
        var position: [String: Int] = [:]
        for (index, id) in requestedIds.enumerated() { position[id] = index }
        var outcomes = [TransformOutcome?](repeating: nil, count: requestedIds.count)
        for (index, item) in records.enumerated() {
            guard let record = item as? [String: Any] else { throw malformed("records[\(index)] is not an object") }
            guard let id = record["recordId"] as? String else {
                throw malformed("records[\(index)] has no string `recordId`")
            }
            guard let result = record["result"] as? String else { throw malformed("record \(id) has no string `result`") }
            guard let data = record["data"] as? String else { throw malformed("record \(id) has no string `data`") }
            guard let slot = position[id] else { throw malformed("record \(id) was not sent in this invocation") }
            guard outcomes[slot] == nil else {
                throw TransformResponseError(code: TransformResponseError.duplicatedRecordId,
                                             message: "record \(id) returned more than once")
            }
            switch result {
            case "Ok":
                guard let decoded = Base64.decode(Array(data.utf8)) else {
                    throw malformed("record \(id): `data` is not valid base64")
                }
                outcomes[slot] = .ok(data: decoded, partitionKeys: try partitionKeys(record, id: id))
            case "Dropped":
                outcomes[slot] = .dropped
            case "ProcessingFailed":
                outcomes[slot] = .processingFailed
            default:
                throw malformed("record \(id): `result` must be Ok, Dropped or ProcessingFailed, got \"\(result)\"")
            }
        }
        var complete: [TransformOutcome] = []
        complete.reserveCapacity(outcomes.count)
        for (index, outcome) in outcomes.enumerated() {
            guard let outcome else {
                throw TransformResponseError(code: TransformResponseError.missingRecordId,
                                             message: "record \(requestedIds[index]) was not returned")
            }
            complete.append(outcome)
        }
        return complete
    }

    private static func partitionKeys(_ record: [String: Any], id: String) throws(TransformResponseError) -> [String: String] {
        guard let metadata = record["metadata"], !(metadata is NSNull) else { return [:] }
        guard let map = metadata as? [String: Any] else {
            throw TransformResponseError(code: TransformResponseError.jsonProcessing,
                                         message: "record \(id): `metadata` is not an object")
        }
        guard let keys = map["partitionKeys"], !(keys is NSNull) else { return [:] }
        guard let pairs = keys as? [String: Any] else {
            throw TransformResponseError(code: TransformResponseError.jsonProcessing,
                                         message: "record \(id): `metadata.partitionKeys` is not an object")
        }
        var out: [String: String] = [:]
        for (key, value) in pairs {
            guard let text = value as? String else {
                throw TransformResponseError(code: TransformResponseError.jsonProcessing,
                                             message: "record \(id): partition key \(key) is not a string")
            }
            out[key] = text
        }
        return out
    }
}
