import HydrantRecords

/// Small writers for the JSON the enricher splices in.
enum JSONFragments {
    /// Appends `value` with three decimals (`3.142`), the precision scores need.
    @inline(__always)
    static func appendFixed3(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var scaled = Int((value * 1000).rounded())
        if scaled < 0 {
            out.append(UInt8(ascii: "-"))
            scaled = -scaled
        }
        appendDecimal(scaled / 1000, to: &out)
        out.append(UInt8(ascii: "."))
        let fraction = scaled % 1000
        out.append(UInt8(ascii: "0") &+ UInt8(fraction / 100))
        out.append(UInt8(ascii: "0") &+ UInt8(fraction / 10 % 10))
        out.append(UInt8(ascii: "0") &+ UInt8(fraction % 10))
    }

    /// Appends `bytes` as the inside of a JSON string, lower-casing ASCII letters. The bytes come from a string in
    /// the record that had no escapes, so they need none.
    @inline(__always)
    static func appendLowercased(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for byte in bytes { out.append(byte &- 0x41 < 26 ? byte | 0x20 : byte) }
    }

    /// The `"geo":{…},"as":{…}` members for a GeoIP record (empty when it knows nothing).
    static func geoMembers(_ record: GeoIPRecord, to out: inout [UInt8]) {
        if record.countryISOCode != nil || record.cityName != nil {
            out.append(contentsOf: #""geo":{"#.utf8)
            if let country = record.countryISOCode {
                out.append(contentsOf: #""country_iso_code":"#.utf8)
                appendJSONString(country, to: &out)
            }
            if let city = record.cityName {
                if record.countryISOCode != nil { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #""city_name":"#.utf8)
                appendJSONString(city, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        if record.asNumber != nil || record.asOrganization != nil {
            if record.countryISOCode != nil || record.cityName != nil { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #""as":{"#.utf8)
            if let number = record.asNumber {
                out.append(contentsOf: #""number":"#.utf8)
                appendDecimal(Int(number), to: &out)
            }
            if let organization = record.asOrganization {
                if record.asNumber != nil { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #""organization":{"name":"#.utf8)
                appendJSONString(organization, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
