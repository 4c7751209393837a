import HydrantRecords

/// What the application parsers follow of one TCP connection: the protocol recognised from the first bytes the
/// client sent, each direction's in-order bytes, and the messages waiting for their other half.
///
/// The client is the side that sent the first payload: HTTP, TLS and DNS clients speak first, and a connection whose
/// first payload matches none of them is ignored for the rest of its life (its flow record is unaffected).
final class TCPSession {
    /// What the connection carries.
    enum Kind {
        /// No payload yet, or too few bytes to tell.
        case undetermined
        /// HTTP/1.x requests and responses.
        case http
        /// A TLS handshake.
        case tls
        /// Length-prefixed DNS messages.
        case dns
        /// Nothing the parsers follow (or they are done with it).
        case ignored
    }

    /// The recognised protocol.
    var kind: Kind = .undetermined
    // Every segment of a followed connection reads and writes the fields from here to `clientIsA`, most of them
    // after the parsers are done with it: declared together, they share the object's first cache line instead of
    // three lines spread past the stream assemblers.
    /// The `network.protocol` the session stands for: what it was recognised as, kept after the parsers are done.
    private(set) var recognised: ApplicationProtocol = .none
    /// Last packet time.
    var lastSeen: Int64
    /// Whether endpoint A / B sent a FIN.
    var finA = false
    var finB = false
    /// Whether the key's endpoint A is the client; nil until the first payload.
    var clientIsA: Bool?
    /// Client and server, once the client is known; without its community ID until `recordConnection()` first
    /// needs it, as most followed connections (scans, refused and unrecognised ones) never make a record.
    var connection: Connection?
    /// Whether `connection` is known. `connection != nil` went through Optional's generic witnesses, copying and
    /// destroying the connection on every segment of an HTTP or TLS session; a pattern match on the concrete type
    /// reads only the case.
    var hasConnection: Bool {
        if case .none = connection { return false }
        return true
    }
    /// Whether `connection` has its community ID.
    private(set) var hasCommunityID = false
    /// Bytes the client sent, in order.
    var client: TCPStreamAssembler
    /// Bytes the server sent, in order.
    var server: TCPStreamAssembler

    /// Requests waiting for their responses, oldest first.
    var requests: [HTTPRecord] = []
    /// When the client's current request head began.
    var requestHeadStart: Int64?
    /// The body of the client's latest request, while it is being read.
    var requestBody: HTTPBodyFraming?
    /// The body of the server's current response.
    var responseBody: HTTPBodyFraming?

    /// Whether a ClientHello's record waits (without copying it out).
    var hasHello: Bool { helloBox != nil }

    /// A record held out of line: a session holding two records inline would be over a KiB, which glibc
    /// allocates on its slow large-chunk path for every connection, most of which never hold one.
    ///
    /// The value is optional only so that it can be moved out (`take()`): read from a class's stored property, a
    /// record is copied, every string and list in it retained, and the box's own copy destroyed after. One class per
    /// record type rather than a generic one: a generic class's deinit looks up the metadata of its `Value?` at run
    /// time (about 440 instructions a box) to destroy what it holds.
    final class HTTPRecordBox {
        var value: HTTPRecord?
        init(_ value: consuming HTTPRecord) { self.value = value }
    }
    /// `HTTPRecordBox` for the ClientHello's record.
    final class TLSRecordBox {
        var value: TLSRecord?
        init(_ value: consuming TLSRecord) { self.value = value }
    }
    private var respondingBox: HTTPRecordBox?
    private var helloBox: TLSRecordBox?

    /// Keeps `record` as the request whose response body is being read (none for nil).
    func holdResponding(_ record: consuming HTTPRecord?) {
        if let waiting = record.take() { respondingBox = HTTPRecordBox(consume waiting) } else { respondingBox = nil }
    }

    /// Takes the request whose response body was being read out, leaving none.
    func takeResponding() -> HTTPRecord? {
        guard let box = respondingBox else { return nil }
        respondingBox = nil
        return box.value.take()
    }

    /// Keeps `box`'s record as the ClientHello's record until the ServerHello completes it.
    func holdHello(_ box: TLSRecordBox) {
        helloBox = box
    }

    /// Takes the waiting ClientHello's record out, leaving none.
    func takeHello() -> TLSRecord? {
        guard let box = helloBox else { return nil }
        helloBox = nil
        return box.value.take()
    }

    /// Takes the box of the waiting ClientHello's record, leaving none: the record can be completed where it lies.
    func takeHelloBox() -> TLSRecordBox? {
        defer { helloBox = nil }
        return helloBox
    }

    /// DNS message framing of each direction.
    var clientFramer = DNSTCPFramer()
    var serverFramer = DNSTCPFramer()

    /// A session first seen at `time`.
    init(time: Int64, limits: TCPStreamAssembler.Limits) {
        client = TCPStreamAssembler(limits: limits)
        server = TCPStreamAssembler(limits: limits)
        lastSeen = time
    }

    /// `connection` with its community ID, for a record: the SHA-1 is computed once, on the first record.
    func recordConnection() -> Connection? {
        // The ID is set where the connection lies, and the connection copied once, for the caller: taking it out into
        // a local first and storing it back copied it (its strings retained) two or three times a record.
        if !hasCommunityID, let source = connection?.sourceIP, let destination = connection?.destinationIP,
           let ianaNumber = connection?.ianaNumber {
            let id = CommunityID(seed: 0).string(
                source: source, destination: destination, ianaNumber: ianaNumber,
                sourcePort: connection?.sourcePort ?? 0, destinationPort: connection?.destinationPort ?? 0, hasPorts: true)
            connection?.communityID = id
            hasCommunityID = true
        }
        return connection
    }

    /// Bytes the session holds in its assemblers and DNS framers.
    var heldBytes: Int {
        client.heldBytes + server.heldBytes + clientFramer.bufferedByteCount + serverFramer.bufferedByteCount
    }

    /// Stops following the connection and frees its buffers.
    func ignore() {
        kind = .ignored
        client.stop()
        server.stop()
        requests = []
        clientFramer.reset()
        serverFramer.reset()
    }

    /// Records what the connection was recognised as.
    func recognise(_ kind: Kind) {
        self.kind = kind
        switch kind {
        case .http: recognised = .http
        case .tls: recognised = .tls
        case .dns: recognised = .dns
        case .undetermined, .ignored: break
        }
    }

    /// Emits what is still waiting (the connection ended, idled out, or the capture ended): the TLS handshake as
    /// far as it was seen, the response being read, and requests without responses.
    func finish(into output: inout CaptureRecords) {
        if let hello = takeHello() { output.tls.append(hello) }
        if let body = requestBody, !requests.isEmpty {
            requests[requests.count - 1].requestBodyBytes = body.bodyBytes(outstanding: client.skipping)
        }
        if var responding = takeResponding() {
            if let body = responseBody { responding.responseBodyBytes = body.bodyBytes(outstanding: server.skipping) }
            output.http.append(consume responding)
        }
        output.http.append(contentsOf: requests)
        requests = []
    }
}
