import Foundation
import HydrantRecords

#if canImport(Glibc)
import Glibc
#endif

/// Why the collector could not start.
public struct CollectorError: Error, CustomStringConvertible, Sendable {
    /// What failed, with the system's reason.
    public let description: String
}

/// Receives NetFlow/IPFIX datagrams on UDP ports and hands decoded records out in batches.
///
/// One receive thread polls every socket and drains each until it would block, decoding as it goes; a batch goes
/// to `onBatch` when it reaches `batchSize` or when the sockets are drained, so records leave promptly when traffic
/// is light and in large batches when it is heavy. The version is read from each datagram, so any port takes any of
/// v5, v9 and IPFIX.
public final class UDPFlowCollector: @unchecked Sendable {
    private let sockets: [Int32]
    /// The ports bound, in the order given.
    public let ports: [UInt16]
    private let decoder: FlowExportDecoder
    private let batchSize: Int
    private let onBatch: ([NetFlowRecord]) -> Void
    private let lock = NSLock()
    private var stopping = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var snapshot: [IPAddress: ExporterStatistics] = [:]

    /// Binds `ports` on `host` (IPv4) with receive buffers of `receiveBufferBytes` (the kernel may cap it at
    /// `net.core.rmem_max`). Port 0 binds an ephemeral port; `ports` tells which.
    public init(host: String = "0.0.0.0", ports requested: [UInt16], receiveBufferBytes: Int = 32 << 20, batchSize: Int = 1024,
                decoder: FlowExportDecoder.Configuration = .init(), onBatch: @escaping ([NetFlowRecord]) -> Void) throws {
        var sockets: [Int32] = []
        var ports: [UInt16] = []
        for port in requested {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else {
                sockets.forEach { close($0) }
                throw CollectorError(description: "socket: \(String(cString: strerror(errno)))")
            }
            var size = Int32(clamping: receiveBufferBytes)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                close(fd)
                sockets.forEach { close($0) }
                throw CollectorError(description: "\(host): not an IPv4 address")
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                sockets.forEach { close($0) }
                throw CollectorError(description: "bind udp \(host):\(port): \(reason)")
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            sockets.append(fd)
            ports.append(UInt16(bigEndian: address.sin_port))
        }
        self.sockets = sockets
        self.ports = ports
        self.decoder = FlowExportDecoder(configuration: decoder)
        self.batchSize = batchSize
        self.onBatch = onBatch
    }

    deinit { sockets.forEach { close($0) } }

    /// Starts the receive thread.
    public func start() {
        let thread = Thread { [self] in
            receiveLoop()
            finished.signal()
        }
        thread.name = "hydrant-flow-collector"
        self.thread = thread
        thread.start()
    }

    /// Stops receiving, delivers the last batch and waits for the thread to end.
    public func stop() {
        lock.lock()
        let wasStopping = stopping
        stopping = true
        lock.unlock()
        if !wasStopping, thread != nil { finished.wait() }
    }

    /// Counts per exporter, as of the last drained burst.
    public var statistics: [IPAddress: ExporterStatistics] {
        lock.lock()
        defer { lock.unlock() }
        return snapshot
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func receiveLoop() {
        var fds = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var records: [NetFlowRecord] = []
        records.reserveCapacity(batchSize + 64)
        var from = sockaddr_in()
        while !shouldStop {
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready <= 0 { continue }
            for i in fds.indices where fds[i].revents & Int16(POLLIN) != 0 {
                // Drain this socket until it would block.
                while true {
                    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                    let received = buffer.withUnsafeMutableBytes { bytes in
                        withUnsafeMutablePointer(to: &from) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                                recvfrom(fds[i].fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &length)
                            }
                        }
                    }
                    if received < 0 { break }
                    let exporter = IPAddress(ipv4: UInt32(bigEndian: from.sin_addr.s_addr))
                    let now = Self.now()
                    buffer.withUnsafeBytes { bytes in
                        _ = decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[0..<received]), from: exporter,
                                           receivedAt: now, into: &records)
                    }
                    if records.count >= batchSize {
                        onBatch(records)
                        records.removeAll(keepingCapacity: true)
                    }
                }
            }
            if !records.isEmpty {
                onBatch(records)
                records.removeAll(keepingCapacity: true)
            }
            publishStatistics()
        }
        if !records.isEmpty { onBatch(records) }
        publishStatistics()
    }

    private func publishStatistics() {
        let current = decoder.statistics
        lock.lock()
        snapshot = current
        lock.unlock()
    }

    private static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int64(spec.tv_nsec))
    }
}
