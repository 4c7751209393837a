import HydrantRecords

/// HTTP/1.x over a `TCPSession`: request heads from the client's bytes, response heads from the server's, paired
/// in order (pipelining), bodies counted through `HTTPBodyFraming` and never kept.
extension TCPSession {
    /// Parses what the client sent so far.
    func parseRequests(time: Int64, maxPipelined: Int, strings: RecentStrings? = nil,
                       statistics: inout ApplicationStatistics, into output: inout CaptureRecords) {
        guard hasConnection else { return }
        if var body = requestBody, case .skipped = body.mode {
            guard body.settle(outstanding: client.skipping) else { return }
            requestBody = nil
        }
        while client.assembledCount > 0, !client.stopped {
            if var body = requestBody {
                guard let used = client.withAssembled({ body.consume($0) }) else {
                    statistics.httpErrors += 1
                    client.stop()
                    return
                }
                client.consume(used)
                // The rest of a sized body is dropped by the assembler as it arrives instead of being copied.
                if !body.isDone, client.assembledCount == 0, let remaining = body.handOffRemainder() {
                    client.skip(remaining)
                }
                requestBody = body.isDone ? nil : body
                if !requests.isEmpty { requests[requests.count - 1].requestBodyBytes = body.bodyBytes }
                continue
            }
            if requestHeadStart == nil { requestHeadStart = time }
            switch client.withAssembled({ HTTPHeadParser.parseRequest($0, strings: strings) }) {
            case .head(let head, let length):
                client.consume(length)
                statistics.httpRequests += 1
                guard let connection = recordConnection() else { return }
                if requests.count >= maxPipelined { output.http.append(requests.removeFirst()) }
                // Made where it is kept: a record built in a local and then appended was copied whole on the way.
                requests.append(HTTPRecord(timestamp: Timestamp(nanoseconds: requestHeadStart ?? time),
                                           connection: connection, method: head.method, version: head.version,
                                           target: head.target))
                requestHeadStart = nil
                TCPSession.describe(&requests[requests.count - 1], request: head)
                if head.chunked {
                    requestBody = HTTPBodyFraming(.chunked(.sizeLine))
                } else if let length = head.contentLength, length > 0 {
                    requestBody = HTTPBodyFraming(.length(length))
                }
            case .needMore:
                return
            case .invalid, .tooLarge:
                statistics.httpErrors += 1
                client.stop()
                return
            }
        }
    }

    /// Adds what a request's head says besides its request line to its new record.
    private static func describe(_ record: inout HTTPRecord, request head: HTTPRequestHead) {
        record.domain = head.domain
        record.path = head.path
        record.userAgent = head.userAgent
        record.referrer = head.referrer
        // A body announced (chunked or sized, even empty) is counted from zero.
        if head.chunked || head.contentLength != nil { record.requestBodyBytes = 0 }
    }

    /// Parses what the server sent so far, completing the oldest waiting request with each response.
    func parseResponses(time: Int64, statistics: inout ApplicationStatistics, into output: inout CaptureRecords) {
        if var body = responseBody, case .skipped = body.mode {
            guard body.settle(outstanding: server.skipping) else { return }
            if var done = takeResponding() {
                done.responseBodyBytes = body.bodyBytes
                output.http.append(consume done)
            }
            responseBody = nil
        }
        while server.assembledCount > 0, !server.stopped {
            if var body = responseBody {
                guard let used = server.withAssembled({ body.consume($0) }) else {
                    statistics.httpErrors += 1
                    server.stop()
                    return
                }
                server.consume(used)
                if !body.isDone, server.assembledCount == 0, let remaining = body.handOffRemainder() {
                    server.skip(remaining)
                }
                if body.isDone {
                    if var done = takeResponding() {
                        done.responseBodyBytes = body.bodyBytes
                        output.http.append(consume done)
                    }
                    responseBody = nil
                } else {
                    responseBody = body
                }
                continue
            }
            switch server.withAssembled({ HTTPHeadParser.parseResponse($0) }) {
            case .head(let head, let length):
                server.consume(length)
                // Interim responses (100 Continue, 103 Early Hints) precede the real one and have no body.
                if head.status >= 100 && head.status < 200 && head.status != 101 { continue }
                respond(head, time: time, into: &output)
                if kind == .ignored { return }
            case .needMore:
                return
            case .invalid, .tooLarge:
                statistics.httpErrors += 1
                server.stop()
                return
            }
        }
    }

    /// A direction's bytes were cut by the capture's snap length: the head being read is parsed from its complete
    /// lines (a request line alone is enough, as tshark shows it), and the direction is not followed further.
    func truncated(client fromClient: Bool, time: Int64, maxPipelined: Int, statistics: inout ApplicationStatistics,
                   into output: inout CaptureRecords) {
        let assembled = fromClient ? client.withAssembled { Array($0) } : server.withAssembled { Array($0) }
        let readingBody = fromClient ? requestBody != nil : responseBody != nil
        if !readingBody, let lastLineEnd = assembled.lastIndex(of: UInt8(ascii: "\n")) {
            var head = Array(assembled[...lastLineEnd])
            head.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
            if fromClient {
                client = TCPStreamAssembler()
                head.withUnsafeBufferPointer { client.add(sequence: 0, payload: $0) }
                parseRequests(time: time, maxPipelined: maxPipelined, statistics: &statistics, into: &output)
            } else {
                server = TCPStreamAssembler()
                head.withUnsafeBufferPointer { server.add(sequence: 0, payload: $0) }
                parseResponses(time: time, statistics: &statistics, into: &output)
            }
        }
        if fromClient { client.stop() } else { server.stop() }
    }

    /// Pairs a response head with the oldest waiting request and sets up the reading of its body.
    private func respond(_ head: HTTPResponseHead, time: Int64, into output: inout CaptureRecords) {
        var record: HTTPRecord? = requests.isEmpty ? nil : requests.removeFirst()
        let method = record?.method
        record?.statusCode = Int64(head.status)
        record?.responseMimeType = head.mimeType
        if let start = record?.timestamp.nanoseconds { record?.duration = max(time - start, 0) }
        let tunnel = head.status == 101 || (method == "CONNECT" && head.status >= 200 && head.status < 300)
        let framing: HTTPBodyFraming.Mode
        if tunnel || method == "HEAD" || head.status == 204 || head.status == 304 {
            framing = .done
        } else if head.chunked {
            framing = .chunked(.sizeLine)
        } else if let length = head.contentLength {
            framing = length > 0 ? .length(length) : .done
        } else {
            framing = .untilClose
        }
        if case .done = framing {
            record?.responseBodyBytes = 0
            if let done = record.take() { output.http.append(consume done) }
        } else {
            holdResponding(record.take())
            responseBody = HTTPBodyFraming(framing)
        }
        // After an upgrade or a CONNECT the bytes are another protocol: what is waiting goes out, nothing more is read.
        if tunnel {
            finish(into: &output)
            ignore()
        }
    }
}
