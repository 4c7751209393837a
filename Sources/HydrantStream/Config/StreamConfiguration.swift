/// The whole of hydrant.yaml: the server, optional authentication, local storage, the delivery streams and alert
/// delivery.
public struct StreamConfiguration: Hashable, Sendable {
    /// `server:`.
    public let server: ServerConfiguration
    /// `auth:`, or nil when absent (any credentials are accepted).
    public let auth: AuthConfiguration?
    /// `storage:`.
    public let storage: StorageConfiguration
    /// `streams:`, in file order; names are unique.
    public let streams: [DeliveryStreamConfiguration]
    /// `alerts:`, or nil when absent (alerts go only to the archive).
    public let alerts: AlertsConfiguration?
    /// `sources:`: inputs besides the Firehose API (a NetFlow/IPFIX collector); empty when absent.
    public let sources: SourcesConfiguration

    /// A configuration; the loader builds these after validating every field.
    public init(server: ServerConfiguration = ServerConfiguration(), auth: AuthConfiguration? = nil,
                storage: StorageConfiguration = StorageConfiguration(), streams: [DeliveryStreamConfiguration],
                alerts: AlertsConfiguration? = nil, sources: SourcesConfiguration = SourcesConfiguration()) {
        self.sources = sources
        self.server = server
        self.auth = auth
        self.storage = storage
        self.streams = streams
        self.alerts = alerts
    }

    /// The stream named `name`, if configured.
    public func stream(named name: String) -> DeliveryStreamConfiguration? {
        streams.first { $0.name == name }
    }
}

/// `server:`: where `hydrant serve` listens.
public struct ServerConfiguration: Hashable, Sendable {
    /// The default listen address.
    public static let defaultListen = ListenAddress(host: "127.0.0.1", port: 4443)

    /// `server.listen`.
    public let listen: ListenAddress

    /// A server listening on `listen`.
    public init(listen: ListenAddress = ServerConfiguration.defaultListen) {
        self.listen = listen
    }
}

/// A `host:port` pair; IPv6 hosts are written in brackets (`[::1]:4443`). Port 0 asks for any free port.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host name or address, without brackets.
    public let host: String
    /// The TCP port, 0…65535.
    public let port: Int

    /// An address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`; nil when malformed.
    public init?(parsing text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { return nil }
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0.isWhitespace || $0 == "/" }),
              !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), portPart.count <= 5,
              let port = Int(portPart), (0...65535).contains(port) else { return nil }
        self.host = String(hostPart)
        self.port = port
    }

    /// `host:port`, with brackets around IPv6 hosts.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// `auth:`: SigV4 verification of ingest requests.
public struct AuthConfiguration: Hashable, Sendable {
    /// The accepted access keys; ids are unique.
    public let accessKeys: [AccessKeyConfiguration]

    /// Authentication with `accessKeys`.
    public init(accessKeys: [AccessKeyConfiguration]) {
        self.accessKeys = accessKeys
    }
}

/// One accepted access key: its id and the environment variable holding its secret.
public struct AccessKeyConfiguration: Hashable, Sendable {
    /// The access key id clients sign with.
    public let id: String
    /// The environment variable holding the secret access key.
    public let secretEnv: String
    /// Where `secret_env` was written, for resolution errors.
    public let location: SourceLocation
    /// The key path of `secret_env`, e.g. `auth.access_keys[0].secret_env`.
    public let path: String

    /// An access key.
    public init(id: String, secretEnv: String, location: SourceLocation, path: String) {
        self.id = id
        self.secretEnv = secretEnv
        self.location = location
        self.path = path
    }
}

/// `storage:`: where the write-ahead logs live.
public struct StorageConfiguration: Hashable, Sendable {
    /// The default directory, relative to the working directory.
    public static let defaultDirectory = "./.hydrant/"

    /// `storage.dir`.
    public let dir: String

    /// Storage under `dir`.
    public init(dir: String = StorageConfiguration.defaultDirectory) {
        self.dir = dir
    }
}
