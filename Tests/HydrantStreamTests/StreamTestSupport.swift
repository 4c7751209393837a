import Foundation
import HydrantArchive
import HydrantRecords
import Testing
@testable import HydrantStream

/// A fresh directory under the system temporary directory, removed by `remove()`.
final class ScratchDirectory: @unchecked Sendable {
    let path: String

    init(_ label: String = "stream") throws {
        path = NSTemporaryDirectory() + "hydrant-\(label)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every regular, non-hidden file under `sub`, as paths relative to it, sorted.
    func files(under sub: String) -> [String] {
        let root = path + "/" + sub
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let name = (relative as NSString).lastPathComponent
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory),
               !isDirectory.boolValue, !name.hasPrefix(".") {
                found.append(relative)
            }
        }
        return found.sorted()
    }
}

/// A configuration with one stream `s` delivering to `<dir>/lake`, its log under `<dir>/storage`; `extra` is
/// added to the stream's mapping.
func streamConfiguration(in directory: ScratchDirectory, _ extra: String = "", name: String = "s") throws -> StreamConfiguration {
    let yaml = """
    storage: {dir: \(directory.path)/storage}
    streams:
      - name: \(name)
        destination:
          file: {root: \(directory.path)/lake}
    \(extra.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
    """
    return try load(yaml)
}

/// Opens the stream of `configuration` with a file destination.
func openStream(_ configuration: StreamConfiguration, backoff: BackoffSchedule = BackoffSchedule()) throws -> DeliveryStream {
    let stream = configuration.streams[0]
    guard case .file(let file) = stream.destination else { throw DeliveryStreamsError("not a file destination") }
    // FileObjectDestination creates the directories below its root, not the root itself.
    if !FileManager.default.fileExists(atPath: file.root) {
        try FileManager.default.createDirectory(atPath: file.root, withIntermediateDirectories: true)
    }
    return try DeliveryStream(configuration: stream, storageDirectory: configuration.storage.dir,
                              destination: FileObjectDestination(root: file.root), backoff: backoff)
}

/// A batch of `records`.
func batch(_ records: [String]) -> IngestBatch {
    var batch = IngestBatch()
    for record in records { batch.append(Array(record.utf8)) }
    return batch
}

/// The decompressed content of an object file, using the system's gzip and zstd tools.
func objectContent(_ path: String) throws -> String {
    let data: Data
    if path.hasSuffix(".gz") || path.hasSuffix(".zst") {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path.hasSuffix(".gz") ? "/usr/bin/gzip" : "/usr/bin/zstd")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DeliveryStreamsError("cannot decompress \(path)") }
    } else {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    }
    return String(decoding: data, as: UTF8.self)
}

/// Every line of every object under `<dir>/lake/<sub>`, by object path.
func objectLines(in directory: ScratchDirectory, under sub: String = "") throws -> [String: [String]] {
    var lines: [String: [String]] = [:]
    let base = sub.isEmpty ? "lake" : "lake/" + sub
    for file in directory.files(under: base) {
        let content = try objectContent(directory.path + "/" + base + "/" + file)
        lines[file] = content.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
    return lines
}

/// Runs `body` while `stream.run()` runs in a task; stops the stream gracefully afterwards.
func withRunningStream(_ stream: DeliveryStream, _ body: () async throws -> Void) async throws {
    let runner = Task { await stream.run() }
    do {
        try await body()
    } catch {
        stream.stop()
        await runner.value
        throw error
    }
    stream.stop()
    await runner.value
}

/// A JSON record with a dataset and an event time.
func record(_ index: Int, dataset: String = "network.flow", time: String = "2024-05-01T13:45:00Z",
            padTo size: Int = 0) -> String {
    let base = #"{"@timestamp":"\#(time)","event":{"dataset":"\#(dataset)"},"n":\#(index)"#
    let padding = size > base.count + 12 ? #","pad":""# + String(repeating: "x", count: size - base.count - 10) + "\"" : ""
    return base + padding + "}"
}
