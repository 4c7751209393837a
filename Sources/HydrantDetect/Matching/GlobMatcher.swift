/// Matches a `SigmaPattern` against a whole value (anchored at both ends), iteratively with one backtrack point
/// per `*`, so the cost is bounded by value length × pattern length even for hostile patterns.
enum GlobMatcher {
    /// Whether `value` matches `pieces`; `?` consumes one UTF-8 encoded character.
    static func matches(_ pieces: [SigmaPattern.Piece], _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var p = 0  // piece index
        var v = 0  // value index
        var starPiece = -1
        var starValue = 0
        while true {
            if p < pieces.count {
                switch pieces[p] {
                case .anyRun:
                    starPiece = p
                    starValue = v
                    p += 1
                    continue
                case .anyOne:
                    if v < value.count {
                        v += characterLength(value[v])
                        if v > value.count { v = value.count }
                        p += 1
                        continue
                    }
                case .literal(let bytes):
                    if v + bytes.count <= value.count, equal(bytes, value, at: v) {
                        v += bytes.count
                        p += 1
                        continue
                    }
                }
            } else if v == value.count {
                return true
            }
            // Mismatch: let the last `*` absorb one more character, or fail.
            guard starPiece >= 0, starValue < value.count else { return false }
            starValue += characterLength(value[starValue])
            if starValue > value.count { return false }
            v = starValue
            p = starPiece + 1
        }
    }

    @inline(__always)
    static func characterLength(_ lead: UInt8) -> Int {
        if lead < 0xC0 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }

    @inline(__always)
    static func equal(_ bytes: [UInt8], _ value: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        for i in 0..<bytes.count where bytes[i] != value[offset + i] { return false }
        return true
    }
}
