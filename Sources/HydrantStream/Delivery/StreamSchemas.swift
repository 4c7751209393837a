import HydrantArchive
import HydrantFlowLogs
import HydrantRecords

/// The generated archive tables of every dataset a stream converts to Parquet: the network datasets, `alert`, and
/// the flow-log datasets, each from its record type's field table.
public enum StreamSchemas {
    /// The tables by dataset name. Built once; a table that cannot be built (a field table whose flattened names
    /// collide) is left out, so its records go to the error output, and `buildErrors` says why.
    public static let datasets: [String: ArchiveSchema] = build().tables

    /// Why a generated table could not be built (empty when all were).
    public static let buildErrors: [ArchiveSchemaError] = build().errors

    private static func build() -> (tables: [String: ArchiveSchema], errors: [ArchiveSchemaError]) {
        var tables: [String: ArchiveSchema] = [:]
        var errors: [ArchiveSchemaError] = []
        do {
            tables = try DatasetSchemas.records()
        } catch {
            errors.append(error)
        }
        do {
            let schema = try DatasetSchemas.network(VPCFlowLogRecord.self)
            tables[schema.name] = schema
        } catch {
            errors.append(error)
        }
        do {
            let schema = try DatasetSchemas.network(NetFlowRecord.self)
            tables[schema.name] = schema
        } catch {
            errors.append(error)
        }
        return (tables, errors)
    }
}
