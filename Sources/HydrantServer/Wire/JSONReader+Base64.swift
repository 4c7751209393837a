import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HydrantStream

extension JSONReader {
    /// Reads a string value holding base64 and appends its decoded bytes to `batch` as one record; returns the
    /// decoded size. Strings without escapes (all real clients) are decoded straight from the body into the
    /// batch; escaped ones (`\/`) are unescaped first. On error the batch is left with a partial record: the caller
    /// discards it.
    public mutating func readBase64(_ member: @autoclosure () -> String, into batch: inout IngestBatch) throws(JSONSyntaxError) -> Int {
        skipWhitespace()
        guard index < count, base[index] == UInt8(ascii: "\"") else {
            throw typeError(member: member(), expected: "a base64 string")
        }
        let start = index + 1
        guard let found = memchr(base + start, 0x22, count - start) else {
            throw JSONSyntaxError("unterminated string", at: index)
        }
        let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        let length = end - start
        if length > 0, memchr(base + start, 0x5C, length) != nil {
            let token = try readStringToken()
            var raw: [UInt8] = []
            try unescape(token, into: &raw)
            let result: Result<Int, JSONSyntaxError> = raw.withUnsafeBufferPointer { buffer in
                do throws(JSONSyntaxError) {
                    return .success(try Self.decode(buffer.baseAddress ?? base, count: buffer.count, member: member,
                                                    reportingAt: token.start, offsetsExact: false, into: &batch))
                } catch {
                    return .failure(error)
                }
            }
            return try result.get()
        }
        let decoded = try Self.decode(base + start, count: length, member: member, reportingAt: start,
                                      offsetsExact: true, into: &batch)
        index = end + 1
        return decoded
    }

    private static func decode(_ source: UnsafePointer<UInt8>, count: Int, member: () -> String, reportingAt origin: Int,
                               offsetsExact: Bool, into batch: inout IngestBatch) throws(JSONSyntaxError) -> Int {
        let padding = Base64.padding(source, count: count)
        guard let size = Base64.decodedCount(encodedCount: count, padding: padding) else {
            throw JSONSyntaxError("'\(member())' is not valid base64: its length \(count) is not a multiple of 4 "
                                      + "with at most two '=' of padding", at: origin)
        }
        var failure: Int?
        batch.appendRecord { bytes in
            guard size > 0 else { return }
            let old = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: size))
            failure = bytes.withUnsafeMutableBufferPointer { output in
                Base64.decode(source, count: count, into: output.baseAddress.unsafelyUnwrapped + old)
            }
        }
        if let failure {
            let byte = source[failure]
            let shown = byte >= 0x21 && byte < 0x7F ? "'\(Unicode.Scalar(byte))'" : "byte 0x\(String(byte, radix: 16))"
            throw JSONSyntaxError("'\(member())' is not valid base64: unexpected \(shown)",
                                  at: origin + (offsetsExact ? failure : 0))
        }
        return size
    }
}
