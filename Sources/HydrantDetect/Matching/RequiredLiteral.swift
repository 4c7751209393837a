/// The literal a glob or a regular expression cannot match without: a value that does not contain it cannot
/// match, so the test needs to run only on values where a substring index found it.
///
/// Extraction is deliberately conservative: whenever a construct could make a literal optional or match it in
/// another spelling, it gives up (no literal) rather than risk dropping a true match.
enum RequiredLiteral {
    /// The longest literal piece of a glob (matched in the same case form as the glob itself), or nil when the
    /// glob has none.
    static func of(glob pieces: [SigmaPattern.Piece]) -> [UInt8]? {
        var best: [UInt8] = []
        for piece in pieces {
            if case .literal(let bytes) = piece, bytes.count > best.count { best = bytes }
        }
        return best.isEmpty ? nil : best
    }

    /// Escapes of one letter that take no argument: character types, anchors and single control characters.
    private static let argumentlessEscapes: Set<UInt8> = Set("dDwWsSbBAzZGhHvVRXKEntrfea".utf8)

    /// The longest run of plain ASCII characters that every match of `pattern` contains, or nil.
    ///
    /// Only case-sensitive patterns without alternation are read, and only literals outside groups and classes
    /// count (a group may be optional or repeated zero times). A quantifier that allows zero repetitions takes its
    /// character out of the run; escapes other than escaped punctuation, `.`, anchors and any non-ASCII byte end a
    /// run. Inline options (`(?i)`), `\Q…\E` and alternation make the pattern unreadable here.
    static func of(regex pattern: String, flags: RegexFlags) -> [UInt8]? {
        if flags.contains(.caseInsensitive) { return nil }
        let bytes = Array(pattern.utf8)
        var best: [UInt8] = []
        var run: [UInt8] = []
        var depth = 0
        var i = 0
        func endRun() {
            if run.count > best.count { best = run }
            run.removeAll()
        }
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "|"):
                return nil
            case UInt8(ascii: "\\"):
                guard i + 1 < bytes.count else { return nil }
                let next = bytes[i + 1]
                if next == UInt8(ascii: "Q") || next >= 0x80 { return nil }
                let isWord = (next | 0x20) &- UInt8(ascii: "a") < 26 || next &- UInt8(ascii: "0") < 10
                // Word escapes that take arguments (`\x41`, `\p{L}`, `\1`, …) would leave their argument looking
                // like a literal: give up on them; the others stand for one character class or position.
                if isWord && !Self.argumentlessEscapes.contains(next) { return nil }
                if depth == 0 && !isWord { run.append(next) } else { endRun() }
                i += 2
                continue
            case UInt8(ascii: "["):
                // Skip the class: `]` right after `[` or `[^` is a member, escapes hide their byte.
                endRun()
                var j = i + 1
                if j < bytes.count && bytes[j] == UInt8(ascii: "^") { j += 1 }
                if j < bytes.count && bytes[j] == UInt8(ascii: "]") { j += 1 }
                while j < bytes.count && bytes[j] != UInt8(ascii: "]") {
                    if bytes[j] == UInt8(ascii: "\\") { j += 1 }
                    else if bytes[j] == UInt8(ascii: "[") { return nil }  // POSIX classes: not read here
                    j += 1
                }
                guard j < bytes.count else { return nil }
                i = j + 1
                continue
            case UInt8(ascii: "("):
                if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "?") { return nil }
                if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*") { return nil }  // verbs like (*UTF)
                endRun()
                depth += 1
            case UInt8(ascii: ")"):
                endRun()
                depth -= 1
                if depth < 0 { return nil }
            case UInt8(ascii: "?"), UInt8(ascii: "*"):
                // The preceding character (if it is in the run) may occur zero times.
                if !run.isEmpty { run.removeLast() }
                endRun()
            case UInt8(ascii: "{"):
                // A counted repeat (perhaps of zero), or a literal brace: either way the run ends before the
                // preceding character and nothing up to the closing brace is read as a literal.
                if !run.isEmpty { run.removeLast() }
                endRun()
                while i < bytes.count && bytes[i] != UInt8(ascii: "}") { i += 1 }
            case UInt8(ascii: "+"):
                // At least once: the character stays, but what follows may not be adjacent to it.
                endRun()
            case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "}"):
                endRun()
            default:
                if byte >= 0x80 || byte < 0x20 { endRun() } else if depth == 0 { run.append(byte) } else { endRun() }
            }
            i += 1
        }
        guard depth == 0 else { return nil }
        endRun()
        return best.isEmpty ? nil : best
    }
}
