import Testing
@testable import HydrantDetect

/// The value arena: raw and lower-cased copies (folded a word at a time), growth past its reservation, and reset.
@Suite struct RecordValuesTests {
    /// Appends `bytes` to a fresh arena's slot 0 and returns its raw and lower-cased bytes.
    private func folded(_ bytes: [UInt8], kind: RecordValues.Kind = .string) -> (raw: [UInt8], lower: [UInt8]) {
        let values = RecordValues()
        values.reset(slots: 1)
        bytes.withUnsafeBufferPointer { values.append(slot: 0, kind: kind, bytes: $0) }
        let entry = values.entries[Int(values.heads[0])]
        return (Array(values.raw(entry)), Array(values.lower(entry)))
    }

    @Test func everyASCIIByteFoldsAsTheScalarMappingDoes() {
        // Each byte at every position of a word and of the tail, beside neighbours that could carry into it.
        for byte in UInt8(0)...UInt8(0x7F) {
            for length in [1, 7, 8, 9, 16, 17] {
                for position in 0..<length {
                    var bytes = [UInt8](repeating: UInt8(ascii: "Z"), count: length)
                    bytes[position] = byte
                    let (raw, lower) = folded(bytes)
                    #expect(raw == bytes)
                    #expect(lower == CaseFolding.lowercased(bytes), "byte \(byte) at \(position) of \(length)")
                }
            }
        }
    }

    @Test func randomTextFoldsAsCaseFoldingDoes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ@[`{09 -_.É\u{00DF}ǅ".utf8) + [0xFF, 0xC3]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0x41 }
            let (raw, lower) = folded(bytes)
            #expect(raw == bytes)
            let expected = CaseFolding.lowercased(bytes)
            // A value whose Unicode lower-case form has another length is kept unfolded.
            #expect(lower == (expected.count == bytes.count ? expected : bytes), "\(bytes)")
        }
    }

    /// Values entered in place from a held record (as the layout scan enters them) fold exactly as copied ones do,
    /// whatever bytes follow them in the record: the tail of a value is folded as one masked word.
    @Test func valuesHeldInPlaceFoldAsCopiedOnes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ@[`{09 -_.É\u{00DF}".utf8) + [0xFF, 0xC3]
        for _ in 0..<500 {
            let pieces = (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                (0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0x41 }
            }
            let record = pieces.flatMap { $0 }
            let values = RecordValues()
            values.reset(slots: 1)
            record.withUnsafeBufferPointer { values.hold(record: $0) }
            var start = 0
            for piece in pieces {
                values.appendHeldFromShortRecord(slot: 0, kind: .string, start: start, length: piece.count)
                start += piece.count
            }
            var entry = values.heads[0]
            for piece in pieces {
                guard entry >= 0 else { Issue.record("missing value"); break }
                let value = values.entries[Int(entry)]
                #expect(Array(values.raw(value)) == piece)
                #expect(Array(values.lower(value)) == folded(piece).lower, "\(piece)")
                entry = value.next
            }
            #expect(entry == -1)
        }
    }

    @Test func numbersAreNotFolded() {
        let (_, lower) = folded(Array("1E5".utf8), kind: .number)
        #expect(lower == Array("1E5".utf8))
    }

    @Test func theArenaGrowsPastItsReservation() {
        let values = RecordValues()
        values.reset(slots: 2)
        values.reserve(recordLength: 4)
        let long = [UInt8](repeating: UInt8(ascii: "A"), count: 10_000)
        for _ in 0..<3 { long.withUnsafeBufferPointer { values.append(slot: 1, kind: .string, bytes: $0) } }
        var entry = values.heads[1]
        var seen = 0
        while entry >= 0 {
            let value = values.entries[Int(entry)]
            #expect(Array(values.raw(value)) == long)
            #expect(Array(values.lower(value)) == [UInt8](repeating: UInt8(ascii: "a"), count: 10_000))
            entry = value.next
            seen += 1
        }
        #expect(seen == 3)
        #expect(Array(values.filled) == [1])
        values.reset(slots: 2)
        #expect(!values.isPresent(1) && values.filled.isEmpty && values.entryCount == 0)
    }
}
