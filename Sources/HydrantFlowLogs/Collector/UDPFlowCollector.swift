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
/// Two threads. The receive thread drains the sockets (up to 64 datagrams per `recvmmsg` call) and decodes each
/// datagram where the call put it, straight into a record batch; it hands a batch on when it reaches `batchSize`,
/// when the sockets stay quiet for a millisecond, or 20 ms after its first record, so records leave promptly when
/// traffic is light and in large batches when it is heavy.
/// The delivery thread calls `onBatch` with each batch and gives the batch back emptied: a fixed set of `batches`
/// batches goes round, so nothing is allocated per batch. When every batch is with the delivery thread (its
/// consumer is slower than the traffic), the receive thread does not wait: it copies the datagrams it receives into
/// a park (at most `parkBytes`; wire size, a fraction of their decoded records) and keeps draining the sockets,
/// and decodes the parked ones, oldest first and before any newer datagram, as batches come back. While a socket
/// has a backlog (a call filled all 64 slots) it parks too, so as to empty the kernel's buffer at copying speed.
/// Only when the park is full does it stop reading; the kernel then buffers and drops, counted in `kernelDrops`.
/// The version is read from each datagram, so any port takes any of v5, v9 and IPFIX.
public final class UDPFlowCollector: @unchecked Sendable {
    // Unchecked: `decoder`, `park`, `current` and the published counters' sources are touched only by the receive
    // thread (and by `stop` after it has ended); `snapshot`, `stopping`, `started` and `parkCounters` under `lock`.
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
    private let onIdle: (() -> Void)?
    private let exchange: RecordBatchExchange<NetFlowRecord>
    private let park: DatagramPark
    /// The batch being filled by the receive thread; nil while every batch is with the delivery thread.
    private var current: [NetFlowRecord]?
    private let lock = NSLock()
    private var stopping = false
    private var started = false
    private let receiveFinished = DispatchSemaphore(value: 0)
    private let deliveryFinished = DispatchSemaphore(value: 0)
    private var snapshot: [IPAddress: ExporterStatistics] = [:]
    private var parkCounters = ParkStatistics()
    /// The receive thread's own count, published into `parkCounters`.
    private var parkCounts = ParkStatistics()
    private var lastPublished: Int64 = 0
    /// When the first datagram of the current batch was received (nanoseconds since the epoch).
    private var batchStartedAt: Int64 = 0
    /// The longest a partly filled batch waits for more records while datagrams keep arriving.
    static let batchDelay: Int64 = 20_000_000

    /// How the park was used.
    public struct ParkStatistics: Sendable, Equatable {
        /// Datagrams copied into the park because no record batch was free or the socket had a backlog.
        public var datagramsParked = 0
        /// Datagrams in the park now.
        public var datagramsHeld = 0
        /// The most memory the park held at once, in bytes.
        public var peakBytes = 0
        /// Datagrams the park refused (it was full); none while `fullStops` works as meant.
        public var datagramsDropped = 0
        /// Times the receive thread stopped reading because the park could not take another call's datagrams.
        public var fullStops = 0
    }

    /// Binds `ports` on `host` (IPv4) with receive buffers of `receiveBufferBytes` (beyond `net.core.rmem_max`
    /// when the process may, else capped there). `batches` record batches of `batchSize` records go round between
    /// the threads, and at most `parkBytes` of datagrams wait in the park while they are all taken. `onBatch` and
    /// then `onIdle` (when no further batch is waiting) are called on the delivery thread; a batch must not be kept
    /// past `onBatch` other than by copying it. Port 0 binds an ephemeral port; `ports` tells which.
    public init(host: String = "0.0.0.0", ports requested: [UInt16], receiveBufferBytes: Int = 32 << 20,
                parkBytes: Int = 64 << 20, batchSize: Int = 1024, batches: Int = 4,
                decoder: FlowExportDecoder.Configuration = .init(), onIdle: (() -> Void)? = nil,
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
        self.batchSize = max(batchSize, 1)
        self.onBatch = onBatch
        self.onIdle = onIdle
        // A datagram's records are added whole, so a batch may pass batchSize by one datagram's worth.
        exchange = RecordBatchExchange(batches: batches, batchCapacity: self.batchSize + 64)
        park = DatagramPark(limit: parkBytes)
    }

    deinit { sockets.forEach { close($0) } }

    /// Starts the receive and delivery threads.
    public func start() {
        lock.lock()
        started = true
        lock.unlock()
        let receiver = Thread { [self] in
            receiveLoop()
            exchange.finish()
            receiveFinished.signal()
        }
        receiver.name = "hydrant-flow-receive"
        let delivery = Thread { [self] in
            deliveryLoop()
            deliveryFinished.signal()
        }
        delivery.name = "hydrant-flow-deliver"
        delivery.start()
        receiver.start()
    }

    /// Stops receiving (after taking what the sockets already hold), decodes what is parked, delivers the last
    /// batch and waits for both threads to end.
    public func stop() {
        lock.lock()
        let wasStopping = stopping
        stopping = true
        let wasStarted = started
        lock.unlock()
        guard !wasStopping, wasStarted else { return }
        receiveFinished.wait()
        deliveryFinished.wait()
    }

    /// Counts per exporter, as of the last time the sockets ran dry (at most about 50 ms old while traffic flows).
    public var statistics: [IPAddress: ExporterStatistics] {
        lock.lock()
        defer { lock.unlock() }
        return snapshot
    }

    /// How the park was used, as of the same moment as `statistics`.
    public var parkStatistics: ParkStatistics {
        lock.lock()
        defer { lock.unlock() }
        return parkCounters
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
        // Drains one socket until it would block, or until the park is full (true then). A call that fills every
        // slot means more is waiting in the kernel: the next call's datagrams are parked (copied) rather than
        // decoded, so that a backlog drains at copying speed, and they are decoded once the socket is dry.
        func drain(_ fd: Int32) -> Bool {
            var backlogged = false
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
                if received <= 0 { return false }
                let receivedAt = Self.now()
                for i in 0..<received {
                    let datagram = UnsafeRawBufferPointer(start: slabStart + i * Self.maximumDatagram, count: Int(headers[i].length))
                    take(datagram, from: UInt32(bigEndian: senders[i].sin_addr.s_addr), receivedAt: receivedAt,
                         decoding: !backlogged)
                }
                backlogged = received == slots
                // Parked datagrams go first, as far as batches allow, so that the park empties while traffic flows.
                if !backlogged { decodeParked() }
                if !parkHasRoom { return true }
                if !backlogged { return false }
            }
        }
        var full = false
        while !shouldStop {
            if full {
                // The park cannot take another call's worth: read nothing until batches come back.
                waitForBatch()
                decodeParked()
                full = !parkHasRoom
                continue
            }
            // With records decoded or datagrams parked, look at the sockets again within a millisecond: to hand the
            // records on once the sockets stay quiet that long, and to decode parked datagrams once a batch is back.
            let holding = !park.isEmpty || current?.isEmpty == false
            let ready = poll(&fds, nfds_t(fds.count), holding ? 1 : 100)
            if ready > 0 {
                for i in fds.indices where fds[i].revents & Int16(POLLIN) != 0 {
                    if drain(fds[i].fd) {
                        full = true
                        parkCounts.fullStops += 1
                        break
                    }
                }
            }
            if !park.isEmpty { decodeParked() }
            // A partly filled batch waits for more while datagrams keep coming (fewer, larger hand-overs, so fewer
            // wake-ups of the delivery thread), but not longer than `batchDelay` and not past a quiet millisecond.
            let now = Self.now().nanoseconds
            if ready <= 0 || now &- batchStartedAt >= Self.batchDelay { handOff() }
            publishStatistics(now: now, force: false)
        }
        // What the kernel already holds was sent before the stop: take it too, parking as needed, then decode the
        // park, waiting for the delivery thread to give batches back.
        for fd in sockets {
            while true {
                while !parkHasRoom {
                    waitForBatch()
                    decodeParked()
                }
                if !drain(fd) { break }
            }
        }
        while !park.isEmpty {
            waitForBatch()
            decodeParked()
        }
        handOff()
        publishStatistics(now: Self.now().nanoseconds, force: true)
    }

    /// Whether the park could take a whole `recvmmsg` call of the largest datagrams: the sockets are read only then,
    /// so that no datagram taken from the kernel is lost.
    private var parkHasRoom: Bool {
        park.hasRoom(datagrams: Self.datagramsPerCall, ofAtMost: Self.maximumDatagram)
    }

    /// Decodes one received datagram into the current batch (when `decoding`), or parks it when datagrams are
    /// already parked (they are older) or no batch is free.
    private func take(_ datagram: UnsafeRawBufferPointer, from sender: UInt32, receivedAt: Timestamp, decoding: Bool) {
        if decoding, park.isEmpty, batchAvailable() {
            decode(datagram, from: sender, receivedAt: receivedAt)
        } else if park.park(datagram, from: sender, receivedAt: receivedAt) {
            parkCounts.datagramsParked += 1
        } else {
            // `drain` stops reading before the park could refuse one; counted in case that ever fails.
            parkCounts.datagramsDropped += 1
        }
    }

    /// Whether a batch with room is at hand: the current one, or one the delivery thread gave back.
    private func batchAvailable() -> Bool {
        if current == nil { current = exchange.takeEmpty() }
        return current != nil
    }

    private func decode(_ datagram: UnsafeRawBufferPointer, from sender: UInt32, receivedAt: Timestamp) {
        guard var batch = current.take() else { return }
        if batch.isEmpty { batchStartedAt = receivedAt.nanoseconds }
        decoder.decode(datagram, from: IPAddress(ipv4: sender), receivedAt: receivedAt, into: &batch)
        if batch.count >= batchSize {
            exchange.submit(consume batch)
        } else {
            current = batch
        }
    }

    /// Decodes parked datagrams, oldest first, while batches are free.
    private func decodeParked() {
        // Each datagram `drain` offers is taken from the park: a batch must be at hand before it is offered.
        guard !park.isEmpty, batchAvailable() else { return }
        park.drain { datagram, sender, receivedAt in
            decode(datagram, from: sender, receivedAt: receivedAt)
            return batchAvailable()
        }
    }

    /// Hands the current batch on if it holds records.
    private func handOff() {
        if let batch = current, !batch.isEmpty {
            current = nil
            exchange.submit(batch)
        }
    }

    /// Waits (up to 10 ms) for the delivery thread to give a batch back, after handing on a partly filled one.
    private func waitForBatch() {
        handOff()
        if current == nil { current = exchange.takeEmpty(waitingUpTo: 0.010) }
    }

    private func deliveryLoop() {
        var more = false
        while let batch = exchange.next(more: &more) {
            onBatch(batch)
            exchange.giveBack(consume batch)
            if !more { onIdle?() }
        }
    }

    /// Publishes the decoder's counters (a copy of its dictionary) at most every 50 ms unless `force`d.
    private func publishStatistics(now: Int64, force: Bool) {
        guard force || now &- lastPublished >= 50_000_000 else { return }
        lastPublished = now
        let current = decoder.statistics
        parkCounts.datagramsHeld = park.count
        parkCounts.peakBytes = park.peakBytes
        lock.lock()
        snapshot = current
        parkCounters = parkCounts
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
