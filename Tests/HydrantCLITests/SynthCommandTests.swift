import Foundation
import Testing

/// `hydrant synth` as a user runs it: the built binary, its exit codes and messages.
@Suite struct SynthCommandTests {
    /// `.build/debug/hydrant` (or the release build), next to this package.
    static let binary: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for configuration in ["debug", "release"] {
            let path = root.appendingPathComponent(".build/\(configuration)/hydrant").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary ?? "/nonexistent")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-cli-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
    }

    @Test(.enabled(if: binary != nil, "the hydrant binary is not built (swift build)"))
    func unknownScenarioIsAUsageErrorListingAllowedValues() throws {
        let result = try Self.run(["synth", "--scenario", "bogus", "-o", Self.temporaryPath("bogus.pcap")])
        #expect(result.status == 2)
        #expect(result.output.contains("unknown scenario 'bogus'"))
        #expect(result.output.contains("allowed values: mixed"))
    }

    @Test(.enabled(if: binary != nil, "the hydrant binary is not built (swift build)"))
    func helpShowsAnExample() throws {
        let result = try Self.run(["synth", "--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("hydrant synth --scenario mixed --packets 2000 --seed 1"))
    }

    @Test(.enabled(if: binary != nil, "the hydrant binary is not built (swift build)"))
    func writesTheSameFileTwice() throws {
        let first = Self.temporaryPath("a.pcap")
        let second = Self.temporaryPath("b.pcap")
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        for path in [first, second] {
            let result = try Self.run(["synth", "--scenario", "mixed", "--packets", "500", "--seed", "3", "-o", path])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("wrote 500 packets"))
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: first))
        let b = try Data(contentsOf: URL(fileURLWithPath: second))
        #expect(a.count > 24)
        #expect(a == b)
    }

    @Test(.enabled(if: binary != nil, "the hydrant binary is not built (swift build)"))
    func unwritableOutputIsARuntimeFailure() throws {
        let result = try Self.run(["synth", "--packets", "10", "-o", "/nonexistent-directory/x.pcap"])
        #expect(result.status == 1)
        #expect(result.output.contains("cannot create /nonexistent-directory/x.pcap"))
    }
}
