@testable import HydrantCapture
import Testing

/// Fixed seeds (`SplitMix64`), so a failing mutation can be replayed.
private extension SplitMix64 {
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Bytes that sit on the grammar's edges: separators, line ends, case, non-ASCII, URL punctuation.
private let edgeBytes: [UInt8] = Array(" \t:,;\r\n@[]/?#09Aaz-.".utf8) + [0x00, 0x7F, 0xC3, 0x80, 0xCC, 0x81]

private let requestSeeds = [
    "GET /a/b.php?x=1#f HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\nUser-Agent: curl/8.0\r\nreferer: http://r/\r\n"
        + "Content-Length: 0\r\n\r\n",
    "POST http://User@Host.example:81/p?q HTTP/1.0\nTransfer-Encoding: gzip, Chunked\nContent-Length: 5, 5\n\n",
    "CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:DB8::1]:443\r\nX-Other: a\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost:\r\nUser-Agent:  spaced  \r\nHost: second\r\n\r\n",
    "GET /f HTTP/1.1\r\nuser-agent: A\r\n  folded\r\nContent-Length: 12\r\nContent-Length: 12\r\n\r\n",
]

private let responseSeeds = [
    "HTTP/1.1 200 OK\r\nContent-Type: Text/HTML; charset=utf-8\r\nContent-Length: 42\r\n\r\n",
    "HTTP/1.0 404\nContent-Type: ;x\ncontent-type: application/JSON\nTransfer-Encoding: chunked,\n\n",
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    "HTTP/1.1 304 Not Modified\r\nContent-Length: 1,2\r\n\r\n",
]

@Suite("HTTP heads: the byte fast path agrees with the general parser")
struct HTTPHeadFastPathTests {
    private static func mutations(of seed: String, count: Int, random: inout SplitMix64) -> [[UInt8]] {
        let original = Array(seed.utf8)
        var out: [[UInt8]] = [original]
        for _ in 0..<count {
            var bytes = original
            for _ in 0..<(1 + random.below(3)) {
                let position = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes[position] = edgeBytes[random.below(edgeBytes.count)]
                case 1: bytes.insert(edgeBytes[random.below(edgeBytes.count)], at: position)
                default: if bytes.count > 1 { bytes.remove(at: position) }
                }
            }
            out.append(bytes)
        }
        return out
    }

    @Test("requests: seeds and 4,000 mutations parse the same both ways")
    func requests() {
        var random = SplitMix64(state: 1)
        var fastHeads = 0
        for seed in requestSeeds {
            for bytes in Self.mutations(of: seed, count: 800, random: &random) {
                bytes.withUnsafeBufferPointer { buffer in
                    let general = HTTPHeadParser.parseRequestGeneral(buffer)
                    #expect(HTTPHeadParser.parseRequest(buffer) == general, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
                    if case .success(let end) = HTTPHeadScanner.headEnd(buffer), HTTPHeadScanner.request(buffer, end: end) != nil {
                        fastHeads += 1
                    }
                }
            }
        }
        #expect(fastHeads > 1000, "the fast path takes most well-formed heads (\(fastHeads))")
    }

    @Test("requests: with a table of recent strings (eight slots, so they change hands), 4,000 mutations parse as without")
    func requestsWithRecentStrings() {
        var random = SplitMix64(state: 3)
        let strings = RecentStrings(slots: 8, longest: 40)
        var fastHeads = 0
        for seed in requestSeeds {
            for bytes in Self.mutations(of: seed, count: 800, random: &random) {
                bytes.withUnsafeBufferPointer { buffer in
                    let general = HTTPHeadParser.parseRequestGeneral(buffer)
                    #expect(HTTPHeadParser.parseRequest(buffer, strings: strings) == general,
                            "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
                    if case .success(let end) = HTTPHeadScanner.headEnd(buffer),
                       HTTPHeadScanner.request(buffer, end: end, strings: strings) != nil {
                        fastHeads += 1
                    }
                }
            }
        }
        #expect(fastHeads > 1000, "the fast path takes most well-formed heads (\(fastHeads))")
    }

    @Test("responses: seeds and 3,200 mutations parse the same both ways")
    func responses() {
        var random = SplitMix64(state: 2)
        var fastHeads = 0
        for seed in responseSeeds {
            for bytes in Self.mutations(of: seed, count: 800, random: &random) {
                bytes.withUnsafeBufferPointer { buffer in
                    let general = HTTPHeadParser.parseResponseGeneral(buffer)
                    #expect(HTTPHeadParser.parseResponse(buffer) == general, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
                    if case .success(let end) = HTTPHeadScanner.headEnd(buffer), HTTPHeadScanner.response(buffer, end: end) != nil {
                        fastHeads += 1
                    }
                }
            }
        }
        #expect(fastHeads > 800, "the fast path takes most well-formed heads (\(fastHeads))")
    }

    @Test("domain, authority and path of random targets agree both ways")
    func urlParts() {
        var random = SplitMix64(state: 3)
        let alphabet = Array("aZ09:/@[]?#.+-%".utf8) + [0x20, 0x0D, 0xC3, 0xA9]
        let seeds = ["http://user@Host.Example:8080/a/b?c#d", "[2001:db8::1]:443", "host:", "HTTPS://x", "/p?q", "*",
                     "a+b.c-d://h", "://x", "h:80a", ""]
        for seed in seeds {
            for bytes in Self.mutations(of: seed.isEmpty ? "x" : seed, count: 300, random: &random) + [Array(seed.utf8)] {
                var text = bytes
                if random.below(4) == 0 { text.append(alphabet[random.below(alphabet.count)]) }
                let string = String(decoding: text, as: UTF8.self)
                #expect(HTTPHeadParser.domain(ofAuthority: string) == HTTPHeadParser.domainGeneral(ofAuthority: string),
                        "\(string.debugDescription)")
                #expect(HTTPHeadParser.authority(ofAbsoluteTarget: string)
                    == HTTPHeadParser.authorityGeneral(ofAbsoluteTarget: string), "\(string.debugDescription)")
                #expect(HTTPHeadParser.path(ofTarget: string) == HTTPHeadParser.pathGeneral(ofTarget: string),
                        "\(string.debugDescription)")
            }
        }
    }
}
