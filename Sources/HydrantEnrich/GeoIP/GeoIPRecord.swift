/// What GeoIP and ASN databases say about one address; a field the database does not hold is nil.
public struct GeoIPRecord: Hashable, Sendable {
    /// ISO 3166-1 alpha-2 code of the country the address is in (`country.iso_code`).
    public var countryISOCode: String?
    /// The city name in English (`city.names.en`).
    public var cityName: String?
    /// The autonomous system number (`autonomous_system_number`).
    public var asNumber: UInt32?
    /// The autonomous system's organisation (`autonomous_system_organization`).
    public var asOrganization: String?

    /// A record with the given fields.
    public init(countryISOCode: String? = nil, cityName: String? = nil, asNumber: UInt32? = nil,
                asOrganization: String? = nil) {
        self.countryISOCode = countryISOCode
        self.cityName = cityName
        self.asNumber = asNumber
        self.asOrganization = asOrganization
    }

    /// Whether no field is known.
    public var isEmpty: Bool { countryISOCode == nil && cityName == nil && asNumber == nil && asOrganization == nil }

    /// Fills the fields this record lacks from `other` (a City database first, then an ASN database).
    public mutating func merge(_ other: GeoIPRecord) {
        countryISOCode = countryISOCode ?? other.countryISOCode
        cityName = cityName ?? other.cityName
        asNumber = asNumber ?? other.asNumber
        asOrganization = asOrganization ?? other.asOrganization
    }
}
