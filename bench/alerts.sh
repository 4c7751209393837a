#!/usr/bin/env bash
# Alert delivery end to end: from a record's arrival at a delivery stream of `hydrant serve` (PutRecordBatch,
# write-ahead log, `detect` processor with one single-record rule, buffering interval 0) through the webhook
# outbox and a signed POST to a local receiver (bench/alerts_receiver.py, verifying every signature): p50/p99
# latency over ALERTS alerts from a paced live source, and alerts/s sustained to that one receiver.
# bench/alerts_bench.py drives it; the in-process variant (rule engine to receiver, no stream) is
# `MODE=engine`, i.e. `hydrant bench alerts`.
#
#   HYDRANT=.build-release/release/hydrant bench/alerts.sh
#
# Environment: HYDRANT (default .build/release/hydrant), ALERTS (default 10000), RATE (records/s in the latency
# phase, default 500), BATCH (records per put in the throughput phase, default 500), CONCURRENCY (requests in
# flight to the receiver, default 32), OUT (working folder, default bench/out/alerts, emptied first),
# MODE (serve, the default, or engine).
set -euo pipefail
cd "$(dirname "$0")/.."

HYDRANT=${HYDRANT:-.build/release/hydrant}
[ -x "$HYDRANT" ] || { echo "no $HYDRANT: build it first (swift build -c release)" >&2; exit 2; }
mkdir -p bench/out
if [ "${MODE:-serve}" = engine ]; then
    exec "$HYDRANT" bench alerts --alerts "${ALERTS:-10000}" --rate "${RATE:-500}" --batch "${BATCH:-500}" \
        --concurrency "${CONCURRENCY:-32}" --state-dir "${OUT:-bench/out/alerts}"
fi
exec python3 bench/alerts_bench.py --hydrant "$HYDRANT" --alerts "${ALERTS:-10000}" --rate "${RATE:-500}" \
    --batch "${BATCH:-500}" --concurrency "${CONCURRENCY:-32}" --out "${OUT:-bench/out/alerts}"
