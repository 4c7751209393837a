import Foundation
import HydrantRecords
import HydrantStream
import Testing

@testable import HydrantServer

/// Parses `text` as a PutRecordBatch body.
func parseBatch(_ text: String) throws(FirehoseError) -> PutRecordsRequest {
    try parseBatch(Array(text.utf8))
}

/// Parses `bytes` as a PutRecordBatch body.
func parseBatch(_ bytes: [UInt8]) throws(FirehoseError) -> PutRecordsRequest {
    try TypedBytes.with(bytes) { buffer throws(FirehoseError) in try PutRecordsRequest.parseBatch(buffer) }
}

/// The error a PutRecordBatch body is refused with, or nil when it parses.
func batchError(_ text: String) -> FirehoseError? {
    do {
        _ = try parseBatch(text)
        return nil
    } catch {
        return error
    }
}

/// A record's bytes as a string.
func text(_ slice: ArraySlice<UInt8>) -> String { String(decoding: slice, as: UTF8.self) }

@Suite("PutRecordBatch and PutRecord request parsing")
struct RequestParsingTests {
    @Test("records are decoded in order, whatever the key order and whitespace")
    func decodesRecords() throws {
        let body = """
             {
              "Records" : [ {"Data":"SGVsbG8="} ,{ "Data" : "" }, {"Data":"d29ybGQK", "Extra": {"a": [1, 2.5e3, null]}}],
              "Unknown": [true, false, "x\\u00e9"],
              "DeliveryStreamName":"net-1.a_b"
            }\t
            """
        let request = try parseBatch(body)
        #expect(request.streamName == "net-1.a_b")
        #expect(request.batch.count == 3)
        #expect(text(request.batch[0]) == "Hello")
        #expect(request.batch[1].isEmpty)
        #expect(text(request.batch[2]) == "world\n")
    }

    @Test("escaped base64 (\\/ and \\u0041) is unescaped before decoding")
    func escapedBase64() throws {
        let plain = Base64.encode(Array("???>>>".utf8))  // "Pz8/Pj4+" contains a '/'
        #expect(plain.contains("/"))
        let escaped = plain.replacingOccurrences(of: "/", with: "\\/").replacingOccurrences(of: "P", with: "\\u0050")
        let request = try parseBatch("{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"\(escaped)\"}]}")
        #expect(text(request.batch[0]) == "???>>>")
    }

    @Test("a stream name with escapes is unescaped")
    func escapedName() throws {
        let request = try parseBatch("{\"DeliveryStreamName\":\"a\\u0062c\",\"Records\":[{\"Data\":\"QQ==\"}]}")
        #expect(request.streamName == "abc")
        #expect(text(request.batch[0]) == "A")
    }

    @Test("PutRecord reads one record")
    func putRecord() throws {
        let body = Array("{\"Record\":{\"Data\":\"QUJD\"},\"DeliveryStreamName\":\"s\"}".utf8)
        let request = try TypedBytes.with(body) { buffer throws(FirehoseError) in try PutRecordsRequest.parseSingle(buffer) }
        #expect(request.streamName == "s")
        #expect(request.batch.count == 1)
        #expect(text(request.batch[0]) == "ABC")
    }

    @Test("malformed JSON is a SerializationException", arguments: [
        "", "{", "}", "[]", "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\"}]",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\"},]}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\"}]}}",
        "{\"DeliveryStreamName\":\"s\" \"Records\":[]}",
        "{\"DeliveryStreamName\":'s',\"Records\":[]}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==}]}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[],\"x\":tru}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[],\"x\":01}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[],\"x\":1.}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[],\"x\":\"\\q\"}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[],\"x\":\"\\ud800\"}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[],\"x\":\"a\tb\"}",
        "{\"DeliveryStreamName\":\"s\",\"DeliveryStreamName\":\"t\",\"Records\":[{\"Data\":\"QQ==\"}]}",
        "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\",\"Data\":\"QQ==\"}]}",
        "\u{FEFF}{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\"}]}",
    ])
    func malformed(_ body: String) {
        let error = body.isEmpty ? nil : batchError(body)
        if body.isEmpty {
            // An empty body is `{}`: the required members are missing.
            #expect(batchError(body)?.type == "ValidationException")
        } else {
            #expect(error?.type == "SerializationException", "\(body)")
            #expect(error?.status == 400)
        }
    }

    @Test("wrong member types are a SerializationException naming the member", arguments: [
        ("{\"DeliveryStreamName\":5,\"Records\":[{\"Data\":\"QQ==\"}]}", "DeliveryStreamName"),
        ("{\"DeliveryStreamName\":\"s\",\"Records\":{\"Data\":\"QQ==\"}}", "Records"),
        ("{\"DeliveryStreamName\":\"s\",\"Records\":[\"QQ==\"]}", "Records[0]"),
        ("{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\"},{\"Data\":42}]}", "Records[1].Data"),
        ("{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":[\"QQ==\"]}]}", "Records[0].Data"),
    ])
    func wrongTypes(_ body: String, _ member: String) {
        let error = batchError(body)
        #expect(error?.type == "SerializationException")
        #expect(error?.message.contains("'\(member)'") == true, "\(String(describing: error))")
    }

    @Test("invalid base64 is a SerializationException", arguments: [
        "QQ=", "QQ", "Q===", "QQ==QQ==", "Q Q=", "QQ=A", "QR==", "QUI=x", "QUJD\\n", "QU*D", "w6k\\u00e9",
    ])
    func invalidBase64(_ data: String) {
        let error = batchError("{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QUJD\"},{\"Data\":\"\(data)\"}]}")
        #expect(error?.type == "SerializationException", "\(data)")
        #expect(error?.message.contains("Records[1].Data") == true, "\(String(describing: error))")
    }

    @Test("missing members and an empty batch are ValidationExceptions")
    func missing() {
        let noName = batchError("{\"Records\":[{\"Data\":\"QQ==\"}]}")
        #expect(noName?.type == "ValidationException")
        #expect(noName?.message.contains("'deliveryStreamName'") == true)
        let noRecords = batchError("{\"DeliveryStreamName\":\"s\"}")
        #expect(noRecords?.message.contains("Value null at 'records'") == true)
        let nullRecords = batchError("{\"DeliveryStreamName\":\"s\",\"Records\":null}")
        #expect(nullRecords?.message.contains("Value null at 'records'") == true)
        let empty = batchError("{\"DeliveryStreamName\":\"s\",\"Records\":[]}")
        #expect(empty?.type == "ValidationException")
        #expect(empty?.message.contains("greater than or equal to 1") == true)
        let noData = batchError("{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\"},{}]}")
        #expect(noData?.message.contains("'records.2.member.data'") == true)
        let badName = batchError("{\"DeliveryStreamName\":\"a/b\",\"Records\":[{\"Data\":\"QQ==\"}]}")
        #expect(badName?.message.contains("regular expression pattern") == true)
        let longName = batchError("{\"DeliveryStreamName\":\"\(String(repeating: "a", count: 65))\",\"Records\":[{\"Data\":\"QQ==\"}]}")
        #expect(longName?.message.contains("less than or equal to 64") == true)
    }

    @Test("501 records are refused with a ValidationException; 500 pass")
    func recordCount() throws {
        func body(_ count: Int) -> String {
            "{\"DeliveryStreamName\":\"s\",\"Records\":["
                + Array(repeating: "{\"Data\":\"QQ==\"}", count: count).joined(separator: ",") + "]}"
        }
        #expect(try parseBatch(body(500)).batch.count == 500)
        let error = batchError(body(501))
        #expect(error?.type == "ValidationException")
        #expect(error?.message.contains("less than or equal to 500") == true)
        // A huge array of tiny records is refused the same way, without trouble.
        #expect(batchError(body(200_000))?.type == "ValidationException")
    }

    @Test("a record of 1,024,001 bytes is refused; 1,024,000 passes")
    func recordSize() throws {
        func body(_ size: Int) -> String {
            "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\"},{\"Data\":\""
                + Base64.encode([UInt8](repeating: 7, count: size)) + "\"}]}"
        }
        #expect(try parseBatch(body(1_024_000)).batch.byteCount == 1_024_001)
        let error = batchError(body(1_024_001))
        #expect(error?.type == "ValidationException")
        #expect(error?.message.contains("at 'records.2.member.data'") == true)
        #expect(error?.message.contains("less than or equal to 1024000") == true)
    }

    @Test("records summing to more than 4 MiB are an InvalidArgumentException")
    func batchSize() throws {
        let record = "{\"Data\":\"" + Base64.encode([UInt8](repeating: 1, count: 1_000_000)) + "\"}"
        let four = "{\"DeliveryStreamName\":\"s\",\"Records\":[" + Array(repeating: record, count: 4).joined(separator: ",")
        #expect(try parseBatch(four + "]}").batch.byteCount == 4_000_000)
        let small = "{\"Data\":\"" + Base64.encode([UInt8](repeating: 1, count: 200_000)) + "\"}"
        let error = batchError(four + "," + small + "]}")
        #expect(error?.type == "InvalidArgumentException")
        #expect(error?.message.contains("4 MB") == true)
    }

    @Test("deep nesting in an unknown member is refused, not recursed into")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = batchError("{\"DeliveryStreamName\":\"s\",\"x\":\(deep),\"Records\":[{\"Data\":\"QQ==\"}]}")
        #expect(error?.type == "SerializationException")
        #expect(error?.message.contains("nested deeper") == true)
        let shallow = String(repeating: "{\"a\":", count: 20) + "1" + String(repeating: "}", count: 20)
        #expect(batchError("{\"DeliveryStreamName\":\"s\",\"x\":\(shallow),\"Records\":[{\"Data\":\"QQ==\"}]}") == nil)
    }

    @Test("random bytes never crash the parser and are refused")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let valid = Array("{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"QUJD\"},{\"Data\":\"\\/w==\"}]}".utf8)
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes = Array(bytes[..<index])
                }
            }
            do {
                let request = try parseBatch(bytes)
                // A mutation can leave a valid request; then it must decode to records.
                #expect(request.batch.count >= 1)
            } catch {
                #expect(["SerializationException", "ValidationException"].contains(error.type))
            }
        }
    }
}

@Suite("Base64")
struct Base64Tests {
    @Test("round trips every length up to 64 and matches Foundation")
    func roundTrip() {
        for length in 0...64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(Array(encoded.utf8)) == bytes)
        }
    }

    @Test("rejects non-canonical input", arguments: ["A", "AB", "ABC", "A===", "AB=C", "QR==", "QUK=", "QU\nJD", "-_==", "QUJD===="])
    func rejects(_ text: String) {
        #expect(Base64.decode(Array(text.utf8)) == nil)
    }
}

@Suite("JSON reader and writer")
struct JSONTests {
    @Test("control requests read optional members and skip unknown ones")
    func control() throws {
        let body = Array("{\"Limit\":3,\"ExclusiveStartDeliveryStreamName\":\"b\",\"X\":{\"y\":[]},\"DeliveryStreamName\":null}".utf8)
        let request = try TypedBytes.with(body) { buffer throws(FirehoseError) in try ControlRequest.parse(buffer) }
        #expect(request.limit == 3)
        #expect(request.exclusiveStartDeliveryStreamName == "b")
        #expect(request.deliveryStreamName == nil)
        let empty = try TypedBytes.with([UInt8]()) { buffer throws(FirehoseError) in try ControlRequest.parse(buffer) }
        #expect(empty == ControlRequest())
        let wrong = Array("{\"Limit\":\"3\"}".utf8)
        #expect(throws: FirehoseError.self) {
            try TypedBytes.with(wrong) { buffer throws(FirehoseError) in try ControlRequest.parse(buffer) }
        }
    }

    @Test("the writer escapes strings so that Foundation reads them back")
    func writer() throws {
        var writer = JSONWriter()
        writer.raw("{\"a\":")
        writer.string("q\"b\\s\n\u{1}é")
        writer.raw(",\"t\":")
        writer.epochSeconds(nanoseconds: 1_700_000_000_123_456_789)
        writer.raw("}")
        let object = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
        #expect(object?["a"] as? String == "q\"b\\s\n\u{1}é")
        #expect(object?["t"] as? Double == 1_700_000_000.123)
    }

    @Test("PutRecordBatch responses carry one entry per record, in order")
    func batchResponse() throws {
        let body = FirehoseAPI.putRecordBatchBody([
            .accepted(recordID: "r1"), .throttled, .failed(errorCode: "InternalFailure", message: "x"),
        ])
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        #expect(object?["FailedPutCount"] as? Int == 2)
        #expect(object?["Encrypted"] as? Bool == false)
        let entries = object?["RequestResponses"] as? [[String: String]]
        #expect(entries?.count == 3)
        #expect(entries?[0] == ["RecordId": "r1"])
        #expect(entries?[1] == ["ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."])
        #expect(entries?[2]["ErrorCode"] == "InternalFailure")
    }
}

@Suite("In-flight limiter")
struct InFlightLimiterTests {
    @Test("admits requests up to the count and byte bounds and frees them on release")
    func bounds() {
        let limiter = InFlightLimiter(maximumRequests: 2, maximumBytes: 100)
        #expect(limiter.reserve(60))
        #expect(!limiter.reserve(50))
        #expect(limiter.reserve(40))
        #expect(!limiter.reserve(0))
        limiter.release(60)
        #expect(limiter.current.requests == 1)
        #expect(limiter.current.bytes == 40)
        #expect(limiter.reserve(60))
    }
}
