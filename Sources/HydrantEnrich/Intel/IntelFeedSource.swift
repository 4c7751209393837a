/// One indicator file and the feed name its matches carry (`threat.feed.name`).
///
/// A file is either a plain list (one indicator per line; `#` starts a comment; blank lines ignored) or CSV with a
/// header row that names an `indicator` (or `value`) column and optionally a `type` column. Without a type each
/// indicator's kind is recognised from its text: an address or CIDR, a URL (has `://`), a JA3 (32 hex digits), a
/// JA4, else a domain name.
public struct IntelFeedSource: Hashable, Sendable {
    /// The feed name.
    public var feed: String
    /// The file.
    public var path: String

    /// A feed named `feed` read from `path`.
    public init(feed: String, path: String) {
        self.feed = feed
        self.path = path
    }
}

/// One match of an indicator, as the public lookups report it.
public struct IntelHit: Hashable, Sendable {
    /// The indicator's kind.
    public var type: IndicatorType
    /// The indicator as matched: the address, the CIDR block, the listed domain, the URL's host and path, the
    /// fingerprint.
    public var indicator: String
    /// The first feed that lists it.
    public var feed: String
    /// How many (indicator, feed) pairs matched the value.
    public var count: Int

    /// A hit with the given fields.
    public init(type: IndicatorType, indicator: String, feed: String, count: Int) {
        self.type = type
        self.indicator = indicator
        self.feed = feed
        self.count = count
    }
}
