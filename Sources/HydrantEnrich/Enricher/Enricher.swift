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
    private let geoArena = JSONLineBuffer(capacity: 64 << 10)
    static let geoSlotBits = 16
    /// Replaced answers leave their bytes behind; past this size the arena and the cache start over.
    static let geoArenaLimit = 16 << 20

    // Every answer for an address by its spelling (see `EndpointCache`); holds GeoIP arena ranges and table
    // indexes, so it is cleared with the GeoIP cache.
    private let endpoints = EndpointCache()

    // An enriched record is written here through a `JSONCursor`, then appended to the batch's output.
    private let output = JSONLineBuffer(capacity: 64 << 10)
    // Each record's quote and bracket bits, for the walk.
    private let structuralIndex = StructuralIndex()
    // Shapes of records the walk read, so that most records get their layout by a text compare.
    let layoutTemplates = LayoutTemplates()
    // The rare members (scores, threat), built with the array writers before they are spliced in.
    private var rareMembers: [UInt8] = []

    /// An enricher over `resources`, looking for changed files every `reloadInterval`; a reload that fails is passed
    /// to `reportReloadError` and the previous data stays in use.
    public init(resources: EnrichmentResources, reloadInterval: Duration = .seconds(5),
                reportReloadError: @escaping @Sendable (any Error) -> Void = { _ in }) {
        self.resources = resources
        self.reloadInterval = reloadInterval
        self.reportReloadError = reportReloadError
        lastReloadCheck = clock.now
        rareMembers.reserveCapacity(512)
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
        // Each enriched record is written into `spliced` through a pointer, then appended while it is still in the
        // first-level cache: one append per record, and no copy of the whole batch at the end.
        let spliced = output
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            for rawEnd in ends {
                let end = min(max(rawEnd, start), all.count)
                let record = UnsafeBufferPointer(rebasing: all[start..<end])
                spliced.removeAll()
                if enrichRecord(record, snapshot, into: spliced) {
                    spliced.withUnsafeBytes { out.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
                } else {
                    out.append(contentsOf: record)
                }
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
        geoArena.removeAll()
        endpoints.removeAll()
    }

    // MARK: One record

    enum InsertionKind: UInt8 {
        case source, destination, direction, networkObject, scores, threat
    }

    /// Where a member is spliced in, packed into one integer so that a record's few insertions sort as integers in
    /// a stack buffer: position, then the order they were added, then whether a comma must come first, then kind.
    struct Insertion {
        let key: UInt64

        init(position: Int, order: Int, needsComma: Bool, kind: InsertionKind) {
            key = UInt64(position) << 16 | UInt64(order) << 8 | (needsComma ? 0x80 : 0) | UInt64(kind.rawValue)
        }

        var position: Int { Int(truncatingIfNeeded: key >> 16) }
        var needsComma: Bool { key & 0x80 != 0 }
        var kind: InsertionKind { InsertionKind(rawValue: UInt8(truncatingIfNeeded: key & 0x7F)) ?? .source }
    }

    /// The most insertions a record can have: source, destination, direction (or a `network` object), scores and
    /// threat.
    static let maximumInsertions = 5

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

    /// Writes the enriched record into `out` and returns true, or returns false when the record stays as it is
    /// (nothing to add, or not one well-formed JSON object).
    private func enrichRecord(_ record: UnsafeBufferPointer<UInt8>, _ snapshot: Snapshot, into buffer: JSONLineBuffer)
        -> Bool {
        statistics.records += 1
        // Cleared between records only: a record's answers are ranges of the arena until they are spliced in.
        if geoArena.count >= Self.geoArenaLimit { clearGeoCache() }
        var layout = RecordLayout()
        guard let recordBase = record.baseAddress, readLayout(record, into: &layout) else {
            statistics.passedThrough += 1
            return false
        }
        let readsAddresses = !snapshot.geo.isEmpty || snapshot.assets != nil || snapshot.homeNetworks != nil
            || snapshot.intel != nil
        var source: EndpointAnswer?
        var destination: EndpointAnswer?
        if readsAddresses {
            if let range = layout.source.ip { source = endpoint(record, range, snapshot) }
            if let range = layout.destination.ip { destination = endpoint(record, range, snapshot) }
        }
        var sourceGeo: Range<Int>?
        var sourceAsset: Int?
        var destinationGeo: Range<Int>?
        var destinationAsset: Int?
        if let source {
            if !layout.source.hasGeo { sourceGeo = source.geo }
            if !layout.source.hasAsset, source.asset >= 0 { sourceAsset = Int(source.asset) }
        }
        if let destination {
            if !layout.destination.hasGeo { destinationGeo = destination.geo }
            if !layout.destination.hasAsset, destination.asset >= 0 { destinationAsset = Int(destination.asset) }
        }
        var direction: NetworkDirection?
        if !layout.hasDirection, snapshot.homeNetworks != nil, let source, let destination {
            direction = NetworkDirection(sourceIsHome: source.isHome, destinationIsHome: destination.isHome)
        }
        // Scores and threat are rare: built with the array writers, then spliced in like the others.
        if !rareMembers.isEmpty { rareMembers.removeAll(keepingCapacity: true) }
        var scoresEnd = 0
        if !layout.hasScores, layout.questionClose >= 0, let name = layout.questionName, let scorer = snapshot.domainScorer,
           let scores = scorer.scores(UnsafeBufferPointer(rebasing: record[name])) {
            rareMembers.append(contentsOf: #""entropy":"#.utf8)
            JSONFragments.appendFixed3(scores.entropy, to: &rareMembers)
            rareMembers.append(contentsOf: #","dga_score":"#.utf8)
            JSONFragments.appendFixed3(scores.dgaScore, to: &rareMembers)
            scoresEnd = rareMembers.count
        }
        let hasScores = scoresEnd > 0
        var hasThreat = false
        if !layout.hasThreat, let intel = snapshot.intel, let threat = match(intel, record, layout, source, destination) {
            appendThreat(threat, intel: intel, record: record, to: &rareMembers)
            hasThreat = true
        }

        let sourceGeoBytes = sourceGeo.map { geoBytes($0) } ?? UnsafeBufferPointer(start: nil, count: 0)
        let destinationGeoBytes = destinationGeo.map { geoBytes($0) } ?? UnsafeBufferPointer(start: nil, count: 0)
        let sourceAssetBytes = sourceAsset.flatMap { index in snapshot.assets.map { $0.member(index) } }
        let destinationAssetBytes = destinationAsset.flatMap { index in snapshot.assets.map { $0.member(index) } }

        return withUnsafeTemporaryAllocation(of: Insertion.self, capacity: Self.maximumInsertions) { insertions -> Bool in
            var count = 0
            func add(_ position: Int, _ needsComma: Bool, _ kind: InsertionKind) {
                insertions.initializeElement(at: count, to: Insertion(position: position, order: count,
                                                                      needsComma: needsComma, kind: kind))
                count += 1
            }
            if !sourceGeoBytes.isEmpty || sourceAssetBytes != nil, layout.source.close >= 0 {
                add(layout.source.close, !layout.source.isEmpty, .source)
            }
            if !destinationGeoBytes.isEmpty || destinationAssetBytes != nil, layout.destination.close >= 0 {
                add(layout.destination.close, !layout.destination.isEmpty, .destination)
            }
            if direction != nil {
                if layout.networkClose >= 0 {
                    add(layout.networkClose, !layout.networkIsEmpty, .direction)
                } else if !layout.hasNetwork {
                    add(layout.close, !layout.isEmpty, .networkObject)
                }
            }
            if hasScores { add(layout.questionClose, !layout.questionIsEmpty, .scores) }
            if hasThreat { add(layout.close, true, .threat) }
            guard count > 0 else { return false }
            statistics.enriched += 1
            if hasThreat { statistics.intelMatches += 1 }
            // Few insertions: an insertion sort of their keys (positions ascending, top-level ones in the order
            // added).
            var sortIndex = 1
            while sortIndex < count {
                var inner = sortIndex
                while inner > 0, insertions[inner - 1].key > insertions[inner].key {
                    insertions.swapAt(inner - 1, inner)
                    inner -= 1
                }
                sortIndex += 1
            }
            // The most this record can take: itself, a comma and the members for each insertion, and the
            // `"network":{…}` wrapper.
            let endpointBytes = sourceGeoBytes.count + (sourceAssetBytes?.count ?? 0) + destinationGeoBytes.count
                + (destinationAssetBytes?.count ?? 0) + 2
            var out = JSONCursor(buffer, reserving: record.count + count + endpointBytes + Self.longestDirectionMember + 16
                                     + rareMembers.count)
            var copied = 0
            var previousPosition = -1
            for index in 0..<count {
                let insertion = insertions[index]
                let position = insertion.position
                out.bytes(recordBase + copied, count: position - copied)
                copied = position
                if insertion.needsComma || position == previousPosition { out.byte(UInt8(ascii: ",")) }
                previousPosition = position
                switch insertion.kind {
                case .source:
                    writeEndpoint(geo: sourceGeoBytes, asset: sourceAssetBytes, to: &out)
                case .destination:
                    writeEndpoint(geo: destinationGeoBytes, asset: destinationAssetBytes, to: &out)
                case .direction:
                    if let direction { out.constant(Self.directionMember(direction)) }
                case .networkObject:
                    out.constant(#""network":{"#)
                    if let direction { out.constant(Self.directionMember(direction)) }
                    out.byte(UInt8(ascii: "}"))
                case .scores:
                    rareMembers.withUnsafeBufferPointer { out.bytes(UnsafeBufferPointer(rebasing: $0[..<scoresEnd])) }
                case .threat:
                    rareMembers.withUnsafeBufferPointer { out.bytes(UnsafeBufferPointer(rebasing: $0[scoresEnd...])) }
                }
            }
            out.bytes(recordBase + copied, count: record.count - copied)
            out.finish()
            return true
        }
    }

    /// The record's layout: from a learnt template when it matches one, else by the walks (learning its shape when
    /// the compact walk read it).
    func layout(of record: UnsafeBufferPointer<UInt8>) -> RecordLayout? {
        var layout = RecordLayout()
        return readLayout(record, into: &layout) ? layout : nil
    }

    /// `layout(of:)` written into `layout` (an optional layout returned is copied whole on the way out); false
    /// when the record is not one well-formed JSON object.
    @inline(__always)
    private func readLayout(_ record: UnsafeBufferPointer<UInt8>, into layout: inout RecordLayout) -> Bool {
        layoutTemplates.match(record, into: &layout) || walkLayout(record, into: &layout)
    }

    @inline(never)
    private func walkLayout(_ record: UnsafeBufferPointer<UInt8>, into layout: inout RecordLayout) -> Bool {
        let masks = structuralIndex.build(record)
        if let masks, let walked = CompactRecordReader.read(record, masks: masks) {
            layoutTemplates.learn(record, walked)
            layout = walked
            return true
        }
        guard let walked = RecordLayout.read(record, masks: masks) else { return false }
        layout = walked
        return true
    }

    /// The record's layout: by the compact walk when it can tell, else by the general one.
    @inline(__always)
    static func layout(of record: UnsafeBufferPointer<UInt8>, _ masks: StructuralMasks?) -> RecordLayout? {
        if let masks, let layout = CompactRecordReader.read(record, masks: masks) { return layout }
        return RecordLayout.read(record, masks: masks)
    }

    /// The `"direction":"…"` member for each direction, as constants.
    @inline(__always)
    static func directionMember(_ direction: NetworkDirection) -> StaticString {
        switch direction {
        case .inbound: #""direction":"inbound""#
        case .outbound: #""direction":"outbound""#
        case .internal: #""direction":"internal""#
        case .external: #""direction":"external""#
        }
    }

    /// At least the longest of `directionMember`'s constants (22 bytes).
    static let longestDirectionMember = 24

    @inline(__always)
    private func writeEndpoint(geo: UnsafeBufferPointer<UInt8>, asset: UnsafeBufferPointer<UInt8>?,
                               to out: inout JSONCursor) {
        out.bytes(geo)
        if let asset {
            if !geo.isEmpty { out.byte(UInt8(ascii: ",")) }
            out.bytes(asset)
        }
    }

    /// The encoded GeoIP members at `range` of the arena; valid until the arena next grows or is cleared, which
    /// happens only between records.
    @inline(__always)
    private func geoBytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        geoArena.unsafeBytes(at: range.lowerBound, count: range.count).assumingMemoryBound(to: UInt8.self)
    }

    /// What the resources say about the address spelled at `range`, from the cache or the tables; nil when the
    /// text is not an address.
    @inline(__always)
    private func endpoint(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ snapshot: Snapshot) -> EndpointAnswer? {
        guard let key = EndpointCache.key(record, range) else { return lookUpEndpoint(record, range, snapshot) }
        if let answer = endpoints.answer(key, length: range.count) { return answer }
        let answer = lookUpEndpoint(record, range, snapshot)
        if let answer { endpoints.remember(answer, for: key, length: range.count) }
        return answer
    }

    @inline(never)
    private func lookUpEndpoint(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ snapshot: Snapshot)
        -> EndpointAnswer? {
        guard let address = IPAddress(utf8: UnsafeBufferPointer(rebasing: record[range])) else { return nil }
        var answer = EndpointAnswer(address: address)
        if let geo = geoMembers(address, snapshot.geo) {
            answer.geoStart = Int32(geo.lowerBound)
            answer.geoEnd = Int32(geo.upperBound)
        }
        if let asset = snapshot.assets?.memberIndex(address) { answer.asset = Int32(asset) }
        if let home = snapshot.homeNetworks { answer.isHome = home.contains(address) }
        if let intel = snapshot.intel {
            if let exact = intel.addressMatch(address) {
                answer.exactFeed = exact.feed
                answer.exactCount = Int32(clamping: exact.count)
            }
            if let block = intel.blockMatch(address) {
                answer.block = Int32(block.index)
                answer.blockIsV6 = block.isV6
            }
        }
        return answer
    }

    /// The encoded GeoIP members for `address` (possibly empty), from the cache or the databases.
    @inline(__always)
    private func geoMembers(_ address: IPAddress, _ geo: [GeoIPDatabase]) -> Range<Int>? {
        guard !geo.isEmpty, !ReservedRanges.contains(address) else { return nil }
        let mixed = (address.high ^ address.low &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        let slot = Int(truncatingIfNeeded: mixed >> UInt64(64 - Self.geoSlotBits))
        let cached = geoSlots[slot]
        if cached.end >= 0, cached.address == address { return Int(cached.start)..<Int(cached.end) }
        return lookUpGeo(address, geo, slot: slot)
    }

    @inline(never)
    private func lookUpGeo(_ address: IPAddress, _ geo: [GeoIPDatabase], slot: Int) -> Range<Int> {
        var record = GeoIPRecord()
        for database in geo {
            if let found = database.lookup(address) { record.merge(found) }
        }
        var encoded: [UInt8] = []
        JSONFragments.geoMembers(record, to: &encoded)
        let start = geoArena.count
        encoded.withUnsafeBytes { geoArena.append($0) }
        let range = start..<geoArena.count
        geoSlots[slot] = GeoCacheSlot(address: address, start: Int32(start), end: Int32(range.upperBound))
        return range
    }

    // MARK: Threat intelligence

    private func match(_ intel: ThreatIntel, _ record: UnsafeBufferPointer<UInt8>, _ layout: RecordLayout,
                       _ source: EndpointAnswer?, _ destination: EndpointAnswer?) -> IntelResult? {
        var first: IntelResult?
        var total = 0
        func note(_ result: IntelResult) {
            total += result.count
            if first == nil { first = result }
        }
        func address(_ answer: EndpointAnswer?, _ range: Range<Int>?, _ field: MatchedField) {
            guard let answer, let range else { return }
            let type: IndicatorType = answer.address.ipv4Value == nil ? .ipv6 : .ipv4
            if answer.exactCount > 0 {
                note(IntelResult(type: type, field: field, value: .text(range), feed: answer.exactFeed,
                                 count: Int(answer.exactCount)))
            }
            if answer.block >= 0 {
                let index = Int(answer.block)
                let feed = answer.blockIsV6 ? intel.v6Blocks[index].feed : intel.v4Blocks[index].feed
                note(IntelResult(type: type, field: field, value: .block(index, isV6: answer.blockIsV6), feed: feed, count: 1))
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
        address(source, layout.source.ip, .sourceIP)
        address(destination, layout.destination.ip, .destinationIP)
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
