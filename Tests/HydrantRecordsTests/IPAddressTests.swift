import Testing
@testable import HydrantRecords

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("fe80::0:0:1", "fe80::1"),
        ("::ffff:192.0.2.1", "::ffff:c000:201"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
    ])
    func parsesAndFormatsCanonically(input: String, canonical: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04x", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "12345::", "g::1", "1:2:3:4:5:6:7:"])
    func rejectsMalformedText(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func keepsFamiliesApart() throws {
        let v4 = try #require(IPAddress("0.0.0.1"))
        let v6 = try #require(IPAddress("::1"))
        #expect(v4 != v6)
        #expect(v4 < v6)
        #expect(v4.bytes == [0, 0, 0, 1])
        #expect(v6.bytes.count == 16)
    }

    /// IPv4 text built in place (`description`) is the text `appendText` writes: every octet value in every position,
    /// and 100,000 seeded addresses.
    @Test func ipv4DescriptionMatchesAppendText() {
        func check(_ value: UInt32) {
            let address = IPAddress(ipv4: value)
            var bytes: [UInt8] = []
            address.appendText(to: &bytes)
            #expect(address.description == String(decoding: bytes, as: UTF8.self), "\(value)")
        }
        for octet in UInt32(0)...255 {
            for shift in stride(from: 0, through: 24, by: 8) { check(octet << UInt32(shift) | 0x0102_0304 & ~(0xff << UInt32(shift))) }
        }
        var state: UInt64 = 0x1b4
        for _ in 0..<100_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            check(UInt32(truncatingIfNeeded: state >> 29))
        }
    }
}
