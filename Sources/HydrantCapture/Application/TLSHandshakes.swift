import HydrantRecords

/// TLS over a `TCPSession`: the ClientHello from the client's first handshake message, the ServerHello from the
/// server's, one `network.tls` record for the pair.
extension TCPSession {
    /// Parses the client's first handshake message once it is complete.
    func parseClientHello(time: Int64, statistics: inout ApplicationStatistics, into output: inout CaptureRecords) {
        guard hello == nil, !client.stopped, let connection else { return }
        switch client.assembled.withUnsafeBufferPointer({ TLSRecordReader.firstHandshakeMessage($0) }) {
        case .needMore:
            return
        case .notTLS, .tooLarge:
            statistics.tlsErrors += 1
            ignore()
        case .message(let message):
            guard let parsed = try? TLSHandshakeParser.clientHello(message) else {
                statistics.tlsErrors += 1
                ignore()
                return
            }
            statistics.tlsClientHellos += 1
            hello = TCPSession.record(of: parsed, connection: connection, time: time)
            client.stop()
            parseServerHello(statistics: &statistics, into: &output)
        }
    }

    /// Completes the waiting ClientHello's record with the server's first handshake message.
    func parseServerHello(statistics: inout ApplicationStatistics, into output: inout CaptureRecords) {
        guard var record = hello, !server.stopped else { return }
        switch server.assembled.withUnsafeBufferPointer({ TLSRecordReader.firstHandshakeMessage($0) }) {
        case .needMore:
            return
        case .notTLS, .tooLarge:
            statistics.tlsErrors += 1
        case .message(let message):
            if let parsed = try? TLSHandshakeParser.serverHello(message) {
                record.version = parsed.versionText
                record.cipher = TLSCipherSuiteNames.name(parsed.cipherSuite)
                record.ja3s = TLSFingerprint.ja3s(parsed)
            } else {
                statistics.tlsErrors += 1
            }
        }
        output.tls.append(record)
        hello = nil
        ignore()
    }

    private static func record(of hello: TLSClientHello, connection: Connection, time: Int64) -> TLSRecord {
        var record = TLSRecord(timestamp: Timestamp(nanoseconds: time), connection: connection,
                               ja3: TLSFingerprint.ja3(hello), ja4: TLSFingerprint.ja4(hello))
        record.serverName = hello.serverName
        record.supportedCiphers = hello.cipherSuites.filter { !TLSClientHello.isGREASE($0) }.map(TLSCipherSuiteNames.name)
        record.extensions = hello.extensions.filter { !TLSClientHello.isGREASE($0) }.map { Int64($0) }
        if let first = hello.alpn.first { record.nextProtocol = String(decoding: first, as: UTF8.self) }
        let offered = hello.supportedVersions.isEmpty ? [hello.version] : hello.supportedVersions
        record.offeredVersions = offered.filter { !TLSClientHello.isGREASE($0) }.compactMap(TLSServerHello.versionName)
        return record
    }
}
