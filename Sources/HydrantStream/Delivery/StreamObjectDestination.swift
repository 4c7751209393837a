import HydrantArchive
import HydrantRecords

/// An object destination that is told what each object holds, so that it can send data objects somewhere other
/// than error output and source backups (the HTTP-endpoint destination POSTs data and stores the rest).
/// `DeliveryStream` calls this method instead of `put(key:body:)` when its destination conforms.
public protocol StreamObjectDestination: ObjectDestination {
    /// Delivers `body` (uncompressed JSON lines for `.data`) that would be stored under `key`; `arrival` is the
    /// oldest record's arrival time. Returns once the records are safe (delivered or backed up).
    func put(key: ObjectKey, body: [UInt8], kind: PendingObject.Kind, arrival: Timestamp) async throws(DestinationError)
}
