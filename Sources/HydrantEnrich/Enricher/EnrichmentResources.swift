/// What an `Enricher` adds, each part optional: GeoIP/ASN databases (looked up in order, the first to know a field
/// wins, so list City before ASN), an asset inventory, home networks for direction, threat intelligence, and the
/// DNS name scorer. File-backed parts reload when their files change.
public struct EnrichmentResources: Sendable {
    /// MaxMind databases, e.g. City then ASN.
    public var geoIP: [ReloadableResource<GeoIPDatabase>]
    /// The asset inventory.
    public var assets: ReloadableResource<AssetInventory>?
    /// Home networks; when set, `network.direction` is written.
    public var homeNetworks: HomeNetworks?
    /// Threat-intelligence feeds.
    public var intel: ReloadableResource<ThreatIntel>?
    /// DNS name scores; when set, `dns.question.entropy` and `dns.question.dga_score` are written.
    public var domainScorer: DomainScorer?

    /// Resources with the given parts.
    public init(geoIP: [ReloadableResource<GeoIPDatabase>] = [], assets: ReloadableResource<AssetInventory>? = nil,
                homeNetworks: HomeNetworks? = nil, intel: ReloadableResource<ThreatIntel>? = nil,
                domainScorer: DomainScorer? = nil) {
        self.geoIP = geoIP
        self.assets = assets
        self.homeNetworks = homeNetworks
        self.intel = intel
        self.domainScorer = domainScorer
    }

    /// Opens a GeoIP database that reloads on change; a missing or corrupt file throws `GeoIPError`.
    public static func geoIPDatabase(path: String) throws -> ReloadableResource<GeoIPDatabase> {
        try ReloadableResource(paths: [path]) { paths in try GeoIPDatabase(path: paths[0]) }
    }

    /// Loads an asset inventory that reloads on change; a bad file throws `EnrichError` with file and line.
    public static func assetInventory(path: String) throws -> ReloadableResource<AssetInventory> {
        try ReloadableResource(paths: [path]) { paths in try AssetInventory(contentsOf: paths[0]) }
    }

    /// Loads threat-intelligence feeds that reload (all together) when any file changes.
    public static func threatIntel(sources: [IntelFeedSource]) throws -> ReloadableResource<ThreatIntel> {
        try ReloadableResource(paths: sources.map(\.path)) { paths in
            try ThreatIntel(sources: zip(sources, paths).map { IntelFeedSource(feed: $0.feed, path: $1) })
        }
    }
}
