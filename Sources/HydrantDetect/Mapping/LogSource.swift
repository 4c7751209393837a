/// A rule's `logsource` (category, product, service; `definition` is free text and ignored).
public struct LogSource: Hashable, Sendable, CustomStringConvertible {
    /// `category`.
    public var category: String?
    /// `product`.
    public var product: String?
    /// `service`.
    public var service: String?

    /// Creates a log source.
    public init(category: String? = nil, product: String? = nil, service: String? = nil) {
        self.category = category
        self.product = product
        self.service = service
    }

    /// pySigma's containment: every attribute `self` sets equals `other`'s; unset attributes match anything.
    public func contains(_ other: LogSource) -> Bool {
        (category == nil || category == other.category) && (product == nil || product == other.product)
            && (service == nil || service == other.service)
    }

    /// `category: x, product: y, service: z` with the attributes that are set.
    public var description: String {
        var parts: [String] = []
        if let category { parts.append("category: \(category)") }
        if let product { parts.append("product: \(product)") }
        if let service { parts.append("service: \(service)") }
        return parts.isEmpty ? "(empty logsource)" : parts.joined(separator: ", ")
    }
}
