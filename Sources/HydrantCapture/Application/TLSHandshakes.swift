import HydrantRecords

/// TLS over a `TCPSession`: the ClientHello from the client's first handshake message, the ServerHello from the
/// server's, one `network.tls` record for the pair.
extension TCPSession {
    /// Parses the client's first handshake message once it is complete.
    func parseClientHello(time: Int64, fingerprints: inout TLSFingerprintCache, statistics: inout ApplicationStatistics,
                          into output: inout CaptureRecords) {
        guard !hasHello, !client.stopped, hasConnection else { return }
        // Read through the fingerprint cache: a repeated handshake shape is not parsed into a `TLSClientHello`.
        var parsed: (fields: TLSFingerprintCache.ClientFields, serverName: String?)?
        var failed = false
        let incomplete = client.withAssembled { stream in
            TLSRecordReader.withFirstHandshakeMessage(stream) { message in
                do {
                    parsed = try fingerprints.clientHello(message)
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
            holdHello(fields: parsed.fields, serverName: parsed.serverName, connection: connection, time: time)
            client.stop()
            parseServerHello(fingerprints: &fingerprints, statistics: &statistics, into: &output)
        }
    }

    /// Completes the waiting ClientHello's record with the server's first handshake message.
    func parseServerHello(fingerprints: inout TLSFingerprintCache, statistics: inout ApplicationStatistics,
                          into output: inout CaptureRecords) {
        guard hasHello, !server.stopped else { return }
        var parsed: TLSServerHello?
        let incomplete = server.withAssembled { stream in
            TLSRecordReader.withFirstHandshakeMessage(stream) { message in
                parsed = try? TLSHandshakeParser.serverHello(bytes: message)
            }
        }
        if case .needMore? = incomplete { return }
        // The record is completed where it lies in its box and moved out: taken out first, it was copied (every
        // string and list retained) on the way out and again into the output.
        guard let box = takeHelloBox() else { return }
        switch incomplete {
        case .needMore?:
            return
        case .notTLS?, .tooLarge?:
            statistics.tlsErrors += 1
        case .message?, nil:
            if let parsed {
                box.value?.version = parsed.versionText
                box.value?.cipher = TLSCipherSuiteNames.name(parsed.cipherSuite)
                box.value?.ja3s = fingerprints.ja3s(of: parsed)
            } else {
                statistics.tlsErrors += 1
            }
        }
        TCPSession.emit(box, into: &output)
        ignore()
    }

    /// Moves the box's record to the output; a function of its own so that the record's last use ends its scope
    /// (moved, not copied).
    private static func emit(_ box: TLSRecordBox, into output: inout CaptureRecords) {
        if let record = box.value.take() { output.tls.append(record) }
    }

    /// Makes the ClientHello's record in its box, where it waits for the ServerHello.
    private func holdHello(fields: TLSFingerprintCache.ClientFields, serverName: String?, connection: Connection,
                           time: Int64) {
        let box = TLSRecordBox(TLSRecord(timestamp: Timestamp(nanoseconds: time), connection: connection,
                                         ja3: fields.ja3, ja4: fields.ja4))
        box.value?.serverName = serverName
        box.value?.supportedCiphers = fields.supportedCiphers
        box.value?.extensions = fields.extensions
        box.value?.nextProtocol = fields.nextProtocol
        box.value?.offeredVersions = fields.offeredVersions
        holdHello(box)
    }
}
