import HydrantRecords

/// An `IPNetwork` as masks over the two halves of an `IPAddress`: testing an address is two ANDs and three
/// compares in line. `IPNetwork.contains` builds the masked address in a call per test, and a flow record is tested
/// against a whole list of private ranges (`not internal`) on every TCP or UDP flow.
struct CIDRMask: Sendable {
    /// The network's address halves (host bits zero).
    let high: UInt64
    let low: UInt64
    /// The prefix as masks over `IPAddress.high` and `IPAddress.low`.
    let maskHigh: UInt64
    let maskLow: UInt64
    let isIPv6: Bool

    /// A mask that holds for no address (a placeholder for atoms that are not CIDR tests).
    static let never = CIDRMask(high: 0, low: 1, maskHigh: 0, maskLow: 0, isIPv6: false)

    private init(high: UInt64, low: UInt64, maskHigh: UInt64, maskLow: UInt64, isIPv6: Bool) {
        self.high = high
        self.low = low
        self.maskHigh = maskHigh
        self.maskLow = maskLow
        self.isIPv6 = isIPv6
    }

    /// The masks of `network`; `contains` then answers as `network.contains` does for every address.
    init(_ network: IPNetwork) {
        let length = network.prefixLength
        if network.address.isIPv6 {
            maskHigh = length >= 64 ? ~0 : (length <= 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
            maskLow = length <= 64 ? 0 : (length >= 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
        } else {
            // `IPNetwork` reads only the low 32 bits of an IPv4 address: the mask clears the rest.
            maskHigh = 0
            maskLow = length <= 0 ? 0 : UInt64(~UInt32(0) << UInt32(min(32, 32 - length)))
        }
        high = network.address.high & maskHigh
        low = network.address.low & maskLow
        isIPv6 = network.address.isIPv6
    }

    /// Whether `address` is inside the network (an IPv4 address never is inside an IPv6 network, and back).
    @inline(__always)
    func contains(_ address: IPAddress) -> Bool {
        address.isIPv6 == isIPv6 && address.high & maskHigh == high && address.low & maskLow == low
    }
}
