/// Mnemonics for DNS record types, classes and response codes, as the IANA DNS parameters registry and `dig`
/// spell them; numbers without a mnemonic print in the RFC 3597 style (`TYPE65534`, `CLASS9`, `RCODE12`).
public enum DNSNames {
    /// The mnemonic of a record type (`A`, `AAAA`, `HTTPS`, …) or `TYPE<n>`.
    public static func typeName(_ type: UInt16) -> String {
        switch type {
        case 1: return "A"
        case 2: return "NS"
        case 3: return "MD"
        case 4: return "MF"
        case 5: return "CNAME"
        case 6: return "SOA"
        case 7: return "MB"
        case 8: return "MG"
        case 9: return "MR"
        case 10: return "NULL"
        case 11: return "WKS"
        case 12: return "PTR"
        case 13: return "HINFO"
        case 14: return "MINFO"
        case 15: return "MX"
        case 16: return "TXT"
        case 17: return "RP"
        case 18: return "AFSDB"
        case 19: return "X25"
        case 20: return "ISDN"
        case 21: return "RT"
        case 22: return "NSAP"
        case 23: return "NSAP-PTR"
        case 24: return "SIG"
        case 25: return "KEY"
        case 26: return "PX"
        case 27: return "GPOS"
        case 28: return "AAAA"
        case 29: return "LOC"
        case 30: return "NXT"
        case 33: return "SRV"
        case 35: return "NAPTR"
        case 36: return "KX"
        case 37: return "CERT"
        case 38: return "A6"
        case 39: return "DNAME"
        case 41: return "OPT"
        case 42: return "APL"
        case 43: return "DS"
        case 44: return "SSHFP"
        case 45: return "IPSECKEY"
        case 46: return "RRSIG"
        case 47: return "NSEC"
        case 48: return "DNSKEY"
        case 49: return "DHCID"
        case 50: return "NSEC3"
        case 51: return "NSEC3PARAM"
        case 52: return "TLSA"
        case 53: return "SMIMEA"
        case 55: return "HIP"
        case 59: return "CDS"
        case 60: return "CDNSKEY"
        case 61: return "OPENPGPKEY"
        case 62: return "CSYNC"
        case 63: return "ZONEMD"
        case 64: return "SVCB"
        case 65: return "HTTPS"
        case 99: return "SPF"
        case 104: return "NID"
        case 105: return "L32"
        case 106: return "L64"
        case 107: return "LP"
        case 108: return "EUI48"
        case 109: return "EUI64"
        case 249: return "TKEY"
        case 250: return "TSIG"
        case 251: return "IXFR"
        case 252: return "AXFR"
        case 253: return "MAILB"
        case 254: return "MAILA"
        case 255: return "ANY"
        case 256: return "URI"
        case 257: return "CAA"
        case 32768: return "TA"
        case 32769: return "DLV"
        default: return "TYPE\(type)"
        }
    }

    /// The mnemonic of a class (`IN`, `CH`, `HS`, `NONE`, `ANY`) or `CLASS<n>`. mDNS sets the top bit of the
    /// class for its unicast-response and cache-flush flags; mask it (`& 0x7fff`) before naming.
    public static func className(_ dnsClass: UInt16) -> String {
        switch dnsClass {
        case 1: return "IN"
        case 3: return "CH"
        case 4: return "HS"
        case 254: return "NONE"
        case 255: return "ANY"
        default: return "CLASS\(dnsClass)"
        }
    }

    /// The mnemonic of a response code (`NOERROR`, `NXDOMAIN`, …) or `RCODE<n>`.
    public static func responseCodeName(_ code: UInt16) -> String {
        switch code {
        case 0: return "NOERROR"
        case 1: return "FORMERR"
        case 2: return "SERVFAIL"
        case 3: return "NXDOMAIN"
        case 4: return "NOTIMP"
        case 5: return "REFUSED"
        case 6: return "YXDOMAIN"
        case 7: return "YXRRSET"
        case 8: return "NXRRSET"
        case 9: return "NOTAUTH"
        case 10: return "NOTZONE"
        case 11: return "DSOTYPENI"
        case 16: return "BADVERS"
        default: return "RCODE\(code)"
        }
    }

    /// The mnemonic of an opcode (`QUERY`, `IQUERY`, `STATUS`, `NOTIFY`, `UPDATE`, `DSO`) or `OPCODE<n>`.
    public static func opcodeName(_ opcode: UInt8) -> String {
        switch opcode {
        case 0: return "QUERY"
        case 1: return "IQUERY"
        case 2: return "STATUS"
        case 4: return "NOTIFY"
        case 5: return "UPDATE"
        case 6: return "DSO"
        default: return "OPCODE\(opcode)"
        }
    }
}
