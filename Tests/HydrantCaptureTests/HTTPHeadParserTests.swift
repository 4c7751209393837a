import HydrantCapture
import Testing

private func request(_ text: String) -> HTTPHeadParseResult<HTTPRequestHead> {
    Array(text.utf8).withUnsafeBufferPointer { HTTPHeadParser.parseRequest($0) }
}

private func response(_ text: String) -> HTTPHeadParseResult<HTTPResponseHead> {
    Array(text.utf8).withUnsafeBufferPointer { HTTPHeadParser.parseResponse($0) }
}

private func head<Head>(_ result: HTTPHeadParseResult<Head>) -> (Head, Int)? {
    if case .head(let head, let length) = result { return (head, length) }
    return nil
}

@Suite("HTTP/1.x message heads")
struct HTTPHeadParserTests {
    @Test("a request gives method, target, version, Host, User-Agent, Referer, length; domain and path derive")
    func simpleRequest() throws {
        let text = "GET /a/b.php?x=1#f HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\nUser-Agent: curl/8.0\r\n"
            + "referer: http://r.example/\r\nContent-Length: 0\r\n\r\nBODY"
        let (parsed, length) = try #require(head(request(text)))
        #expect(parsed.method == "GET")
        #expect(parsed.target == "/a/b.php?x=1#f")
        #expect(parsed.version == "1.1")
        #expect(parsed.host == "WWW.Example.COM:8080")
        #expect(parsed.domain == "www.example.com")
        #expect(parsed.path == "/a/b.php")
        #expect(parsed.userAgent == "curl/8.0")
        #expect(parsed.referrer == "http://r.example/")
        #expect(parsed.contentLength == 0)
        #expect(length == text.utf8.count - 4, "the body starts after the empty line")
    }

    @Test("pipelined requests: the first head's length is where the second begins")
    func pipelined() throws {
        let first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
        let second = "GET /2 HTTP/1.1\r\nHost: b\r\n\r\n"
        let (one, length) = try #require(head(request(first + second)))
        #expect(one.target == "/1")
        #expect(length == first.utf8.count)
        let (two, _) = try #require(head(request(String((first + second).dropFirst(first.count)))))
        #expect(two.target == "/2")
    }

    @Test("a head split across segments asks for more until its empty line arrives")
    func split() {
        #expect(request("GET / HTTP/1.1\r\nHost: a\r\n") == .needMore)
        #expect(request("GET / HTTP/1.1\r\nHo") == .needMore)
        #expect(request("") == .needMore)
        #expect(head(request("GET / HTTP/1.1\r\nHost: a\r\n\r\n")) != nil)
    }

    @Test("bare LF line ends, folded lines and header names in any case are accepted")
    func sloppyButReal() throws {
        let (parsed, _) = try #require(head(request("POST /f HTTP/1.0\nHOST: h\nuser-agent: A\n  B\nContent-length: 5\n\n")))
        #expect(parsed.version == "1.0")
        #expect(parsed.host == "h")
        #expect(parsed.userAgent == "A B")
        #expect(parsed.contentLength == 5)
    }

    @Test("absurdly long heads stop at 16 KiB with tooLarge, never buffering more")
    func tooLarge() {
        let long = "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"
        #expect(request(long) == .tooLarge)
        let unterminated = "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: HTTPHeadParser.maximumHeadBytes)
        #expect(request(unterminated) == .tooLarge)
    }

    @Test("malformed heads are invalid with a reason", arguments: [
        "GET /\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        "GET / HTTP/1.1\r\n bad fold\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
    ])
    func invalid(text: String) {
        guard case .invalid(let reason) = request(text) else {
            Issue.record("expected invalid for \(text.debugDescription)")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test("a response gives status, media type without parameters, length or chunking")
    func responses() throws {
        let (ok, length) = try #require(head(response("HTTP/1.1 200 OK\r\nContent-Type: Text/HTML; charset=utf-8\r\nContent-Length: 12\r\n\r\n")))
        #expect(ok.status == 200)
        #expect(ok.mimeType == "text/html")
        #expect(ok.contentLength == 12)
        #expect(length > 0)
        let (chunked, _) = try #require(head(response("HTTP/1.0 404\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n")))
        #expect(chunked.status == 404)
        #expect(chunked.chunked)
        #expect(chunked.mimeType == nil)
        guard case .invalid = response("HTTP/1.1 20 OK\r\n\r\n") else { Issue.record("two-digit status"); return }
        guard case .invalid = response("HTTP/1.1 abc OK\r\n\r\n") else { Issue.record("text status"); return }
        guard case .invalid = response("SIP/2.0 200 OK\r\n\r\n") else { Issue.record("not HTTP"); return }
    }

    @Test("requests are recognised by content on any port; other protocols are not")
    func detection() {
        func looks(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer { HTTPHeadParser.looksLikeRequest($0) } }
        #expect(looks("GET / HTTP/1.1\r\n"))
        #expect(looks("PROPFIND /x HTTP/1.1"))
        #expect(looks("CONNECT example.com:443 HTTP/1.1"))
        #expect(!looks("\u{16}\u{03}\u{01}\u{02}\u{00}"), "a TLS ClientHello")
        #expect(!looks("SSH-2.0-OpenSSH_9.6"))
        #expect(!looks("GETX / HTTP/1.1"))
        #expect(!looks("GET"))
        #expect(!looks("get / HTTP/1.1"))
        #expect(Array("HTTP/1.1 200 OK".utf8).withUnsafeBufferPointer { HTTPHeadParser.looksLikeResponse($0) })
        #expect(!Array("HTTP/2 200".utf8).withUnsafeBufferPointer { HTTPHeadParser.looksLikeResponse($0) })
    }

    @Test("domain and path of every request-target form", arguments: [
        ("/p?q", nil as String?, nil as String?, "/p" as String?),
        ("http://Proxy.Example:3128/x/y?z", nil, "proxy.example", "/x/y"),
        ("https://h.example", nil, "h.example", "/"),
        ("example.com:443", "example.com:443", "example.com", nil),
        ("*", "h", "h", nil),
        ("/", "[2001:DB8::1]:8443", "[2001:db8::1]", "/"),
        ("/", "user@host.example", "host.example", "/"),
    ])
    func targetForms(target: String, host: String?, domain: String?, path: String?) {
        let parsed = HTTPRequestHead(method: "GET", target: target, version: "1.1", host: host, userAgent: nil,
                                     referrer: nil, contentLength: nil, chunked: false)
        #expect(parsed.domain == domain)
        #expect(parsed.path == path)
    }
}
