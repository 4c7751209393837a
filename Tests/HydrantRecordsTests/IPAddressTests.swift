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
}
