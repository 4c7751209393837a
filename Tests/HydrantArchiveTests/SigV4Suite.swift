import Foundation
import Testing
import HydrantArchive

/// The AWS SigV4 test suite in `../shared/conformance/sigv4` (beside the package root), and a reader for its raw
/// HTTP request files.
enum SigV4Suite {
    /// The package root: this file is `<root>/Tests/HydrantArchiveTests/SigV4Suite.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The suite folder, or nil when absent.
    static let folder: URL? = {
        let url = packageRoot.appendingPathComponent("../shared/conformance/sigv4").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// Records the warning tests give when the suite is absent.
    static func recordAbsent() {
        Issue.record(Comment(rawValue: "../shared/conformance/sigv4 absent; skipped"), severity: .warning)
    }

    /// The fixed parameters of PARAMETERS.md.
    static let accessKeyID = "AKIDEXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let region = "us-east-1"
    static let service = "service"
    static let requestTime = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    /// Every case, as its path relative to the suite folder (`get-vanilla`, `normalize-path/get-slash`, ...): a
    /// folder holding `<folder name>.req`.
    static let caseNames: [String] = {
        guard let folder else { return [] }
        var names: [String] = []
        func walk(_ url: URL, _ relative: String) {
            let children = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            for child in children.sorted() {
                let childURL = url.appendingPathComponent(child)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: childURL.path, isDirectory: &isDirectory),
                      isDirectory.boolValue else { continue }
                let childRelative = relative.isEmpty ? child : relative + "/" + child
                if FileManager.default.fileExists(atPath: childURL.appendingPathComponent(child + ".req").path) {
                    names.append(childRelative)
                }
                walk(childURL, childRelative)
            }
        }
        walk(folder, "")
        return names
    }()

    /// The text of `<case>/<case name>.<ext>`, or nil.
    static func file(_ caseName: String, _ ext: String) -> String? {
        guard let folder else { return nil }
        let base = caseName.split(separator: "/").last.map(String.init) ?? caseName
        let url = folder.appendingPathComponent(caseName).appendingPathComponent(base + "." + ext)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses a raw HTTP/1.1 request as the suite writes it: the request line's target is everything between the
    /// first and the last space (so `GET /example space/ HTTP/1.1` keeps its space), a line starting with
    /// whitespace continues the previous header's value (kept with its line break, for SigV4 to fold), duplicate
    /// headers are kept in order, and whatever follows the first empty line is the body.
    static func parseRequest(_ text: String) -> SigV4Request? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "), let lastSpace = requestLine.lastIndex(of: " "),
              firstSpace < lastSpace else { return nil }
        let method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        var headers: [SigV4Header] = []
        var bodyLines: [Substring]? = nil
        for (index, line) in lines.enumerated() {
            if line.isEmpty {
                bodyLines = Array(lines[(index + 1)...])
                break
            }
            if line.first == " " || line.first == "\t" {
                guard !headers.isEmpty else { return nil }
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append(SigV4Header(String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        let body = bodyLines.map { $0.joined(separator: "\n") } ?? ""
        return SigV4Request(method: method, target: target, headers: headers, payload: .bytes(Array(body.utf8)))
    }
}
