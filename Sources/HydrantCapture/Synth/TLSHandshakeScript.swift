/// The TLS handshake every synthetic TLS conversation starts with, drawn from the generator in a fixed order so
/// captures stay byte-identical for a seed.
extension TCPConversationBuilder {
    /// A TLS 1.3 handshake: ClientHello, then the ServerHello flight with one encrypted record.
    mutating func tlsHandshake(serverName: String, _ g: inout SeededGenerator) {
        var random: [UInt8] = []
        var sessionID: [UInt8] = []
        var key: [UInt8] = []
        g.appendBytes(32, to: &random)
        g.appendBytes(32, to: &sessionID)
        g.appendBytes(32, to: &key)
        let client: TLSMessageBuilder.Client = g.chance(0.8) ? .browser : .commandLine
        let hello = TLSMessageBuilder.clientHello(serverName: serverName, client: client, random: random,
                                                  sessionID: sessionID, keyShare: key)
        send(fromClient: true, [StreamMessage(prefix: hello)], think: 40_000)

        var serverRandom: [UInt8] = []
        var serverKey: [UInt8] = []
        g.appendBytes(32, to: &serverRandom)
        g.appendBytes(32, to: &serverKey)
        var flight = TLSMessageBuilder.serverHello(random: serverRandom, sessionID: sessionID, keyShare: serverKey)
        // Encrypted extensions, certificate chain, certificate verify and finished: one encrypted record.
        let encrypted = g.uniform(in: 2_400...5_200)
        flight.append(contentsOf: TLSMessageBuilder.recordHeader(TLSMessageBuilder.applicationData, length: encrypted))
        send(fromClient: false, [StreamMessage(prefix: flight, fillerLength: encrypted)],
                 think: Int64(g.uniform(in: 500_000...6_000_000)))
    }
}
