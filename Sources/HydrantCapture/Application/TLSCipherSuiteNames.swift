/// IANA names of the TLS cipher suites seen in practice, for `tls.client.supported_ciphers` and `tls.cipher`.
enum TLSCipherSuiteNames {
    /// The IANA name of `suite`, or `0x` and four hex digits for a suite not in the table.
    static func name(_ suite: UInt16) -> String {
        // A switch rather than a dictionary: no hashing per suite, and the names are literals (no reference counting).
        switch suite {
        case 0x1301: return "TLS_AES_128_GCM_SHA256"
        case 0x1302: return "TLS_AES_256_GCM_SHA384"
        case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256"
        case 0x1304: return "TLS_AES_128_CCM_SHA256"
        case 0x1305: return "TLS_AES_128_CCM_8_SHA256"
        case 0xC02B: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        case 0xC02C: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        case 0xC02F: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        case 0xC030: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        case 0xCCA8: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xCCA9: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xCCAA: return "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xC009: return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
        case 0xC00A: return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"
        case 0xC012: return "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"
        case 0xC013: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
        case 0xC014: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
        case 0xC023: return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"
        case 0xC024: return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"
        case 0xC027: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"
        case 0xC028: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"
        case 0x009C: return "TLS_RSA_WITH_AES_128_GCM_SHA256"
        case 0x009D: return "TLS_RSA_WITH_AES_256_GCM_SHA384"
        case 0x009E: return "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
        case 0x009F: return "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"
        case 0x002F: return "TLS_RSA_WITH_AES_128_CBC_SHA"
        case 0x0035: return "TLS_RSA_WITH_AES_256_CBC_SHA"
        case 0x003C: return "TLS_RSA_WITH_AES_128_CBC_SHA256"
        case 0x003D: return "TLS_RSA_WITH_AES_256_CBC_SHA256"
        case 0x0033: return "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"
        case 0x0039: return "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"
        case 0x0067: return "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"
        case 0x006B: return "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"
        case 0x0016: return "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"
        case 0x000A: return "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
        case 0x0005: return "TLS_RSA_WITH_RC4_128_SHA"
        case 0x0004: return "TLS_RSA_WITH_RC4_128_MD5"
        case 0x00FF: return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"
        case 0x5600: return "TLS_FALLBACK_SCSV"
        default:
            return String(unsafeUninitializedCapacity: 6) { out in
                out[0] = UInt8(ascii: "0")
                out[1] = UInt8(ascii: "x")
                for index in 0..<4 {
                    let nibble = UInt8(truncatingIfNeeded: suite >> UInt16(12 - 4 * index)) & 0xF
                    out[2 + index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
                }
                return 6
            }
        }
    }
}
