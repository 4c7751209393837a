#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Public Suffix List (publicsuffix.org; Debian's `publicsuffix` package installs it at
/// `/usr/share/publicsuffix/public_suffix_list.dat`), for finding a name's registered domain: the public suffix
/// plus one label (`www.bbc.co.uk` → `bbc.co.uk`).
///
/// Normal, wildcard (`*.ck`) and exception (`!www.ck`) rules from both the ICANN and the private sections are
/// used; the longest matching rule wins and exceptions beat wildcards, as the list's algorithm says. Rules are kept
/// as 64-bit hashes so a lookup neither allocates nor compares strings. Names are matched as written (lower-cased
/// ASCII); the list's Unicode rules therefore match only names written in Unicode, not their `xn--` forms.
///
/// It lives in HydrantRecords so that both the capture pipeline (`dns.question.registered_domain`) and the
/// enrichment stage (domain scores) can use it.
public struct PublicSuffixList: Sendable {
    /// Where Debian installs the list.
    public static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// The list at `debianPath`, read once on first use; nil when it is absent or unreadable (then the fields
    /// computed from it are absent).
    public static let system: PublicSuffixList? = try? PublicSuffixList()

    private let rules: Set<UInt64>
    private let wildcards: Set<UInt64>
    private let exceptions: Set<UInt64>

    /// The number of rules read.
    public let ruleCount: Int

    /// Reads the list at `path` (the Debian location by default).
    public init(path: String = PublicSuffixList.debianPath) throws(PublicSuffixListError) {
        try self.init(contents: PublicSuffixList.readFile(path), source: path)
    }

    /// Parses the list from the bytes of its text; `source` names it in errors.
    public init(contents bytes: [UInt8], source: String = "public suffix list") throws(PublicSuffixListError) {
        var rules = Set<UInt64>()
        var wildcards = Set<UInt64>()
        var exceptions = Set<UInt64>()
        var count = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var lower = start
            var upper = end
            while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
            while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 || bytes[upper - 1] == 0x0D {
                upper -= 1
            }
            start = end + 1
            // Comments start with `//`; a rule ends at the first whitespace.
            if lower == upper || (upper - lower >= 2 && bytes[lower] == 0x2F && bytes[lower + 1] == 0x2F) { continue }
            var stop = lower
            while stop < upper, bytes[stop] != 0x20, bytes[stop] != 0x09 { stop += 1 }
            count += 1
            bytes.withUnsafeBufferPointer { all in
                let rule = UnsafeBufferPointer(rebasing: all[lower..<stop])
                if rule.first == UInt8(ascii: "!") {
                    exceptions.insert(PublicSuffixList.hash(UnsafeBufferPointer(rebasing: rule[1...])))
                } else if rule.count > 2, rule[0] == UInt8(ascii: "*"), rule[1] == UInt8(ascii: ".") {
                    wildcards.insert(PublicSuffixList.hash(UnsafeBufferPointer(rebasing: rule[2...])))
                } else {
                    rules.insert(PublicSuffixList.hash(rule))
                }
            }
        }
        guard count > 0 else {
            throw PublicSuffixListError(source: source, message: "no rules in the Public Suffix List")
        }
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
            let hash = PublicSuffixList.hash(UnsafeBufferPointer(rebasing: name[start..<end]))
            if exceptions.contains(hash) {
                // The exception's own leftmost label is the registrable part.
                return next <= end ? (start, next - 1) : nil
            }
            if rules.contains(hash) {
                suffixStart = start
                break
            }
            if next < end, wildcards.contains(PublicSuffixList.hash(UnsafeBufferPointer(rebasing: name[next..<end]))) {
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
        split(name)?.registeredDomain
    }

    /// `name` split at its registered domain: `a.b.example.co.uk` → (`example.co.uk`, `a.b`); the subdomain is nil
    /// when the name is the registered domain itself. Nil when the name has no registered domain (it is a public
    /// suffix, or empty). The parts are lower-cased ASCII, without a trailing dot.
    public func split(_ name: String) -> (registeredDomain: String, subdomain: String?)? {
        var bytes = Array(name.utf8)
        for i in bytes.indices where bytes[i] &- 0x41 < 26 { bytes[i] |= 0x20 }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let found = registeredDomain(in: buffer) else { return nil }
            let domain = String(decoding: UnsafeBufferPointer(rebasing: buffer[found.start...]), as: UTF8.self)
            // A subdomain needs at least one byte before the dot that precedes the registered domain.
            let subdomain = found.start >= 2
                ? String(decoding: UnsafeBufferPointer(rebasing: buffer[..<(found.start - 1)]), as: UTF8.self) : nil
            return (domain, subdomain)
        }
    }

    /// 64-bit FNV-1a over bytes, lower-casing ASCII letters, so rules and names hash alike whatever their case.
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            let folded = byte &- 0x41 < 26 ? byte | 0x20 : byte
            value = (value ^ UInt64(folded)) &* 0x0000_0100_0000_01b3
        }
        return value
    }

    /// The whole file at `path`; at most 64 MiB (the list is about 250 KB), so a wrong path cannot exhaust memory.
    private static func readFile(_ path: String) throws(PublicSuffixListError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw PublicSuffixListError(source: path, message: "cannot be opened (errno \(errno))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PublicSuffixListError(source: path, message: "cannot be read (errno \(errno))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= 64 << 20 else {
                throw PublicSuffixListError(source: path, message: "larger than 64 MiB; not a Public Suffix List")
            }
        }
        return bytes
    }
}
