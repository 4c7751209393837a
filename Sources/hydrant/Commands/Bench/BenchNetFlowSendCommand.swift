import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant bench netflow-send`: a paced IPFIX sender for bench/netflow.sh that reaches rates the Python sender
/// cannot (it tops out near 2,000,000 flow records/s), so that the benchmark can find where each collector starts to
/// lose datagrams.
struct BenchNetFlowSendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netflow-send",
        abstract: "Send IPFIX flow records over UDP at a fixed rate (load generator for collectors).",
        discussion: """
            Sends the messages bench/netflow_sender.py sends (one template, re-sent every second; data messages of
            30 flow records with varying addresses and ports) at --rate flow records per second for --seconds, up to
            --batch datagrams per sendmmsg call; only each message's export time and sequence number are written per
            send. Prints the number of flow records sent.

            Example:
              hydrant bench netflow-send 127.0.0.1 4739 --rate 2000000 --seconds 5
            """
    )

    @Argument(help: "IPv4 address of the collector.")
    var host: String

    @Argument(help: "UDP port of the collector.")
    var port: UInt16

    @Option(help: "Flow records per second.")
    var rate: Int = 1_000_000

    @Option(help: "How long to send, in seconds.")
    var seconds: Double = 5

    @Option(help: "Most datagrams per sendmmsg call (1–64).")
    var batch: Int = 32

    func validate() throws {
        guard (30...1_000_000_000).contains(rate) else { throw ValidationError("--rate must be 30…1000000000") }
        guard seconds > 0, seconds <= 86_400 else { throw ValidationError("--seconds must be above 0 and at most 86400") }
        guard (1...64).contains(batch) else { throw ValidationError("--batch must be 1…64") }
    }

    func run() throws {
        guard let sendMany = MultipleSend.function else { throw RuntimeFailure("sendmmsg is not available in this C library") }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw RuntimeFailure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var sendBuffer: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw ValidationError("\(host): not an IPv4 address") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RuntimeFailure("connect udp \(host):\(port): \(String(cString: strerror(errno)))") }

        let built = BenchNetFlowCommand.messages(exportSeconds: UInt32(truncatingIfNeeded: time(nil)))
        // The data messages live in one slab and are sent from there; a message is in flight at most once per call,
        // since a call sends fewer messages than the pool holds.
        let pool = built.data
        let recordsPerMessage = 30
        let sizes = pool.map(\.count)
        let offsets = sizes.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1) }
        let slab = UnsafeMutableRawBufferPointer.allocate(byteCount: offsets[offsets.count - 1], alignment: 16)
        defer { slab.deallocate() }
        for (index, message) in pool.enumerated() {
            message.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: slab[offsets[index]...]).copyMemory(from: $0) }
        }
        let iovecs = UnsafeMutableBufferPointer<iovec>.allocate(capacity: batch)
        let headers = UnsafeMutableBufferPointer<MultipleSend.Header>.allocate(capacity: batch)
        defer {
            iovecs.deallocate()
            headers.deallocate()
        }
        guard let slabStart = slab.baseAddress, let iovecStart = iovecs.baseAddress, let headerStart = headers.baseAddress else {
            return
        }

        var template = built.template
        var sequence: UInt32 = 0
        // With the current sequence number, as exporters send it: a template message counts no data records, and a
        // stale number would read as a gap at the next data message.
        func sendTemplate() {
            template.withUnsafeMutableBytes { bytes in
                bytes.storeBytes(of: UInt32(truncatingIfNeeded: time(nil)).bigEndian, toByteOffset: 4, as: UInt32.self)
                bytes.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt32.self)
                _ = send(fd, bytes.baseAddress, bytes.count, 0)
            }
        }
        sendTemplate()
        let messagesPerSecond = Double(rate) / Double(recordsPerMessage)
        let started = Self.monotonicSeconds()
        var sent = 0
        var nextTemplate = 1.0
        while true {
            let elapsed = Self.monotonicSeconds() - started
            if elapsed >= seconds { break }
            if elapsed >= nextTemplate {
                sendTemplate()
                nextTemplate += 1
            }
            let due = Int(elapsed * messagesPerSecond) + 1
            if sent >= due {
                usleep(200)
                continue
            }
            let exportSeconds = UInt32(truncatingIfNeeded: time(nil)).bigEndian
            let count = min(due - sent, batch)
            for i in 0..<count {
                let index = (sent + i) % pool.count
                let start = slabStart + offsets[index]
                start.storeBytes(of: exportSeconds, toByteOffset: 4, as: UInt32.self)
                start.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt32.self)
                sequence &+= UInt32(recordsPerMessage)
                iovecs[i] = iovec(iov_base: start, iov_len: sizes[index])
                var header = msghdr()
                header.msg_iov = iovecStart + i
                header.msg_iovlen = 1
                headers[i] = MultipleSend.Header(header: header, length: 0)
            }
            var accepted = Int(sendMany(fd, UnsafeMutableRawPointer(headerStart), UInt32(count), 0))
            if accepted < 0 {
                // A full socket buffer or a collector not yet listening: the datagrams count as not sent.
                guard errno == EINTR || errno == EAGAIN || errno == ENOBUFS || errno == ECONNREFUSED else {
                    throw RuntimeFailure("sendmmsg: \(String(cString: strerror(errno)))")
                }
                accepted = 0
            }
            // Messages not accepted are sent again with their sequence numbers.
            sequence &-= UInt32(count - accepted) &* UInt32(recordsPerMessage)
            sent += accepted
        }
        print(sent * recordsPerMessage)
    }

    private static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// `sendmmsg(2)`, which Swift's Glibc module does not export (it is a GNU extension): looked up once by name.
private enum MultipleSend {
    /// `struct mmsghdr`: a `msghdr` and the length sent from it.
    struct Header {
        var header: msghdr
        var length: UInt32
    }

    typealias Function = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32

    /// The C library's `sendmmsg`, if it has one.
    static let function: Function? = {
        // The layout must be the C one: 56 bytes of msghdr, the length, padding to 64.
        guard MemoryLayout<Header>.stride == MemoryLayout<msghdr>.size + 8,
              let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sendmmsg") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()
}
