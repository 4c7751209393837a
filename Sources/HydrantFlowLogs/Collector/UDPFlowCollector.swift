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
/// Two threads: the receive thread only drains the sockets (up to 64 datagrams per `recvmmsg` call) into a
/// bounded queue of datagram batches, so that the kernel's buffer is emptied promptly even while records are being
/// decoded or handed on; the decode thread decodes them and calls `onBatch` when a batch reaches `batchSize` or the
/// queue runs empty, so records leave promptly when traffic is light and in large batches when it is heavy. When
/// the queue is full the receive thread waits, and the kernel buffers (then drops, counted in `kernelDrops`). The
/// version is read from each datagram, so any port takes any of v5, v9 and IPFIX.
public final class UDPFlowCollector: @unchecked Sendable {
    /// Datagrams taken per `recvmmsg` call.
    static let datagramsPerCall = 64
    /// The largest UDP payload.
    static let maximumDatagram = 65_535

    private let sockets: [Int32]
    private let socketInodes: [UInt64]
    /// The ports bound, in the order given.
    public let ports: [UInt16]
    private let decoder: FlowExportDecoder
    private let batchSize: Int
    private let onBatch: ([NetFlowRecord]) -> Void
    private let recordBatches: RecordBatchPool<NetFlowRecord>?
    private let queue: DatagramQueue
    private let lock = NSLock()
    private var stopping = false
    private var started = false
    private let receiveFinished = DispatchSemaphore(value: 0)
    private let decodeFinished = DispatchSemaphore(value: 0)
    private var snapshot: [IPAddress: ExporterStatistics] = [:]

    /// Binds `ports` on `host` (IPv4) with receive buffers of `receiveBufferBytes` (beyond `net.core.rmem_max`
    /// when the process may, else capped there), and queues at most `queueBytes` of received datagrams between
    /// the threads. Port 0 binds an ephemeral port; `ports` tells which. With `recordBatches`, each batch after
    /// the one handed to `onBatch` is filled in an array taken from it (which the consumer gives arrays back to)
    /// rather than in a new one.
    public init(host: String = "0.0.0.0", ports requested: [UInt16], receiveBufferBytes: Int = 32 << 20,
                queueBytes: Int = 64 << 20, batchSize: Int = 1024,
                decoder: FlowExportDecoder.Configuration = .init(), recordBatches: RecordBatchPool<NetFlowRecord>? = nil,
                onBatch: @escaping ([NetFlowRecord]) -> Void) throws {
        var sockets: [Int32] = []
        var inodes: [UInt64] = []
        var ports: [UInt16] = []
        func fail(_ message: String) -> CollectorError {
            sockets.forEach { close($0) }
            return CollectorError(description: message)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw fail("\(host): not an IPv4 address") }
        for port in requested {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw fail("socket: \(String(cString: strerror(errno)))") }
            sockets.append(fd)
            var size = Int32(clamping: receiveBufferBytes / 2)  // the kernel doubles what it is given
            // SO_RCVBUFFORCE passes net.core.rmem_max for a process with CAP_NET_ADMIN; SO_RCVBUF is capped there.
            if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            address.sin_port = port.bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw fail("bind udp \(host):\(port): \(String(cString: strerror(errno)))") }
            var boundAddress = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &boundAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            var info = stat()
            inodes.append(fstat(fd, &info) == 0 ? UInt64(info.st_ino) : 0)
            ports.append(UInt16(bigEndian: boundAddress.sin_port))
        }
        guard MultipleReceive.function != nil else { throw fail("recvmmsg is not available in this C library") }
        self.sockets = sockets
        self.socketInodes = inodes
        self.ports = ports
        self.decoder = FlowExportDecoder(configuration: decoder)
        self.batchSize = batchSize
        self.onBatch = onBatch
        self.recordBatches = recordBatches
        self.queue = DatagramQueue(limit: max(queueBytes, Self.datagramsPerCall * Self.maximumDatagram))
    }

    deinit { sockets.forEach { close($0) } }

    /// Starts the receive and decode threads.
    public func start() {
        lock.lock()
        started = true
        lock.unlock()
        let receiver = Thread { [self] in
            receiveLoop()
            queue.finish()
            receiveFinished.signal()
        }
        receiver.name = "hydrant-flow-receive"
        let decoderThread = Thread { [self] in
            decodeLoop()
            decodeFinished.signal()
        }
        decoderThread.name = "hydrant-flow-decode"
        decoderThread.start()
        receiver.start()
    }

    /// Stops receiving (after taking what the sockets already hold), decodes what is queued, delivers the last
    /// batch and waits for both threads to end.
    public func stop() {
        lock.lock()
        let wasStopping = stopping
        stopping = true
        let wasStarted = started
        lock.unlock()
        guard !wasStopping, wasStarted else { return }
        receiveFinished.wait()
        decodeFinished.wait()
    }

    /// Counts per exporter, as of the last drained burst.
    public var statistics: [IPAddress: ExporterStatistics] {
        lock.lock()
        defer { lock.unlock() }
        return snapshot
    }

    /// Datagrams the kernel dropped on these sockets because their receive buffers were full (the `drops` column
    /// of `/proc/net/udp`), since they were opened.
    public var kernelDrops: Int {
        guard let table = try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8) else { return 0 }
        let wanted = Set(socketInodes.filter { $0 != 0 })
        var drops = 0
        for line in table.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 13, let inode = UInt64(columns[9]), wanted.contains(inode),
                  let count = Int(columns[12]) else { continue }
            drops += count
        }
        return drops
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func receiveLoop() {
        guard let receive = MultipleReceive.function else { return }
        let slots = Self.datagramsPerCall
        let slab = UnsafeMutableRawBufferPointer.allocate(byteCount: slots * Self.maximumDatagram, alignment: 16)
        let iovecs = UnsafeMutableBufferPointer<iovec>.allocate(capacity: slots)
        let senders = UnsafeMutableBufferPointer<sockaddr_in>.allocate(capacity: slots)
        let headers = UnsafeMutableBufferPointer<MultipleReceive.Header>.allocate(capacity: slots)
        defer {
            slab.deallocate()
            iovecs.deallocate()
            senders.deallocate()
            headers.deallocate()
        }
        guard let slabStart = slab.baseAddress, let iovecStart = iovecs.baseAddress, let senderStart = senders.baseAddress,
              let headerStart = headers.baseAddress else { return }
        for i in 0..<slots {
            iovecs[i] = iovec(iov_base: slabStart + i * Self.maximumDatagram, iov_len: Self.maximumDatagram)
        }
        var fds = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        // Drains one socket until it would block.
        func drain(_ fd: Int32) {
            while true {
                for i in 0..<slots {
                    var header = msghdr()
                    header.msg_name = UnsafeMutableRawPointer(senderStart + i)
                    header.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                    header.msg_iov = iovecStart + i
                    header.msg_iovlen = 1
                    headers[i] = MultipleReceive.Header(header: header, length: 0)
                }
                let received = Int(receive(fd, UnsafeMutableRawPointer(headerStart), UInt32(slots), Int32(MSG_DONTWAIT), nil))
                if received <= 0 { return }
                var batch = queue.emptyBatch(receivedAt: Self.now(), capacity: received)
                for i in 0..<received {
                    let length = Int(headers[i].length)
                    let sender = UInt32(bigEndian: senders[i].sin_addr.s_addr)
                    batch.append(UnsafeRawBufferPointer(start: slabStart + i * Self.maximumDatagram, count: length),
                                 from: sender)
                }
                queue.push(batch)
                if received < slots { return }
            }
        }
        while !shouldStop {
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready <= 0 { continue }
            for i in fds.indices where fds[i].revents & Int16(POLLIN) != 0 { drain(fds[i].fd) }
        }
        // What the kernel already holds was sent before the stop: take it too.
        for fd in sockets { drain(fd) }
    }

    private func decodeLoop() {
        var records: [NetFlowRecord] = []
        records.reserveCapacity(batchSize + 64)
        while let batch = queue.pop() {
            batch.forEach { datagram, sender in
                _ = decoder.decode(datagram, from: IPAddress(ipv4: sender), receivedAt: batch.receivedAt, into: &records)
                if records.count >= batchSize { handOver(&records) }
            }
            queue.recycle(batch)
            if queue.isEmpty {
                if !records.isEmpty { handOver(&records) }
                publishStatistics()
            }
        }
        if !records.isEmpty { onBatch(records) }
        publishStatistics()
    }

    /// Gives `records` to `onBatch` and leaves an empty array to fill next in their place.
    private func handOver(_ records: inout [NetFlowRecord]) {
        onBatch(records)
        if let recordBatches {
            // The array handed over is now the consumer's; filling it here would copy it.
            records = recordBatches.take()
        } else {
            records.removeAll(keepingCapacity: true)
        }
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

/// `recvmmsg(2)`, which Swift's Glibc module does not export (it is a GNU extension): looked up once by name.
enum MultipleReceive {
    /// `struct mmsghdr`: a `msghdr` and the length received into it.
    struct Header {
        var header: msghdr
        var length: UInt32
    }

    typealias Function = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32, UnsafeMutableRawPointer?) -> Int32

    /// The C library's `recvmmsg`, if it has one.
    static let function: Function? = {
        // The layout must be the C one: 56 bytes of msghdr, the length, padding to 64.
        guard MemoryLayout<Header>.stride == MemoryLayout<msghdr>.size + 8,
              let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "recvmmsg") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()
}
