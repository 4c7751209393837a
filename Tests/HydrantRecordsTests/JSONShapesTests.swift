import Foundation
@testable import HydrantRecords
import Testing

private let paths = ["event.dataset", "@timestamp", "dns.question.name", "source.port", "flag", "http.response",
                     "missing.path"].map { JSONPath($0.split(separator: ".").map(String.init)) }

/// Records shaped like the capture agent's: strings, numbers of every form, literals, nested objects and arrays.
private let records = [
    #"{"@timestamp":"2024-01-01T00:00:01.5Z","event":{"kind":"event","category":["network"],"dataset":"network.dns"},"source":{"ip":"10.0.0.7","port":53211},"dns":{"question":{"name":"example.com","type":"A"},"answers":[{"data":"93.184.216.34","ttl":300}],"response_code":"NOERROR"},"flag":true,"network":{"transport":"udp","community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg="}}"#,
    #"{"@timestamp":"2024-01-01T00:00:02Z","event":{"dataset":"network.http"},"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"original":"/index.html?q=1&r=x"},"source":{"bytes":-1.25e3,"packets":0,"port":0.5},"tags":[],"empty":{},"flag":false,"none":null}"#,
    " { \"event\" : { \"dataset\" : \"x\" } , \"flag\" : [ 1 , -0 , 2E+5 ] , \"source\" : { \"port\" : 7 } }\n",
]

/// The scanner's verdict and results for `bytes`.
private func scanned(_ bytes: [UInt8]) -> (Bool, [JSONScalar?]) {
    var results: [JSONScalar?] = []
    let ok = bytes.withUnsafeBufferPointer { JSONScanner.find(paths, in: $0, results: &results) }
    return (ok, results)
}

/// The shapes' verdict and results for `bytes`.
private func shaped(_ shapes: JSONShapes, _ bytes: [UInt8]) -> (Bool, [JSONScalar?]) {
    var results: [JSONScalar?] = []
    let ok = bytes.withUnsafeBufferPointer { shapes.find(in: $0, results: &results) }
    return (ok, results)
}

@Suite("JSON shapes")
struct JSONShapesTests {
    @Test("a record of a learnt shape with other values is matched, with the scanner's results")
    func matchesOtherValues() {
        let shapes = JSONShapes(paths: paths)
        let first = Array(records[0].utf8)
        #expect(shaped(shapes, first) == scanned(first))
        #expect(shapes.learnt == 1 && shapes.matches == 0)
        let other = Array(records[0].replacingOccurrences(of: "example.com", with: "a.much-longer-name.example.org")
            .replacingOccurrences(of: "53211", with: "-7.5e-3").replacingOccurrences(of: "network.dns", with: "")
            .utf8)
        let result = shaped(shapes, other)
        #expect(shapes.matches == 1)
        #expect(result == scanned(other))
        #expect(result.1[2].map { String(decoding: other[$0.range], as: UTF8.self) } == "a.much-longer-name.example.org")
        #expect(result.1[3].map { String(decoding: other[$0.range], as: UTF8.self) } == "-7.5e-3")
        #expect(result.1[4]?.kind == .bool(true))
    }

    @Test("every byte of learnt records changed at every place gives the scanner's verdict and results")
    func mutationsAgreeWithTheScanner() {
        let replacements: [UInt8?] = [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"),
                                      UInt8(ascii: "["), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "x"),
                                      UInt8(ascii: "1"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"),
                                      UInt8(ascii: " "), 0x01, 0x0A, 0xC3, nil]
        let shapes = JSONShapes(paths: paths)
        var checked = 0
        var matchedBefore = 0
        for record in records {
            let original = Array(record.utf8)
            for position in 0..<original.count {
                for replacement in replacements {
                    var mutated = original
                    if let replacement { mutated[position] = replacement } else { mutated.remove(at: position) }
                    // The original first, so that its shape is (again) known when the mutation is tried.
                    #expect(shaped(shapes, original) == scanned(original))
                    let result = shaped(shapes, mutated)
                    #expect(result == scanned(mutated),
                            "shapes disagree with the scanner on \(String(decoding: mutated, as: UTF8.self))")
                    checked += 1
                }
            }
            for length in 0..<original.count {
                #expect(shaped(shapes, original) == scanned(original))
                let torn = Array(original[0..<length])
                #expect(shaped(shapes, torn) == scanned(torn))
            }
            #expect(shapes.matches > matchedBefore, "no record matched a learnt shape")
            matchedBefore = shapes.matches
        }
        #expect(checked > 10_000)
    }

    @Test("records with escapes are not learnt, and are still read right")
    func escapesAreScanned() {
        let shapes = JSONShapes(paths: paths)
        let escaped = Array(#"{"event":{"dataset":"a\"b"},"flag":true}"#.utf8)
        #expect(shaped(shapes, escaped) == scanned(escaped))
        #expect(shapes.learnt == 0)
        #expect(shaped(shapes, escaped).1[0]?.kind == .string(hasEscapes: true))
    }

    @Test("shapes are bounded: at most the capacity, ever-new shapes learnt only now and then, big records never")
    func bounded() {
        let shapes = JSONShapes(paths: paths)
        for number in 0..<1000 {
            // A new member name each time: a new shape.
            let record = Array(#"{"event":{"dataset":"d"},"member\#(number)":1}"#.utf8)
            #expect(shaped(shapes, record) == scanned(record))
        }
        #expect(shapes.learnt <= JSONShapes.capacity + 1000 / JSONShapes.relearnInterval + 1)
        #expect(shapes.matches == 0)
        let fresh = JSONShapes(paths: paths)
        let long = Array(("{\"flag\":\"" + String(repeating: "y", count: 10) + "\",\"pad\":{"
            + (0..<400).map { "\"k\($0)\":true" }.joined(separator: ",") + "}}").utf8)
        #expect(shaped(fresh, long) == scanned(long))
        #expect(fresh.learnt == 0, "a record with more than \(JSONShapes.maximumText) bytes of text was learnt")
        let holes = Array(("{\"a\":[" + (0..<300).map(String.init).joined(separator: ",") + "]}").utf8)
        #expect(shaped(fresh, holes) == scanned(holes))
        #expect(fresh.learnt == 0, "a record with more than \(JSONShapes.maximumHoles) holes was learnt")
    }
}
