import Foundation
import Synchronization
import HydrantRecords
@testable import HydrantCapture

/// Locates `../shared/conformance` beside the package root (the project convention); nil when it is absent, so
/// tests skip with a clear message.
enum SharedConformance {
    /// The package root: this file is `<root>/Tests/HydrantCaptureTests/Conformance/SharedConformance.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The conformance folder, or nil when absent.
    static let folder: URL? = {
        let url = packageRoot.appendingPathComponent("../shared/conformance").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// A file inside the conformance folder, or nil when the folder or the file is absent.
    static func file(_ relativePath: String) -> URL? {
        guard let url = folder?.appendingPathComponent(relativePath),
              FileManager.default.fileExists(atPath: url.path) else { return nil }
        return url
    }
}

/// Runs captures through the real libpcap source and capture engine, in-process.
enum CaptureHarness {
    /// The flow records and counters of one replay of `paths`, in order.
    static func replay(_ paths: [String], configuration: FlowTableConfiguration = FlowTableConfiguration())
        throws -> (records: [FlowRecord], statistics: CaptureStatistics) {
        let (records, statistics) = try replayAll(paths, configuration: configuration)
        return (records.flows, statistics)
    }

    /// The records of every dataset and the counters of one replay of `paths`, each dataset in order.
    static func replayAll(_ paths: [String], configuration: FlowTableConfiguration = FlowTableConfiguration(),
                          application: ApplicationConfiguration = ApplicationConfiguration())
        throws -> (records: CaptureRecords, statistics: CaptureStatistics) {
        let collected = Mutex(CaptureRecords())
        let engine = CaptureEngine(flows: configuration, application: application) { batch in
            collected.withLock { $0.append(contentsOf: batch) }
        }
        for path in paths {
            let source = try PcapSource.openFile(path)
            while case .frame(let frame) = try source.next() {
                engine.process(frame, linkType: source.linkType)
            }
        }
        engine.finish()
        return (collected.withLock { $0 }, engine.statistics)
    }

    /// Calls `body` with every packet the decoder turns out of `path`.
    static func forEachPacket(in path: String, _ body: (DecodedPacket) -> Void) throws {
        let source = try PcapSource.openFile(path)
        var decoder = PacketDecoder()
        var packet = DecodedPacket()
        while case .frame(let frame) = try source.next() {
            if decoder.decode(frame.bytes, linkType: source.linkType, timestamp: frame.timestamp, wireLength: frame.wireLength, into: &packet) == .packet {
                body(packet)
            }
        }
    }

    /// Decompresses a `.gz` file into a temporary file with the system's gzip (libpcap cannot read gzip).
    static func gunzip(_ url: URL) throws -> URL {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-\(UUID().uuidString)-\(url.deletingPathExtension().lastPathComponent)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", url.path]
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        return output
    }
}
