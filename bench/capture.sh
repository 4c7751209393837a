#!/usr/bin/env bash
# Capture benchmark: how fast Hydrant turns a pcap into records, next to its peers on the same file in the
# same run.
#
#   readloop    bench/readloop.c: libpcap pcap_next_ex over every packet, nothing else (the floor)
#   softflowd   softflowd -r FILE: flow tracking and NetFlow v9 export (sent to a sink on 127.0.0.1 only)
#   nfpcapd     nfpcapd -r FILE -w DIR: flow tracking into nfcapd files (nfdump 1.7)
#   hydrant     hydrant replay FILE --output /dev/null: the whole Hydrant pipeline, all four datasets (flow, DNS,
#               HTTP, TLS), records discarded
#   hydrant-flows  the same with --datasets flow (no application parsers)
#   tshark      tshark -T fields extracting the fields of Hydrant's DNS, HTTP and TLS records (query name, type,
#               rcode; method, host, URI, status; SNI, JA3), one run (it is slow)
#
# The input is a synthetic capture from `hydrant synth` (kept in bench/out/, which git ignores). Each tool runs
# RUNS times; the best wall time counts, with peak RSS from /usr/bin/time -v. Not a test: it never fails on a
# number, only when a tool is missing or crashes.
#
# Usage: bench/capture.sh                      (1,000,000 packets, seed 1, 3 runs each)
#        PACKETS=2000000 SEED=7 RUNS=5 bench/capture.sh
#        HYDRANT_BIN=.build-release/release/hydrant bench/capture.sh   (a release binary built elsewhere)
set -euo pipefail

cd "$(dirname "$0")/.."
PACKETS=${PACKETS:-1000000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
OUT=bench/out
CAPTURE=$OUT/mixed-$PACKETS-seed$SEED.pcap
mkdir -p "$OUT"

# --- tools: install only what is missing ------------------------------------------------------------------
missing=()
for package in softflowd nfdump libpcap-dev time tshark; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for tool in cc python3 softflowd nfpcapd tshark /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }
done

# --- build and input --------------------------------------------------------------------------------------
if [[ -n "${HYDRANT_BIN:-}" ]]; then
    HYDRANT=$HYDRANT_BIN
else
    swift build -c release --product hydrant >&2
    HYDRANT=.build/release/hydrant
fi
if [[ ! -s $CAPTURE ]]; then
    "$HYDRANT" synth --scenario mixed --packets "$PACKETS" --seed "$SEED" -o "$CAPTURE.tmp"
    mv "$CAPTURE.tmp" "$CAPTURE"
fi
cc -O2 -Wall -o "$OUT/readloop" bench/readloop.c -lpcap
cat "$CAPTURE" >/dev/null  # warm the page cache so the first tool does not pay for the disk

# --- a harmless NetFlow destination for softflowd: a UDP sink on loopback that discards everything ----------
SINK_PORT_FILE=$OUT/sink.port
rm -f "$SINK_PORT_FILE"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True: s.recv(65535)
' "$SINK_PORT_FILE" &
SINK_PID=$!
NFDIR=$OUT/nfpcapd
cleanup() { kill "$SINK_PID" 2>/dev/null || true; rm -rf "$NFDIR"; }
trap cleanup EXIT
for _ in $(seq 50); do [[ -s $SINK_PORT_FILE ]] && break; sleep 0.1; done
SINK_PORT=$(cat "$SINK_PORT_FILE")

# --- measurement -------------------------------------------------------------------------------------------
# measure NAME COMMAND...: best wall seconds over RUNS, CPU seconds of that run, largest peak RSS (MiB).
declare -A WALL CPU RSS
measure() {
    local name=$1; shift
    local best="" best_cpu="" max_rss=0
    for ((run = 1; run <= RUNS; run++)); do
        [[ $name == nfpcapd ]] && { rm -rf "$NFDIR"; mkdir -p "$NFDIR"; }
        local start end
        start=$(date +%s%N)
        if ! /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.log" 2>&1; then
            echo "bench: $name failed; see $OUT/$name.log" >&2
            tail -5 "$OUT/$name.log" >&2
            return 1
        fi
        end=$(date +%s%N)
        local wall cpu rss
        wall=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
        cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.3f", s }' "$OUT/$name.time")
        rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$OUT/$name.time")
        if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; best_cpu=$cpu; fi
        max_rss=$(awk -v a="$rss" -v b="$max_rss" 'BEGIN { print (a > b ? a : b) }')
    done
    WALL[$name]=$best
    CPU[$name]=$best_cpu
    RSS[$name]=$max_rss
}

echo "input: $CAPTURE ($PACKETS packets, $(du -h "$CAPTURE" | cut -f1)), best of $RUNS runs" >&2
measure readloop "$OUT/readloop" "$CAPTURE"
# -r implies no fork and no control socket; -v 9 exports IPv6 flows too; -m matches Hydrant's flow-table bound.
measure softflowd softflowd -r "$CAPTURE" -n "127.0.0.1:$SINK_PORT" -v 9 -m 1000000 -d
measure nfpcapd nfpcapd -r "$CAPTURE" -w "$NFDIR"
tools=(readloop softflowd nfpcapd)
if "$HYDRANT" --help 2>/dev/null | grep -qE '^[[:space:]]+replay([[:space:]]|$)'; then
    measure hydrant "$HYDRANT" replay "$CAPTURE" --output /dev/null
    measure hydrant-flows "$HYDRANT" replay "$CAPTURE" --datasets flow --output /dev/null
    tools+=(hydrant hydrant-flows)
    saved_runs=$RUNS
    RUNS=1
    measure tshark tshark -n -r "$CAPTURE" -Y 'dns || http || tls.handshake.type == 1' -T fields \
        -e dns.qry.name -e dns.qry.type -e dns.flags.rcode -e http.request.method -e http.host -e http.request.uri \
        -e http.response.code -e tls.handshake.extensions_server_name -e tls.handshake.ja3
    RUNS=$saved_runs
    tools+=(tshark)
else
    echo "bench: this build has no 'hydrant replay' yet; measuring the peers only" >&2
fi

# --- report ------------------------------------------------------------------------------------------------
printf '\n%-14s %14s %10s %10s %12s\n' tool packets/s wall_s cpu_s peak_rss_MiB
for tool in "${tools[@]}"; do
    rate=$(awk -v p="$PACKETS" -v s="${WALL[$tool]}" 'BEGIN { printf "%.0f", p / s }')
    printf '%-14s %14s %10s %10s %12s\n' "$tool" "$rate" "${WALL[$tool]}" "${CPU[$tool]}" "${RSS[$tool]}"
done
if [[ -n ${WALL[hydrant]:-} ]]; then
    echo
    for peer in softflowd nfpcapd readloop; do
        awk -v h="${WALL[hydrant-flows]}" -v p="${WALL[$peer]}" -v name="$peer" \
            'BEGIN { printf "hydrant-flows vs %-9s  %.2fx the packets/s (%s)\n", name, p / h, (p / h >= 1 ? "faster" : "slower") }'
    done
    awk -v a="${WALL[hydrant]}" -v f="${WALL[hydrant-flows]}" \
        'BEGIN { printf "all datasets cost %.2fx flows only (target: at most 1.5x)\n", a / f }'
    # CPU time moves less than wall time on a shared machine (steal, other jobs), so it is printed beside it.
    awk -v a="${CPU[hydrant]}" -v f="${CPU[hydrant-flows]}" \
        'BEGIN { printf "all datasets cost %.2fx the CPU seconds of flows only (of the best-wall runs)\n", a / f }'
    awk -v h="${WALL[hydrant]}" -v t="${WALL[tshark]}" \
        'BEGIN { printf "hydrant (all datasets) vs tshark field extraction: %.1fx faster (target: at least 20x)\n", t / h }'
fi
