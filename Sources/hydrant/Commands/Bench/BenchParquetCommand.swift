import ArgumentParser
import Foundation
import HydrantArchive
import HydrantParquet
import HydrantStream

/// `hydrant bench parquet`: how fast Hydrant writes Parquet, from an in-memory columnar table (the writer alone,
/// as pyarrow's `write_table` is measured) and from JSON lines (the stream's conversion path).
struct BenchParquetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Write records of one dataset to Parquet and report rows/s and bytes per row.",
        discussion: """
            Reads JSON lines records (e.g. network.flow from `hydrant replay -o`), keeps those of --dataset, and
            then, with the clock running only around the writing:
              columns  builds an in-memory columnar table first (values, offsets, validity), then times writing
                       it to one Parquet file: the writer alone, like pyarrow.parquet.write_table;
              convert  times ParquetConverter on the JSON lines: parsing, checking and writing, as a stream does.
            Each is run --runs times; the best counts. The columns file is written to --output. The last line,
            starting with RESULT, is for scripts. --exclude-columns writes the dataset's table without the columns
            named, as a stream with parquet.exclude_columns does (`derived`: the three columns other columns
            determine in network.flow: network.community_id, @timestamp, event.duration).

            Example:
              hydrant bench parquet --input flows.jsonl --codec zstd --output flows.parquet
              hydrant bench parquet --input flows.jsonl --codec zstd --exclude-columns derived
            """
    )

    @Option(help: "JSON lines records.")
    var input: String

    @Option(help: "The dataset to keep (event.dataset).")
    var dataset: String = "network.flow"

    @Option(help: "Page codec: snappy, zstd, gzip or none.")
    var codec: String = "snappy"

    @Option(help: "Rows per row group.")
    var rowGroupRows: Int = 1 << 20

    @Option(help: "Timed runs of each mode; the best counts.")
    var runs: Int = 3

    @Option(help: "Where the columns-mode file goes.")
    var output: String?

    @Option(help: "Columns to leave out, comma-separated (as parquet.exclude_columns), or 'derived'.")
    var excludeColumns: String = ""

    /// `derived`: the network.flow columns other columns of the row determine.
    static let derivedColumns = ["network.community_id", "@timestamp", "event.duration"]

    var excludedNames: [String] {
        if excludeColumns == "derived" { return Self.derivedColumns }
        return excludeColumns.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        guard ParquetFormat.codec(named: codec) != nil else {
            throw ValidationError("--codec must be one of \(ParquetFormat.codecNames.joined(separator: ", "))")
        }
        guard rowGroupRows >= 1 else { throw ValidationError("--row-group-rows must be at least 1") }
        guard (1...100).contains(runs) else { throw ValidationError("--runs must be 1…100") }
    }

    func run() throws {
        guard let generated = StreamSchemas.datasets[dataset] else {
            throw ValidationError("no generated schema for dataset '\(dataset)'")
        }
        let schema: ArchiveSchema
        do {
            schema = try generated.excluding(excludedNames)
        } catch {
            throw ValidationError("--exclude-columns: \(error.description)")
        }
        let body = try Array(Data(contentsOf: URL(fileURLWithPath: input)))
        let format = ParquetFormat(compression: ParquetFormat.codec(named: codec) ?? .snappy, rowGroupRows: rowGroupRows,
                                   rowGroupMB: 1024, reducedTables: schema.excludedColumns.isEmpty ? [:] : [dataset: schema])
        let options = format.writerOptions

        let table = ArchiveColumnBatch(decoding: body, schema: schema)
        guard table.rows > 0 else { throw ValidationError("no \(dataset) records in \(input)") }
        var bestColumns = Double.infinity
        var bestColumnsCPU = Double.infinity
        var file: [UInt8] = []
        for _ in 0..<runs {
            let started = ContinuousClock.now
            let startedCPU = Self.cpuSeconds()
            file = try table.write(options: options)
            bestColumns = min(bestColumns, seconds(since: started))
            bestColumnsCPU = min(bestColumnsCPU, Self.cpuSeconds() - startedCPU)
        }
        if let output { try Data(file).write(to: URL(fileURLWithPath: output)) }

        let converter = ParquetConverter(datasets: [dataset: generated], format: format)
        var bestConvert = Double.infinity
        var converted = 0
        var convertedBytes = 0
        for _ in 0..<runs {
            let started = ContinuousClock.now
            let result = converter.convert(body)
            bestConvert = min(bestConvert, seconds(since: started))
            converted = result.files.reduce(0) { $0 + $1.rows }
            convertedBytes = result.files.reduce(0) { $0 + $1.bytes.count }
        }

        let rows = Double(table.rows)
        print("records: \(table.rows) \(dataset) (\(table.rejected) other or rejected), JSON \(body.count) bytes, "
            + "codec \(codec), row groups of \(rowGroupRows) rows, \(schema.columns.count) columns"
            + (schema.excludedColumns.isEmpty ? "" : " (without \(schema.excludedColumns.joined(separator: ", ")))"))
        print(String(format: "columns: %.3f s  %.0f rows/s  %d bytes  %.2f bytes/row", bestColumns, rows / bestColumns,
                     file.count, Double(file.count) / rows))
        print(String(format: "convert: %.3f s  %.0f rows/s  %d bytes  %.2f bytes/row (%d rows)", bestConvert,
                     Double(converted) / bestConvert, convertedBytes, Double(convertedBytes) / Double(max(1, converted)),
                     converted))
        print("RESULT rows=\(table.rows) codec=\(codec) columns=\(schema.columns.count) "
            + String(format: "columns_s=%.4f columns_rows_per_s=%.0f columns_cpu_s=%.4f bytes=%d convert_s=%.4f "
                + "convert_rows_per_s=%.0f", bestColumns, rows / bestColumns, bestColumnsCPU, file.count, bestConvert,
                     Double(converted) / bestConvert))
    }

    /// User plus system CPU time of the process so far: on a shared machine it varies less than wall time.
    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
