import HydrantRecords

/// TLS over a `TCPSession`: the ClientHello from the client's first handshake message, the ServerHello from the
/// server's, one `network.tls` record for the pair.
extension TCPSession {
    /// Parses the client's first handshake message once it is complete.
    func parseClientHello(time: Int64, statistics: inout ApplicationStatistics, into output: inout CaptureRecords) {
        guard !hasHello, !client.stopped, connection != nil else { return }
        var parsed: TLSClientHello?
        var failed = false
        let incomplete = client.withAssembled { stream in
            TLSRecordReader.withFirstHandshakeMessage(stream) { message in
                do {
                    parsed = try TLSHandshakeParser.clientHello(bytes: message)
                } catch {
                    failed = true
                }
            }
        }
        switch incomplete {
        case .needMore?:
            return
        case .notTLS?, .tooLarge?:
            statistics.tlsErrors += 1
            ignore()
        case .message?, nil:
            guard let parsed, !failed else {
                statistics.tlsErrors += 1
                ignore()
                return
            }
            statistics.tlsClientHellos += 1
            guard let connection = recordConnection() else { return }
            hello = TCPSession.record(of: parsed, connection: connection, time: time)
            client.stop()
            parseServerHello(statistics: &statistics, into: &output)
        }
    }

    /// Completes the waiting ClientHello's record with the server's first handshake message.
    func parseServerHello(statistics: inout ApplicationStatistics, into output: inout CaptureRecords) {
        guard hasHello, !server.stopped else { return }
        var parsed: TLSServerHello?
        let incomplete = server.withAssembled { stream in
            TLSRecordReader.withFirstHandshakeMessage(stream) { message in
                parsed = try? TLSHandshakeParser.serverHello(bytes: message)
            }
        }
        if case .needMore? = incomplete { return }
        guard var record = takeHello() else { return }
        switch incomplete {
        case .needMore?:
            return
        case .notTLS?, .tooLarge?:
            statistics.tlsErrors += 1
        case .message?, nil:
            if let parsed {
                record.version = parsed.versionText
                record.cipher = TLSCipherSuiteNames.name(parsed.cipherSuite)
                record.ja3s = TLSFingerprint.ja3s(parsed)
            } else {
                statistics.tlsErrors += 1
            }
        }
        output.tls.append(record)
        ignore()
    }

    private static func record(of hello: TLSClientHello, connection: Connection, time: Int64) -> TLSRecord {
        var record = TLSRecord(timestamp: Timestamp(nanoseconds: time), connection: connection,
                               ja3: TLSFingerprint.ja3(hello), ja4: TLSFingerprint.ja4(hello))
        record.serverName = hello.serverName
        record.supportedCiphers.reserveCapacity(hello.cipherSuites.count)
        for suite in hello.cipherSuites where !TLSClientHello.isGREASE(suite) {
            record.supportedCiphers.append(TLSCipherSuiteNames.name(suite))
        }
        record.extensions.reserveCapacity(hello.extensions.count)
        for type in hello.extensions where !TLSClientHello.isGREASE(type) { record.extensions.append(Int64(type)) }
        if let first = hello.alpn.first { record.nextProtocol = String(decoding: first, as: UTF8.self) }
        if hello.supportedVersions.isEmpty {
            if let name = TLSServerHello.versionName(hello.version) { record.offeredVersions = [name] }
        } else {
            record.offeredVersions.reserveCapacity(hello.supportedVersions.count)
            for version in hello.supportedVersions where !TLSClientHello.isGREASE(version) {
                if let name = TLSServerHello.versionName(version) { record.offeredVersions.append(name) }
            }
        }
        return record
    }
}
