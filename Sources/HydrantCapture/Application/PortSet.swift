/// A set of ports as a map of 65,536 bits: membership is one load and a mask, where `Set<UInt16>.contains` hashes the
/// port. The decoding thread asks it for every UDP datagram (is its payload wanted?) and the parsers again for every
/// datagram and new TCP connection.
struct PortSet: Sendable {
    /// Bit `port % 64` of word `port / 64` is set for each member.
    private let words: [UInt64]

    /// The set of `ports`.
    init(_ ports: Set<UInt16>) {
        var words = [UInt64](repeating: 0, count: 1024)
        for port in ports { words[Int(port >> 6)] |= 1 << UInt64(port & 63) }
        self.words = words
    }

    /// Whether `port` is a member.
    @inline(__always)
    func contains(_ port: UInt16) -> Bool {
        words.withUnsafeBufferPointer { $0[Int(port >> 6)] } & (1 << UInt64(port & 63)) != 0
    }
}
