/// The payload of a synthetic packet: literal bytes followed by filler.
///
/// Protocol headers that a parser will read (HTTP text, DNS messages, TLS record headers) go in `prefix`;
/// bulk content (an HTTP body, encrypted TLS records) is `fillerLength` bytes taken from a fixed table starting
/// at `fillerOffset`, so building a full-size segment costs one copy and no allocation.
public struct SynthPayload: Sendable {
    /// How filler bytes look.
    public enum Filler: Sendable {
        /// Pseudo-random bytes, like compressed or encrypted content.
        case binary
        /// Printable HTML-like text.
        case text
    }

    /// Literal bytes, written first.
    public var prefix: [UInt8]
    /// Filler bytes written after the prefix.
    public var fillerLength: Int
    /// The look of the filler.
    public var filler: Filler
    /// Where in the filler table this payload's filler starts (its stream offset, typically).
    public var fillerOffset: Int

    /// A payload of literal bytes followed by `fillerLength` filler bytes.
    public init(prefix: [UInt8] = [], fillerLength: Int = 0, filler: Filler = .binary, fillerOffset: Int = 0) {
        self.prefix = prefix
        self.fillerLength = max(0, fillerLength)
        self.filler = filler
        self.fillerOffset = fillerOffset
    }

    /// No payload.
    public static let empty = SynthPayload()

    /// Total length in bytes.
    public var count: Int { prefix.count + fillerLength }

    /// Copies the payload to `destination`, which must have room for `count` bytes.
    func copy(to destination: UnsafeMutableRawPointer) {
        prefix.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { destination.copyMemory(from: base, byteCount: bytes.count) }
        }
        guard fillerLength > 0 else { return }
        let table = filler == .binary ? FillerTable.binary : FillerTable.text
        table.withUnsafeBytes { source in
            guard let base = source.baseAddress else { return }
            var written = 0
            var position = ((fillerOffset % FillerTable.size) + FillerTable.size) % FillerTable.size
            while written < fillerLength {
                let chunk = min(fillerLength - written, FillerTable.size - position)
                (destination + prefix.count + written).copyMemory(from: base + position, byteCount: chunk)
                written += chunk
                position = 0
            }
        }
    }
}

/// The fixed 64 KiB tables that filler bytes come from.
enum FillerTable {
    static let size = 65_536

    static let binary: [UInt8] = {
        var generator = SeededGenerator(seed: 0x4879_6472_616e_7421)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        generator.appendBytes(size, to: &bytes)
        return bytes
    }()

    static let text: [UInt8] = {
        let paragraph = Array("""
            <div class="article"><h2>Quarterly report</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing \
            elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis \
            nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p><ul><li>item one</li>\
            <li>item two</li><li>item three</li></ul><a href="/news/archive">archive</a></div>

            """.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        while bytes.count < size { bytes.append(contentsOf: paragraph.prefix(size - bytes.count)) }
        return bytes
    }()
}
