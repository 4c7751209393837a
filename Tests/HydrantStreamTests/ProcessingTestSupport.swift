import Foundation
import HydrantTestSupport
import Testing
@testable import HydrantStream

/// A Python `http.server` started by a test: `/transform` answers Firehose's transformation contract (records whose
/// data contains `drop` are Dropped, `fail` ProcessingFailed, the others Ok with `"transformed":true` added and a
/// partition key), `/malformed` answers non-JSON, `/slow` answers after 3 s, `/error` answers 500, `/hook`
/// accepts webhooks and `/forbidden` refuses them (403). Every request's path, headers and body are appended to `requests.jsonl`.
final class TestReceiver: @unchecked Sendable {
    let port: Int
    let requestsPath: String
    private let process: ServiceProcess

    static let script = #"""
import base64, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, log = int(sys.argv[1]), sys.argv[2]

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(log, "a") as out:
            out.write(json.dumps({"path": self.path, "headers": dict(self.headers), "body": body.decode()}) + "\n")
        if self.path == "/slow":
            time.sleep(3)
        if self.path == "/error":
            return self.answer(500, b"broken")
        if self.path == "/malformed":
            return self.answer(200, b"this is not json")
        if self.path == "/hook":
            return self.answer(200, b"ok")
        if self.path == "/forbidden":
            return self.answer(403, b"no entry")
        request = json.loads(body)
        records = []
        for record in request["records"]:
            data = base64.b64decode(record["data"]).decode()
            if "drop" in data:
                records.append({"recordId": record["recordId"], "result": "Dropped", "data": ""})
            elif "fail" in data:
                records.append({"recordId": record["recordId"], "result": "ProcessingFailed", "data": record["data"]})
            else:
                obj = json.loads(data)
                obj["transformed"] = True
                out = base64.b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()
                records.append({"recordId": record["recordId"], "result": "Ok", "data": out,
                                "metadata": {"partitionKeys": {"team": "blue"}}})
        self.answer(200, json.dumps({"records": records}).encode())

    def answer(self, status, payload):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""#

    init(in directory: ScratchDirectory) throws {
        port = FreePort.pick()
        requestsPath = directory.path + "/requests.jsonl"
        let scriptPath = directory.path + "/receiver.py"
        try Data(Self.script.utf8).write(to: URL(fileURLWithPath: scriptPath))
        process = try ServiceProcess(executable: "/usr/bin/env", arguments: ["python3", scriptPath, "\(port)", requestsPath],
                                     logPath: directory.path + "/receiver.log")
        let port = self.port
        try process.waitUntilReady(timeout: 20, what: "python receiver") { FreePort.isListening(port) }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// The requests received so far.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: requestsPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func stop() { _ = process.stop() }
}

/// The conformance MaxMind test databases, located from this file; nil (with a warning) when absent.
func conformanceDatabase(_ name: String) -> String? {
    let path = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/mmdb/test-data/\(name)").path
    let fallback = "/work/shared/conformance/mmdb/test-data/\(name)"
    for candidate in [path, fallback] where FileManager.default.fileExists(atPath: candidate) { return candidate }
    print("warning: \(name) not found under shared/conformance/mmdb; skipping the GeoIP part of this test")
    return nil
}

/// Every archived JSON line under `lake/<sub>`, parsed.
func archivedObjects(in directory: ScratchDirectory, under sub: String) throws -> [[String: Any]] {
    try objectLines(in: directory, under: sub).values.flatMap { $0 }.compactMap {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
}

/// Reads a dotted path from parsed JSON.
func value(_ object: [String: Any], _ path: String) -> Any? {
    var current: Any? = object
    for part in path.split(separator: ".") { current = (current as? [String: Any])?[String(part)] }
    return current
}
