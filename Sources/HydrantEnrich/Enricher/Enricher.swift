import HydrantRecords

/// Adds enrichment fields to batches of JSON records: `source.geo.*`, `source.as.*`, `source.asset.*` (and the same
/// under `destination`), `network.direction`, `threat.indicator.*` and `threat.feed.name`, `dns.question.entropy`
/// and `dns.question.dga_score`.
///
/// Each record is walked once to find the fields read (`source.ip`, `destination.ip`, `dns.question.name`,
/// `url.domain`, `url.original`, `tls.client.server_name`, `tls.client.ja3`, `tls.client.ja4`) and where the objects
/// to extend close; the new members are then spliced in while the record is copied, creating `network` or `threat`
/// when absent. A member the record already has is left alone (no duplicate keys), and a record that is not one
/// well-formed JSON object passes through unchanged. String values with escapes are not read.
///
/// An enricher keeps per-batch scratch state and a cache of GeoIP answers, so it belongs to one task; make one per
/// task over shared `EnrichmentResources`. Each batch uses one snapshot of every resource: a reload never shows a
/// batch half a table.
public final class Enricher {
    /// The resources enriched from.
    public let resources: EnrichmentResources
    /// How often changed files are looked for (at the start of a batch).
    public let reloadInterval: Duration
    /// Counters since the enricher was made.
    public private(set) var statistics = EnrichStatistics()

    private let reportReloadError: @Sendable (any Error) -> Void
    private let clock = ContinuousClock()
    private var lastReloadCheck: ContinuousClock.Instant

    /// The resources one batch reads, taken once per batch and passed down by value, so that the per-record code
    /// reads them without retaining each one for every record.
    struct Snapshot {
        var geo: [GeoIPDatabase] = []
        var assets: AssetInventory?
        var intel: ThreatIntel?
        var homeNetworks: HomeNetworks?
        var domainScorer: DomainScorer?
    }

    // The snapshot in use for the current batch.
    private var snapshot = Snapshot()
    private var generations: [UInt64] = []

    /// One remembered GeoIP answer: the address and where its encoded members lie in `geoArena`.
    struct GeoCacheSlot {
        var address: IPAddress
        var start: Int32
        var end: Int32
    }

    // GeoIP answers by address, encoded as `"geo":{…},"as":{…}` in `geoArena`, in a direct-mapped cache: an
    // address has one slot (by a hash of it) and a newer address with the same slot replaces it. A lookup is one
    // multiply and one compare, where a dictionary would hash the address with SipHash.
    private var geoSlots: [GeoCacheSlot]
    private var geoArena: [UInt8] = []
    static let geoSlotBits = 16
    /// Replaced answers leave their bytes behind; past this size the arena and the cache start over.
    static let geoArenaLimit = 16 << 20

    private var insertions: [Insertion] = []

    /// An enricher over `resources`, looking for changed files every `reloadInterval`; a reload that fails is passed
    /// to `reportReloadError` and the previous data stays in use.
    public init(resources: EnrichmentResources, reloadInterval: Duration = .seconds(5),
                reportReloadError: @escaping @Sendable (any Error) -> Void = { _ in }) {
        self.resources = resources
        self.reloadInterval = reloadInterval
        self.reportReloadError = reportReloadError
        lastReloadCheck = clock.now
        insertions.reserveCapacity(8)
        geoSlots = Array(repeating: Self.emptyGeoSlot, count: 1 << Self.geoSlotBits)
        takeSnapshot()
    }

    /// Enriches a batch: `bytes` holds the records back to back, record `i` ending at `ends[i]` (exclusive). Returns
    /// the enriched records in the same shape.
    public func enrich(_ bytes: [UInt8], ends: [Int]) -> (bytes: [UInt8], ends: [Int]) {
        var out: [UInt8] = []
        var outEnds: [Int] = []
        enrich(bytes, ends: ends, into: &out, ends: &outEnds)
        return (out, outEnds)
    }

    /// Enriches a batch, appending the records to `out` and their end offsets (within `out`) to `outEnds`. Ends that
    /// are out of order or past the bytes are clamped, so a bad batch cannot make the enricher read out of bounds.
    public func enrich(_ bytes: [UInt8], ends: [Int], into out: inout [UInt8], ends outEnds: inout [Int]) {
        refreshIfDue()
        out.reserveCapacity(out.count + bytes.count + bytes.count / 2)
        outEnds.reserveCapacity(outEnds.count + ends.count)
        let snapshot = self.snapshot
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            for rawEnd in ends {
                let end = min(max(rawEnd, start), all.count)
                enrichRecord(UnsafeBufferPointer(rebasing: all[start..<end]), snapshot, into: &out)
                outEnds.append(out.count)
                start = end
            }
        }
    }

    /// Looks for changed files now (rather than at the next due batch) and takes a fresh snapshot.
    public func reloadNow() {
        for resource in resources.geoIP { reload(resource) }
        if let assets = resources.assets { reload(assets) }
        if let intel = resources.intel { reload(intel) }
        lastReloadCheck = clock.now
        takeSnapshot()
    }

    private func reload<Value>(_ resource: ReloadableResource<Value>) {
        do {
            if try resource.reloadIfChanged() { statistics.reloads += 1 }
        } catch {
            statistics.reloadFailures += 1
            reportReloadError(error)
        }
    }

    private func refreshIfDue() {
        if clock.now - lastReloadCheck >= reloadInterval {
            reloadNow()
        } else {
            takeSnapshot()
        }
    }

    private func takeSnapshot() {
        var current: [UInt64] = resources.geoIP.map(\.generation)
        current.append(resources.assets?.generation ?? 0)
        current.append(resources.intel?.generation ?? 0)
        snapshot = Snapshot(geo: resources.geoIP.map(\.current), assets: resources.assets?.current,
                            intel: resources.intel?.current, homeNetworks: resources.homeNetworks,
                            domainScorer: resources.domainScorer)
        if current != generations {
            generations = current
            clearGeoCache()
        }
    }

    private static let emptyGeoSlot = GeoCacheSlot(address: IPAddress(ipv4: 0), start: 0, end: -1)

    private func clearGeoCache() {
        for index in geoSlots.indices { geoSlots[index] = Self.emptyGeoSlot }
        geoArena.removeAll(keepingCapacity: true)
    }

    // MARK: One record

    enum InsertionKind {
        case source, destination, direction, networkObject, scores, threat
    }

    struct Insertion {
        var position: Int
        var needsComma: Bool
        var kind: InsertionKind
    }

    enum IntelValue {
        case text(Range<Int>)
        case block(Int, isV6: Bool)
        case url(host: Range<Int>, path: Range<Int>?)
    }

    struct IntelResult {
        var type: IndicatorType
        var field: MatchedField
        var value: IntelValue
        var feed: UInt16
        var count: Int
    }

    private func enrichRecord(_ record: UnsafeBufferPointer<UInt8>, _ snapshot: Snapshot, into out: inout [UInt8]) {
        statistics.records += 1
        guard let layout = RecordLayout.read(record) else {
            statistics.passedThrough += 1
            out.append(contentsOf: record)
            return
        }
        let sourceIP = layout.source.ip.flatMap { IPAddress(utf8: UnsafeBufferPointer(rebasing: record[$0])) }
        let destinationIP = layout.destination.ip.flatMap { IPAddress(utf8: UnsafeBufferPointer(rebasing: record[$0])) }

        var sourceGeo: Range<Int>?
        var sourceAsset: Int?
        var destinationGeo: Range<Int>?
        var destinationAsset: Int?
        if let ip = sourceIP {
            if !layout.source.hasGeo { sourceGeo = geoMembers(ip, snapshot.geo) }
            if !layout.source.hasAsset { sourceAsset = snapshot.assets?.memberIndex(ip) }
        }
        if let ip = destinationIP {
            if !layout.destination.hasGeo { destinationGeo = geoMembers(ip, snapshot.geo) }
            if !layout.destination.hasAsset { destinationAsset = snapshot.assets?.memberIndex(ip) }
        }
        var direction: NetworkDirection?
        if !layout.hasDirection, let home = snapshot.homeNetworks, let source = sourceIP, let destination = destinationIP {
            direction = home.direction(from: source, to: destination)
        }
        var scores: (entropy: Double, dgaScore: Double)?
        if !layout.hasScores, layout.questionClose >= 0, let name = layout.questionName, let scorer = snapshot.domainScorer {
            scores = scorer.scores(UnsafeBufferPointer(rebasing: record[name]))
        }
        var threat: IntelResult?
        if !layout.hasThreat, let intel = snapshot.intel {
            threat = match(intel, record, layout, sourceIP, destinationIP)
        }

        insertions.removeAll(keepingCapacity: true)
        if sourceGeo?.isEmpty == false || sourceAsset != nil, layout.source.close >= 0 {
            insertions.append(Insertion(position: layout.source.close, needsComma: !layout.source.isEmpty, kind: .source))
        }
        if destinationGeo?.isEmpty == false || destinationAsset != nil, layout.destination.close >= 0 {
            insertions.append(Insertion(position: layout.destination.close, needsComma: !layout.destination.isEmpty,
                                        kind: .destination))
        }
        if direction != nil {
            if layout.networkClose >= 0 {
                insertions.append(Insertion(position: layout.networkClose, needsComma: !layout.networkIsEmpty, kind: .direction))
            } else if !layout.hasNetwork {
                insertions.append(Insertion(position: layout.close, needsComma: !layout.isEmpty, kind: .networkObject))
            }
        }
        if scores != nil {
            insertions.append(Insertion(position: layout.questionClose, needsComma: !layout.questionIsEmpty, kind: .scores))
        }
        if threat != nil {
            insertions.append(Insertion(position: layout.close, needsComma: true, kind: .threat))
        }
        guard !insertions.isEmpty else {
            out.append(contentsOf: record)
            return
        }
        statistics.enriched += 1
        if threat != nil { statistics.intelMatches += 1 }
        // Few insertions: an insertion sort keeps positions ascending (and the top-level ones in the order added).
        var sortIndex = 1
        while sortIndex < insertions.count {
            var inner = sortIndex
            while inner > 0, insertions[inner - 1].position > insertions[inner].position {
                insertions.swapAt(inner - 1, inner)
                inner -= 1
            }
            sortIndex += 1
        }
        var copied = 0
        var previousPosition = -1
        for insertion in insertions {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: record[copied..<insertion.position]))
            copied = insertion.position
            let comma = insertion.needsComma || insertion.position == previousPosition
            if comma { out.append(UInt8(ascii: ",")) }
            previousPosition = insertion.position
            switch insertion.kind {
            case .source:
                appendEndpoint(geo: sourceGeo, asset: sourceAsset, assets: snapshot.assets, to: &out)
            case .destination:
                appendEndpoint(geo: destinationGeo, asset: destinationAsset, assets: snapshot.assets, to: &out)
            case .direction:
                appendDirection(direction, to: &out)
            case .networkObject:
                out.append(contentsOf: #""network":{"#.utf8)
                appendDirection(direction, to: &out)
                out.append(UInt8(ascii: "}"))
            case .scores:
                if let scores {
                    out.append(contentsOf: #""entropy":"#.utf8)
                    JSONFragments.appendFixed3(scores.entropy, to: &out)
                    out.append(contentsOf: #","dga_score":"#.utf8)
                    JSONFragments.appendFixed3(scores.dgaScore, to: &out)
                }
            case .threat:
                if let threat, let intel = snapshot.intel { appendThreat(threat, intel: intel, record: record, to: &out) }
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: record[copied...]))
    }

    private func appendDirection(_ direction: NetworkDirection?, to out: inout [UInt8]) {
        guard let direction else { return }
        out.append(contentsOf: #""direction":""#.utf8)
        out.append(contentsOf: direction.rawValue.utf8)
        out.append(UInt8(ascii: "\""))
    }

    private func appendEndpoint(geo: Range<Int>?, asset: Int?, assets: AssetInventory?, to out: inout [UInt8]) {
        var wrote = false
        if let geo, !geo.isEmpty {
            geoArena.withUnsafeBufferPointer { arena in out.append(contentsOf: UnsafeBufferPointer(rebasing: arena[geo])) }
            wrote = true
        }
        if let asset, let assets {
            if wrote { out.append(UInt8(ascii: ",")) }
            assets.appendMember(asset, to: &out)
        }
    }

    /// The encoded GeoIP members for `address` (possibly empty), from the cache or the databases.
    @inline(__always)
    private func geoMembers(_ address: IPAddress, _ geo: [GeoIPDatabase]) -> Range<Int>? {
        guard !geo.isEmpty, !ReservedRanges.contains(address) else { return nil }
        let mixed = (address.high ^ address.low &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        let slot = Int(truncatingIfNeeded: mixed >> UInt64(64 - Self.geoSlotBits))
        let cached = geoSlots[slot]
        if cached.end >= 0, cached.address == address { return Int(cached.start)..<Int(cached.end) }
        if geoArena.count >= Self.geoArenaLimit { clearGeoCache() }
        var record = GeoIPRecord()
        for database in geo {
            if let found = database.lookup(address) { record.merge(found) }
        }
        let start = geoArena.count
        JSONFragments.geoMembers(record, to: &geoArena)
        let range = start..<geoArena.count
        geoSlots[slot] = GeoCacheSlot(address: address, start: Int32(start), end: Int32(range.upperBound))
        return range
    }

    // MARK: Threat intelligence

    private func match(_ intel: ThreatIntel, _ record: UnsafeBufferPointer<UInt8>, _ layout: RecordLayout,
                       _ sourceIP: IPAddress?, _ destinationIP: IPAddress?) -> IntelResult? {
        var first: IntelResult?
        var total = 0
        func note(_ result: IntelResult) {
            total += result.count
            if first == nil { first = result }
        }
        func address(_ address: IPAddress?, _ range: Range<Int>?, _ field: MatchedField) {
            guard let address, let range else { return }
            let type: IndicatorType = address.ipv4Value == nil ? .ipv6 : .ipv4
            if let exact = intel.addressMatch(address) {
                note(IntelResult(type: type, field: field, value: .text(range), feed: exact.feed, count: exact.count))
            }
            if let block = intel.blockMatch(address) {
                let feed = block.isV6 ? intel.v6Blocks[block.index].feed : intel.v4Blocks[block.index].feed
                note(IntelResult(type: type, field: field, value: .block(block.index, isV6: block.isV6), feed: feed, count: 1))
            }
        }
        func domain(_ range: Range<Int>?, _ field: MatchedField) {
            guard let range, let found = intel.domainMatch(UnsafeBufferPointer(rebasing: record[range])) else { return }
            var end = range.upperBound
            if end > range.lowerBound, record[end - 1] == UInt8(ascii: ".") { end -= 1 }
            note(IntelResult(type: .domain, field: field, value: .text((range.lowerBound + found.suffixStart)..<end),
                             feed: found.feed, count: found.count))
        }
        func fingerprint(_ range: Range<Int>?, _ table: [ThreatIntel.HashEntry], _ field: MatchedField, _ type: IndicatorType) {
            guard let range, !table.isEmpty,
                  let found = ThreatIntel.hashMatch(table, FNVHash.hash(UnsafeBufferPointer(rebasing: record[range])))
            else { return }
            note(IntelResult(type: type, field: field, value: .text(range), feed: found.feed, count: found.count))
        }
        address(sourceIP, layout.source.ip, .sourceIP)
        address(destinationIP, layout.destination.ip, .destinationIP)
        domain(layout.questionName, .dnsQuestionName)
        domain(layout.urlDomain, .urlDomain)
        domain(layout.serverName, .tlsServerName)
        if !intel.urls.isEmpty, let original = layout.urlOriginal,
           let url = urlKey(record, domain: layout.urlDomain, original: original),
           let found = ThreatIntel.hashMatch(intel.urls, url.hash) {
            note(IntelResult(type: .url, field: .urlOriginal, value: .url(host: url.host, path: url.path), feed: found.feed,
                             count: found.count))
        }
        fingerprint(layout.ja3, intel.ja3, .ja3, .ja3)
        fingerprint(layout.ja4, intel.ja4, .ja4, .ja4)
        guard var result = first else { return nil }
        result.count = total
        return result
    }

    /// The URL hash of a request: `url.domain` + `url.original` when the target is a path, else the absolute target.
    private func urlKey(_ record: UnsafeBufferPointer<UInt8>, domain: Range<Int>?, original: Range<Int>)
        -> (hash: UInt64, host: Range<Int>, path: Range<Int>?)? {
        guard !original.isEmpty else { return nil }
        if record[original.lowerBound] == UInt8(ascii: "/") {
            guard let domain, !domain.isEmpty else { return nil }
            var pathEnd = original.lowerBound
            while pathEnd < original.upperBound, record[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
            var hasher = FNVHash()
            hasher.add(UnsafeBufferPointer(rebasing: record[domain]))
            hasher.add(UnsafeBufferPointer(rebasing: record[original.lowerBound..<pathEnd]))
            return (hasher.value, domain, original.lowerBound..<pathEnd)
        }
        let text = UnsafeBufferPointer(rebasing: record[original])
        guard let parts = URLParts(text) else { return nil }
        var hasher = FNVHash()
        hasher.add(UnsafeBufferPointer(rebasing: text[parts.host]))
        if parts.path.isEmpty { hasher.add(UInt8(ascii: "/")) } else { hasher.add(UnsafeBufferPointer(rebasing: text[parts.path])) }
        let base = original.lowerBound
        let path = parts.path.isEmpty ? nil : (base + parts.path.lowerBound)..<(base + parts.path.upperBound)
        return (hasher.value, (base + parts.host.lowerBound)..<(base + parts.host.upperBound), path)
    }

    private func appendThreat(_ threat: IntelResult, intel: ThreatIntel, record: UnsafeBufferPointer<UInt8>,
                              to out: inout [UInt8]) {
        out.append(contentsOf: #""threat":{"indicator":{"type":""#.utf8)
        out.append(contentsOf: threat.type.rawValue.utf8)
        out.append(contentsOf: #"","value":""#.utf8)
        switch threat.value {
        case .text(let range):
            JSONFragments.appendLowercased(UnsafeBufferPointer(rebasing: record[range]), to: &out)
        case .block(let index, let isV6):
            intel.appendBlockText(index, isV6: isV6, to: &out)
        case .url(let host, let path):
            JSONFragments.appendLowercased(UnsafeBufferPointer(rebasing: record[host]), to: &out)
            if let path {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: record[path]))
            } else {
                out.append(UInt8(ascii: "/"))
            }
        }
        out.append(contentsOf: #"","matched":{"field":""#.utf8)
        out.append(contentsOf: threat.field.rawValue.utf8)
        out.append(contentsOf: #""},"count":"#.utf8)
        appendDecimal(threat.count, to: &out)
        out.append(contentsOf: #"},"feed":{"name":"#.utf8)
        appendJSONString(intel.feeds[Int(threat.feed)], to: &out)
        out.append(contentsOf: "}}".utf8)
    }
}
