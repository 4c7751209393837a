#!/usr/bin/env bash
# NetFlow/IPFIX collector benchmark: the highest rate of flow records per second that `hydrant collect` receives
# with no datagram loss on loopback, beside nfdump's nfcapd receiving the same stream.
#
# bench/netflow_sender.py sends IPFIX (30 records per message, template re-sent every second) at each rate in
# RATES for SECONDS; with SENDER=hydrant, `hydrant bench netflow-send` sends the same messages with sendmmsg, which
# reaches higher rates than the Python sender (about 2,000,000 records/s). Loss is the kernel's UDP receive-buffer drops (RcvbufErrors in /proc/net/snmp, machine-wide:
# run it on a quiet machine) during the run; for hydrant the records it wrote are counted too, and its own
# sockets' drop counter (the `drops` column of /proc/net/udp, printed in its summary) is reported beside the
# machine-wide one. CPU time (user+sys, from /usr/bin/time) of each receiver is reported per million records
# received, which is less noisy than the loss-free rate on a shared machine; before that, `hydrant bench netflow`
# reports the thread CPU time per record of decoding and encoding the same messages without sockets. Not a test:
# it reports numbers and fails only when a tool is missing or crashes.
#
# Usage: bench/netflow.sh
#        RATES="250000 500000 1000000 2000000" SECONDS_PER_RATE=5 bench/netflow.sh
#        HYDRANT_BIN=.build/debug/hydrant bench/netflow.sh      (defaults to a release build)
#        SENDER=hydrant RATES="2000000 3000000 4000000" bench/netflow.sh
#        SENDER=hydrant SENDER_BIN=.build-release/release/hydrant HYDRANT_BIN=/tmp/old-hydrant bench/netflow.sh
#                                          (the sender from another binary than the collector measured)
set -euo pipefail

cd "$(dirname "$0")/.."
RATES=${RATES:-"100000 250000 500000 1000000 1500000 2000000"}
DURATION=${SECONDS_PER_RATE:-5}
PORT=${PORT:-39955}
OUT=bench/out/netflow
mkdir -p "$OUT"

if [ -z "${HYDRANT_BIN:-}" ]; then
    swift build -c release --scratch-path .build-release --product hydrant >/dev/null
    HYDRANT_BIN=.build-release/release/hydrant
fi
command -v nfcapd >/dev/null || { echo "nfcapd (nfdump) is not installed" >&2; exit 1; }

SENDER=${SENDER:-python}

# Both receivers get the same socket receive buffer. nfcapd asks for NFCAPD_BUFFER with SO_RCVBUF, which the
# kernel caps at net.core.rmem_max and then doubles; hydrant is given that resulting size (it sets its buffer with
# SO_RCVBUFFORCE when it may, which is not capped, so without this it would get its default of 32 MiB beside
# nfcapd's 8 MiB on a machine with rmem_max at 4 MiB). The sizes actually set are read back from the sockets.
NFCAPD_BUFFER=${NFCAPD_BUFFER:-33554432}
rmem_max=$(cat /proc/sys/net/core/rmem_max)
BUFFER_MB=$(( 2 * (rmem_max < NFCAPD_BUFFER ? rmem_max : NFCAPD_BUFFER) >> 20 ))
[ "$BUFFER_MB" -ge 1 ] || BUFFER_MB=1
echo "socket receive buffer: ${BUFFER_MB} MiB for both (nfcapd -B $NFCAPD_BUFFER, net.core.rmem_max $rmem_max; hydrant --receive-buffer-mb $BUFFER_MB)"

# The receive buffer of the UDP socket bound to PORT, in bytes, as the kernel reports it (ss: skmem rb).
socket_buffer() { ss -uamn "sport = :$PORT" 2>/dev/null | sed -n 's/.*skmem:(r[0-9]*,rb\([0-9]*\),.*/\1/p' | head -n 1; }

# Sends at rate $1 for DURATION seconds and prints the flow records sent.
send_records() {
    if [ "$SENDER" = hydrant ]; then
        "${SENDER_BIN:-$HYDRANT_BIN}" bench netflow-send 127.0.0.1 "$PORT" --rate "$1" --seconds "$DURATION"
    else
        python3 bench/netflow_sender.py 127.0.0.1 "$PORT" "$1" "$DURATION"
    fi
}

rcvbuf_errors() { awk '/^Udp:/ { if (++n == 2) print $6 }' /proc/net/snmp; }

# Stops the program /usr/bin/time (process $1) runs: the signal goes to the program itself (time does not pass
# it on), then time reports and exits.
stop_timed() {
    local child
    child=$(pgrep -P "$1" | head -n 1)
    kill -TERM "${child:-$1}"; wait "$1" || true
}

# CPU seconds (user+sys) that /usr/bin/time wrote to $1.
cpu_seconds() { awk '{ printf "%.2f", $1 + $2 }' "$1"; }

run_hydrant() {
    local rate=$1 before after sent written own
    /usr/bin/time -f "%U %S" -o "$OUT/hydrant.time" \
        "$HYDRANT_BIN" collect --ipfix "$PORT" --host 127.0.0.1 --receive-buffer-mb "$BUFFER_MB" -o /dev/null \
        2>"$OUT/hydrant.log" &
    local pid=$!
    sleep 1
    socket_buffer >"$OUT/hydrant.rb"
    before=$(rcvbuf_errors)
    sent=$(send_records "$rate")
    sleep 1
    after=$(rcvbuf_errors)
    stop_timed "$pid"
    written=$(sed -n 's/^hydrant collect: [0-9]* datagrams, \([0-9]*\) flow records.*/\1/p' "$OUT/hydrant.log")
    own=$(sed -n 's/^  kernel drops (receive buffer full): \([0-9]*\)/\1/p' "$OUT/hydrant.log")
    echo "$sent $((after - before)) ${written:-0} ${own:--} $(cpu_seconds "$OUT/hydrant.time")"
}

run_nfcapd() {
    local rate=$1 before after sent
    rm -rf "$OUT/nfcapd"; mkdir -p "$OUT/nfcapd"
    /usr/bin/time -f "%U %S" -o "$OUT/nfcapd.time" \
        nfcapd -p "$PORT" -b 127.0.0.1 -w "$OUT/nfcapd" -B "$NFCAPD_BUFFER" >"$OUT/nfcapd.log" 2>&1 &
    local pid=$!
    sleep 1
    socket_buffer >"$OUT/nfcapd.rb"
    before=$(rcvbuf_errors)
    sent=$(send_records "$rate")
    sleep 1
    after=$(rcvbuf_errors)
    stop_timed "$pid"
    echo "$sent $((after - before)) - - $(cpu_seconds "$OUT/nfcapd.time")"
}

# CPU per record without sockets or pacing (decoding and JSON-lines encoding on one thread): the figure that
# stays comparable on a busy machine.
if "$HYDRANT_BIN" bench --help 2>/dev/null | grep -q "netflow"; then
    "$HYDRANT_BIN" bench netflow --records 3000000 --runs 3
    echo
fi

TOOLS=${TOOLS:-"hydrant nfcapd"}
printf '%-8s %12s %12s %10s %10s %12s %8s %14s\n' tool "target rec/s" "sent rec/s" drops "own drops" written "CPU s" "CPU s/M recv"
for tool in $TOOLS; do
    best=0
    for rate in $RATES; do
        read -r sent drops written own cpu < <("run_$tool" "$rate")
        # Per record received: what hydrant wrote, what was sent less the drops for nfcapd.
        received=$written; [ "$received" = "-" ] && received=$((sent - drops))
        per_million=$(awk -v c="$cpu" -v n="$received" 'BEGIN { if (n > 0) printf "%.2f", c * 1000000 / n; else print "-" }')
        printf '%-8s %12d %12d %10d %10s %12s %8s %14s\n' "$tool" "$rate" "$((sent / DURATION))" "$drops" "$own" "$written" "$cpu" "$per_million"
        if [ "$drops" -eq 0 ] && { [ "$written" = "-" ] || [ "$written" -ge "$sent" ]; }; then best=$((sent / DURATION)); fi
    done
    echo "$tool: highest loss-free rate $best flow records/s (socket receive buffer $(cat "$OUT/$tool.rb" 2>/dev/null || echo '?') bytes)"
done
