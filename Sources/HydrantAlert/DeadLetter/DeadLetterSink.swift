/// Where alerts that could not be delivered go. The integrator routes them to the archive's error output; an alert
/// leaves the outbox only after `write` returned, so a failing sink keeps it pending for the next run.
public protocol DeadLetterSink: Sendable {
    /// Stores `failures` durably.
    func write(_ failures: [AlertDeliveryFailure]) async throws
}
