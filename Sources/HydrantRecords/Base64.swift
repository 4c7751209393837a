/// Strict RFC 4648 base64 (standard alphabet, `=` padding required, no whitespace, zero trailing bits), decoded
/// straight into a caller's buffer, and encoded straight into a byte array. It is the per-record hot path of
/// PutRecordBatch (decoding in the server; encoding in the forwarder and in error records' `rawData`), so it works
/// on raw pointers.
public enum Base64 {
    /// Marks a byte that is not in the alphabet.
    private static let invalid: UInt8 = 0xFF

    /// The 6-bit value of each byte, or `invalid`.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    /// The alphabet, for encoding.
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The decoded size of `count` encoded bytes ending in `padding` `=` characters; nil when `count` is not a
    /// multiple of 4 or the padding is impossible.
    public static func decodedCount(encodedCount count: Int, padding: Int) -> Int? {
        guard count % 4 == 0, padding >= 0, padding <= 2, padding == 0 || count >= 4 else { return nil }
        return count / 4 * 3 - padding
    }

    /// The number of encoded bytes for `count` decoded bytes.
    public static func encodedCount(decodedCount count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Decodes `count` bytes at `source` into `destination`, which has room for exactly
    /// `decodedCount(encodedCount: count, padding:)` bytes. Returns nil on success, or the offset (within the
    /// source) of the first byte that makes the input invalid.
    public static func decode(_ source: UnsafePointer<UInt8>, count: Int,
                              into destination: UnsafeMutablePointer<UInt8>) -> Int? {
        guard count % 4 == 0 else { return count - count % 4 }
        if count == 0 { return nil }
        return table.withUnsafeBufferPointer { tablePointer -> Int? in
            let lookup = tablePointer.baseAddress.unsafelyUnwrapped
            var input = 0
            var output = 0
            let fullQuads = count - 4
            while input < fullQuads {
                let a = lookup[Int(source[input])], b = lookup[Int(source[input + 1])]
                let c = lookup[Int(source[input + 2])], d = lookup[Int(source[input + 3])]
                if (a | b | c | d) & 0xC0 != 0 {
                    return firstInvalid(source, from: input, lookup: lookup)
                }
                destination[output] = a << 2 | b >> 4
                destination[output + 1] = b << 4 | c >> 2
                destination[output + 2] = c << 6 | d
                input += 4
                output += 3
            }
            // The last quad may carry padding.
            let a = lookup[Int(source[input])], b = lookup[Int(source[input + 1])]
            guard a != invalid else { return input }
            guard b != invalid else { return input + 1 }
            let third = source[input + 2], fourth = source[input + 3]
            if third == UInt8(ascii: "=") {
                guard fourth == UInt8(ascii: "=") else { return input + 3 }
                guard b & 0x0F == 0 else { return input + 1 }
                destination[output] = a << 2 | b >> 4
                return nil
            }
            let c = lookup[Int(third)]
            guard c != invalid else { return input + 2 }
            if fourth == UInt8(ascii: "=") {
                guard c & 0x03 == 0 else { return input + 2 }
                destination[output] = a << 2 | b >> 4
                destination[output + 1] = b << 4 | c >> 2
                return nil
            }
            let d = lookup[Int(fourth)]
            guard d != invalid else { return input + 3 }
            destination[output] = a << 2 | b >> 4
            destination[output + 1] = b << 4 | c >> 2
            destination[output + 2] = c << 6 | d
            return nil
        }
    }

    private static func firstInvalid(_ source: UnsafePointer<UInt8>, from start: Int,
                                     lookup: UnsafePointer<UInt8>) -> Int {
        var index = start
        while lookup[Int(source[index])] != invalid { index += 1 }
        return index
    }

    /// The number of trailing `=` in the `count` bytes at `source` (0, 1 or 2 for valid input; more is reported
    /// as 3 so that the length check fails).
    public static func padding(_ source: UnsafePointer<UInt8>, count: Int) -> Int {
        var padding = 0
        while padding < count, padding < 3, source[count - 1 - padding] == UInt8(ascii: "=") { padding += 1 }
        return padding
    }

    /// Decodes `text` (for tests and small values); nil when it is not strict base64.
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        let source = Array(text)
        return source.withUnsafeBufferPointer { buffer -> [UInt8]? in
            guard let base = buffer.baseAddress else { return [] }
            guard let length = decodedCount(encodedCount: buffer.count, padding: padding(base, count: buffer.count))
            else { return nil }
            if length == 0 { return [] }
            var decoded = [UInt8](repeating: 0, count: length)
            let failure = decoded.withUnsafeMutableBufferPointer { output in
                decode(base, count: buffer.count, into: output.baseAddress.unsafelyUnwrapped)
            }
            return failure == nil ? decoded : nil
        }
    }

    /// Appends the base64 encoding of `bytes` to `output`.
    public static func encode(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { encode($0, into: &output) }
        if done == nil { encode(Array(bytes), into: &output) }
    }

    /// Appends the base64 encoding of `bytes` to `output`, three bytes at a time.
    public static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + encodedCount(decodedCount: bytes.count))
        alphabet.withUnsafeBufferPointer { table in
            var index = 0
            let whole = bytes.count - bytes.count % 3
            while index < whole {
                let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                output.append(table[Int(value >> 18 & 0x3F)])
                output.append(table[Int(value >> 12 & 0x3F)])
                output.append(table[Int(value >> 6 & 0x3F)])
                output.append(table[Int(value & 0x3F)])
                index += 3
            }
            let rest = bytes.count - whole
            guard rest > 0 else { return }
            let value = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            output.append(table[Int(value >> 18 & 0x3F)])
            output.append(table[Int(value >> 12 & 0x3F)])
            output.append(rest == 2 ? table[Int(value >> 6 & 0x3F)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
    }

    /// The base64 encoding of `bytes` as a string.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        encode(bytes, into: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
