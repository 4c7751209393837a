import Foundation
import Yams

/// Reads `processors:`: a sequence whose elements are a bare processor name (`append_delimiter`, `dga`) or a
/// mapping of one name to its settings (`- geoip: {city: …}`).
extension StreamConfigurationReader {
    func readProcessors(_ node: Node, path: String) -> [ProcessorConfiguration]? {
        let allowed = ProcessorConfiguration.names.joined(separator: ", ")
        guard let nodes = reader.sequence(node, path: path, of: "processors (\(allowed))") else { return nil }
        var processors: [ProcessorConfiguration] = []
        var valid = true
        var seen: [String: Int] = [:]
        for (index, element) in nodes.enumerated() {
            let elementPath = "\(path)[\(index)]"
            guard let entry = processorEntry(element, path: elementPath) else {
                valid = false
                continue
            }
            let (name, nameNode, settings) = entry
            // Each enrichment kind and each built-in applies once; detect and http_transform may repeat (two rule
            // sets, two transforms in sequence).
            if name != "detect" && name != "http_transform", let first = seen[name] {
                reader.fail(.duplicate, at: nameNode, path: elementPath, "repeats processor \(name) of \(path)[\(first)]")
                valid = false
                continue
            }
            seen[name] = index
            let source = ProcessorSource(location: reader.location(element), path: "\(elementPath).\(name)")
            guard let processor = readProcessor(name, settings: settings, at: nameNode, path: "\(elementPath).\(name)",
                                                source: source) else {
                valid = false
                continue
            }
            processors.append(processor)
        }
        return valid ? processors : nil
    }

    /// The name, the node naming it, and its settings (nil for a bare name).
    private func processorEntry(_ element: Node, path: String) -> (String, Node, Node?)? {
        let allowed = ProcessorConfiguration.names.joined(separator: ", ")
        switch element {
        case .scalar(let scalar) where !NodeReader.isNull(scalar):
            let name = scalar.string
            guard ProcessorConfiguration.names.contains(name) else {
                reader.fail(.notAllowed, at: element, path: path, "must be one of \(allowed), got \(NodeReader.quoted(name))")
                return nil
            }
            guard ProcessorConfiguration.bareNames.contains(name) else {
                reader.fail(.missingKey, at: element, path: path, "\(name) needs settings, e.g. \(Self.example(name))")
                return nil
            }
            return (name, element, nil)
        case .mapping(let mapping):
            guard mapping.count == 1, let pair = mapping.first else {
                reader.fail(.invalidValue, at: element, path: path,
                            "must be a mapping of exactly one processor name to its settings, got \(mapping.count) keys")
                return nil
            }
            guard case .scalar(let scalar) = pair.key, ProcessorConfiguration.names.contains(scalar.string) else {
                reader.fail(.notAllowed, at: pair.key, path: path, "must be one of \(allowed), got \(NodeReader.describe(pair.key))")
                return nil
            }
            return (scalar.string, pair.key, pair.value)
        default:
            reader.fail(.wrongType, at: element, path: path,
                        "must be a processor name or a mapping of one name to its settings (\(allowed)), got \(NodeReader.describe(element))")
            return nil
        }
    }

    private static func example(_ name: String) -> String {
        switch name {
        case "geoip": "geoip: {city: GeoLite2-City.mmdb, asn: GeoLite2-ASN.mmdb}"
        case "assets": "assets: {path: assets.csv}"
        case "intel": "intel: [{feed: abuse-ips, path: intel/ips.txt}]"
        case "http_transform": "http_transform: {url: http://127.0.0.1:9100/transform}"
        case "detect": "detect: {rules: rules/}"
        default: name
        }
    }

    private static func isEmptySettings(_ node: Node?) -> Bool {
        guard let node else { return true }
        if case .scalar(let scalar) = node, NodeReader.isNull(scalar) { return true }
        if case .mapping(let mapping) = node, mapping.isEmpty { return true }
        return false
    }

    private func readProcessor(_ name: String, settings: Node?, at nameNode: Node, path: String,
                               source: ProcessorSource) -> ProcessorConfiguration? {
        switch name {
        case "append_delimiter", "deaggregate_json":
            guard Self.isEmptySettings(settings) else {
                reader.fail(.invalidValue, at: settings ?? nameNode, path: path, "takes no settings; write it as a bare name")
                return nil
            }
            return name == "append_delimiter" ? .appendDelimiter : .deaggregateJSON
        case "geoip":
            return readGeoIP(settings ?? nameNode, path: path, source: source).map { .geoIP($0) }
        case "assets":
            guard let settings, let fields = reader.mapping(settings, path: path, allowed: ["path"]) else {
                if settings == nil { reader.fail(.missingKey, at: nameNode, path: path, "needs settings: {path: FILE}") }
                return nil
            }
            guard let field = fields["path"] else {
                reader.missing("path", in: fields, "; the CSV or YAML asset inventory")
                return nil
            }
            return reader.nonEmptyString(field.value, path: path + ".path").map { .assets(.init(path: $0, source: source)) }
        case "direction":
            if Self.isEmptySettings(settings) { return .direction(.init(homeNetworks: nil, source: source)) }
            guard let settings, let fields = reader.mapping(settings, path: path, allowed: ["home_networks"]) else { return nil }
            guard let field = fields["home_networks"] else { return .direction(.init(homeNetworks: nil, source: source)) }
            return readHomeNetworks(field.value, path: path + ".home_networks").map {
                .direction(.init(homeNetworks: $0, source: source))
            }
        case "intel":
            return readIntel(settings ?? nameNode, path: path, source: source).map { .intel($0) }
        case "dga":
            if Self.isEmptySettings(settings) { return .dga(.init(source: source)) }
            guard let settings, let fields = reader.mapping(settings, path: path, allowed: ["public_suffix_list"]) else { return nil }
            guard let field = fields["public_suffix_list"] else { return .dga(.init(source: source)) }
            return reader.nonEmptyString(field.value, path: path + ".public_suffix_list").map {
                .dga(.init(publicSuffixList: $0, source: source))
            }
        case "http_transform":
            return readTransform(settings ?? nameNode, path: path, source: source).map { .httpTransform($0) }
        case "detect":
            return readDetect(settings ?? nameNode, path: path, source: source).map { .detect($0) }
        case "vpc_flow_log":
            return readVPCFlowLog(settings, path: path, source: source).map { .vpcFlowLog($0) }
        default:
            return nil
        }
    }

    private func readGeoIP(_ node: Node, path: String, source: ProcessorSource) -> GeoIPProcessorConfiguration? {
        guard let fields = reader.mapping(node, path: path, allowed: ["city", "country", "asn"]) else { return nil }
        var valid = true
        func file(_ key: String) -> String? {
            guard let field = fields[key] else { return nil }
            let value = reader.nonEmptyString(field.value, path: "\(path).\(key)")
            if value == nil { valid = false }
            return value
        }
        let city = file("city")
        let country = file("country")
        let asn = file("asn")
        if fields.order.isEmpty {
            reader.fail(.missingKey, at: node, path: path, "needs at least one of city, country, asn (MaxMind database paths)")
            return nil
        }
        guard valid else { return nil }
        return GeoIPProcessorConfiguration(city: city, country: country, asn: asn, source: source)
    }

    private func readHomeNetworks(_ node: Node, path: String) -> [String]? {
        guard let nodes = reader.sequence(node, path: path, of: "CIDR blocks or addresses") else { return nil }
        var blocks: [String] = []
        var valid = true
        for (index, element) in nodes.enumerated() {
            guard let text = reader.nonEmptyString(element, path: "\(path)[\(index)]") else { valid = false; continue }
            if !Self.isCIDR(text) {
                reader.fail(.invalidValue, at: element, path: "\(path)[\(index)]",
                            "must be a CIDR block or address like 10.0.0.0/8 or fd00::/8, got \(NodeReader.quoted(text))")
                valid = false
                continue
            }
            blocks.append(text)
        }
        if nodes.isEmpty {
            reader.fail(.missingKey, at: node, path: path, "must list at least one network; omit it for the defaults")
            valid = false
        }
        return valid ? blocks : nil
    }

    /// Whether `text` is an IPv4 or IPv6 address with an optional prefix length in range.
    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return false }
        let address = String(parts[0])
        var v4 = in_addr()
        var v6 = in6_addr()
        let maximum: Int
        if inet_pton(AF_INET, address, &v4) == 1 {
            maximum = 32
        } else if inet_pton(AF_INET6, address, &v6) == 1 {
            maximum = 128
        } else {
            return false
        }
        guard parts.count == 2 else { return true }
        guard let length = Int(parts[1]), parts[1].allSatisfy(\.isASCII), (0...maximum).contains(length) else { return false }
        return true
    }

    private func readIntel(_ node: Node, path: String, source: ProcessorSource) -> IntelProcessorConfiguration? {
        guard let nodes = reader.sequence(node, path: path, of: "{feed, path} mappings") else { return nil }
        if nodes.isEmpty {
            reader.fail(.missingKey, at: node, path: path, "must list at least one feed, e.g. [{feed: abuse-ips, path: ips.txt}]")
            return nil
        }
        var feeds: [IntelProcessorConfiguration.Feed] = []
        var valid = true
        for (index, element) in nodes.enumerated() {
            let feedPath = "\(path)[\(index)]"
            guard let fields = reader.mapping(element, path: feedPath, allowed: ["feed", "path"]) else { valid = false; continue }
            var name: String?
            var file: String?
            if let field = fields["feed"] { name = reader.nonEmptyString(field.value, path: feedPath + ".feed") } else {
                reader.missing("feed", in: fields, "; the name written to threat.feed.name")
            }
            if let field = fields["path"] { file = reader.nonEmptyString(field.value, path: feedPath + ".path") } else {
                reader.missing("path", in: fields, "; the indicator file")
            }
            guard let name, let file else { valid = false; continue }
            feeds.append(.init(feed: name, path: file))
        }
        return valid ? IntelProcessorConfiguration(feeds: feeds, source: source) : nil
    }

    private func readTransform(_ node: Node, path: String, source: ProcessorSource) -> HTTPTransformConfiguration? {
        guard let fields = reader.mapping(node, path: path, allowed: ["url", "retries", "timeout_s", "buffer_size_mb"]) else {
            return nil
        }
        var valid = true
        var url: String?
        if let field = fields["url"] {
            url = reader.nonEmptyString(field.value, path: path + ".url")
            if let text = url, !Self.isEndpoint(text) {
                reader.fail(.invalidValue, at: field.value, path: path + ".url",
                            "must be an http:// or https:// URL with a host, got \(NodeReader.quoted(text))")
                valid = false
            }
        } else {
            reader.missing("url", in: fields, ", e.g. http://127.0.0.1:9100/transform")
        }
        let retries = fields["retries"].map {
            reader.integer($0.value, path: path + ".retries", range: HTTPTransformConfiguration.retriesRange)
        } ?? HTTPTransformConfiguration.defaultRetries
        let timeout = fields["timeout_s"].map {
            reader.integer($0.value, path: path + ".timeout_s", range: HTTPTransformConfiguration.timeoutSecondsRange)
        } ?? HTTPTransformConfiguration.defaultTimeoutSeconds
        let size = fields["buffer_size_mb"].map {
            reader.number($0.value, path: path + ".buffer_size_mb", range: HTTPTransformConfiguration.bufferSizeMBRange)
        } ?? HTTPTransformConfiguration.defaultBufferSizeMB
        guard valid, let url, let retries, let timeout, let size else { return nil }
        return HTTPTransformConfiguration(url: url, retries: retries, timeoutSeconds: timeout, bufferSizeMB: size,
                                          source: source)
    }

    private func readDetect(_ node: Node, path: String, source: ProcessorSource) -> DetectProcessorConfiguration? {
        guard let fields = reader.mapping(node, path: path,
                                          allowed: ["rules", "placeholders", "allowed_lateness_s", "max_groups"]) else {
            return nil
        }
        var valid = true
        var rules: [String]?
        if let field = fields["rules"] {
            rules = readStrings(field.value, path: path + ".rules", what: "rule files or directories")
            if rules?.isEmpty == true {
                reader.fail(.missingKey, at: field.value, path: path + ".rules", "must name at least one rule file or directory")
                valid = false
            }
        } else {
            reader.missing("rules", in: fields, "; a rule file or directory, or a list of them")
        }
        var placeholders: [String: [String]] = [:]
        if let field = fields["placeholders"] {
            if case .mapping(let mapping) = field.value {
                for (key, value) in mapping {
                    guard case .scalar(let scalar) = key, !NodeReader.isNull(scalar), !scalar.string.isEmpty else {
                        reader.fail(.wrongType, at: key, path: path + ".placeholders", "has a key that is \(NodeReader.describe(key)); keys must be strings")
                        valid = false
                        continue
                    }
                    guard let values = readStrings(value, path: "\(path).placeholders.\(scalar.string)", what: "values") else {
                        valid = false
                        continue
                    }
                    placeholders[scalar.string] = values
                }
            } else {
                reader.fail(.wrongType, at: field.value, path: path + ".placeholders",
                            "must be a mapping of placeholder names to a value or a list of values, got \(NodeReader.describe(field.value))")
                valid = false
            }
        }
        let lateness = fields["allowed_lateness_s"].map {
            reader.integer($0.value, path: path + ".allowed_lateness_s", range: DetectProcessorConfiguration.allowedLatenessSecondsRange)
        } ?? DetectProcessorConfiguration.defaultAllowedLatenessSeconds
        let groups = fields["max_groups"].map {
            reader.integer($0.value, path: path + ".max_groups", range: DetectProcessorConfiguration.maxGroupsRange)
        } ?? DetectProcessorConfiguration.defaultMaxGroups
        guard valid, let rules, let lateness, let groups else { return nil }
        return DetectProcessorConfiguration(rules: rules, placeholders: placeholders, allowedLatenessSeconds: lateness,
                                            maxGroups: groups, source: source)
    }

    /// A string or a sequence of non-empty strings.
    private func readStrings(_ node: Node, path: String, what: String) -> [String]? {
        if case .sequence(let sequence) = node {
            var values: [String] = []
            var valid = true
            for (index, element) in sequence.enumerated() {
                guard let text = reader.nonEmptyString(element, path: "\(path)[\(index)]") else { valid = false; continue }
                values.append(text)
            }
            return valid ? values : nil
        }
        guard case .scalar = node else {
            reader.fail(.wrongType, at: node, path: path, "must be a string or a sequence of \(what), got \(NodeReader.describe(node))")
            return nil
        }
        return reader.nonEmptyString(node, path: path).map { [$0] }
    }
}
