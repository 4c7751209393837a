import CMaxMindDB
import HydrantRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One MaxMind-format database (GeoLite2/GeoIP2 City, Country, ASN, ISP, or DB-IP's MMDBs) opened with
/// libmaxminddb in memory-mapped mode.
///
/// The value is immutable once opened and libmaxminddb's lookups are thread-safe, so one instance serves every
/// task; reloading builds a new instance (see `ReloadableResource`) and the old one closes when its last reader
/// lets go of it. Private and reserved addresses are never looked up.
public final class GeoIPDatabase: @unchecked Sendable {
    /// The file it was opened from.
    public let path: String
    /// The database's `database_type` metadata, e.g. `GeoLite2-City`.
    public let databaseType: String

    private let handle: UnsafeMutablePointer<MMDB_s>
    /// NUL-terminated lookup paths for `MMDB_aget_value`, allocated once per database.
    private let countryPath: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let cityPath: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let asNumberPath: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let asOrganizationPath: UnsafeMutablePointer<UnsafePointer<CChar>?>

    /// Opens `path`; throws `GeoIPError` naming the file and libmaxminddb's reason when it is missing or corrupt.
    public init(path: String) throws(GeoIPError) {
        self.path = path
        handle = UnsafeMutablePointer<MMDB_s>.allocate(capacity: 1)
        handle.initialize(to: MMDB_s())
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), handle)
        guard status == MMDB_SUCCESS else {
            var reason = String(cString: MMDB_strerror(status))
            if status == MMDB_IO_ERROR {
                reason += " (\(String(cString: strerror(errno))))"
            }
            handle.deallocate()
            throw GeoIPError(path: path, reason: reason)
        }
        if let type = handle.pointee.metadata.database_type {
            databaseType = String(cString: type)
        } else {
            databaseType = ""
        }
        countryPath = Self.makePath(["country", "iso_code"])
        cityPath = Self.makePath(["city", "names", "en"])
        asNumberPath = Self.makePath(["autonomous_system_number"])
        asOrganizationPath = Self.makePath(["autonomous_system_organization"])
    }

    deinit {
        MMDB_close(handle)
        handle.deallocate()
        for path in [countryPath, cityPath, asNumberPath, asOrganizationPath] {
            var index = 0
            while let component = path[index] {
                free(UnsafeMutableRawPointer(mutating: component))
                index += 1
            }
            path.deallocate()
        }
    }

    private static func makePath(_ components: [String]) -> UnsafeMutablePointer<UnsafePointer<CChar>?> {
        let path = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: components.count + 1)
        for (index, component) in components.enumerated() { path[index] = UnsafePointer(strdup(component)) }
        path[components.count] = nil
        return path
    }

    /// What the database holds for `address`; nil for private or reserved addresses, addresses the database does not
    /// cover, and lookups that fail on a damaged database (which never crash).
    public func lookup(_ address: IPAddress) -> GeoIPRecord? {
        guard !ReservedRanges.contains(address) else { return nil }
        var status: Int32 = MMDB_SUCCESS
        var result = withSocketAddress(address) { MMDB_lookup_sockaddr(handle, $0, &status) }
        guard status == MMDB_SUCCESS, result.found_entry else { return nil }
        var record = GeoIPRecord()
        record.countryISOCode = string(&result.entry, countryPath)
        record.cityName = string(&result.entry, cityPath)
        record.asNumber = number(&result.entry, asNumberPath)
        record.asOrganization = string(&result.entry, asOrganizationPath)
        return record.isEmpty ? nil : record
    }

    private func value(_ entry: inout MMDB_entry_s, _ path: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> MMDB_entry_data_s? {
        var data = MMDB_entry_data_s()
        let status = path.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: 1) { MMDB_aget_value(&entry, &data, $0) }
        guard status == MMDB_SUCCESS, data.has_data else { return nil }
        return data
    }

    private func string(_ entry: inout MMDB_entry_s, _ path: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> String? {
        guard let data = value(&entry, path), data.type == UInt32(MMDB_DATA_TYPE_UTF8_STRING),
              let start = data.utf8_string else { return nil }
        let bytes = UnsafeRawBufferPointer(start: start, count: Int(data.data_size))
        return String(decoding: bytes, as: UTF8.self)
    }

    private func number(_ entry: inout MMDB_entry_s, _ path: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> UInt32? {
        guard let data = value(&entry, path) else { return nil }
        switch Int32(data.type) {
        case MMDB_DATA_TYPE_UINT16: return UInt32(data.uint16)
        case MMDB_DATA_TYPE_UINT32: return data.uint32
        case MMDB_DATA_TYPE_INT32: return data.int32 >= 0 ? UInt32(data.int32) : nil
        case MMDB_DATA_TYPE_UINT64: return data.uint64 <= UInt64(UInt32.max) ? UInt32(data.uint64) : nil
        default: return nil
        }
    }

    private func withSocketAddress<T>(_ address: IPAddress, _ body: (UnsafePointer<sockaddr>) -> T) -> T {
        if let v4 = address.ipv4Value {
            var socket = sockaddr_in()
            socket.sin_family = sa_family_t(AF_INET)
            socket.sin_addr.s_addr = v4.bigEndian
            return withUnsafePointer(to: &socket) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        var socket = sockaddr_in6()
        socket.sin6_family = sa_family_t(AF_INET6)
        withUnsafeMutableBytes(of: &socket.sin6_addr) { raw in
            raw.storeBytes(of: address.high.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: address.low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        return withUnsafePointer(to: &socket) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}
