import HydrantCapture
import Testing

/// A ClientHello as Chrome 143 sent it to browserleaks.com, with the JA3 and JA4 values that service published for
/// it; GREASE values are added here the way Chrome places them, since both fingerprints must ignore them.
private enum Chrome143 {
    static let ciphers: [UInt16] = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013,
                                    0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
    static let extensions: [UInt16] = [0x002D, 0x0033, 0x0010, 0xFE0D, 0x0017, 0x44CD, 0x0000, 0x000B, 0x000A, 0x002B,
                                       0xFF01, 0x0023, 0x0012, 0x0005, 0x000D, 0x001B]
    static let groups: [UInt16] = [4588, 29, 23, 24]
    static let signatures: [UInt16] = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
    static let ja3 = "98487aa16281980e7d1120d399efb6a4"
    static let ja3Text = "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
        + "45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0"
    static let ja4 = "t13d1516h2_8daaf6152771_d8a2da3f94cd"
    static let ja4Original = "t13d1516h2_acb858a92679_f96a17c57971"
}

/// Builds handshake bytes.
private struct Bytes {
    var data: [UInt8] = []
    mutating func u8(_ value: UInt8) { data.append(value) }
    mutating func u16(_ value: UInt16) { data += [UInt8(value >> 8), UInt8(value & 0xFF)] }
    mutating func u24(_ value: Int) { data += [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    mutating func vector16(_ build: (inout Bytes) -> Void) {
        var inner = Bytes()
        build(&inner)
        u16(UInt16(inner.data.count))
        data += inner.data
    }
    mutating func vector8(_ build: (inout Bytes) -> Void) {
        var inner = Bytes()
        build(&inner)
        u8(UInt8(inner.data.count))
        data += inner.data
    }
}

/// The Chrome 143 ClientHello as a handshake message, with GREASE values first in each list.
private func chromeClientHello(serverName: String = "tls.browserleaks.com") -> [UInt8] {
    var body = Bytes()
    body.u16(0x0303)
    body.data += [UInt8](repeating: 0x42, count: 32)
    body.vector8 { $0.data += [UInt8](repeating: 7, count: 32) }
    body.vector16 { list in
        list.u16(0x5A5A)
        for cipher in Chrome143.ciphers { list.u16(cipher) }
    }
    body.vector8 { $0.u8(0) }
    body.vector16 { extensions in
        extensions.u16(0x2A2A)
        extensions.u16(0)
        for type in Chrome143.extensions {
            extensions.u16(type)
            extensions.vector16 { data in
                switch type {
                case 0x0000:
                    data.vector16 { list in
                        list.u8(0)
                        list.vector16 { $0.data += Array(serverName.utf8) }
                    }
                case 0x0010:
                    data.vector16 { list in
                        list.vector8 { $0.data += Array("h2".utf8) }
                        list.vector8 { $0.data += Array("http/1.1".utf8) }
                    }
                case 0x002B: data.vector8 { $0.u16(0x8A8A); $0.u16(0x0304); $0.u16(0x0303) }
                case 0x000A: data.vector16 { list in list.u16(0x9A9A); for group in Chrome143.groups { list.u16(group) } }
                case 0x000B: data.vector8 { $0.u8(0) }
                case 0x000D: data.vector16 { list in for scheme in Chrome143.signatures { list.u16(scheme) } }
                default: break
                }
            }
        }
        extensions.u16(0xFAFA)
        extensions.u16(1)
        extensions.u8(0)
    }
    var message = Bytes()
    message.u8(1)
    message.u24(body.data.count)
    message.data += body.data
    return message.data
}

/// `message` in TLS records of at most `fragment` bytes each.
private func records(_ message: [UInt8], fragment: Int) -> [UInt8] {
    var out: [UInt8] = []
    var offset = 0
    while offset < message.count {
        let piece = message[offset..<min(offset + fragment, message.count)]
        out += [22, 3, 1, UInt8(piece.count >> 8), UInt8(piece.count & 0xFF)] + piece
        offset += piece.count
    }
    return out
}

@Suite("TLS ClientHello and fingerprints")
struct TLSFingerprintTests {
    @Test("the published JA3 and JA4 of a Chrome ClientHello, byte for byte, with GREASE ignored")
    func publishedFingerprints() throws {
        let hello = try TLSHandshakeParser.clientHello(chromeClientHello())
        #expect(hello.serverName == "tls.browserleaks.com")
        #expect(hello.alpn.first == Array("h2".utf8))
        #expect(hello.highestVersion == 0x0304)
        #expect(TLSFingerprint.ja3Text(hello) == Chrome143.ja3Text)
        #expect(TLSFingerprint.ja3(hello) == Chrome143.ja3)
        #expect(TLSFingerprint.ja4(hello) == Chrome143.ja4)
        #expect(TLSFingerprint.ja4(hello, sorted: false) == Chrome143.ja4Original)
    }

    @Test("JA4 parts: no SNI is 'i', no ALPN is '00', TLS 1.2 without supported_versions is '12'")
    func ja4Prefix() {
        let hello = TLSClientHello(version: 0x0303, cipherSuites: [0x0A0A, 0xC02F, 0x009C], extensions: [0x000D, 0x000A])
        #expect(TLSFingerprint.ja4(hello).hasPrefix("t12i0202" + "00_"))
        let quic = TLSClientHello(version: 0x0303, cipherSuites: [0x1301], extensions: [0x0000], alpn: [[0x01, 0x68]])
        #expect(TLSFingerprint.ja4(quic, transport: "q").hasPrefix("q12d010108_"), "non-alphanumeric ALPN: first and last hex digits of the value (0x0168)")
        let empty = TLSClientHello(version: 0x0301, cipherSuites: [], extensions: [])
        #expect(TLSFingerprint.ja4(empty) == "t10i000000_000000000000_000000000000")
    }

    @Test("a ClientHello split across records and segments is gathered; bytes that are not TLS are refused")
    func recordReassembly() throws {
        let message = chromeClientHello()
        let stream = records(message, fragment: 100)
        for cut in [0, 3, 5, 104, 105, stream.count - 1] {
            let partial = Array(stream[0..<cut])
            #expect(partial.withUnsafeBufferPointer { TLSRecordReader.firstHandshakeMessage($0) } == .needMore, "cut at \(cut)")
        }
        #expect(stream.withUnsafeBufferPointer { TLSRecordReader.firstHandshakeMessage($0) } == .message(message))
        #expect(stream.withUnsafeBufferPointer { TLSRecordReader.looksLikeHandshake($0) })
        let http = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        #expect(http.withUnsafeBufferPointer { TLSRecordReader.firstHandshakeMessage($0) } == .notTLS)
        var huge: [UInt8] = [22, 3, 1, 0, 4, 1, 0x10, 0, 0]
        huge += [UInt8](repeating: 0, count: 10)
        #expect(huge.withUnsafeBufferPointer { TLSRecordReader.firstHandshakeMessage($0) } == .tooLarge)
    }

    @Test("every truncation of a ClientHello is an error naming the field, never a crash")
    func truncations() {
        let message = chromeClientHello()
        for length in 0..<message.count {
            var cut = Array(message[0..<length])
            if cut.count >= 4 {
                let bodyLength = cut.count - 4
                cut[1] = UInt8(bodyLength >> 16 & 0xFF)
                cut[2] = UInt8(bodyLength >> 8 & 0xFF)
                cut[3] = UInt8(bodyLength & 0xFF)
            }
            do {
                _ = try TLSHandshakeParser.clientHello(cut)
                // A cut exactly after the compression methods is a valid ClientHello without extensions.
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test("random mutations of a ClientHello never crash the parser")
    func mutations() {
        let message = chromeClientHello()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var mutated = message
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? TLSHandshakeParser.clientHello(mutated)
            _ = records(mutated, fragment: 300).withUnsafeBufferPointer { TLSRecordReader.firstHandshakeMessage($0) }
        }
    }

    @Test("a TLS 1.3 ServerHello gives the selected version and JA3S over the legacy version, cipher and extensions")
    func serverHello() throws {
        var body = Bytes()
        body.u16(0x0303)
        body.data += [UInt8](repeating: 1, count: 32)
        body.vector8 { $0.data += [UInt8](repeating: 2, count: 32) }
        body.u16(0x1301)
        body.u8(0)
        body.vector16 { extensions in
            extensions.u16(0x0033)
            extensions.vector16 { $0.u16(29); $0.vector16 { $0.data += [UInt8](repeating: 3, count: 32) } }
            extensions.u16(0x002B)
            extensions.vector16 { $0.u16(0x0304) }
        }
        var message = Bytes()
        message.u8(2)
        message.u24(body.data.count)
        message.data += body.data
        let hello = try TLSHandshakeParser.serverHello(message.data)
        #expect(hello.versionText == "1.3")
        #expect(hello.cipherSuite == 0x1301)
        #expect(TLSFingerprint.ja3sText(hello) == "771,4865,51-43")
        // MD5 of "771,4865,51-43", as `printf %s '771,4865,51-43' | md5sum` prints it.
        #expect(TLSFingerprint.ja3s(hello) == "eb1d94daa7e0344597e756a1fb6e7054")
        #expect(throws: TLSParseError.self) { try TLSHandshakeParser.serverHello(Array(message.data.dropLast(3))) }
        #expect(throws: TLSParseError.self) { try TLSHandshakeParser.serverHello(chromeClientHello()) }
    }
}
