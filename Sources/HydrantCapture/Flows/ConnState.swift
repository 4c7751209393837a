/// The state of one TCP endpoint, as Zeek's TCP analyzer tracks it (`TCP_ENDPOINT_*`).
enum TCPEndpointState: UInt8 {
    /// Nothing sent yet.
    case inactive
    /// Sent a SYN.
    case synSent
    /// Sent a SYN+ACK as the initiator.
    case synAckSent
    /// Sent traffic without a SYN we saw (joined midstream).
    case partial
    /// Handshake done (or a SYN+ACK sent, or a pure ACK answering a SYN+ACK).
    case established
    /// Sent a FIN.
    case closed
    /// Sent a RST.
    case reset
}

/// History letters an endpoint records once (Zeek's `HIST_*` masks for one direction).
enum HistoryBit {
    /// `S` or `H`: a SYN, without or with ACK.
    static let syn: UInt8 = 0x01
    /// `F`: a FIN.
    static let fin: UInt8 = 0x02
    /// `R`: a RST.
    static let rst: UInt8 = 0x04
    /// `I`: FIN and RST together.
    static let finRST: UInt8 = 0x08
    /// `D`: payload (TCP) or any datagram (UDP).
    static let data: UInt8 = 0x10
    /// `A`: a pure ACK.
    static let ack: UInt8 = 0x20
    /// `Q`: SYN with FIN or RST.
    static let multiFlag: UInt8 = 0x40
}

/// Zeek-compatible `conn_state` and `history`, computed per packet on a ``FlowEntry``.
///
/// This follows Zeek 6/7 (`TCPSessionAdapter.cc`, `Conn::conn_state` in `base/protocols/conn/main.zeek`):
/// - **History**: `update_history` — a packet with more than one of SYN/FIN/RST records `I` (FIN+RST) or `Q`;
///   otherwise a SYN records `S` (`H` with ACK), a FIN `F`, a RST `R`, each once per direction and again only
///   when its sequence number differs from the previous one of that kind (for SYNs only after a FIN or RST, since
///   Zeek re-bases the sequence space on a SYN in the other states); a packet without those flags records `D`
///   when it carries payload, else `A` when it has ACK, once per direction. Retransmitted payload (a segment that
///   does not advance the highest sequence number sent) records `T` at the 1st, 10th, 100th, … occurrence.
///   Upper case is the initiator, lower case the responder; `^` first means the roles were flipped because the
///   first packet was a SYN+ACK. UDP records `D`/`d` once per direction for any datagram (Zeek's UDP analyzer);
///   ICMP and other protocols record nothing. Zeek's `C`, `G`, `W` need checksums, reassembly or windows, which
///   the flow table does not see, and are never recorded.
/// - **Endpoint states**: `UpdateStateMachine` with its inactive, SYN-sent, established, closed and reset cases,
///   including the eccentric-ACK rule (a responder's bare ACK before its SYN+ACK is ignored) and the FIN-after-RST
///   repair. One deliberate addition: when the initiator's pure SYN arrives after the responder's SYN+ACK
///   (capture reordering after a role flip) the initiator counts as established, so the flow is not reported `OTH`.
/// - **conn_state**: Zeek's `conn_state` function verbatim, including the `RSTOS0` history pattern
///   `^?S[^HAFGIQ]*R`; "size 0" there means the endpoint sent no payload. UDP is `SF`, `S0`, `SHR` or `OTH` from
///   which directions sent anything; every other protocol is `OTH`.
extension FlowEntry {
    /// Applies one TCP segment from the initiator (`fromOrig`) or the responder.
    @inline(__always)
    mutating func processTCP(flags: UInt8, sequence: UInt32, payloadLength: Int, fromOrig: Bool) {
        if fromOrig {
            FlowEntry.tcpSegment(flags: flags, sequence: sequence, length: payloadLength, isOrig: true,
                                 endpoint: &orig, peer: &resp, history: &history)
        } else {
            FlowEntry.tcpSegment(flags: flags, sequence: sequence, length: payloadLength, isOrig: false,
                                 endpoint: &resp, peer: &orig, history: &history)
        }
    }

    /// Records one UDP datagram.
    @inline(__always)
    mutating func processUDP(fromOrig: Bool) {
        if fromOrig {
            if orig.seen & HistoryBit.data == 0 {
                orig.seen |= HistoryBit.data
                history.append(UInt8(ascii: "D"))
            }
        } else if resp.seen & HistoryBit.data == 0 {
            resp.seen |= HistoryBit.data
            history.append(UInt8(ascii: "d"))
        }
    }

    /// Whether a TCP conversation is over (Zeek's close-complete): a RST from either side, FINs from both sides, or
    /// a FIN from one side while the other never sent anything.
    var tcpCloseComplete: Bool {
        let o = orig.state
        let r = resp.state
        if o == .reset || r == .reset { return true }
        if o == .closed { return r == .closed || r == .inactive }
        return r == .closed && o == .inactive
    }

    /// Whether a TCP flow has not been answered or not finished its handshake (the half-open timeout class).
    var tcpIsHalfOpen: Bool {
        FlowEntry.isOpening(orig.state) || FlowEntry.isOpening(resp.state)
    }

    @inline(__always)
    private static func isOpening(_ state: TCPEndpointState) -> Bool {
        state == .inactive || state == .synSent || state == .synAckSent
    }

    /// Zeek `conn_state` for the flow's protocol.
    func connState() -> String {
        switch key.ianaNumber {
        case 6: return tcpConnState()
        case 17:
            let o = orig.seen & HistoryBit.data != 0
            let r = resp.seen & HistoryBit.data != 0
            if o { return r ? "SF" : "S0" }
            return r ? "SHR" : "OTH"
        default: return "OTH"
        }
    }

    private func tcpConnState() -> String {
        let os = orig.state
        let rs = resp.state
        let oInactive = os == .inactive || os == .partial
        let rInactive = rs == .inactive || rs == .partial
        if rs == .reset {
            if os == .synSent || os == .synAckSent
                || (os == .reset && orig.flags & FlowEndpoint.Flag.sentPayload == 0
                    && resp.flags & FlowEndpoint.Flag.sentPayload == 0) {
                return "REJ"
            }
            return oInactive ? "RSTRH" : "RSTR"
        }
        if os == .reset {
            if rInactive { return historyMatchesRSTOS0() ? "RSTOS0" : "OTH" }
            return "RSTO"
        }
        if rs == .closed && os == .closed { return "SF" }
        if os == .closed { return rInactive ? "SH" : "S2" }
        if rs == .closed { return oInactive ? "SHR" : "S3" }
        if os == .synSent && rs == .inactive { return "S0" }
        if os == .established && rs == .established { return "S1" }
        return "OTH"
    }

    /// Zeek's `/^?S[^HAFGIQ]*R.*/`: an initiator SYN, then a RST before any handshake, ACK, FIN or anomaly letter.
    private func historyMatchesRSTOS0() -> Bool {
        history.withLetters { letters in
            var i = 0
            if i < letters.count, letters[i] == UInt8(ascii: "^") { i += 1 }
            guard i < letters.count, letters[i] == UInt8(ascii: "S") else { return false }
            i += 1
            while i < letters.count {
                switch letters[i] {
                case UInt8(ascii: "R"): return true
                case UInt8(ascii: "H"), UInt8(ascii: "A"), UInt8(ascii: "F"), UInt8(ascii: "G"),
                     UInt8(ascii: "I"), UInt8(ascii: "Q"): return false
                default: i += 1
                }
            }
            return false
        }
    }

    // MARK: - TCP segment processing

    private static func tcpSegment(flags: UInt8, sequence: UInt32, length: Int, isOrig: Bool,
                                   endpoint: inout FlowEndpoint, peer: inout FlowEndpoint, history: inout FlowHistory) {
        let syn = flags & TCPFlags.syn != 0
        let fin = flags & TCPFlags.fin != 0
        let rst = flags & TCPFlags.rst != 0
        let ack = flags & TCPFlags.ack != 0
        let caseBit: UInt8 = isOrig ? 0 : 0x20 // ASCII upper → lower case

        // Zeek re-bases an endpoint's sequence space on a SYN in these states (init_endpoint).
        let rebases = syn && (endpoint.state == .synSent || endpoint.state == .synAckSent
            || endpoint.state == .established || endpoint.state == .partial
            || (endpoint.state == .reset && endpoint.previousState == .inactive))

        // History (Zeek update_history).
        let bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0)
        if bits > 1 {
            if fin && rst {
                recordOnce(HistoryBit.finRST, UInt8(ascii: "I") | caseBit, &endpoint, &history)
            } else {
                recordOnce(HistoryBit.multiFlag, UInt8(ascii: "Q") | caseBit, &endpoint, &history)
            }
        } else if bits == 1 {
            if syn {
                let letter = (ack ? UInt8(ascii: "H") : UInt8(ascii: "S")) | caseBit
                if !recordOnce(HistoryBit.syn, letter, &endpoint, &history), !rebases, sequence != endpoint.lastSYN {
                    history.append(letter)
                }
                endpoint.lastSYN = sequence
            }
            if fin {
                let finSequence = sequence &+ UInt32(truncatingIfNeeded: length)
                if !recordOnce(HistoryBit.fin, UInt8(ascii: "F") | caseBit, &endpoint, &history),
                   finSequence != endpoint.lastFIN {
                    history.append(UInt8(ascii: "F") | caseBit)
                }
                endpoint.lastFIN = finSequence
            }
            if rst {
                if !recordOnce(HistoryBit.rst, UInt8(ascii: "R") | caseBit, &endpoint, &history),
                   sequence != endpoint.lastRST {
                    history.append(UInt8(ascii: "R") | caseBit)
                }
                endpoint.lastRST = sequence
            }
        } else if length > 0 {
            recordOnce(HistoryBit.data, UInt8(ascii: "D") | caseBit, &endpoint, &history)
        } else if ack {
            recordOnce(HistoryBit.ack, UInt8(ascii: "A") | caseBit, &endpoint, &history)
        }

        if length > 0 && !rst { endpoint.flags |= FlowEndpoint.Flag.sentPayload }

        // Retransmissions (Zeek init_endpoint / update_last_seq): a segment with payload that does not advance the
        // highest sequence number sent.
        var segmentLength = UInt32(truncatingIfNeeded: rst ? 0 : length)
        if syn { segmentLength &+= 1 }
        if fin { segmentLength &+= 1 }
        let segmentEnd = sequence &+ segmentLength
        if endpoint.flags & FlowEndpoint.Flag.sequenceKnown == 0 {
            endpoint.highSequence = syn ? segmentEnd : sequence
            endpoint.flags |= FlowEndpoint.Flag.sequenceKnown
        } else if rebases {
            endpoint.highSequence = segmentEnd
        }
        let delta = Int32(bitPattern: segmentEnd &- endpoint.highSequence)
        let tooLarge: Int32 = 1_048_576
        if (syn || rst) && (delta > tooLarge || delta < -tooLarge) {
            // An implausible jump on a SYN or RST: ignored, as Zeek does.
        } else if endpoint.state == .reset {
            // Nothing after a RST is trusted.
        } else if delta > 0 {
            endpoint.highSequence = segmentEnd
        } else if length > 0 {
            endpoint.retransmits &+= 1
            if isPowerOfTen(endpoint.retransmits) { history.append(UInt8(ascii: "T") | caseBit) }
        }

        // Endpoint state machine (Zeek UpdateStateMachine).
        switch endpoint.state {
        case .inactive:
            if syn {
                if isOrig {
                    if ack {
                        endpoint.setState(.synAckSent)
                    } else if peer.state == .established && peer.seen & HistoryBit.syn != 0 {
                        // The responder's SYN+ACK was captured before this SYN: the handshake is complete.
                        endpoint.setState(.established)
                    } else {
                        endpoint.setState(.synSent)
                    }
                } else {
                    if peer.state == .synSent { peer.setState(.established) }
                    endpoint.setState(.established)
                }
            }
            if fin { endpoint.setState(.closed) }
            if rst { endpoint.setState(.reset) }
            if endpoint.state == .inactive {
                if !isOrig && length == 0 && peer.state == .synSent {
                    // An ACK of the SYN before the SYN+ACK (Zeek's "eccentric TCP"): not a partial connection.
                } else if ack && peer.state == .established {
                    // The SYN was missed but the SYN+ACK seen: established, not partial.
                    endpoint.setState(.established)
                } else {
                    endpoint.setState(.partial)
                }
            }
        case .synSent, .synAckSent:
            if fin { endpoint.setState(.closed) }
            if rst { endpoint.setState(.reset) }
        case .established, .partial:
            if syn && endpoint.state == .partial && peer.state == .inactive && !ack {
                endpoint.setState(.synSent)
            }
            if fin && !rst {
                endpoint.setState(.closed)
                if peer.state == .reset && peer.previousState == .closed {
                    // The peer sent a FIN and then a RST: a normal termination after all.
                    peer.setState(.closed)
                }
            }
            if rst { endpoint.setState(.reset) }
        case .closed:
            if rst && peer.state != .closed { endpoint.setState(.reset) }
        case .reset:
            break
        }
    }

    /// Records `letter` unless this direction already did (Zeek CheckHistory); returns whether it was new.
    @inline(__always) @discardableResult
    private static func recordOnce(_ bit: UInt8, _ letter: UInt8, _ endpoint: inout FlowEndpoint,
                                   _ history: inout FlowHistory) -> Bool {
        guard endpoint.seen & bit == 0 else { return false }
        endpoint.seen |= bit
        history.append(letter)
        return true
    }

    @inline(__always)
    private static func isPowerOfTen(_ n: UInt32) -> Bool {
        var p: UInt32 = 1
        while p < n {
            let (next, overflow) = p.multipliedReportingOverflow(by: 10)
            if overflow { return false }
            p = next
        }
        return p == n
    }
}
