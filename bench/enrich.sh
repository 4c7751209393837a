#!/bin/sh
# Enrichment throughput (issue 8): 2,000,000 flow records through a delivery stream's processing stage with
# GeoIP (City + ASN, MaxMind's conformance test databases), 10,000 assets, 1,000,000 intel indicators and
# direction, beside the same records with no enrichment. Prints records/s and peak memory.
#
#   RECORDS=2000000 bench/enrich.sh
#
# It builds the tests in release mode (long on a small machine) in .build-release and runs the gated
# `EnrichBenchmark` test, which generates its input in memory (deterministic) and writes the asset and intel files
# into a scratch directory. The GeoIP databases are read from ../shared/conformance/mmdb/test-data/.
set -eu
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-2000000}
swift build -c release --build-tests --scratch-path .build-release
HYDRANT_BENCH_ENRICH=$RECORDS /usr/bin/time -v swift test -c release --scratch-path .build-release --skip-build \
    --filter EnrichBenchmark 2>&1 | grep -E 'enrich-bench|Maximum resident|passed|failed'
