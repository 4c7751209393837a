/// A Sigma string value after wildcard and escape parsing: literal byte runs and `*`/`?` wildcards.
///
/// Escapes follow the reference (§2.3): `\*`, `\?` and `\\` give the literal character; a backslash before any
/// other character, or at the end, is kept as written, so Windows paths need no doubling.
public struct SigmaPattern: Hashable, Sendable {
    /// One piece of a pattern.
    public enum Piece: Hashable, Sendable {
        /// Bytes matched literally (UTF-8 for text; raw bytes after `utf16*` encoding).
        case literal([UInt8])
        /// `*`: any run of characters, including none.
        case anyRun
        /// `?`: exactly one character.
        case anyOne
    }

    /// The pieces, with adjacent literals merged.
    public var pieces: [Piece]

    /// A pattern from pieces, merging adjacent literals.
    public init(pieces: [Piece]) {
        var merged: [Piece] = []
        for piece in pieces {
            if case .literal(let bytes) = piece, case .literal(let previous)? = merged.last {
                merged[merged.count - 1] = .literal(previous + bytes)
            } else if case .literal(let bytes) = piece, bytes.isEmpty {
                continue
            } else {
                merged.append(piece)
            }
        }
        self.pieces = merged
    }

    /// A pattern that matches `bytes` exactly.
    public init(literal bytes: [UInt8]) {
        self.init(pieces: [.literal(bytes)])
    }

    /// Parses a Sigma string value.
    public init(parsing text: String) {
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)); literal = [] }
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\\") {
                if i + 1 < bytes.count, [UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "\\")].contains(bytes[i + 1]) {
                    literal.append(bytes[i + 1])
                    i += 2
                } else {
                    literal.append(byte)
                    i += 1
                }
            } else if byte == UInt8(ascii: "*") {
                flush()
                pieces.append(.anyRun)
                i += 1
            } else if byte == UInt8(ascii: "?") {
                flush()
                pieces.append(.anyOne)
                i += 1
            } else {
                literal.append(byte)
                i += 1
            }
        }
        flush()
        self.init(pieces: pieces)
    }

    /// Whether the pattern holds a `*` or `?`.
    public var hasWildcards: Bool {
        pieces.contains { if case .literal = $0 { return false } else { return true } }
    }

    /// The literal bytes when the pattern has no wildcard.
    public var literalBytes: [UInt8]? {
        if pieces.isEmpty { return [] }
        guard pieces.count == 1, case .literal(let bytes) = pieces[0] else { return nil }
        return bytes
    }

    /// `contains`: a `*` added at each end that lacks one.
    public func containing() -> SigmaPattern { startingWith().endingWith() }

    /// `startswith`: a trailing `*` unless one is there.
    public func startingWith() -> SigmaPattern {
        if case .anyRun? = pieces.last { return self }
        return SigmaPattern(pieces: pieces + [.anyRun])
    }

    /// `endswith`: a leading `*` unless one is there.
    public func endingWith() -> SigmaPattern {
        if case .anyRun? = pieces.first { return self }
        return SigmaPattern(pieces: [.anyRun] + pieces)
    }

    /// The pattern in Sigma notation, with literal wildcards and backslashes escaped.
    public var sigmaText: String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .anyRun: out += "*"
            case .anyOne: out += "?"
            case .literal(let bytes):
                for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
                    if scalar == "*" || scalar == "?" || scalar == "\\" { out += "\\" }
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// The pattern with every literal lower-cased (Unicode-aware for UTF-8 text, bytes kept when not UTF-8).
    func lowercased() -> SigmaPattern {
        SigmaPattern(pieces: pieces.map { piece in
            guard case .literal(let bytes) = piece else { return piece }
            return .literal(CaseFolding.lowercased(bytes))
        })
    }
}

/// Lower-casing used on both sides of case-insensitive comparisons.
enum CaseFolding {
    /// `bytes` lower-cased: ASCII directly, other valid UTF-8 through Unicode lower-casing.
    static func lowercased(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { lowercase($0, into: &out) }
        return out
    }

    /// Appends the lower-cased form of `bytes` to `out`; the ASCII path allocates nothing beyond `out`'s growth.
    @inline(__always)
    static func lowercase(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var ascii = true
        for byte in bytes where byte >= 0x80 { ascii = false; break }
        if ascii {
            for byte in bytes {
                out.append(byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte)
            }
            return
        }
        // Non-ASCII text is rare in network records; Unicode lower-casing keeps `É` equal to `é`.
        if let text = String(validating: bytes, as: UTF8.self) {
            out.append(contentsOf: text.lowercased().utf8)
        } else {
            for byte in bytes { out.append(byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte) }
        }
    }
}
