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

    /// A byte-at-a-time reading of a JSON string, to check the word-at-a-time one against.
    private static func referenceEndOfString(_ bytes: [UInt8], openingQuote: Int) -> (end: Int, hasEscapes: Bool)? {
        var index = openingQuote + 1
        var escapes = false
        let hex = Set(Array("0123456789abcdefABCDEF".utf8))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return (index + 1, escapes) }
            if byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\\") {
                escapes = true
                guard index + 1 < bytes.count else { return nil }
                let next = bytes[index + 1]
                if Array(#""\/bfnrt"#.utf8).contains(next) { index += 2; continue }
                guard next == UInt8(ascii: "u"), index + 6 <= bytes.count,
                      bytes[(index + 2)..<(index + 6)].allSatisfy({ hex.contains($0) }) else { return nil }
                index += 6
                continue
            }
            index += 1
        }
        return nil
    }

    @Test func endOfStringAgreesWithAByteAtATimeReadingAcrossWordBoundaries() {
        // One special piece (an escape, a control byte, a closing quote) at every position of strings long enough
        // to cross the first two words, and strings cut short of their closing quote.
        let pieces: [[UInt8]] = [Array(#"\""#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), Array(#"\x"#.utf8),
                                 [0x01], [0x09], Array(#"""#.utf8), []]
        for length in 0..<36 {
            for position in 0...length {
                for piece in pieces {
                    var body = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    body.insert(contentsOf: piece, at: position)
                    for tail in [Array(#"","next""#.utf8), Array(#"""#.utf8), []] {
                        let bytes = Array(#"""#.utf8) + body + tail
                        let expected = Self.referenceEndOfString(bytes, openingQuote: 0)
                        let found = bytes.withUnsafeBufferPointer { JSONScanner.endOfString(in: $0, openingQuote: 0) }
                        #expect(found?.end == expected?.end && found?.hasEscapes == expected?.hasEscapes,
                                "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
                    }
                }
            }
        }
    }
}
