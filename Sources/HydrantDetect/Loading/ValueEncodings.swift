import HydrantRecords

/// The value-rewriting modifiers of Sigma (`base64`, `base64offset`, `utf16*`, `windash`) on literal bytes.
enum ValueEncodings {
    /// Base64 of `bytes` with padding (`base64`).
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        Base64.encode(bytes, into: &out)
        return out
    }

    /// The three `base64offset` variants: the value's Base64 at each of the three alignments, with the characters
    /// that depend on neighbouring bytes cut off (start 0/2/3, end cut 0/3/2 by (length + offset) mod 3).
    static func base64Offsets(_ bytes: [UInt8]) -> [[UInt8]] {
        let starts = [0, 2, 3]
        let endCuts = [0, 3, 2]
        var variants: [[UInt8]] = []
        for shift in 0..<3 {
            let encoded = base64(Array(repeating: UInt8(ascii: " "), count: shift) + bytes)
            let cut = endCuts[(bytes.count + shift) % 3]
            let end = encoded.count - cut
            guard starts[shift] < end else { variants.append([]); continue }
            variants.append(Array(encoded[starts[shift]..<end]))
        }
        return variants
    }

    /// UTF-16 code units of UTF-8 text, little- or big-endian; nil when `bytes` is not UTF-8.
    static func utf16(_ bytes: [UInt8], bigEndian: Bool) -> [UInt8]? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var out: [UInt8] = []
        for unit in text.utf16 {
            if bigEndian { out.append(UInt8(unit >> 8)); out.append(UInt8(unit & 0xff)) }
            else { out.append(UInt8(unit & 0xff)); out.append(UInt8(unit >> 8)) }
        }
        return out
    }

    /// The dash characters `windash` substitutes: `-`, `/`, en dash, em dash, horizontal bar.
    static let dashes: [[UInt8]] = [[0x2D], [0x2F], Array("\u{2013}".utf8), Array("\u{2014}".utf8), Array("\u{2015}".utf8)]

    /// The most dash positions one value may have; 5^6 variants is already more than any real rule needs.
    static let maximumWindashPositions = 6

    /// Every `windash` variant of a pattern: at each `-` or `/` that starts a word (the previous character is not a
    /// word character and the next one is), each of the five dashes. Nil when there are too many positions.
    static func windash(_ pattern: SigmaPattern) -> [SigmaPattern]? {
        // Flatten to a character-level list so word boundaries are seen across piece boundaries.
        enum Unit { case byte(UInt8), wild(SigmaPattern.Piece) }
        var units: [Unit] = []
        for piece in pattern.pieces {
            if case .literal(let bytes) = piece { units += bytes.map { .byte($0) } } else { units.append(.wild(piece)) }
        }
        func isWord(_ unit: Unit?) -> Bool {
            guard case .byte(let b)? = unit else { return false }
            let folded = b | 0x20
            return (folded >= 0x61 && folded <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b >= 0x80
        }
        var positions: [Int] = []
        for (i, unit) in units.enumerated() {
            guard case .byte(let b) = unit, b == UInt8(ascii: "-") || b == UInt8(ascii: "/") else { continue }
            let previous: Unit? = i > 0 ? units[i - 1] : nil
            let next: Unit? = i + 1 < units.count ? units[i + 1] : nil
            if !isWord(previous) && isWord(next) { positions.append(i) }
        }
        guard positions.count <= maximumWindashPositions else { return nil }
        var results: [SigmaPattern] = []
        let total = positions.isEmpty ? 1 : Int(pow5(positions.count))
        for combination in 0..<total {
            var choice = combination
            var pieces: [SigmaPattern.Piece] = []
            var positionIndex = 0
            for (i, unit) in units.enumerated() {
                switch unit {
                case .wild(let piece): pieces.append(piece)
                case .byte(let b):
                    if positionIndex < positions.count, positions[positionIndex] == i {
                        pieces.append(.literal(dashes[choice % 5]))
                        choice /= 5
                        positionIndex += 1
                    } else {
                        pieces.append(.literal([b]))
                    }
                }
            }
            results.append(SigmaPattern(pieces: pieces))
        }
        return results
    }

    private static func pow5(_ n: Int) -> Int { (0..<n).reduce(1) { acc, _ in acc * 5 } }
}
