import Foundation
import Testing
@testable import HydrantCapture

/// pcapng files of hadrielk/pcapng-test-generator (both byte orders) and gopacket: each is either read with the
/// packet count its `.txt` documents, or rejected with libpcap's reason. Which one is decided here, per file.
///
/// libpcap (and so Hydrant) refuses a pcapng section whose interfaces differ in link type or snapshot length,
/// because it presents one link type per capture; those files are expected to fail with that reason, naming the
/// file. Hydrant reports them and goes on with the next file (`hydrant replay` then exits 1).
@Suite struct PcapngConformanceTests {
    /// Files libpcap rejects, with the reason it must give. Every other file must read completely.
    private static let otherLinkType = "different from the type of the first interface"
    private static let otherSnapLength = "different from the snapshot length of the first interface"
    private static let noInterface = "no Interface Description Blocks"

    /// Files libpcap rejects, with the reason it must give. Every other file must read completely.
    private static let rejected: [String: String] = [
        "basic/test002": noInterface,         // only a section header: no link type to report
        "basic/test017": noInterface,         // only SHB and custom blocks
        "basic/test004": otherSnapLength,     // two IDBs, same link type, different snaplen
        "basic/test005": otherSnapLength,
        "basic/test008": otherSnapLength,
        "difficult/test200": otherSnapLength, // repeated sections whose IDBs differ in snaplen
        "basic/test006": otherLinkType,       // two link types in one section
        "basic/test014": otherLinkType,
        "advanced/test100": otherLinkType,
        "advanced/test101": otherLinkType,
        "advanced/test102": otherLinkType,
        "difficult/test201": otherLinkType,
        "difficult/test202": otherLinkType,
    ]

    private static func packetCount(documentedIn text: String) -> Int {
        // The `.txt` lists block counts; packets are Enhanced, Simple and (obsolete) Packet blocks.
        text.split(separator: "\n").reduce(0) { total, line in
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard parts.count == 2, ["EPB", "SPB", "PB"].contains(String(parts[0])),
                  let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else { return total }
            return total + n
        }
    }

    /// Reads a file to its end; the frame count, or the error libpcap gave.
    private static func read(_ path: String) -> (frames: Int, error: CaptureError?) {
        var frames = 0
        do {
            let source = try PcapSource.openFile(path)
            while case .frame = try source.next() { frames += 1 }
            return (frames, nil)
        } catch {
            return (frames, error)
        }
    }

    @Test(arguments: ["output_le", "output_be"])
    func generatorFilesAreReadOrRejectedAsDecided(byteOrder: String) throws {
        guard let folder = SharedConformance.file("pcapng/\(byteOrder)") else {
            Issue.record(Comment(rawValue: "../shared/conformance/pcapng is absent; skipped"), severity: .warning)
            return
        }
        var checked = 0
        for category in ["basic", "advanced", "difficult"] {
            let directory = folder.appendingPathComponent(category)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".pcapng") }
            for name in names.sorted() {
                let stem = String(name.dropLast(".pcapng".count))
                let key = "\(category)/\(stem)"
                let text = try String(contentsOf: directory.appendingPathComponent(stem + ".txt"), encoding: .utf8)
                let expected = Self.packetCount(documentedIn: text)
                let path = directory.appendingPathComponent(name).path
                let (frames, error) = Self.read(path)
                if let reason = Self.rejected[key] {
                    let message = error?.description ?? ""
                    #expect(message.contains(reason), "\(key) should be rejected for '\(reason)', got \(error.map { "\($0)" } ?? "\(frames) packets")")
                    #expect(message.contains(path), "the error names the file: \(message)")
                } else {
                    #expect(error == nil, "\(key): \(error.map { "\($0)" } ?? "")")
                    #expect(frames == expected, "\(key): read \(frames) packets, its .txt documents \(expected)")
                }
                checked += 1
            }
        }
        #expect(checked == 24)
    }

    @Test func gopacketInvalidFileIsRejectedAndValidOneRead() throws {
        guard let folder = SharedConformance.file("pcapng/gopacket/pcapgo/tests") else {
            Issue.record(Comment(rawValue: "../shared/conformance/pcapng/gopacket is absent; skipped"), severity: .warning)
            return
        }
        for byteOrder in ["le", "be"] {
            let invalid = Self.read(folder.appendingPathComponent("\(byteOrder)/test901.pcapng").path)
            #expect(invalid.error?.description.contains("version") == true, "test901 (\(byteOrder)) has a bad section version: \(String(describing: invalid.error))")
            let valid = Self.read(folder.appendingPathComponent("\(byteOrder)/test902.pcapng").path)
            #expect(valid.error == nil)
            #expect(valid.frames > 0)
        }
    }
}
