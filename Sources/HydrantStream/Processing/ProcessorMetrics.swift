import Metrics

/// Counters of a stream's record processors, in Hydrant's `hydrant_*` style with the dimension `stream`.
/// Incremented once per batch, never per record.
struct ProcessorMetrics: Sendable {
    /// Records that got at least one enrichment field.
    let recordsEnriched: Counter
    /// Records the enricher passed through unchanged because they are not one JSON object.
    let enrichPassedThrough: Counter
    /// Records that matched a threat-intelligence indicator.
    let intelMatches: Counter
    /// Records a transform returned `Ok`.
    let transformOk: Counter
    /// Records a transform returned `Dropped`.
    let transformDropped: Counter
    /// Records a transform returned `ProcessingFailed`, or that were in an invocation that failed for good.
    let transformFailed: Counter
    /// Transform invocations that failed (each retried until `retries` are spent).
    let transformInvocationFailures: Counter
    /// Alerts raised by `detect` processors.
    let alertsRaised: Counter
    /// Records that failed `deaggregate_json` (in a stream with other processors).
    let deaggregationFailures: Counter

    init(stream: String) {
        let dimensions = [("stream", stream)]
        recordsEnriched = Counter(label: "hydrant_enrich_records_enriched_total", dimensions: dimensions)
        enrichPassedThrough = Counter(label: "hydrant_enrich_records_passed_through_total", dimensions: dimensions)
        intelMatches = Counter(label: "hydrant_enrich_intel_matches_total", dimensions: dimensions)
        transformOk = Counter(label: "hydrant_transform_records_total", dimensions: dimensions + [("result", "Ok")])
        transformDropped = Counter(label: "hydrant_transform_records_total", dimensions: dimensions + [("result", "Dropped")])
        transformFailed = Counter(label: "hydrant_transform_records_total",
                                  dimensions: dimensions + [("result", "ProcessingFailed")])
        transformInvocationFailures = Counter(label: "hydrant_transform_invocation_failures_total", dimensions: dimensions)
        alertsRaised = Counter(label: "hydrant_alerts_raised_total", dimensions: dimensions)
        deaggregationFailures = Counter(label: "hydrant_deaggregation_failures_total", dimensions: dimensions)
    }
}
