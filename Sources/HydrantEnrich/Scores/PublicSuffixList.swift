/// The Public Suffix List (publicsuffix.org; Debian's `publicsuffix` package installs it at
/// `/usr/share/publicsuffix/public_suffix_list.dat`), for finding a name's registered domain: the public suffix
/// plus one label (`www.bbc.co.uk` → `bbc.co.uk`).
///
/// Normal, wildcard (`*.ck`) and exception (`!www.ck`) rules from both the ICANN and the private sections are
/// used; the longest matching rule wins and exceptions beat wildcards, as the list's algorithm says. Rules are kept
/// as 64-bit hashes so a lookup neither allocates nor compares strings. Names are matched as written (lower-cased
/// ASCII); the list's Unicode rules therefore match only names written in Unicode, not their `xn--` forms.
public struct PublicSuffixList: Sendable {
    /// Where Debian installs the list.
    public static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    private let rules: Set<UInt64>
    private let wildcards: Set<UInt64>
    private let exceptions: Set<UInt64>

    /// The number of rules read.
    public let ruleCount: Int

    /// Reads the list at `path` (the Debian location by default).
    public init(path: String = PublicSuffixList.debianPath) throws(EnrichError) {
        let bytes = try TextFile.read(path)
        var rules = Set<UInt64>()
        var wildcards = Set<UInt64>()
        var exceptions = Set<UInt64>()
        var count = 0
        TextFile.forEachLine(bytes) { raw, _ in
            var line = TextFile.trimmed(raw)
            if line.isEmpty || line.starts(with: [0x2F, 0x2F]) { return }
            if let space = line.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) { line = line[..<space] }
            count += 1
            let text = Array(line)
            _ = text.withUnsafeBufferPointer { rule in
                if rule.first == UInt8(ascii: "!") {
                    exceptions.insert(FNVHash.hash(UnsafeBufferPointer(rebasing: rule[1...])))
                } else if rule.count > 2, rule[0] == UInt8(ascii: "*"), rule[1] == UInt8(ascii: ".") {
                    wildcards.insert(FNVHash.hash(UnsafeBufferPointer(rebasing: rule[2...])))
                } else {
                    rules.insert(FNVHash.hash(rule))
                }
            }
        }
        guard count > 0 else { throw EnrichError(path: path, "no rules in the Public Suffix List") }
        self.rules = rules
        self.wildcards = wildcards
        self.exceptions = exceptions
        ruleCount = count
    }

    /// Where the registered domain of `name` starts and where its first label ends, or nil when the name is itself a
    /// public suffix (or empty). A trailing dot is ignored.
    public func registeredDomain(in name: UnsafeBufferPointer<UInt8>) -> (start: Int, firstLabelEnd: Int)? {
        var end = name.count
        if end > 0, name[end - 1] == UInt8(ascii: ".") { end -= 1 }
        guard end > 0 else { return nil }
        var previous = -1
        var start = 0
        var suffixStart = -1
        while start < end {
            var next = start
            while next < end, name[next] != UInt8(ascii: ".") { next += 1 }
            next += 1  // the start of the following label, or past the end
            let hash = FNVHash.hash(UnsafeBufferPointer(rebasing: name[start..<end]))
            if exceptions.contains(hash) {
                // The exception's own leftmost label is the registrable part.
                return next <= end ? (start, next - 1) : nil
            }
            if rules.contains(hash) {
                suffixStart = start
                break
            }
            if next < end, wildcards.contains(FNVHash.hash(UnsafeBufferPointer(rebasing: name[next..<end]))) {
                suffixStart = start
                break
            }
            if next >= end {
                suffixStart = start  // the implicit `*` rule: the last label is a public suffix
                break
            }
            previous = start
            start = next
        }
        guard suffixStart > 0, previous >= 0 else { return nil }
        // `previous` is the label just before the suffix (the loop stopped at the first, longest, match).
        return (previous, suffixStart - 1)
    }

    /// The registered domain of `name` (`a.b.example.co.uk` → `example.co.uk`), or nil.
    public func registeredDomain(of name: String) -> String? {
        let bytes = Array(name.lowercased().utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let found = registeredDomain(in: buffer) else { return nil }
            var end = buffer.count
            if end > 0, buffer[end - 1] == UInt8(ascii: ".") { end -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[found.start..<end]), as: UTF8.self)
        }
    }
}
