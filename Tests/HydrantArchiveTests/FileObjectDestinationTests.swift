import Foundation
import HydrantArchive
import Testing

/// A fresh directory under the system's temporary directory, removed by the caller.
private func scratchDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("hydrant-file-destination-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every file under `root`, hidden ones included, as paths relative to it, sorted.
private func filesUnder(_ root: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    var files: [String] = []
    while let relative = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
            files.append(relative)
        }
    }
    return files.sorted()
}

@Suite("File destination")
struct FileObjectDestinationTests {
    @Test("an object is written whole under its key, nested directories created, no temporary file left")
    func nestedWrite() async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let destination = FileObjectDestination(root: root)
        let body = Array((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let key = try ObjectKey("network.flow/dt=2024-05-01/hour=13/network-1-2024-05-01-13-00-00-x.json.gz")
        try await destination.put(key: key, body: body)
        let stored = FileManager.default.contents(atPath: root + "/" + key.text)
        #expect(stored.map { [UInt8]($0) } == body)
        #expect(filesUnder(root) == [key.text])
    }

    @Test("objects of any length, in one slice or several, on and off block boundaries, are stored byte for byte",
          arguments: [1, 4095, 4096, 4097, FileObjectDestination.syncSlice, 5 * FileObjectDestination.syncSlice + 3])
    func slicedWrite(size: Int) async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let destination = FileObjectDestination(root: root)
        let body = Array((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) })
        let key = try ObjectKey("big/object.json")
        try await destination.put(key: key, body: body)
        let stored = FileManager.default.contents(atPath: root + "/" + key.text)
        #expect(stored?.count == size)
        #expect(stored.map { [UInt8]($0) } == body)
        #expect(filesUnder(root) == [key.text])
    }

    @Test("a root that does not exist yet is created on the first put, as documented")
    func missingRoot() async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let destination = FileObjectDestination(root: root + "/lake/archive")
        let key = try ObjectKey("a/b.json")
        try await destination.put(key: key, body: Array("x".utf8))
        #expect(FileManager.default.contents(atPath: root + "/lake/archive/a/b.json") == Data("x".utf8))
    }

    @Test("a second put under the same key replaces the file")
    func replace() async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let destination = FileObjectDestination(root: root)
        let key = try ObjectKey("a/b.json")
        try await destination.put(key: key, body: Array("a much longer first body".utf8))
        try await destination.put(key: key, body: Array("second".utf8))
        #expect(FileManager.default.contents(atPath: root + "/a/b.json") == Data("second".utf8))
        #expect(filesUnder(root) == ["a/b.json"])
    }

    @Test("concurrent puts into one directory all land")
    func concurrent() async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let destination = FileObjectDestination(root: root)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<32 {
                group.addTask {
                    try await destination.put(key: try ObjectKey("same/dir/object-\(index).json"),
                                              body: Array("object \(index)".utf8))
                }
            }
            try await group.waitForAll()
        }
        let files = filesUnder(root)
        #expect(files.count == 32)
        for index in 0..<32 {
            #expect(FileManager.default.contents(atPath: root + "/same/dir/object-\(index).json")
                == Data("object \(index)".utf8))
        }
    }

    @Test("a relative root is made absolute and named in the description")
    func relativeRoot() {
        let destination = FileObjectDestination(root: "lake/../lake2")
        #expect(destination.root.hasPrefix("/"))
        #expect(destination.root.hasSuffix("/lake2"))
        #expect(!destination.root.contains(".."))
        #expect(destination.description == "file:" + destination.root)
    }

    @Test("a root that cannot be created is an I/O error naming the path, and nothing is written")
    func unwritableRoot() async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A regular file where a directory is needed: refused even for root, unlike permission bits.
        #expect(FileManager.default.createFile(atPath: root + "/file", contents: Data("x".utf8)))
        let destination = FileObjectDestination(root: root + "/file/lake")
        let error = await #expect(throws: DestinationError.self) {
            try await destination.put(key: try ObjectKey("a/b.json"), body: Array("x".utf8))
        }
        #expect(error?.kind == .io)
        #expect(error?.message.contains(root + "/file/lake") == true)
        #expect(filesUnder(root) == ["file"])
    }

    @Test("an existing file where the key needs a directory is an I/O error")
    func fileInTheWay() async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let destination = FileObjectDestination(root: root)
        try await destination.put(key: try ObjectKey("a"), body: Array("x".utf8))
        let error = await #expect(throws: DestinationError.self) {
            try await destination.put(key: try ObjectKey("a/b.json"), body: Array("y".utf8))
        }
        #expect(error?.kind == .io)
    }
}

@Suite("Object keys")
struct ObjectKeyTests {
    @Test("keys that could leave the root or are not S3 keys are refused as invalid",
          arguments: ["", "/etc/passwd", "../x", "a/../../b", "a/./b", "a//b", "a/", ".", "..", "a/..",
                      "a\u{0}b", "a\nb", "a\u{7F}b", String(repeating: "k", count: 1025)])
    func refused(text: String) {
        let error = #expect(throws: DestinationError.self) { try ObjectKey(text) }
        #expect(error?.kind == .invalidKey)
    }

    @Test("ordinary keys are kept as given, split at slashes",
          arguments: ["a", "a/b/c.json", "dt=2024-05-01/hour=13/x.json.gz", "with space/ü/..x/x..",
                      String(repeating: "k", count: 1024)])
    func accepted(text: String) throws {
        let key = try ObjectKey(text)
        #expect(key.text == text)
        #expect(key.components.joined(separator: "/") == text)
    }
}
