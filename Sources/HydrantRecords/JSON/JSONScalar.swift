/// A scalar value found by `JSONScanner`: where its text is in the scanned document, and of what kind.
/// Objects, arrays and `null` are not scalars: a path ending at one of them is reported as absent.
public struct JSONScalar: Hashable, Sendable {
    /// The kind of a scalar.
    public enum Kind: Hashable, Sendable {
        /// A string; `range` excludes the quotes. `hasEscapes` says whether it holds a backslash escape.
        case string(hasEscapes: Bool)
        /// A number; `range` covers its text exactly as written.
        case number
        /// `true` or `false`.
        case bool(Bool)
    }

    /// The kind.
    public let kind: Kind
    /// The value's bytes in the document (without the quotes of a string).
    public let range: Range<Int>

    /// A scalar of `kind` at `range`.
    public init(kind: Kind, range: Range<Int>) {
        self.kind = kind
        self.range = range
    }

    /// The value as `jq -r` prints it: strings unescaped, booleans as `true`/`false`, integers as written and other
    /// numbers in their shortest round-trip form (`1.50` → `1.5`, `1e2` → `100`). Nil when a string's escapes or
    /// a number's text cannot be decoded (the scanner has already refused those, so only for foreign ranges).
    public func text(in document: UnsafeBufferPointer<UInt8>) -> String? {
        let bytes = UnsafeBufferPointer(rebasing: document[range])
        switch kind {
        case .bool(let value):
            return value ? "true" : "false"
        case .string(let hasEscapes):
            guard hasEscapes else { return String(decoding: bytes, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            guard JSONStringDecoder.unescape(bytes, into: &out) else { return nil }
            return String(decoding: out, as: UTF8.self)
        case .number:
            var integral = true
            for byte in bytes where byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                integral = false
            }
            let written = String(decoding: bytes, as: UTF8.self)
            if integral && bytes.count <= 17 { return written }
            guard let value = Double(written), value.isFinite else { return written }
            if value == value.rounded(), abs(value) < 1e17 { return String(Int64(value)) }
            return value.description
        }
    }

    /// The value as `jq -r` prints it, for a document held in an array.
    public func text(in document: [UInt8]) -> String? {
        document.withUnsafeBufferPointer { text(in: $0) }
    }
}
