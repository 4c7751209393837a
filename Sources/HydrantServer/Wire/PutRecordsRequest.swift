import HydrantStream

/// A PutRecord or PutRecordBatch request, parsed, decoded and checked against Firehose's limits.
public struct PutRecordsRequest: Sendable {
    /// `DeliveryStreamName`.
    public var streamName: String
    /// The decoded records, in request order.
    public var batch: IngestBatch

    /// Parses a PutRecordBatch body: `{"DeliveryStreamName": …, "Records": [{"Data": base64}, …]}`. Unknown members
    /// are skipped (validated as JSON). Throws `SerializationException` for malformed JSON, wrong types and invalid
    /// base64; `ValidationException` for missing members, 0 or more than 500 records, a record over 1,024,000 bytes
    /// or a bad stream name; `InvalidArgumentException` when the records sum to more than 4 MiB.
    public static func parseBatch(_ body: UnsafeRawBufferPointer) throws(FirehoseError) -> PutRecordsRequest {
        try parse(body, single: false)
    }

    /// Parses a PutRecord body: `{"DeliveryStreamName": …, "Record": {"Data": base64}}`, with the same errors.
    public static func parseSingle(_ body: UnsafeRawBufferPointer) throws(FirehoseError) -> PutRecordsRequest {
        try parse(body, single: true)
    }

    private static func parse(_ body: UnsafeRawBufferPointer, single: Bool) throws(FirehoseError) -> PutRecordsRequest {
        guard let base = body.baseAddress?.assumingMemoryBound(to: UInt8.self), !body.isEmpty else {
            var violations = StreamNameRule.violations(nil)
            violations.append("Value null at '\(single ? "record" : "records")' failed to satisfy constraint: "
                                  + "Member must not be null")
            throw .validation(violations)
        }
        var reader = JSONReader(base, count: body.count)
        var batch = IngestBatch(reservingRecords: single ? 1 : FirehoseLimits.maximumRecordsPerBatch,
                                bytes: body.count / 4 * 3)
        var state = ParseState()
        do throws(JSONSyntaxError) {
            try reader.beginObject("the request")
            var first = true
            while let name = try reader.nextMember(first: &first) {
                if reader.matches(name, "DeliveryStreamName") {
                    guard !state.sawName else { throw JSONSyntaxError("duplicate member 'DeliveryStreamName'", at: name.start) }
                    state.sawName = true
                    if try !reader.readNull() { state.streamName = try reader.readStringValue("DeliveryStreamName") }
                } else if !single, reader.matches(name, "Records") {
                    guard !state.sawRecords else { throw JSONSyntaxError("duplicate member 'Records'", at: name.start) }
                    state.sawRecords = true
                    if try !reader.readNull() { try readRecords(&reader, into: &batch, state: &state) }
                } else if single, reader.matches(name, "Record") {
                    guard !state.sawRecords else { throw JSONSyntaxError("duplicate member 'Record'", at: name.start) }
                    state.sawRecords = true
                    if try !reader.readNull() {
                        state.recordsPresent = true
                        state.recordCount = 1
                        try readRecord(&reader, object: "Record", path: "record.data", member: "Record.Data",
                                       into: &batch, state: &state)
                    }
                } else {
                    try reader.skipValue()
                }
            }
            try reader.finish()
        } catch {
            throw .serialization(error)
        }

        var violations = StreamNameRule.violations(state.streamName)
        if !state.recordsPresent {
            violations.append("Value null at '\(single ? "record" : "records")' failed to satisfy constraint: "
                                  + "Member must not be null")
        } else if !single && state.recordCount == 0 {
            violations.append("Value '[]' at 'records' failed to satisfy constraint: Member must have length greater "
                                  + "than or equal to 1")
        } else if state.recordCount > FirehoseLimits.maximumRecordsPerBatch {
            violations.append("Value of \(state.recordCount) records at 'records' failed to satisfy constraint: "
                                  + "Member must have length less than or equal to \(FirehoseLimits.maximumRecordsPerBatch)")
        }
        violations += state.recordViolations
        let total = violations.count - state.recordViolations.count + state.recordViolationCount
        if !violations.isEmpty { throw .validation(violations, total: total) }
        if batch.byteCount > FirehoseLimits.maximumBatchBytes {
            throw .invalidArgument("Records size exceeds 4 MB limit: the records sum to \(batch.byteCount) bytes, "
                                       + "more than \(FirehoseLimits.maximumBatchBytes).")
        }
        return PutRecordsRequest(streamName: state.streamName ?? "", batch: batch)
    }

    private struct ParseState {
        var sawName = false
        var sawRecords = false
        var streamName: String?
        var recordsPresent = false
        var recordCount = 0
        /// The first few per-record violations, listed in the message.
        var recordViolations: [String] = []
        var recordViolationCount = 0
    }

    private static func readRecords(_ reader: inout JSONReader, into batch: inout IngestBatch,
                                    state: inout ParseState) throws(JSONSyntaxError) {
        state.recordsPresent = true
        try reader.beginArray("Records")
        var first = true
        while try reader.nextElement(first: &first) {
            let index = state.recordCount
            state.recordCount += 1
            try readRecord(&reader, object: "Records[\(index)]", path: "records.\(index + 1).member.data",
                           member: "Records[\(index)].Data", into: &batch, state: &state)
        }
    }

    private static func readRecord(_ reader: inout JSONReader, object: @autoclosure () -> String,
                                   path: @autoclosure () -> String, member: @autoclosure () -> String,
                                   into batch: inout IngestBatch, state: inout ParseState) throws(JSONSyntaxError) {
        try reader.beginObject(object())
        var first = true
        var sawData = false
        var hasData = false
        while let name = try reader.nextMember(first: &first) {
            if reader.matches(name, "Data") {
                guard !sawData else { throw JSONSyntaxError("duplicate member 'Data'", at: name.start) }
                sawData = true
                if try reader.readNull() { continue }
                hasData = true
                let size = try reader.readBase64(member(), into: &batch)
                if size > FirehoseLimits.maximumRecordBytes {
                    addViolation("Value of \(size) bytes at '\(path())' failed to satisfy constraint: Member must have "
                                     + "length less than or equal to \(FirehoseLimits.maximumRecordBytes)", to: &state)
                }
            } else {
                try reader.skipValue()
            }
        }
        if !hasData {
            addViolation("Value null at '\(path())' failed to satisfy constraint: Member must not be null", to: &state)
        }
    }

    private static func addViolation(_ text: String, to state: inout ParseState) {
        state.recordViolationCount += 1
        if state.recordViolations.count < 10 { state.recordViolations.append(text) }
    }
}
