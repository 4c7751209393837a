import Foundation

/// A character-bigram model of how domain labels look, for scoring names that a domain-generation algorithm made.
///
/// Labels are read as `^` + characters + `$` over the alphabet a–z, 0–9 and `-` (other bytes count as one
/// "other" symbol). The model holds log2 P(next | previous) with add-one smoothing; a label's score is its average
/// surprise, in bits per transition, with three pseudo-transitions of 4 bits added so that short labels lean toward
/// the middle: pronounceable names score about 3–4.5, random strings of letters and digits 5 and more. Train it with `init(words:)`; `standard` is trained on the word list the project ships
/// (`BigramTrainingWords`).
public struct BigramModel: Sendable {
    static let symbols = 39  // 26 letters, 10 digits, '-', other, and the boundary
    static let boundary = 38

    /// The pseudo-transitions of typical surprise every label starts with.
    static let priorWeight = 3.0
    /// A typical dictionary word's average surprise under the standard model, in bits.
    static let priorSurprise = 4.0

    private let surprise: [Float]  // symbols × symbols, -log2 P(column | row)

    /// The model trained on the project's shipped word list.
    public static let standard = BigramModel(words: BigramTrainingWords.all)

    /// A model trained on `words` (lower-cased as read).
    public init<Words: Sequence>(words: Words) where Words.Element == String {
        var counts = [Double](repeating: 1, count: Self.symbols * Self.symbols)  // add-one smoothing
        for word in words {
            var previous = Self.boundary
            for byte in word.utf8 {
                let symbol = Self.symbol(byte)
                counts[previous * Self.symbols + symbol] += 1
                previous = symbol
            }
            counts[previous * Self.symbols + Self.boundary] += 1
        }
        var surprise = [Float](repeating: 0, count: counts.count)
        for row in 0..<Self.symbols {
            var total = 0.0
            for column in 0..<Self.symbols { total += counts[row * Self.symbols + column] }
            for column in 0..<Self.symbols {
                surprise[row * Self.symbols + column] = Float(-log2(counts[row * Self.symbols + column] / total))
            }
        }
        self.surprise = surprise
    }

    @inline(__always)
    static func symbol(_ byte: UInt8) -> Int {
        switch byte {
        case 0x61...0x7A: return Int(byte - 0x61)
        case 0x41...0x5A: return Int(byte - 0x41)
        case 0x30...0x39: return 26 + Int(byte - 0x30)
        case 0x2D: return 36
        default: return 37
        }
    }

    /// The average surprise of `label` in bits per transition (0 for an empty label).
    public func score(_ label: UnsafeBufferPointer<UInt8>) -> Double {
        guard !label.isEmpty else { return 0 }
        var previous = Self.boundary
        var sum: Float = 0
        for byte in label {
            let symbol = Self.symbol(byte)
            sum += surprise[previous * Self.symbols + symbol]
            previous = symbol
        }
        sum += surprise[previous * Self.symbols + Self.boundary]
        // Short labels carry little evidence (`qq`, `dhl`): pull their average toward a typical word's.
        return (Double(sum) + Self.priorWeight * Self.priorSurprise) / (Double(label.count + 1) + Self.priorWeight)
    }

    /// The score of a string's UTF-8.
    public func score(_ label: String) -> Double {
        var copy = label
        return copy.withUTF8 { score($0) }
    }
}
