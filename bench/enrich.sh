#!/usr/bin/env bash
# Enrichment throughput (issue 8): RECORDS flow records (default 2,000,000) through GeoIP (City + ASN, MaxMind's
# conformance test databases), 10,000 assets, 1,000,000 intel indicators and direction, beside the same records with
# no enrichment and with direction only. One thread, `hydrant bench enrich` (records generated in memory, seeded).
#
#   HYDRANT=.build-release/release/hydrant bench/enrich.sh
#
# Environment: HYDRANT (binary, default .build/release/hydrant), RECORDS, SEED, RUNS (best of, default 3), MMDB
# (folder of the test databases, default ../shared/conformance/mmdb/test-data).
set -euo pipefail
cd "$(dirname "$0")/.."

HYDRANT=${HYDRANT:-${HYDRANT_BIN:-.build/release/hydrant}}
RECORDS=${RECORDS:-2000000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
MMDB=${MMDB:-../shared/conformance/mmdb/test-data}
[ -x "$HYDRANT" ] || { echo "no $HYDRANT: build it first (swift build -c release)" >&2; exit 2; }
[ -f "$MMDB/GeoLite2-City-Test.mmdb" ] || { echo "no GeoIP test databases in $MMDB" >&2; exit 2; }

for run in $(seq "$RUNS"); do
    echo "run $run of $RUNS" >&2
    /usr/bin/time -f "  time       %e s wall, %U s user, %M KiB peak RSS" \
        "$HYDRANT" bench enrich --records "$RECORDS" --seed "$SEED" \
        --city "$MMDB/GeoLite2-City-Test.mmdb" --asn "$MMDB/GeoLite2-ASN-Test.mmdb"
done
