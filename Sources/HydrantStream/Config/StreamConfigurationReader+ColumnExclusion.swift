import HydrantArchive
import Yams

/// `parquet.exclude_columns`: generated tables a stream stores with fewer columns.
extension StreamConfigurationReader {
    /// `exclude_columns`, a mapping from dataset to the column names it leaves out; the reduced tables by dataset,
    /// or nil when invalid (every problem recorded with its line).
    ///
    /// The mapping is by dataset rather than one list for every table because the same name means different things
    /// in different datasets: `event.duration` is recomputable in `network.flow` (end − start) but is the measured
    /// response time in `network.dns`, and only the flow tables' `@timestamp` repeats `event.start`.
    func readExclusions(_ node: Node, path: String) -> [String: ArchiveSchema]? {
        let tables = StreamSchemas.datasets
        let datasets = tables.keys.sorted()
        if case .sequence = node {
            reader.fail(.wrongType, at: node, path: path,
                        "must be a mapping from dataset to the columns it leaves out, e.g. "
                            + "{network.flow: [network.community_id, \"@timestamp\", event.duration]}, got a sequence "
                            + "(a column name means different things in different datasets)")
            return nil
        }
        guard let fields = reader.mapping(node, path: path, allowed: datasets) else { return nil }
        var reduced: [String: ArchiveSchema] = [:]
        var valid = true
        for dataset in fields.order {
            guard let field = fields[dataset], let table = tables[dataset] else { continue }
            let datasetPath = path + "." + dataset
            guard let elements = reader.sequence(field.value, path: datasetPath, of: "column names of \(dataset)") else {
                valid = false
                continue
            }
            var names: [String] = []
            var excludedIndices = Set<Int>()
            for (position, element) in elements.enumerated() {
                let elementPath = "\(datasetPath)[\(position)]"
                guard let name = reader.nonEmptyString(element, path: elementPath) else {
                    valid = false
                    continue
                }
                guard let index = table.columnIndex(named: name) else {
                    reader.fail(.notAllowed, at: element, path: elementPath,
                                "names no column of \(dataset), got \(NodeReader.quoted(name))"
                                    + Self.suggestion(for: name, in: table)
                                    + "; its columns: \(table.columns.map(\.name).joined(separator: ", "))")
                    valid = false
                    continue
                }
                guard excludedIndices.insert(index).inserted else {
                    reader.fail(.duplicate, at: element, path: elementPath,
                                "excludes column \(table.columns[index].name) of \(dataset) a second time")
                    valid = false
                    continue
                }
                names.append(name)
            }
            guard valid else { continue }
            do throws(ArchiveSchemaError) {
                reduced[dataset] = try table.excluding(names)
            } catch {
                let message: String
                if case .allColumnsExcluded = error {
                    message = "leaves \(dataset) with no columns; keep at least one"
                } else {
                    message = "is invalid: \(error.description)"
                }
                reader.fail(.invalidValue, at: field.value, path: datasetPath, message)
                valid = false
            }
        }
        return valid ? reduced : nil
    }

    /// ` (did you mean "…"?)` for the column whose name is closest to `name`, when one is close.
    private static func suggestion(for name: String, in table: ArchiveSchema) -> String {
        let given = Array(name.lowercased().utf8)
        var best: (name: String, distance: Int)?
        for column in table.columns {
            for candidate in [column.name, ArchiveSchema.readerName(of: column)] {
                let distance = editDistance(given, Array(candidate.lowercased().utf8))
                if distance < (best?.distance ?? Int.max) { best = (column.name, distance) }
            }
        }
        guard let best, best.distance <= max(2, given.count / 4) else { return "" }
        return " (did you mean \(NodeReader.quoted(best.name))?)"
    }

    /// Levenshtein distance over bytes; names are short, so the quadratic table is small.
    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
