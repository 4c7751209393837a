import Foundation
import HydrantEnrich
import HydrantRecords
import Testing

@Suite struct DirectionTests {
    @Test func defaultHomeNetworks() throws {
        let home = try HomeNetworks()
        for inside in ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1", "169.254.1.1", "fd12::1",
                       "fe80::1", "::1", "::ffff:10.0.0.1"] {
            #expect(home.contains(IPAddress(inside)!), "\(inside)")
        }
        for outside in ["8.8.8.8", "172.32.0.1", "11.0.0.1", "2001:db8::1", "::ffff:8.8.8.8"] {
            #expect(!home.contains(IPAddress(outside)!), "\(outside)")
        }
    }

    @Test func allFourDirections() throws {
        let home = try HomeNetworks(["10.0.0.0/8", "2001:db8:a0a::/64"])
        let inside = IPAddress("10.10.1.1")!, insideV6 = IPAddress("2001:db8:a0a::5")!
        let outside = IPAddress("81.2.69.160")!, outsideV6 = IPAddress("2001:218::1")!
        #expect(home.direction(from: inside, to: IPAddress("10.0.0.53")!) == .internal)
        #expect(home.direction(from: inside, to: outside) == .outbound)
        #expect(home.direction(from: outside, to: inside) == .inbound)
        #expect(home.direction(from: outside, to: IPAddress("89.160.20.129")!) == .external)
        #expect(home.direction(from: insideV6, to: outsideV6) == .outbound)
        #expect(home.direction(from: outsideV6, to: insideV6) == .inbound)
        #expect(!home.contains(IPAddress("192.168.1.1")!), "only the configured blocks are home")
    }

    @Test func badHomeNetworkIsAnError() {
        #expect(throws: EnrichError.self) { try HomeNetworks(["10.0.0.0/8", "10.0.0.0/40"]) }
    }

    /// The `mixed` scenario (captures/README.md): clients in 10.10.0.0/16 and 2001:db8:a0a::/64 talk to internal
    /// servers in 10.0.0.0/16 and to external ones. With the client and server networks as home, client-initiated
    /// flows are internal or outbound, and both occur. Uses the replayed records of the package's own `hydrant`.
    @Test func scenarioCaptureDirections() throws {
        let binary = EnrichTestSupport.packageRoot.appendingPathComponent(".build/debug/hydrant")
        let capture = EnrichTestSupport.packageRoot.appendingPathComponent("captures/mixed-2k.pcap")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            Issue.record(Comment(rawValue: ".build/debug/hydrant not built; skipped"), severity: .warning)
            return
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["replay", capture.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count > 100)
        let (bytes, ends) = EnrichTestSupport.batch(lines)
        let resources = EnrichmentResources(homeNetworks: try HomeNetworks(["10.10.0.0/16", "10.0.0.0/16", "2001:db8:a0a::/64"]))
        let enricher = Enricher(resources: resources)
        let (out, outEnds) = enricher.enrich(bytes, ends: ends)
        let records = try EnrichTestSupport.parse(out, outEnds)
        var counts: [String: Int] = [:]
        for record in records {
            guard let source = EnrichTestSupport.value(record, "source.ip") as? String,
                  let destination = EnrichTestSupport.value(record, "destination.ip") as? String else { continue }
            let direction = EnrichTestSupport.value(record, "network.direction") as? String
            let clientSide = source.hasPrefix("10.10.") || source.hasPrefix("2001:db8:a0a:")
            let internalServer = destination.hasPrefix("10.0.") || destination.hasPrefix("10.10.")
                || destination.hasPrefix("2001:db8:a0a:")
            if clientSide {
                #expect(direction == (internalServer ? "internal" : "outbound"), "\(source) → \(destination)")
            }
            counts[direction ?? "none", default: 0] += 1
        }
        #expect(counts["internal", default: 0] > 0)
        #expect(counts["outbound", default: 0] > 0)
        #expect(counts["none"] == nil)
    }
}
