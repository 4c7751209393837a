import HydrantEnrich
import HydrantRecords

/// Consecutive enrichment processors (`geoip`, `assets`, `direction`, `intel`, `dga`) run as one `Enricher` pass:
/// each record is walked once whatever the number of steps, and no step reads what another writes. Used by one
/// batch at a time (the stream's gate), hence `@unchecked Sendable`.
final class EnrichmentStep: @unchecked Sendable {
    private let enricher: Enricher
    private let metrics: ProcessorMetrics
    private var reported = EnrichStatistics()

    /// Opens every file the steps name; a missing or broken one throws, naming the processor and the file.
    init(_ processors: [ProcessorConfiguration], metrics: ProcessorMetrics,
         reportReloadError: @escaping @Sendable (any Error) -> Void) throws(ProcessorStartError) {
        var resources = EnrichmentResources()
        for processor in processors {
            switch processor {
            case .geoIP(let geo):
                for path in geo.paths {
                    do {
                        resources.geoIP.append(try EnrichmentResources.geoIPDatabase(path: path))
                    } catch {
                        throw ProcessorStartError(source: geo.source, Self.describe(error, path: path, what: "GeoIP database"))
                    }
                }
            case .assets(let assets):
                do {
                    resources.assets = try EnrichmentResources.assetInventory(path: assets.path)
                } catch {
                    throw ProcessorStartError(source: assets.source, Self.describe(error, path: assets.path, what: "asset inventory"))
                }
            case .direction(let direction):
                do {
                    resources.homeNetworks = try direction.homeNetworks.map { try HomeNetworks($0) } ?? HomeNetworks()
                } catch {
                    throw ProcessorStartError(source: direction.source, "home_networks: \(error)")
                }
            case .intel(let intel):
                do {
                    resources.intel = try EnrichmentResources.threatIntel(
                        sources: intel.feeds.map { IntelFeedSource(feed: $0.feed, path: $0.path) })
                } catch {
                    let paths = intel.feeds.map(\.path).joined(separator: ", ")
                    throw ProcessorStartError(source: intel.source, Self.describe(error, path: paths, what: "intel feed"))
                }
            case .dga(let dga):
                do {
                    resources.domainScorer = DomainScorer(suffixList: try PublicSuffixList(path: dga.publicSuffixList))
                } catch {
                    throw ProcessorStartError(source: dga.source, Self.describe(error, path: dga.publicSuffixList,
                                                                                what: "public suffix list"))
                }
            default:
                continue
            }
        }
        enricher = Enricher(resources: resources, reportReloadError: reportReloadError)
        self.metrics = metrics
    }

    /// The error's own text when it names the file already, else prefixed with it.
    private static func describe(_ error: any Error, path: String, what: String) -> String {
        let text = "\(error)"
        return text.contains(path) ? text : "\(what) \(path): \(text)"
    }

    /// Enriches every frame's records in place.
    func apply(_ frames: inout [ProcessedFrame]) {
        for index in frames.indices where !frames[index].records.isEmpty {
            let records = frames[index].records
            var bytes: [UInt8] = []
            var ends: [Int] = []
            enricher.enrich(records.bytes, ends: records.ends, into: &bytes, ends: &ends)
            frames[index].records = IngestBatch(bytes: bytes, ends: ends)
        }
        let statistics = enricher.statistics
        metrics.recordsEnriched.increment(by: statistics.enriched - reported.enriched)
        metrics.intelMatches.increment(by: statistics.intelMatches - reported.intelMatches)
        metrics.enrichPassedThrough.increment(by: statistics.passedThrough - reported.passedThrough)
        reported = statistics
    }
}
