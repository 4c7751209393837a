/// Settings for loading rules.
public struct RuleLoadOptions: Sendable {
    /// Values for `expand` placeholders: `%name%` → alternatives. A rule using an unlisted placeholder is rejected.
    public var placeholders: [String: [String]]
    /// The field-mapping pipelines; the built-in ones by default.
    public var pipelines: [FieldMappingPipeline]

    /// Options with the built-in mappings and no placeholders.
    public init(placeholders: [String: [String]] = [:], pipelines: [FieldMappingPipeline] = FieldMappingPipeline.builtin) {
        self.placeholders = placeholders
        self.pipelines = pipelines
    }
}
