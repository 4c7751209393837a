/// Flow keys as dictionary keys of the application parsers' tables (sessions, DNS transactions), hashed through
/// the flow table's mixing function; Swift's `Hasher` adds its own per-process seed.
extension FlowKey: Hashable {
    func hash(into hasher: inout Hasher) {
        hasher.combine(hash(seed: 0))
    }
}
