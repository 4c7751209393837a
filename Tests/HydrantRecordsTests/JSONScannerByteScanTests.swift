import HydrantRecords
import Testing

/// The word-at-a-time scans that every record walker's inner loops use, checked against a byte-by-byte reference
/// over random buffers, from every start offset, so that each interesting byte falls at every position of a word.
@Suite struct JSONScannerByteScanTests {
    /// Bytes the scans must stop at or must not stop at, and ordinary letters, drawn at random.
    static let alphabet: [UInt8] = Array(#""\{}[]abcXYZ:,. 09"#.utf8) + [0x00, 0x01, 0x1F, 0x20, 0x7F, 0x80, 0xDB, 0xFB, 0xFD, 0x3B, 0x3D]

    static func buffers() -> [[UInt8]] {
        var generator = SystemRandomNumberGenerator()
        var result: [[UInt8]] = []
        for length in 0..<40 {
            for _ in 0..<25 {
                // Mostly letters, so that the first hit lands anywhere in the buffer.
                result.append((0..<length).map { _ in
                    Int.random(in: 0..<12, using: &generator) == 0 ? alphabet.randomElement(using: &generator) ?? 0x61 : 0x61
                })
            }
        }
        // Long buffers with rare hits, so that whole 32-byte steps pass clean and a hit lands anywhere in a step.
        for length in stride(from: 40, to: 200, by: 3) {
            for _ in 0..<6 {
                result.append((0..<length).map { _ in
                    Int.random(in: 0..<90, using: &generator) == 0 ? alphabet.randomElement(using: &generator) ?? 0x61 : 0x61
                })
            }
        }
        return result
    }

    @Test func stringSpecialByteStopsAtTheFirstQuoteBackslashOrControlByte() {
        for buffer in Self.buffers() {
            buffer.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                for start in 0...bytes.count {
                    let expected = bytes[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } ?? bytes.count
                    #expect(JSONScanner.stringSpecialByte(in: base, from: start, to: bytes.count) == expected, "\(buffer) from \(start)")
                }
            }
        }
    }

    @Test func structuralByteStopsAtTheFirstQuoteOrBracket() {
        for buffer in Self.buffers() {
            buffer.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                for start in 0...bytes.count {
                    let expected = bytes[start...].firstIndex { Array(#""{}[]"#.utf8).contains($0) } ?? bytes.count
                    #expect(JSONScanner.structuralByte(in: base, from: start, to: bytes.count) == expected, "\(buffer) from \(start)")
                }
            }
        }
    }

    @Test(arguments: [
        (#""plain""#, 7, false), (#""a\"b""#, 6, true), (#""\\""#, 4, true), (#""\/\b\f\n\r\t""#, 14, true),
        (#""\u00e9x""#, 9, true), (#""\uD83D\uDE00""#, 14, true), (#""""#, 2, false),
    ])
    func endOfStringFindsTheClosingQuoteWhereverTheStringStarts(text: String, length: Int, escapes: Bool) {
        for padding in 0..<17 {
            let bytes = Array(repeating: UInt8(ascii: " "), count: padding) + Array(text.utf8) + Array(#","next""#.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                let found = JSONScanner.endOfString(in: buffer, openingQuote: padding)
                #expect(found?.end == padding + length, "\(text) after \(padding) spaces")
                #expect(found?.hasEscapes == escapes, "\(text) after \(padding) spaces")
            }
        }
    }

    @Test(arguments: [#""open"#, #""bad \x escape""#, #""short \u12""#, #""not hex \u12G4""#, "\"raw \u{01} byte\"", #""trailing \"#])
    func endOfStringRejectsWhatJSONDoesNotAllow(text: String) {
        for padding in 0..<9 {
            let bytes = Array(repeating: UInt8(ascii: " "), count: padding) + Array(text.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                #expect(JSONScanner.endOfString(in: buffer, openingQuote: padding) == nil, "\(text) after \(padding) spaces")
            }
        }
    }
}
