import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real service a test started in the background (SeaweedFS, `hydrant serve`, a receiver), stopped by process id.
///
/// Output goes to a log file so that a failing test can show it; the process is killed when the value is stopped.
public final class ServiceProcess: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    /// Where the child's stdout and stderr go.
    public let logPath: String
    private var reaped = false
    private var exitStatus: Int32 = 0

    /// Why a service could not be started or did not become ready.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with the tail of the service's log when there is one.
        public let description: String

        /// A failure described by `description`.
        public init(description: String) { self.description = description }
    }

    /// Starts `executable` with `arguments`; `environment` entries are added to (and override) this process's.
    public init(executable: String, arguments: [String], environment: [String: String] = [:],
                workingDirectory: String? = nil, logPath: String) throws {
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        // `env -C DIR` changes directory and then execs the program, so the process id is still the service's.
        let program = workingDirectory == nil ? executable : "/usr/bin/env"
        let fullArguments = workingDirectory.map { ["/usr/bin/env", "-C", $0, executable] + arguments }
            ?? [executable] + arguments
        let argv = fullArguments.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, program, &actions, nil, argv, envp)
        guard status == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    deinit { stop() }

    /// Whether the process is still running.
    public var isRunning: Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            reaped = true
            exitStatus = status
            return false
        }
        return true
    }

    /// The last `bytes` of the service's log.
    public func logTail(_ bytes: Int = 4000) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    /// Polls `ready` every 100 ms until it is true; throws with the log tail if the process exits or `timeout` passes.
    public func waitUntilReady(timeout: Double, what: String, _ ready: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if ready() { return }
            guard isRunning else {
                throw Failure(description: "\(what) exited before it was ready (status \(exitStatus)):\n\(logTail())")
            }
            usleep(100_000)
        }
        throw Failure(description: "\(what) was not ready within \(timeout) s:\n\(logTail())")
    }

    /// Sends `signal` and waits up to `timeout` seconds for the process to exit; SIGKILL after that.
    /// Returns the raw wait status.
    @discardableResult
    public func stop(signal: Int32 = SIGKILL, timeout: Double = 20) -> Int32 {
        guard !reaped else { return exitStatus }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                exitStatus = status
                return status
            }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        reaped = true
        exitStatus = status
        return status
    }
}
