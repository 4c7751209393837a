/// Bounds of the decoder's IP fragment reassembly; all times are packet time.
///
/// Together the bounds cap reassembly memory at about `maximumDatagramsInFlight × maximumDatagramLength`
/// (64 MiB with the defaults), whatever the traffic does.
public struct PacketDecoderConfiguration: Sendable, Equatable {
    /// At most this many datagrams are reassembled at once; a fragment of another one is dropped as
    /// `fragment_table_full` (default 1024; at least 1).
    public var maximumDatagramsInFlight: Int = 1024
    /// Largest reassembled datagram in bytes, IP header included; a fragment reaching past it is a
    /// `bad_fragment` (default and upper limit 65,535, the most an IP length field can state).
    public var maximumDatagramLength: Int = 65_535
    /// An incomplete datagram is discarded this long after its first fragment arrived, counted as
    /// `fragment_timeout` (default 30 s, in nanoseconds).
    public var fragmentTimeout: Int64 = 30 * 1_000_000_000

    /// The defaults.
    public init() {}

    /// The configuration with every bound clamped into its meaningful range, so a decoder never runs unbounded.
    var clamped: PacketDecoderConfiguration {
        var result = self
        result.maximumDatagramsInFlight = max(1, maximumDatagramsInFlight)
        result.maximumDatagramLength = min(65_535, max(IPv4.minimumHeaderLength + 8, maximumDatagramLength))
        result.fragmentTimeout = max(0, fragmentTimeout)
        return result
    }
}
