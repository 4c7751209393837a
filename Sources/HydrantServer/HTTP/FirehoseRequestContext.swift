import Hummingbird
import NIOCore

/// What the responder needs of each request's connection: the channel, to stop reading a body it refuses.
public struct FirehoseRequestContext: InitializableFromSource {
    /// The connection the request arrived on.
    public let channel: any Channel

    /// A context for a request on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        channel = source.channel
    }
}
