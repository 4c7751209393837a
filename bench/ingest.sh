#!/usr/bin/env bash
# Ingest benchmark: PutRecordBatch throughput of `hydrant serve` (durable: write-ahead log with group-commit
# fsync, file destination) beside the ceiling of the same HTTP stack (`hydrant bench ceiling`: the same server,
# limits and parser, JSON and base64 decoding included, storing nothing).
#
# The load generator is `hydrant bench ingest`: CONNECTIONS connections (default 32), each sending the same
# pre-built PutRecordBatch of 500 records x 1 KiB and waiting for the answer, for SECONDS (default 20), on
# loopback. It prints records/s, MB/s, p50/p99 acknowledgement latency and failed/throttled records.
# Not a test: it never fails on a number, only when a server does not start or the generator gets nothing through.
#
# The records are real records (CONTENT=records, the default): JSON lines of the synthetic capture (`hydrant synth
# --scenario mixed`, replayed: flows, DNS, HTTP, TLS), each extended to exactly 1 KiB with a "more" member holding
# the next line's text as a string, different for each connection. So the default prefix partitions them by their
# own dataset and event time, and the write-ahead log's compression (`log_compression`, auto by default: zstd while
# the CPUs have time to spare; LOG_COMPRESSION=zstd or none to fix it, LOG_LEVEL to set `log_compression_level`)
# sees what it would see in use. The share of puts the log compressed at the end of the run is printed.
# CONTENT=padding sends the old records padded with one repeated byte, which compress far better than anything real.
#
# Each durable put waits for its group commit (the log's fsync), so with few connections `serve` sits idle between
# round trips and the run measures latency, not capacity: at 8 connections it used 1.34 of the 2 cores (perf stat)
# while the ceiling, which syncs nothing, was already bound by the CPU. 32 connections keep both busy; both runs use
# the same generator settings.
#
# Usage: bench/ingest.sh                         (release build, 20 s per run, 32 connections)
#        SECONDS_PER_RUN=10 CONNECTIONS=16 bench/ingest.sh
#        SKIP_SERVE=1 bench/ingest.sh            (ceiling only)
#        LOG_COMPRESSION=none CONTENT=padding bench/ingest.sh
#        HYDRANT_BIN=.build-release/release/hydrant bench/ingest.sh   (a release binary built elsewhere)
#        THROTTLE_MBPS=150 bench/ingest.sh      (serve's direct writes throttled to 150 MB/s by the block I/O cgroup,
#                                                as a cloud volume would be; needs root and cgroup v1 blkio or v2 io)
set -euo pipefail

cd "$(dirname "$0")/.."
RUN_SECONDS=${SECONDS_PER_RUN:-20}
CONNECTIONS=${CONNECTIONS:-32}
CONTENT=${CONTENT:-records}
LOG_COMPRESSION=${LOG_COMPRESSION:-auto}
THROTTLE_MBPS=${THROTTLE_MBPS:-}
LOG_LEVEL=${LOG_LEVEL:-}
STREAM=bench

if [[ -n "${HYDRANT_BIN:-}" ]]; then
    HYDRANT=$HYDRANT_BIN                      # a release binary built elsewhere
else
    swift build -c release --product hydrant >&2
    HYDRANT=$(swift build -c release --show-bin-path)/hydrant
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hydrant-ingest-bench.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
    if [[ -n "${THROTTLE_GROUP:-}" ]]; then rmdir "$THROTTLE_GROUP" 2>/dev/null || true; fi
}
trap cleanup EXIT

# Puts process $1 into a block I/O cgroup that lets it write at most THROTTLE_MBPS MB/s to the disk holding $WORK.
# Only writes the process issues itself are throttled (the log's and the objects' direct writes), not the kernel's
# write-back of buffered pages.
THROTTLE_GROUP=""
throttle() {
    local source disk majmin bps=$((THROTTLE_MBPS * 1000000))
    source=$(findmnt -no SOURCE -T "$WORK")
    disk=$(lsblk -no PKNAME "$source" 2>/dev/null | head -1)
    majmin=$(lsblk -ndo MAJ:MIN "${disk:+/dev/$disk}${disk:-$source}" | tr -d ' ')
    if [[ -d /sys/fs/cgroup/blkio ]]; then
        THROTTLE_GROUP=/sys/fs/cgroup/blkio/hydrant-bench-$$
        mkdir -p "$THROTTLE_GROUP"
        echo "$majmin $bps" >"$THROTTLE_GROUP/blkio.throttle.write_bps_device"
    elif [[ -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw io /sys/fs/cgroup/cgroup.controllers; then
        echo +io >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
        THROTTLE_GROUP=/sys/fs/cgroup/hydrant-bench-$$
        mkdir -p "$THROTTLE_GROUP"
        echo "$majmin wbps=$bps" >"$THROTTLE_GROUP/io.max"
    else
        echo "bench: THROTTLE_MBPS needs the blkio (cgroup v1) or io (cgroup v2) controller" >&2; exit 1
    fi
    echo "$1" >"$THROTTLE_GROUP/cgroup.procs"
    echo "== serve's writes to $majmin ($source) throttled to $THROTTLE_MBPS MB/s ($THROTTLE_GROUP)"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_listening() { # port pid log
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        kill -0 "$2" 2>/dev/null || { echo "bench: server exited:" >&2; cat "$3" >&2; exit 1; }
        sleep 0.1
    done
    echo "bench: server on port $1 did not start:" >&2; cat "$3" >&2; exit 1
}

CONTENT_ARGS=()
if [[ "$CONTENT" == records ]]; then
    "$HYDRANT" synth --scenario mixed --packets 100000 --seed 1 -o - 2>/dev/null \
        | "$HYDRANT" replay - --output "$WORK/content.jsonl" 2>/dev/null
    CONTENT_ARGS=(--content "$WORK/content.jsonl")
    echo "== content: $(wc -l <"$WORK/content.jsonl") records of the synthetic capture fill the 1 KiB records"
fi

# Runs the generator against port $1 and prints its report; the RESULT line goes to $2.
load() {
    "$HYDRANT" bench ingest --endpoint "http://127.0.0.1:$1" --stream "$STREAM" \
        --connections "$CONNECTIONS" --seconds "$RUN_SECONDS" "${CONTENT_ARGS[@]}" | tee "$2"
}

# Bytes process $1 has had written to storage (direct writes included).
written_bytes() { awk '/^write_bytes:/ { print $2 }' "/proc/$1/io"; }

field() { grep '^RESULT' "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }

# --- ceiling ----------------------------------------------------------------------------------------------------
PORT=$(free_port)
"$HYDRANT" bench ceiling --listen "127.0.0.1:$PORT" --stream "$STREAM" 2>"$WORK/ceiling.log" &
PIDS+=($!)
wait_listening "$PORT" "${PIDS[-1]}" "$WORK/ceiling.log"
echo "== ceiling: hydrant bench ceiling (parse, decode, answer; store nothing)"
load "$PORT" "$WORK/ceiling.result"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

if [[ -n "${SKIP_SERVE:-}" ]]; then exit 0; fi

# --- hydrant serve ----------------------------------------------------------------------------------------------
PORT=$(free_port)
mkdir -p "$WORK/lake" "$WORK/storage"
cat >"$WORK/hydrant.yaml" <<YAML
server:
  listen: 127.0.0.1:$PORT
storage: {dir: $WORK/storage}
streams:
  - name: $STREAM
    buffering: {size_mb: 64, interval_s: 10}
    destination:
      file: {root: $WORK/lake}
    compression: none
    log_compression: $LOG_COMPRESSION
YAML
if [[ -n "$LOG_LEVEL" ]]; then echo "    log_compression_level: $LOG_LEVEL" >>"$WORK/hydrant.yaml"; fi
"$HYDRANT" serve --config "$WORK/hydrant.yaml" 2>"$WORK/serve.log" &
PIDS+=($!)
wait_listening "$PORT" "${PIDS[-1]}" "$WORK/serve.log"
if [[ -n "$THROTTLE_MBPS" ]]; then throttle "${PIDS[-1]}"; fi
echo "== hydrant serve (write-ahead log with $LOG_COMPRESSION, group-commit fsync, default prefix: dataset and event-time partitions, file destination)"
written_before=$(written_bytes "${PIDS[-1]}")
load "$PORT" "$WORK/serve.result"
written_after=$(written_bytes "${PIDS[-1]}")
share=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^hydrant_log_compressed_share/ { print $2 }')
echo "== share of puts the log compressed at the end of the run (hydrant_log_compressed_share): ${share:-unknown}"
kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

# --- the storage's synced-write bandwidth ----------------------------------------------------------------------
# Durable ingest writes every byte twice with a sync: once to the write-ahead log (before the acknowledgement) and
# once in the archived object (fsynced before the log lets go of it). The probe measures the most the storage takes
# in synced writes the way the server writes (four files in parallel, 16 MiB direct writes, past the page cache,
# each followed by fdatasync; through the page cache the same VM took under a fifth of it) in the directory the
# server used, so the report can show the bound it puts on the durable rate. It runs last, because the host is still
# writing its gigabytes back for a while afterwards. Set TMPDIR to another file system to move everything (e.g. a
# tmpfs, /dev/shm, to see the software path without a disk; not durable).
echo "== storage: synced writes in $WORK (bench/disk_sync_probe.py, 4 writers, 16 MiB direct + fdatasync, ${PROBE_SECONDS:-5} s)"
probe=(python3 bench/disk_sync_probe.py "$WORK" "${PROBE_SECONDS:-5}" 4 16)
if [[ -n "$THROTTLE_GROUP" ]]; then
    # The probe runs under the same throttle as the server.
    bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$THROTTLE_GROUP" "${probe[@]}" | tee "$WORK/disk.result"
else
    "${probe[@]}" | tee "$WORK/disk.result"
fi
disk_mb=$(field "$WORK/disk.result" mb_per_s)

ceiling=$(field "$WORK/ceiling.result" records_per_s)
served=$(field "$WORK/serve.result" records_per_s)
echo "== summary"
python3 - "$ceiling" "$served" "$disk_mb" "$((written_after - written_before))" "$RUN_SECONDS" <<'PY'
import sys
ceiling, served, disk = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
written, seconds = float(sys.argv[4]), float(sys.argv[5])
print(f"ceiling {ceiling:,.0f} records/s; hydrant serve {served:,.0f} records/s durable; "
      f"ratio {served / ceiling:.0%} of the ceiling (target: >= 150,000 records/s and >= 50%)")
# What the server had written to storage per record (log frames and objects; objects still buffered at the end are
# not in it) bounds the durable rate at the probe's synced bandwidth.
per_record = written / max(1.0, served * seconds)
bound = disk * 1e6 / per_record if per_record > 0 else float("inf")
print(f"storage: {disk:,.0f} MB/s of synced writes; hydrant serve wrote {written / seconds / 1e6:,.0f} MB/s, "
      f"{per_record:,.0f} bytes per 1 KiB record (log and objects), so at most about {bound:,.0f} records/s "
      f"durable ({bound / ceiling:.0%} of the ceiling)")
PY
