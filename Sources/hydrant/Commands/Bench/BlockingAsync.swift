import Foundation

/// Carries the result of an async operation back to the synchronous command that waits for it.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// Runs `operation` on the concurrency pool and blocks the calling (main) thread until it ends; the `hydrant`
/// entry point is synchronous, and the main thread is not part of the pool, so this cannot starve it.
func runBlocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            box.result = .success(try await operation())
        } catch {
            box.result = .failure(error)
        }
        done.signal()
    }
    done.wait()
    guard let result = box.result else { throw CancellationError() }
    return try result.get()
}
