import HydrantArchive

/// Joins an evaluated prefix and an object name into a key, repairing a prefix the destination would refuse.
///
/// Partition values are checked before they enter a prefix, but a configured prefix may still hold an empty segment
/// (`logs//x/`, a leading `/`). Such a key can never be stored, and retrying it forever would stall the stream, so
/// empty, `.` and `..` segments and control characters are dropped instead, and the caller logs that it happened.
enum ObjectKeyBuilder {
    /// The key for `prefix` + `name`, and whether the prefix had to be repaired.
    static func key(prefix: String, name: String) -> (key: ObjectKey, repaired: Bool)? {
        if let key = try? ObjectKey(prefix + name) { return (key, false) }
        var segments: [Substring] = []
        for segment in prefix.split(separator: "/", omittingEmptySubsequences: true)
        where segment != "." && segment != ".." {
            let clean = segment.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
            if !clean.isEmpty { segments.append(Substring(String(String.UnicodeScalarView(clean)))) }
        }
        let repaired = segments.isEmpty ? name : segments.joined(separator: "/") + "/" + name
        if let key = try? ObjectKey(repaired) { return (key, true) }
        return (try? ObjectKey(name)).map { ($0, true) }
    }
}
