import CZstd
import Foundation
import HydrantArchive
import Testing

/// JSON lines like the archive's, repetitive enough to compress well.
private func jsonLines(_ count: Int) -> [UInt8] {
    var text = ""
    for index in 0..<count {
        text += #"{"event":{"dataset":"network.flow"},"source":{"ip":"10.0.\#(index % 256).\#(index % 7)","port":\#(1024 + index)},"#
            + #""destination":{"ip":"192.168.1.1","port":443},"network":{"bytes":\#(index * 37)}}"# + "\n"
    }
    return Array(text.utf8)
}

/// Runs `tool arguments` on the file holding `input` and returns its stdout; nil when the tool is absent.
private func runTool(_ tool: String, _ arguments: [String], input: [UInt8]) throws -> (status: Int32, output: [UInt8])? {
    guard let path = ["/usr/bin/", "/bin/", "/usr/local/bin/"].map({ $0 + tool })
        .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-compress-\(UUID().uuidString)").path
    defer {
        try? FileManager.default.removeItem(atPath: base + ".in")
        try? FileManager.default.removeItem(atPath: base + ".out")
    }
    try Data(input).write(to: URL(fileURLWithPath: base + ".in"))
    FileManager.default.createFile(atPath: base + ".out", contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments + [base + ".in"]
    process.standardOutput = FileHandle(forWritingAtPath: base + ".out")
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, [UInt8](FileManager.default.contents(atPath: base + ".out") ?? Data()))
}

@Suite("Object compression")
struct ObjectCompressorTests {
    @Test("none returns the body unchanged")
    func none() throws {
        let body = jsonLines(10)
        #expect(try ObjectCompressor.compress(body, as: .none) == body)
    }

    @Test("gzip output is a gzip file the gzip tool decompresses to the input", arguments: [0, 1, 5_000])
    func gzip(lines: Int) throws {
        let body = jsonLines(lines)
        let compressed = try ObjectCompressor.compress(body, as: .gzip)
        #expect(compressed.prefix(2) == [0x1F, 0x8B])
        if lines > 100 { #expect(compressed.count * 4 < body.count) }
        let result = try #require(try runTool("gzip", ["-dc"], input: compressed))
        #expect(result.status == 0)
        #expect(result.output == body)
    }

    @Test("zstd output decompresses with libzstd to the input", arguments: [0, 1, 5_000])
    func zstdLibrary(lines: Int) throws {
        let body = jsonLines(lines)
        let compressed = try ObjectCompressor.compress(body, as: .zstd)
        #expect(compressed.prefix(4) == [0x28, 0xB5, 0x2F, 0xFD])
        if lines > 100 { #expect(compressed.count * 4 < body.count) }
        let declared = compressed.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        #expect(declared == UInt64(body.count))
        var output = [UInt8](repeating: 0, count: body.count + 64)
        let capacity = output.count
        let written = output.withUnsafeMutableBytes { out in
            compressed.withUnsafeBytes { input in
                ZSTD_decompress(out.baseAddress, capacity, input.baseAddress, input.count)
            }
        }
        #expect(ZSTD_isError(written) == 0)
        #expect(Array(output.prefix(written)) == body)
    }

    @Test("zstd output is a zstd file the zstd tool decompresses to the input")
    func zstdTool() throws {
        let body = jsonLines(2_000)
        let compressed = try ObjectCompressor.compress(body, as: .zstd)
        guard let result = try runTool("zstd", ["-dc", "-q"], input: compressed) else {
            Issue.record(Comment(rawValue: "zstd command absent; skipped"), severity: .warning)
            return
        }
        #expect(result.status == 0)
        #expect(result.output == body)
    }

    @Test("file extensions follow the format")
    func extensions() {
        #expect(Compression.none.fileExtension == "")
        #expect(Compression.gzip.fileExtension == ".gz")
        #expect(Compression.zstd.fileExtension == ".zst")
    }
}
