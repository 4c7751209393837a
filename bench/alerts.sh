#!/usr/bin/env bash
# Alert delivery: end-to-end latency from a record's arrival at the rule engine to the webhook receiver's receipt
# (p50/p99 over ALERTS alerts from a paced live source of single-record detections), and alerts/s sustained to one
# local receiver. `hydrant bench alerts` runs the engine, the durable outbox, signed HTTP delivery and a
# signature-checking receiver in one process, on one monotonic clock.
#
#   HYDRANT=.build/release/hydrant bench/alerts.sh
#
# Environment: HYDRANT (default .build/release/hydrant), ALERTS (default 10000), RATE (records/s in the latency
# phase, default 500), BATCH (records per batch in the throughput phase, default 500), CONCURRENCY (requests in
# flight, default 8), OUT (outbox folder, default bench/out/alerts, emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."

HYDRANT=${HYDRANT:-.build/release/hydrant}
[ -x "$HYDRANT" ] || { echo "no $HYDRANT: build it first (swift build -c release)" >&2; exit 2; }
mkdir -p bench/out
"$HYDRANT" bench alerts --alerts "${ALERTS:-10000}" --rate "${RATE:-500}" --batch "${BATCH:-500}" \
    --concurrency "${CONCURRENCY:-8}" --state-dir "${OUT:-bench/out/alerts}"
