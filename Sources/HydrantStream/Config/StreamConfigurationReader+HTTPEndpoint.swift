import HydrantArchive
import Yams

/// `destination: {http_endpoint: {…}}`: Firehose's HTTP-endpoint destination with its required backup.
extension StreamConfigurationReader {
    /// Reads the `http_endpoint` mapping at `path`; returns the endpoint and its backup destination, nil when invalid
    /// (every error is recorded).
    func readHTTPEndpoint(_ node: Node, path: String) -> (HTTPEndpointDestination, DestinationConfiguration)? {
        guard let fields = reader.mapping(node, path: path, allowed: HTTPEndpointDestination.keys) else { return nil }
        var valid = true

        var url: String?
        if let field = fields["url"] {
            url = reader.nonEmptyString(field.value, path: path + ".url")
            if let text = url, !Self.isEndpoint(text) || text.count > 1000 {
                reader.fail(.invalidValue, at: field.value, path: path + ".url",
                            "must be an http:// or https:// URL with a host, at most 1000 characters, got \(NodeReader.quoted(text))")
                valid = false
            }
        } else {
            reader.missing("url", in: fields, ", e.g. https://receiver.example/firehose")
            valid = false
        }

        var name: String??
        if let field = fields["name"] {
            name = reader.nonEmptyString(field.value, path: path + ".name").map { .some($0) }
            if let text = name ?? nil, text.count > 256 {
                reader.fail(.invalidValue, at: field.value, path: path + ".name", "must be 1…256 characters, got \(text.count)")
                valid = false
            }
        } else {
            name = .some(nil)
        }

        var accessKeyEnv: String??
        if let field = fields["access_key_env"] {
            accessKeyEnv = reader.variableName(field.value, path: path + ".access_key_env").map { .some($0) }
        } else {
            accessKeyEnv = .some(nil)
        }

        let attributes = fields["common_attributes"].map { readCommonAttributes($0.value, path: path + ".common_attributes") }
            ?? [:]
        let encoding = fields["content_encoding"].map {
            reader.enumeration($0.value, path: path + ".content_encoding", as: HTTPEndpointDestination.ContentEncoding.self)
        } ?? HTTPEndpointDestination.ContentEncoding.none
        let retry = fields["retry_duration_s"].map {
            reader.integer($0.value, path: path + ".retry_duration_s", range: HTTPEndpointDestination.retryDurationSecondsRange)
        } ?? HTTPEndpointDestination.defaultRetryDurationSeconds
        let timeout = fields["request_timeout_s"].map {
            reader.integer($0.value, path: path + ".request_timeout_s", range: HTTPEndpointDestination.requestTimeoutSecondsRange)
        } ?? HTTPEndpointDestination.defaultRequestTimeoutSeconds
        let mode = fields["backup_mode"].map {
            reader.enumeration($0.value, path: path + ".backup_mode", as: HTTPEndpointDestination.BackupMode.self)
        } ?? .failedDataOnly

        var backup: DestinationConfiguration?
        if let field = fields["backup"] {
            backup = readDestination(field.value, path: path + ".backup", allowsHTTPEndpoint: false)?.backup
        } else {
            reader.missing("backup", in: fields,
                           "; failed batches are written there (file: {root: DIR} or s3: {endpoint, bucket, …})")
            valid = false
        }

        guard valid, let url, let name, let accessKeyEnv, let attributes, let encoding, let retry, let timeout, let mode,
              let backup else { return nil }
        let location = reader.location(fields["access_key_env"]?.value ?? node)
        let endpoint = HTTPEndpointDestination(
            url: url, name: name, accessKeyEnv: accessKeyEnv, commonAttributes: attributes, contentEncoding: encoding,
            retryDurationSeconds: retry, requestTimeoutSeconds: timeout, backupMode: mode, location: location, path: path)
        return (endpoint, backup)
    }

    /// `common_attributes`: at most 50 string pairs, names 1…256 and values 0…1024 characters (Firehose's limits).
    private func readCommonAttributes(_ node: Node, path: String) -> [String: String]? {
        guard case .mapping(let mapping) = node else {
            reader.fail(.wrongType, at: node, path: path,
                        "must be a mapping of attribute names to string values, got \(NodeReader.describe(node))")
            return nil
        }
        var attributes: [String: String] = [:]
        var valid = true
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, !NodeReader.isNull(scalar) else {
                reader.fail(.wrongType, at: key, path: path, "has a key that is \(NodeReader.describe(key)); keys must be strings")
                valid = false
                continue
            }
            let name = scalar.string
            let keyPath = "\(path).\(name)"
            guard (1...256).contains(name.count) else {
                reader.fail(.invalidValue, at: key, path: keyPath, "attribute names must be 1…256 characters")
                valid = false
                continue
            }
            guard attributes[name] == nil else {
                reader.fail(.duplicate, at: key, path: keyPath, "is given twice")
                valid = false
                continue
            }
            let text: String?
            if case .scalar(let valueScalar) = value, NodeReader.isNull(valueScalar) {
                text = ""
            } else {
                text = reader.string(value, path: keyPath)
            }
            guard let text else { valid = false; continue }
            guard text.count <= 1024 else {
                reader.fail(.invalidValue, at: value, path: keyPath, "attribute values must be at most 1024 characters, got \(text.count)")
                valid = false
                continue
            }
            attributes[name] = text
        }
        if attributes.count > 50 {
            reader.fail(.invalidValue, at: node, path: path, "must have at most 50 attributes, got \(attributes.count)")
            valid = false
        }
        return valid ? attributes : nil
    }

    /// The checks a stream with an HTTP endpoint needs beyond its fields: Firehose's buffer range (1…64 MiB), JSON
    /// lines (the endpoint receives records, not Parquet files) and no whole-object compression (the request body
    /// has `content_encoding` instead). Returns false when one fails (recorded).
    func checkHTTPEndpointStream(_ fields: MappingFields, path: String, buffering: BufferingHints) -> Bool {
        var valid = true
        if !HTTPEndpointDestination.sizeMBRange.contains(buffering.sizeMB) {
            let at = fields["buffering"].flatMap { field -> Node? in
                guard case .mapping(let mapping) = field.value else { return nil }
                return mapping.first { $0.key.string == "size_mb" }?.value
            }
            reader.fail(.outOfRange, at: at ?? fields["buffering"]?.value ?? fields.node, path: path + ".buffering.size_mb",
                        "must be \(HTTPEndpointDestination.sizeMBRange.lowerBound)…\(HTTPEndpointDestination.sizeMBRange.upperBound) with an http_endpoint destination (Firehose's range), got \(buffering.sizeMB)")
            valid = false
        }
        if let field = fields["format"], case .scalar(let scalar) = field.value, scalar.string != "json" {
            reader.fail(.notAllowed, at: field.value, path: path + ".format",
                        "must be json with an http_endpoint destination (the endpoint receives records), got \(NodeReader.quoted(scalar.string))")
            valid = false
        }
        if let field = fields["compression"], case .scalar(let scalar) = field.value, scalar.string != Compression.none.rawValue {
            reader.fail(.notAllowed, at: field.value, path: path + ".compression",
                        "must be none with an http_endpoint destination; compress requests with http_endpoint.content_encoding: gzip, got \(NodeReader.quoted(scalar.string))")
            valid = false
        }
        return valid
    }
}
