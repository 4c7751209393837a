import Foundation
import HydrantEnrich
import HydrantRecords
import Testing

/// MaxMind's test databases (`../shared/conformance/mmdb`): the first address of every network in the source data
/// gives the recorded country, city and AS; broken databases are rejected or answered without a crash.
@Suite struct GeoIPConformanceTests {
    /// The networks of a source-data file with their records.
    private func sourceData(_ name: String, in folder: URL) throws -> [(network: String, record: [String: Any])] {
        let data = try Data(contentsOf: folder.appendingPathComponent("source-data/\(name).json"))
        guard let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw TestFailure("\(name).json is not a list of objects")
        }
        return list.flatMap { entry in entry.compactMap { key, value in (value as? [String: Any]).map { (key, $0) } } }
    }

    private func firstAddress(_ network: String) -> IPAddress? {
        IPPrefix(network)?.address
    }

    private func check(database name: String, expect: (GeoIPRecord?, [String: Any], String) -> Void) throws {
        guard let folder = EnrichTestSupport.mmdbFolder else {
            EnrichTestSupport.recordMMDBAbsent()
            return
        }
        let database = try GeoIPDatabase(path: folder.appendingPathComponent("test-data/\(name).mmdb").path)
        let networks = try sourceData(name, in: folder)
        #expect(networks.count > 100)
        var compared = 0
        for (network, record) in networks {
            guard let prefix = IPPrefix(network) else {
                Issue.record("cannot parse network \(network)")
                continue
            }
            // A network written as IPv4-mapped IPv6 is stored under the IPv4 prefix; look both forms up alike.
            let found = database.lookup(prefix.address)
            if isReserved(prefix.address) {
                #expect(found == nil, "\(network) is reserved and must not be looked up")
                continue
            }
            expect(found, record, network)
            compared += 1
        }
        #expect(compared > 100)
    }

    private func isReserved(_ address: IPAddress) -> Bool {
        ["10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
         "0.0.0.0/8", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
         "198.18.0.0/15", "192.0.0.0/24", "::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10",
         "ff00::/8"].contains { IPPrefix($0)?.contains(address) == true }
    }

    @Test func cityDatabaseGivesRecordedCountryAndCity() throws {
        try check(database: "GeoLite2-City-Test") { found, record, network in
            let country = (record["country"] as? [String: Any])?["iso_code"] as? String
            let city = ((record["city"] as? [String: Any])?["names"] as? [String: Any])?["en"] as? String
            #expect(found?.countryISOCode == country, "\(network) country")
            #expect(found?.cityName == city, "\(network) city")
        }
    }

    @Test func countryDatabaseGivesRecordedCountry() throws {
        try check(database: "GeoIP2-Country-Test") { found, record, network in
            let country = (record["country"] as? [String: Any])?["iso_code"] as? String
            #expect(found?.countryISOCode == country, "\(network) country")
            #expect(found?.cityName == nil, "\(network) has no city in a Country database")
        }
    }

    @Test func asnDatabaseGivesRecordedNumberAndOrganisation() throws {
        try check(database: "GeoLite2-ASN-Test") { found, record, network in
            let number = (record["autonomous_system_number"] as? NSNumber)?.uint32Value
            let organization = record["autonomous_system_organization"] as? String
            #expect(found?.asNumber == number, "\(network) AS number")
            #expect(found?.asOrganization == organization, "\(network) AS organisation")
        }
    }

    @Test func privateAndReservedAddressesAreNeverLookedUp() throws {
        guard let folder = EnrichTestSupport.mmdbFolder else { return EnrichTestSupport.recordMMDBAbsent() }
        let database = try GeoIPDatabase(path: folder.appendingPathComponent("test-data/GeoLite2-City-Test.mmdb").path)
        #expect(database.lookup(IPAddress("81.2.69.160")!)?.countryISOCode == "GB")
        for text in ["10.1.2.3", "192.168.0.1", "127.0.0.1", "fe80::1", "fd00::1", "::1", "224.0.0.251"] {
            #expect(database.lookup(IPAddress(text)!) == nil, "\(text)")
        }
        // The IPv4-mapped spelling of a public address is the same address.
        #expect(database.lookup(IPAddress("::ffff:81.2.69.160")!)?.countryISOCode == "GB")
    }

    @Test func missingDatabaseIsATypedErrorNamingThePath() {
        do {
            _ = try GeoIPDatabase(path: "/nonexistent/GeoLite2-City.mmdb")
            Issue.record("opened a missing database")
        } catch {
            #expect(error.path == "/nonexistent/GeoLite2-City.mmdb")
            #expect(error.description.contains("/nonexistent/GeoLite2-City.mmdb"))
            #expect(!error.reason.isEmpty)
        }
    }

    @Test func nonDatabaseFileIsRejected() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try EnrichTestSupport.write("not a maxmind database\n", to: "fake.mmdb", in: directory)
        #expect(throws: GeoIPError.self) { try GeoIPDatabase(path: path) }
    }

    @Test func everyBadDatabaseIsRejectedOrAnsweredWithoutCrashing() throws {
        guard let folder = EnrichTestSupport.mmdbFolder else { return EnrichTestSupport.recordMMDBAbsent() }
        let bad = folder.appendingPathComponent("bad-data")
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: bad.path)
        while let item = enumerator?.nextObject() as? String {
            if item.hasSuffix(".mmdb") { files.append(bad.appendingPathComponent(item).path) }
        }
        for item in ["MaxMind-DB-test-broken-pointers-24", "MaxMind-DB-test-broken-search-tree-24",
                     "GeoIP2-City-Test-Broken-Double-Format", "GeoIP2-City-Test-Invalid-Node-Count"] {
            files.append(folder.appendingPathComponent("test-data/\(item).mmdb").path)
        }
        #expect(files.count >= 20)
        var rejected = 0
        let probes = ["1.1.1.1", "1.1.1.32", "81.2.69.160", "2001:218::1", "::1.1.1.1", "89.160.20.129", "255.255.255.254",
                      "2c0f:ff00::1"].compactMap(IPAddress.init)
        for path in files {
            do {
                let database = try GeoIPDatabase(path: path)
                for probe in probes { _ = database.lookup(probe) }
            } catch {
                rejected += 1
                #expect(error.path == path)
            }
        }
        #expect(rejected > 0)
    }
}
