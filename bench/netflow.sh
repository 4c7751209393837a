#!/usr/bin/env bash
# NetFlow/IPFIX collector benchmark: the highest rate of flow records per second that `hydrant collect` receives
# with no datagram loss on loopback, beside nfdump's nfcapd receiving the same stream.
#
# bench/netflow_sender.py sends IPFIX (30 records per message, template re-sent every second) at each rate in
# RATES for SECONDS. Loss is the kernel's UDP receive-buffer drops (RcvbufErrors in /proc/net/snmp, machine-wide:
# run it on a quiet machine) during the run; for hydrant the records it wrote are counted too. Not a test: it
# reports numbers and fails only when a tool is missing or crashes.
#
# Usage: bench/netflow.sh
#        RATES="250000 500000 1000000 2000000" SECONDS_PER_RATE=5 bench/netflow.sh
#        HYDRANT_BIN=.build/debug/hydrant bench/netflow.sh      (defaults to a release build)
set -euo pipefail

cd "$(dirname "$0")/.."
RATES=${RATES:-"100000 250000 500000 1000000 1500000 2000000"}
DURATION=${SECONDS_PER_RATE:-5}
PORT=${PORT:-39955}
OUT=bench/out/netflow
mkdir -p "$OUT"

if [ -z "${HYDRANT_BIN:-}" ]; then
    swift build -c release --product hydrant >/dev/null
    HYDRANT_BIN=.build/release/hydrant
fi
command -v nfcapd >/dev/null || { echo "nfcapd (nfdump) is not installed" >&2; exit 1; }

rcvbuf_errors() { awk '/^Udp:/ { if (++n == 2) print $6 }' /proc/net/snmp; }

run_hydrant() {
    local rate=$1 before after sent written
    "$HYDRANT_BIN" collect --ipfix "$PORT" --host 127.0.0.1 -o /dev/null 2>"$OUT/hydrant.log" &
    local pid=$!
    sleep 1
    before=$(rcvbuf_errors)
    sent=$(python3 bench/netflow_sender.py 127.0.0.1 "$PORT" "$rate" "$DURATION")
    sleep 1
    after=$(rcvbuf_errors)
    kill -TERM "$pid"; wait "$pid" || true
    written=$(sed -n 's/^hydrant collect: [0-9]* datagrams, \([0-9]*\) flow records.*/\1/p' "$OUT/hydrant.log")
    echo "$sent $((after - before)) ${written:-0}"
}

run_nfcapd() {
    local rate=$1 before after sent
    rm -rf "$OUT/nfcapd"; mkdir -p "$OUT/nfcapd"
    nfcapd -p "$PORT" -b 127.0.0.1 -w "$OUT/nfcapd" -B 33554432 >"$OUT/nfcapd.log" 2>&1 &
    local pid=$!
    sleep 1
    before=$(rcvbuf_errors)
    sent=$(python3 bench/netflow_sender.py 127.0.0.1 "$PORT" "$rate" "$DURATION")
    sleep 1
    after=$(rcvbuf_errors)
    kill -TERM "$pid"; wait "$pid" || true
    echo "$sent $((after - before)) -"
}

printf '%-8s %12s %12s %10s %12s\n' tool "target rec/s" "sent rec/s" drops written
for tool in hydrant nfcapd; do
    best=0
    for rate in $RATES; do
        read -r sent drops written < <("run_$tool" "$rate")
        printf '%-8s %12d %12d %10d %12s\n' "$tool" "$rate" "$((sent / DURATION))" "$drops" "$written"
        if [ "$drops" -eq 0 ] && { [ "$written" = "-" ] || [ "$written" -ge "$sent" ]; }; then best=$((sent / DURATION)); fi
    done
    echo "$tool: highest loss-free rate $best flow records/s"
done
