import Foundation
import HydrantArchive
import Yams

/// The schema of hydrant.yaml: reads each section with a `NodeReader`, which keeps every error.
struct StreamConfigurationReader {
    let reader: NodeReader

    static let topKeys = ["server", "auth", "storage", "streams", "alerts", "sources"]
    static let streamKeys = ["name", "buffering", "processors", "destination", "prefix", "partition_keys",
                             "error_output_prefix", "compression", "source_record_backup", "max_active_partitions",
                             "max_backlog_mb", "log_compression", "log_compression_level"] + formatKeys

    func read(_ root: Node) -> StreamConfiguration? {
        guard case .mapping = root else {
            reader.fail(.wrongType, at: root, path: "",
                        "must be a mapping with keys \(Self.topKeys.joined(separator: ", ")), got \(NodeReader.describe(root))")
            return nil
        }
        guard let top = reader.mapping(root, path: "", allowed: Self.topKeys) else { return nil }
        let server = top["server"].map { readServer($0.value) } ?? ServerConfiguration()
        let auth = top["auth"].flatMap { readAuth($0.value) }
        let storage = top["storage"].map { readStorage($0.value) } ?? StorageConfiguration()
        let alerts = top["alerts"].map { readAlerts($0.value) }
        var streams: [DeliveryStreamConfiguration] = []
        if let field = top["streams"], let nodes = reader.sequence(field.value, path: "streams", of: "stream mappings") {
            if nodes.isEmpty { reader.fail(.missingKey, at: field.value, path: "streams", "must declare at least one stream") }
            var seen: [String: Int] = [:]
            for (index, node) in nodes.enumerated() {
                guard let stream = readStream(node, path: "streams[\(index)]") else { continue }
                if let first = seen[stream.name] {
                    reader.fail(.duplicate, at: node, path: "streams[\(index)].name",
                                "repeats stream name \(NodeReader.quoted(stream.name)) of streams[\(first)]; names must be unique")
                    continue
                }
                seen[stream.name] = index
                streams.append(stream)
            }
        } else if top["streams"] == nil {
            reader.missing("streams", in: top, "; declare at least one delivery stream")
        }
        let sources = top["sources"].map { readSources($0.value, streams: streams.map(\.name)) } ?? SourcesConfiguration()
        guard let server, let storage, let sources else { return nil }
        if let alerts, alerts == nil { return nil }
        return StreamConfiguration(server: server, auth: auth ?? nil, storage: storage, streams: streams,
                                   alerts: alerts ?? nil, sources: sources)
    }

    private func readServer(_ node: Node) -> ServerConfiguration? {
        guard let fields = reader.mapping(node, path: "server", allowed: ["listen"]) else { return nil }
        guard let field = fields["listen"] else { return ServerConfiguration() }
        guard let text = reader.nonEmptyString(field.value, path: "server.listen") else { return nil }
        guard let address = ListenAddress(parsing: text) else {
            reader.fail(.invalidValue, at: field.value, path: "server.listen",
                        "must be host:port (or [ipv6]:port) with a port 0…65535, got \(NodeReader.quoted(text))")
            return nil
        }
        return ServerConfiguration(listen: address)
    }

    /// `auth:`; nil inside means absent or invalid (the error is recorded).
    private func readAuth(_ node: Node) -> AuthConfiguration?? {
        if case .scalar(let scalar) = node, NodeReader.isNull(scalar) { return .some(nil) }
        guard let fields = reader.mapping(node, path: "auth", allowed: ["access_keys"]) else { return nil }
        guard let field = fields["access_keys"] else {
            reader.missing("access_keys", in: fields, "; remove 'auth' to accept any credentials")
            return nil
        }
        guard let nodes = reader.sequence(field.value, path: "auth.access_keys", of: "{id, secret_env} mappings") else { return nil }
        if nodes.isEmpty {
            reader.fail(.missingKey, at: field.value, path: "auth.access_keys",
                        "must list at least one key; remove 'auth' to accept any credentials")
        }
        var keys: [AccessKeyConfiguration] = []
        var seen: Set<String> = []
        for (index, node) in nodes.enumerated() {
            let path = "auth.access_keys[\(index)]"
            guard let key = reader.mapping(node, path: path, allowed: ["id", "secret_env"]) else { continue }
            var id: String?
            var secretEnv: String?
            if let field = key["id"] { id = reader.nonEmptyString(field.value, path: path + ".id") } else { reader.missing("id", in: key) }
            if let field = key["secret_env"] {
                secretEnv = reader.variableName(field.value, path: path + ".secret_env")
            } else {
                reader.missing("secret_env", in: key, "; the secret comes from the environment variable it names")
            }
            guard let id, let secretEnv, let field = key["secret_env"] else { continue }
            guard seen.insert(id).inserted else {
                reader.fail(.duplicate, at: key["id"]?.value, path: path + ".id", "repeats access key id \(NodeReader.quoted(id))")
                continue
            }
            keys.append(AccessKeyConfiguration(id: id, secretEnv: secretEnv, location: reader.location(field.value),
                                               path: path + ".secret_env"))
        }
        return .some(AuthConfiguration(accessKeys: keys))
    }

    private func readStorage(_ node: Node) -> StorageConfiguration? {
        guard let fields = reader.mapping(node, path: "storage", allowed: ["dir"]) else { return nil }
        guard let field = fields["dir"] else { return StorageConfiguration() }
        return reader.nonEmptyString(field.value, path: "storage.dir").map { StorageConfiguration(dir: $0) }
    }

    private func readStream(_ node: Node, path: String) -> DeliveryStreamConfiguration? {
        guard let fields = reader.mapping(node, path: path, allowed: Self.streamKeys) else { return nil }
        var valid = true
        func check<T>(_ value: T?) -> T? {
            if value == nil { valid = false }
            return value
        }

        var name: String?
        if let field = fields["name"] {
            name = check(reader.nonEmptyString(field.value, path: path + ".name"))
            if let text = name, !DeliveryStreamConfiguration.isValidName(text) {
                reader.fail(.invalidValue, at: field.value, path: path + ".name",
                            "must be 1–\(DeliveryStreamConfiguration.maximumNameLength) characters of a-z A-Z 0-9 _ . -, got \(NodeReader.quoted(text))")
                valid = false
            }
        } else {
            reader.missing("name", in: fields)
            valid = false
        }

        let buffering = fields["buffering"].map { check(readBuffering($0.value, path: path + ".buffering")) } ?? BufferingHints()
        let processors = fields["processors"].map { check(readProcessors($0.value, path: path + ".processors")) } ?? []
        var destination: DestinationConfiguration?
        var httpEndpoint: HTTPEndpointDestination?
        if let field = fields["destination"] {
            let read = check(readDestination(field.value, path: path + ".destination", allowsHTTPEndpoint: true))
            destination = read?.backup
            httpEndpoint = read?.httpEndpoint
        } else {
            reader.missing("destination", in: fields,
                           "; give file: {root: DIR}, s3: {endpoint, bucket, …} or http_endpoint: {url, backup, …}")
            valid = false
        }
        if httpEndpoint != nil, let buffering, !checkHTTPEndpointStream(fields, path: path, buffering: buffering) {
            valid = false
        }

        var partitionKeys = DeliveryStreamConfiguration.defaultPartitionKeys
        if let field = fields["partition_keys"] {
            partitionKeys = check(readPartitionKeys(field.value, path: path + ".partition_keys")) ?? []
        }
        let declared = Set(partitionKeys.map(\.name))

        let transforms = processors?.contains { if case .httpTransform = $0 { true } else { false } } ?? false
        var prefix: PrefixTemplate?
        if let field = fields["prefix"] {
            prefix = check(readPrefix(field, path: path + ".prefix", kind: .prefix, declared: declared,
                                      transformKeys: transforms))
        } else {
            prefix = check(readPrefixText(PrefixTemplate.defaultPrefix, at: fields.node, path: path + ".prefix",
                                          kind: .prefix, declared: declared, note: " (the default prefix)"))
        }

        var errorOutputPrefix: PrefixTemplate?
        if let field = fields["error_output_prefix"] {
            errorOutputPrefix = check(readPrefix(field, path: path + ".error_output_prefix", kind: .errorOutputPrefix, declared: declared))
            if let prefix, let errorOutputPrefix {
                do throws(PrefixTemplateError) {
                    try PrefixTemplate.validate(prefix: prefix, errorOutputPrefix: errorOutputPrefix)
                } catch {
                    reader.fail(.invalidPrefix, at: field.key, path: path + ".error_output_prefix", "is invalid: \(error.description)")
                    valid = false
                }
            }
        } else if let prefix {
            errorOutputPrefix = prefix.firehoseDefaultErrorOutputPrefix()
                ?? check(readPrefixText(DeliveryStreamConfiguration.defaultErrorOutputPrefix, at: fields.node,
                                        path: path + ".error_output_prefix", kind: .errorOutputPrefix, declared: declared,
                                        note: " (the default error output prefix)"))
        }

        let format = check(readFormat(fields, path: path))
        // With format: parquet, `compression` names the page codec and objects are not compressed whole.
        var compression: Compression? = format?.parquet != nil ? Compression.none : Compression.default
        if format?.parquet == nil, let field = fields["compression"] {
            compression = check(reader.enumeration(field.value, path: path + ".compression", as: Compression.self))
        }

        var backup: PrefixTemplate?
        if let field = fields["source_record_backup"] {
            backup = check(readBackup(field.value, path: path + ".source_record_backup", declared: declared))
        }

        let maxActivePartitions = fields["max_active_partitions"].map {
            check(reader.integer($0.value, path: path + ".max_active_partitions",
                                 range: DeliveryStreamConfiguration.maxActivePartitionsRange))
        } ?? DeliveryStreamConfiguration.defaultMaxActivePartitions
        let maxBacklogMB = fields["max_backlog_mb"].map {
            check(reader.integer($0.value, path: path + ".max_backlog_mb", range: DeliveryStreamConfiguration.maxBacklogMBRange))
        } ?? DeliveryStreamConfiguration.defaultMaxBacklogMB
        let logCompression = fields["log_compression"].map {
            check(reader.enumeration($0.value, path: path + ".log_compression", as: WALCompression.self))
        } ?? WALCompression.default
        let logCompressionLevel = fields["log_compression_level"].map {
            check(reader.integer($0.value, path: path + ".log_compression_level",
                                 range: DeliveryStreamConfiguration.logCompressionLevelRange))
        } ?? DeliveryStreamConfiguration.defaultLogCompressionLevel

        guard valid, let name, let buffering, let processors, let destination, let prefix, let errorOutputPrefix,
              let compression, let maxActivePartitions, let maxBacklogMB, let logCompression, let logCompressionLevel,
              let format else {
            return nil
        }
        return DeliveryStreamConfiguration(
            name: name, buffering: formatBuffering(buffering, format: format, field: fields["buffering"]), processors: processors, destination: destination,
            prefix: prefix.withFirehoseDefaultTimestamp(), partitionKeys: partitionKeys,
            errorOutputPrefix: errorOutputPrefix, compression: compression, sourceRecordBackupPrefix: backup,
            maxActivePartitions: maxActivePartitions, maxBacklogMB: maxBacklogMB, logCompression: logCompression,
            logCompressionLevel: logCompressionLevel, format: format, httpEndpoint: httpEndpoint)
    }

    private func readBuffering(_ node: Node, path: String) -> BufferingHints? {
        guard let fields = reader.mapping(node, path: path, allowed: ["size_mb", "interval_s"]) else { return nil }
        var size: Int? = BufferingHints.defaultSizeMB
        var interval: Int? = BufferingHints.defaultIntervalSeconds
        if let field = fields["size_mb"] {
            size = reader.integer(field.value, path: path + ".size_mb", range: BufferingHints.sizeMBRange)
        }
        if let field = fields["interval_s"] {
            interval = reader.integer(field.value, path: path + ".interval_s", range: BufferingHints.intervalSecondsRange)
        }
        guard let size, let interval else { return nil }
        return BufferingHints(sizeMB: size, intervalSeconds: interval)
    }

    /// A `destination` mapping (or an HTTP endpoint's `backup`): the object destination, and the HTTP endpoint
    /// whose backup it is when the mapping is `http_endpoint`.
    func readDestination(_ node: Node, path: String, allowsHTTPEndpoint: Bool)
        -> (backup: DestinationConfiguration, httpEndpoint: HTTPEndpointDestination?)? {
        let kinds = allowsHTTPEndpoint ? ["file", "s3", "http_endpoint"] : ["file", "s3"]
        guard let fields = reader.mapping(node, path: path, allowed: kinds) else { return nil }
        guard fields.order.count == 1 else {
            let names = kinds.joined(separator: ", ")
            if fields.order.isEmpty {
                reader.fail(.missingKey, at: node, path: path, "must have exactly one of \(names); got none")
            } else {
                let second = fields.order.dropFirst().first.flatMap { fields[$0]?.key }
                reader.fail(.invalidValue, at: second ?? node, path: path,
                            "must have exactly one of \(names); got \(fields.order.joined(separator: " and "))")
            }
            return nil
        }
        if let field = fields["http_endpoint"] {
            return readHTTPEndpoint(field.value, path: path + ".http_endpoint").map { (backup: $0.1, httpEndpoint: $0.0) }
        }
        return readObjectDestination(fields, path: path).map { (backup: $0, httpEndpoint: nil) }
    }

    /// The `file` or `s3` member of a destination mapping.
    private func readObjectDestination(_ fields: MappingFields, path: String) -> DestinationConfiguration? {
        if let field = fields["file"] {
            let filePath = path + ".file"
            guard let file = reader.mapping(field.value, path: filePath, allowed: ["root"]) else { return nil }
            guard let root = file["root"] else {
                reader.missing("root", in: file)
                return nil
            }
            return reader.nonEmptyString(root.value, path: filePath + ".root").map { .file(FileDestination(root: $0)) }
        }
        guard let field = fields["s3"] else { return nil }
        let s3Path = path + ".s3"
        guard let s3 = reader.mapping(field.value, path: s3Path,
                                      allowed: ["endpoint", "bucket", "region", "access_key_env", "secret_key_env"]) else { return nil }
        var valid = true
        var endpoint: String?
        if let field = s3["endpoint"] {
            endpoint = reader.nonEmptyString(field.value, path: s3Path + ".endpoint")
            if let text = endpoint, !Self.isEndpoint(text) {
                reader.fail(.invalidValue, at: field.value, path: s3Path + ".endpoint",
                            "must be an http:// or https:// URL with a host, got \(NodeReader.quoted(text))")
                valid = false
            }
        } else {
            reader.missing("endpoint", in: s3, ", e.g. http://127.0.0.1:8333")
        }
        var bucket: String?
        if let field = s3["bucket"] {
            bucket = reader.nonEmptyString(field.value, path: s3Path + ".bucket")
            if let text = bucket, !Self.isBucketName(text) {
                reader.fail(.invalidValue, at: field.value, path: s3Path + ".bucket",
                            "must be 3–63 characters of a-z 0-9 . -, starting and ending with a letter or digit, got \(NodeReader.quoted(text))")
                valid = false
            }
        } else {
            reader.missing("bucket", in: s3)
        }
        var region: String? = S3Destination.defaultRegion
        if let field = s3["region"] {
            region = reader.nonEmptyString(field.value, path: s3Path + ".region")
            if let text = region, !text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) {
                reader.fail(.invalidValue, at: field.value, path: s3Path + ".region",
                            "must be a region name of a-z 0-9 -, got \(NodeReader.quoted(text))")
                valid = false
            }
        }
        let accessKeyEnv = s3["access_key_env"].map { reader.variableName($0.value, path: s3Path + ".access_key_env") }
            ?? S3Destination.defaultAccessKeyEnv
        let secretKeyEnv = s3["secret_key_env"].map { reader.variableName($0.value, path: s3Path + ".secret_key_env") }
            ?? S3Destination.defaultSecretKeyEnv
        guard valid, let endpoint, let bucket, let region, let accessKeyEnv, let secretKeyEnv else { return nil }
        let location = reader.location(s3["access_key_env"]?.value ?? s3["secret_key_env"]?.value ?? field.value)
        return .s3(S3Destination(endpoint: endpoint, bucket: bucket, region: region, accessKeyEnv: accessKeyEnv,
                                 secretKeyEnv: secretKeyEnv, location: location, path: s3Path))
    }

    private func readPartitionKeys(_ node: Node, path: String) -> [PartitionKey]? {
        guard case .mapping(let mapping) = node else {
            reader.fail(.wrongType, at: node, path: path,
                        "must be a mapping of key names to jq-style paths (e.g. dataset: .event.dataset), got \(NodeReader.describe(node))")
            return nil
        }
        var keys: [PartitionKey] = []
        var valid = true
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !NodeReader.isNull(scalar) else {
                reader.fail(.wrongType, at: keyNode, path: path, "has a key that is \(NodeReader.describe(keyNode)); keys must be strings")
                valid = false
                continue
            }
            let name = scalar.string
            let keyPath = "\(path).\(name)"
            guard !name.isEmpty, name.count <= 64,
                  name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0)
                      || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }) else {
                reader.fail(.invalidValue, at: keyNode, path: keyPath,
                            "is not a valid partition key name (1–64 characters of a-z A-Z 0-9 _ -)")
                valid = false
                continue
            }
            guard let text = reader.string(value, path: keyPath) else { valid = false; continue }
            do throws(PartitionKeyPathError) {
                let keyPathValue = try PartitionKeyPath(text)
                if keys.contains(where: { $0.name == name }) {
                    reader.fail(.duplicate, at: keyNode, path: keyPath, "is declared twice")
                    valid = false
                    continue
                }
                keys.append(PartitionKey(name: name, path: keyPathValue))
            } catch {
                reader.fail(.invalidValue, at: value, path: keyPath,
                            "must be a jq-style path of dot-separated identifiers like .event.dataset; \(NodeReader.quoted(text)) \(error.reason)")
                valid = false
            }
        }
        return valid ? keys : nil
    }

    private func readPrefix(_ field: MappingFields.Field, path: String, kind: PrefixTemplate.Kind,
                            declared: Set<String>, transformKeys: Bool = false) -> PrefixTemplate? {
        guard let text = reader.string(field.value, path: path) else { return nil }
        return readPrefixText(text, at: field.key, path: path, kind: kind, declared: declared, note: "",
                              transformKeys: transformKeys)
    }

    private func readPrefixText(_ text: String, at node: Node, path: String, kind: PrefixTemplate.Kind,
                                declared: Set<String>, note: String, transformKeys: Bool = false) -> PrefixTemplate? {
        do throws(PrefixTemplateError) {
            return try PrefixTemplate(text, kind: kind, declaredKeys: declared, allowsTransformKeys: transformKeys)
        } catch {
            reader.fail(.invalidPrefix, at: node, path: path, "\(NodeReader.quoted(text))\(note) is invalid: \(error.description)")
            return nil
        }
    }

    private func readBackup(_ node: Node, path: String, declared: Set<String>) -> PrefixTemplate? {
        guard let fields = reader.mapping(node, path: path, allowed: ["prefix"]) else { return nil }
        guard let field = fields["prefix"] else {
            reader.missing("prefix", in: fields, "; remove source_record_backup to keep no backup")
            return nil
        }
        return readPrefix(field, path: path + ".prefix", kind: .prefix, declared: declared)
    }

    static func isEndpoint(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil else { return false }
        return true
    }

    static func isBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.unicodeScalars.first, let last = name.unicodeScalars.last else {
            return false
        }
        func alphanumeric(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) }
        return alphanumeric(first) && alphanumeric(last) && !name.contains("..")
            && name.unicodeScalars.allSatisfy { alphanumeric($0) || $0 == "." || $0 == "-" }
    }
}
