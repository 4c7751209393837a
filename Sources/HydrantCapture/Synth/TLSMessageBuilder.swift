/// Builds the cleartext part of a TLS 1.3 handshake as it appears on the wire: a ClientHello record with SNI,
/// ALPN, supported_versions and a key share (RFC 8446 §4.1.2), the ServerHello plus the middlebox-compatibility
/// ChangeCipherSpec, and record headers for the encrypted application-data records that follow.
enum TLSMessageBuilder {
    /// Content type of a handshake record.
    static let handshake: UInt8 = 22
    /// Content type of an application-data record (everything encrypted in TLS 1.3).
    static let applicationData: UInt8 = 23
    /// Content type of a ChangeCipherSpec record.
    static let changeCipherSpec: UInt8 = 20
    /// The largest plaintext a record carries.
    static let maximumRecordPayload = 16_384

    /// Client software whose hello is imitated; each has its own cipher and extension lists.
    enum Client: CaseIterable {
        case browser
        case commandLine

        var cipherSuites: [UInt16] {
            switch self {
            case .browser:
                return [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                        0x009c, 0x009d, 0x002f, 0x0035]
            case .commandLine:
                return [0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0x00ff]
            }
        }

        var alpn: [String] {
            switch self {
            case .browser: return ["h2", "http/1.1"]
            case .commandLine: return ["http/1.1"]
            }
        }
    }

    /// A ClientHello record for `serverName`; `random` and `sessionID` are 32 bytes each, `keyShare` the 32-byte
    /// X25519 public key.
    static func clientHello(serverName: String, client: Client, random: [UInt8], sessionID: [UInt8],
                            keyShare: [UInt8]) -> [UInt8] {
        var extensions: [UInt8] = []
        // server_name (0)
        let host = Array(serverName.utf8)
        append16(&extensions, 0)
        append16(&extensions, UInt16(host.count + 5))
        append16(&extensions, UInt16(host.count + 3))
        extensions.append(0)  // host_name
        append16(&extensions, UInt16(host.count))
        extensions.append(contentsOf: host)
        // ec_point_formats (11): uncompressed
        extensions.append(contentsOf: [0x00, 0x0b, 0x00, 0x02, 0x01, 0x00])
        // supported_groups (10): x25519, secp256r1, secp384r1
        extensions.append(contentsOf: [0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18])
        // application_layer_protocol_negotiation (16)
        var protocols: [UInt8] = []
        for name in client.alpn {
            protocols.append(UInt8(name.utf8.count))
            protocols.append(contentsOf: name.utf8)
        }
        append16(&extensions, 16)
        append16(&extensions, UInt16(protocols.count + 2))
        append16(&extensions, UInt16(protocols.count))
        extensions.append(contentsOf: protocols)
        // signature_algorithms (13)
        let signatureAlgorithms: [UInt16] = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
        append16(&extensions, 13)
        append16(&extensions, UInt16(signatureAlgorithms.count * 2 + 2))
        append16(&extensions, UInt16(signatureAlgorithms.count * 2))
        for algorithm in signatureAlgorithms { append16(&extensions, algorithm) }
        // supported_versions (43): TLS 1.3, TLS 1.2
        extensions.append(contentsOf: [0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03])
        // psk_key_exchange_modes (45): psk_dhe_ke
        extensions.append(contentsOf: [0x00, 0x2d, 0x00, 0x02, 0x01, 0x01])
        // key_share (51): one X25519 share
        append16(&extensions, 51)
        append16(&extensions, UInt16(keyShare.count + 6))
        append16(&extensions, UInt16(keyShare.count + 4))
        append16(&extensions, 0x001d)
        append16(&extensions, UInt16(keyShare.count))
        extensions.append(contentsOf: keyShare)

        var body: [UInt8] = [0x03, 0x03]  // legacy_version TLS 1.2
        body.append(contentsOf: random)
        body.append(UInt8(sessionID.count))
        body.append(contentsOf: sessionID)
        append16(&body, UInt16(client.cipherSuites.count * 2))
        for suite in client.cipherSuites { append16(&body, suite) }
        body.append(contentsOf: [0x01, 0x00])  // compression methods: null
        append16(&body, UInt16(extensions.count))
        body.append(contentsOf: extensions)
        return record(handshake, version: 0x0301, handshakeMessage(type: 1, body: body))
    }

    /// The ServerHello record (TLS_AES_128_GCM_SHA256, X25519) echoing `sessionID`, then a ChangeCipherSpec
    /// record.
    static func serverHello(random: [UInt8], sessionID: [UInt8], keyShare: [UInt8]) -> [UInt8] {
        var extensions: [UInt8] = []
        extensions.append(contentsOf: [0x00, 0x2b, 0x00, 0x02, 0x03, 0x04])  // supported_versions: TLS 1.3
        append16(&extensions, 51)
        append16(&extensions, UInt16(keyShare.count + 4))
        append16(&extensions, 0x001d)
        append16(&extensions, UInt16(keyShare.count))
        extensions.append(contentsOf: keyShare)

        var body: [UInt8] = [0x03, 0x03]
        body.append(contentsOf: random)
        body.append(UInt8(sessionID.count))
        body.append(contentsOf: sessionID)
        append16(&body, 0x1301)
        body.append(0)  // compression: null
        append16(&body, UInt16(extensions.count))
        body.append(contentsOf: extensions)
        var out = record(handshake, version: 0x0303, handshakeMessage(type: 2, body: body))
        out.append(contentsOf: changeCipherSpecRecord)
        return out
    }

    /// The middlebox-compatibility ChangeCipherSpec record.
    static let changeCipherSpecRecord: [UInt8] = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01]

    /// The 5-byte header of a record of `contentType` whose payload is `length` bytes.
    static func recordHeader(_ contentType: UInt8, length: Int) -> [UInt8] {
        [contentType, 0x03, 0x03, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
    }

    private static func handshakeMessage(type: UInt8, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [type]
        append24(&out, body.count)
        out.append(contentsOf: body)
        return out
    }

    private static func record(_ contentType: UInt8, version: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [contentType]
        append16(&out, version)
        append16(&out, UInt16(payload.count))
        out.append(contentsOf: payload)
        return out
    }
}
