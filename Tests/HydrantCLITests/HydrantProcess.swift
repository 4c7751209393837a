import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `hydrant` binary as a child process, with a time bound, and reports how it ended.
///
/// `HYDRANT_BIN` selects another build of the binary (the AddressSanitizer build in `make asan`).
struct HydrantProcess {
    /// How a run ended.
    struct Outcome {
        /// The exit status, or nil when a signal ended the process.
        var exitStatus: Int32?
        /// The signal that ended the process, if any.
        var signal: Int32?
        /// Whether the run was killed for exceeding its time bound.
        var timedOut: Bool
        /// Peak resident memory of the child, in bytes.
        var peakResidentBytes: Int
        /// Wall-clock seconds.
        var seconds: Double
        /// Everything written to stdout.
        var stdout: String
        /// Everything written to stderr.
        var stderr: String
    }

    /// The package root: this file is `<root>/Tests/HydrantCLITests/HydrantProcess.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The binary under test.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["HYDRANT_BIN"], !path.isEmpty {
            return path.hasPrefix("/") ? path : packageRoot.appendingPathComponent(path).path
        }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hydrant")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return packageRoot.appendingPathComponent(".build/debug/hydrant").path
    }

    /// Whether the binary under test was built with AddressSanitizer (slower, more memory).
    static var isSanitized: Bool { ProcessInfo.processInfo.environment["HYDRANT_ASAN"] == "1" }

    /// A conformance file or folder beside the package, or nil when `../shared/conformance` is absent.
    static func conformance(_ relativePath: String) -> URL? {
        let url = packageRoot.appendingPathComponent("../shared/conformance/\(relativePath)").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Runs `hydrant` with `arguments` ; kills it with SIGKILL after `timeout` seconds.
    static func run(_ arguments: [String], timeout: Double = 60, stdinPath: String = "/dev/null") throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let argv = [binary] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let started = Date()
        let status = posix_spawn(&pid, binary, &actions, nil, &cArguments, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }

        var waitStatus: Int32 = 0
        var usage = rusage()
        var timedOut = false
        while true {
            let reaped = wait4(pid, &waitStatus, WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0, errno != EINTR { break }
            if Date().timeIntervalSince(started) > timeout, !timedOut {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(2_000)
        }
        let seconds = Date().timeIntervalSince(started)
        let terminatedBySignal = (waitStatus & 0x7f) != 0 && (waitStatus & 0x7f) != 0x7f
        return Outcome(
            exitStatus: terminatedBySignal ? nil : (waitStatus >> 8) & 0xff,
            signal: terminatedBySignal ? waitStatus & 0x7f : nil,
            timedOut: timedOut,
            peakResidentBytes: usage.ru_maxrss * 1024,
            seconds: seconds,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
