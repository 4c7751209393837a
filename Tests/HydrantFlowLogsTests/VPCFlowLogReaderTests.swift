import Foundation
import HydrantFlowLogs
import HydrantRecords
import Testing

/// The file reader: headers, plain and gzip files, status counting, precise errors, bounded lines.
@Suite struct VPCFlowLogReaderTests {
    private func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vpcflow-\(UUID().uuidString)-\(name)").path
    }

    private let sample = """
        version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
        2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
        2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA
        2 123456789010 eni-1 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 MAYBE OK
        2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - SKIPDATA
        2 123456789010 eni-1 172.31.9.12 172.31.9.69 3389 49761 6 10 999 1418530010 1418530070 REJECT OK

        """

    private func readAll(_ path: String, format: VPCFlowLogFormat? = nil, strict: Bool = false) throws
        -> ([VPCFlowLogRecord], VPCFlowLogStatistics)
    {
        let reader = try VPCFlowLogReader(path: path, format: format, defaultTime: .zero, strict: strict)
        var all: [VPCFlowLogRecord] = []
        try reader.read(batchSize: 1) { all += $0 }
        return (all, reader.statistics)
    }

    @Test func plainFileCountsStatusLinesAndSkipsBadOnes() throws {
        let path = scratch("plain.log")
        try sample.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (records, stats) = try readAll(path)
        #expect(records.count == 2)
        #expect(stats.flows == 2 && stats.noData == 1 && stats.skipData == 1 && stats.headers == 1 && stats.errors == 1)
        #expect(records[1].outcome == "reject")
        let error = try #require(stats.firstErrors.first)
        #expect(error.line == 4)
        #expect(error.field == "action")
        #expect(error.description.contains("'MAYBE' is not one of ACCEPT, REJECT"))
        #expect(throws: VPCFlowLogError.self) { try readAll(path, strict: true) }
    }

    @Test func gzipFileReadsTheSame() throws {
        let plain = scratch("gz.log")
        try sample.write(toFile: plain, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        gzip.arguments = ["-f", plain]
        try gzip.run()
        gzip.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: plain + ".gz") }
        let (records, stats) = try readAll(plain + ".gz")
        #expect(records.count == 2 && stats.noData == 1)
        #expect(records[0].sourceIP == IPAddress("172.31.16.139"))
    }

    @Test func headerlessFileNeedsAFormat() throws {
        let path = scratch("headerless.log")
        try sample.split(separator: "\n").dropFirst().joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: VPCFlowLogError(source: path, line: 1, field: nil, reason: .noFormat)) { try readAll(path) }
        let (records, _) = try readAll(path, format: .default)
        #expect(records.count == 2)
    }

    @Test func overlongAndShortLinesAreErrorsNotCrashes() throws {
        let path = scratch("hostile.log")
        let long = String(repeating: "9", count: 200_000)
        try (sample + long + "\n2 1 eni 1.2.3.4\n2 1 e 1.1.1.1 2.2.2.2 99999 1 6 1 1 1 1 ACCEPT OK\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (records, stats) = try readAll(path)
        #expect(records.count == 2)
        #expect(stats.errors == 4)
        #expect(stats.firstErrors.contains { $0.reason == .lineTooLong(limit: 1 << 16) })
        #expect(stats.firstErrors.contains { $0.reason == .fieldCount(expected: 14, found: 4) })
        #expect(stats.firstErrors.contains { $0.field == "srcport" && $0.reason == .notAnInteger("99999", max: 65535) })
    }
}
