/// A processor that cannot start: a database, inventory, feed or rule file that is missing or broken. The stream
/// refuses to open, naming where the processor was configured and the file at fault.
public struct ProcessorStartError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the processor was configured.
    public let source: ProcessorSource
    /// What is wrong, naming the file (several lines for several rule errors).
    public let message: String

    /// An error.
    public init(source: ProcessorSource, _ message: String) {
        self.source = source
        self.message = message
    }

    /// `file:line:column: streams[0].processors[1].geoip: GeoIP database /x.mmdb: …`.
    public var description: String { "\(source): \(message)" }
}
