/// Shows the payload of UDP datagrams sent to chosen destination ports to a handler, on the decoding thread, while
/// the payload still points into the capture buffer; used to decode flow export (NetFlow/IPFIX) found in captures.
///
/// The port set is a 65,536-bit table, so asking whether a datagram is wanted costs one load and no allocation;
/// an engine without a tap pays one nil check per packet.
public final class UDPPayloadTap {
    private var wanted = [UInt64](repeating: 0, count: 1024)
    private let handler: (DecodedPacket) -> Void

    /// A tap calling `handler` for every decoded UDP datagram whose destination port is in `ports`. The handler
    /// runs on the thread that calls `CaptureEngine.process`; `packet.payload` is valid only during the call
    /// (copy what must be kept) and may be shorter than `packet.payloadLength` when the capture truncated it.
    public init(destinationPorts ports: some Sequence<UInt16>, handler: @escaping (DecodedPacket) -> Void) {
        for port in ports { wanted[Int(port >> 6)] |= 1 << UInt64(port & 63) }
        self.handler = handler
    }

    /// Passes `packet` to the handler if it is UDP to a wanted port.
    @inline(__always)
    func offer(_ packet: DecodedPacket) {
        guard packet.ianaNumber == 17,
              wanted[Int(packet.destinationPort >> 6)] & (1 << UInt64(packet.destinationPort & 63)) != 0 else { return }
        handler(packet)
    }
}
