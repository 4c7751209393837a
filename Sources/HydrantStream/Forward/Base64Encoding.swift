/// Standard base64 (RFC 4648 §4, with padding) written straight into a byte buffer, for request bodies that carry
/// hundreds of records: no intermediate `String` or `Data` per record.
enum Base64Encoding {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The encoded length of `count` bytes.
    static func encodedLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Appends the base64 form of `input` to `out`.
    static func append(_ input: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + encodedLength(input.count))
        alphabet.withUnsafeBufferPointer { table in
            input.withUnsafeBufferPointer { bytes in
                var index = 0
                let whole = bytes.count - bytes.count % 3
                while index < whole {
                    let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                    out.append(table[Int(value >> 18 & 63)])
                    out.append(table[Int(value >> 12 & 63)])
                    out.append(table[Int(value >> 6 & 63)])
                    out.append(table[Int(value & 63)])
                    index += 3
                }
                let rest = bytes.count - whole
                if rest > 0 {
                    let second = rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0
                    let value = UInt32(bytes[index]) << 16 | second
                    out.append(table[Int(value >> 18 & 63)])
                    out.append(table[Int(value >> 12 & 63)])
                    out.append(rest == 2 ? table[Int(value >> 6 & 63)] : UInt8(ascii: "="))
                    out.append(UInt8(ascii: "="))
                }
            }
        }
    }
}
