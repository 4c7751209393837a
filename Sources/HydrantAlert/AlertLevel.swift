/// Sigma's rule levels, ordered from least to most severe, for `min_level` filters.
public enum AlertLevel: Int, Hashable, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// `informational`.
    case informational = 1
    /// `low`.
    case low
    /// `medium`.
    case medium
    /// `high`.
    case high
    /// `critical`.
    case critical

    /// The level named `name` as Sigma spells it (`informational`, `low`, `medium`, `high`, `critical`), nil otherwise.
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = level
    }

    /// Sigma's spelling.
    public var description: String {
        switch self {
        case .informational: "informational"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    /// Compares by severity.
    public static func < (lhs: AlertLevel, rhs: AlertLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
