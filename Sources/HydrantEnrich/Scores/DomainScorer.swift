import HydrantRecords

/// Scores a DNS name for rules: the Shannon entropy and the bigram surprise of its registered domain's first label
/// (`dns.question.entropy`, `dns.question.dga_score`): for `x7f3kq9a.example-cdn.co.uk` that label is
/// `example-cdn`; for `kq3v0x7zq1.com` it is `kq3v0x7zq1`.
public struct DomainScorer: Sendable {
    /// The `dns.question.dga_score` at and above which a name looks generated, with the false-positive rate
    /// measured in docs/enrichment.md (bits of surprise per character transition).
    public static let suggestedThreshold = 5.3

    /// Finds registered domains.
    public let suffixList: PublicSuffixList
    /// Scores labels.
    public let model: BigramModel

    /// A scorer over `suffixList` and `model`.
    public init(suffixList: PublicSuffixList, model: BigramModel = .standard) {
        self.suffixList = suffixList
        self.model = model
    }

    /// The scores of a name, or nil when it has no registered domain (it is a public suffix, or empty).
    @inline(__always)
    public func scores(_ name: UnsafeBufferPointer<UInt8>) -> (entropy: Double, dgaScore: Double)? {
        guard let found = suffixList.registeredDomain(in: name), found.firstLabelEnd > found.start else { return nil }
        let label = UnsafeBufferPointer(rebasing: name[found.start..<found.firstLabelEnd])
        return (ShannonEntropy.bits(label), model.score(label))
    }

    /// The scores of a name given as a string.
    public func scores(for name: String) -> (entropy: Double, dgaScore: Double)? {
        let bytes = Array(name.lowercased().utf8)
        return bytes.withUnsafeBufferPointer { scores($0) }
    }
}
