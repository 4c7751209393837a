#!/usr/bin/env bash
# Parquet benchmark: the same network.flow records written to Parquet by Hydrant and by pyarrow, with Snappy
# and with ZSTD, in the same run.
#
#   hydrant columns   `hydrant bench parquet`: an in-memory columnar table (values, offsets, validity) built
#                     before the clock, then the writer alone (like pyarrow's write_table)
#   hydrant convert   the same records from JSON lines through ParquetConverter: parsing, checking and writing,
#                     what a delivery stream with `format: parquet` does per object
#   pyarrow           bench/parquet_pyarrow.py: pyarrow.parquet.write_table from an in-memory Arrow table read
#                     (before the clock) from Hydrant's file, so both write the same rows, schema and types
#
# Same codec, same row-group size (ROW_GROUP_ROWS), dictionary encoding on for both. Each writer runs RUNS
# times; the best counts. Prints rows/s, bytes per row and the ratios Hydrant/pyarrow. Not a test: it never fails
# on a number. Ends with the per-column breakdown of the ZSTD files (bench/parquet_columns.py).
#
# Two tables: `full` (every column of the generated network.flow table) and `derived` (the same table without
# the three columns other columns determine: network.community_id, @timestamp, event.duration; what a stream
# with parquet.exclude_columns {network.flow: [those]} stores). pyarrow rewrites Hydrant's file of each table, so
# it writes the same reduced table. TABLES=full or TABLES=derived runs one of them.
#
# The records: `hydrant synth` (mixed scenario) then `hydrant replay --datasets flow`, the first FLOWS flows.
#
# Usage: bench/parquet.sh                                     (2,000,000 flows, release build)
#        FLOWS=500000 RUNS=5 bench/parquet.sh
#        HYDRANT_BIN=.build-release/release/hydrant bench/parquet.sh   (a release binary built elsewhere)
set -euo pipefail

cd "$(dirname "$0")/.."
FLOWS=${FLOWS:-2000000}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
ROW_GROUP_ROWS=${ROW_GROUP_ROWS:-1048576}
TABLES=${TABLES:-full derived}
OUT=bench/out
mkdir -p "$OUT"

python3 -c 'import pyarrow' 2>/dev/null || python3 -m pip install -q pyarrow

if [[ -n "${HYDRANT_BIN:-}" ]]; then
    HYDRANT=$HYDRANT_BIN
else
    swift build -c release --scratch-path .build-release --product hydrant >&2
    HYDRANT=$(swift build -c release --scratch-path .build-release --show-bin-path)/hydrant
fi

# --- input: enough synthetic traffic for FLOWS flows ---------------------------------------------------------
FLOWFILE=$OUT/flows-$FLOWS-seed$SEED.jsonl
if [[ ! -s $FLOWFILE ]]; then
    # The mixed scenario yields about one flow per 20 packets; the capture is piped, never stored (it would be
    # tens of GB for 2,000,000 flows).
    packets=$((FLOWS * 22))
    while true; do
        "$HYDRANT" synth --scenario mixed --packets "$packets" --seed "$SEED" -o - 2>/dev/null \
            | "$HYDRANT" replay - --datasets flow -o "$OUT/all-flows.jsonl" 2>/dev/null
        have=$(wc -l < "$OUT/all-flows.jsonl")
        if ((have >= FLOWS)); then break; fi
        echo "bench: $packets packets gave $have flows; trying more" >&2
        packets=$((packets * FLOWS / (have + 1) + packets / 10))
    done
    head -n "$FLOWS" "$OUT/all-flows.jsonl" > "$FLOWFILE.tmp"
    mv "$FLOWFILE.tmp" "$FLOWFILE"
    rm -f "$OUT/all-flows.jsonl"
fi
echo "input: $(wc -l < "$FLOWFILE") network.flow records, $(stat -c %s "$FLOWFILE") bytes of JSON lines"

value() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

printf '\n%-8s %-8s %-16s %12s %12s %10s\n' table codec writer rows/s bytes bytes/row
for table in $TABLES; do
    case $table in
        full) exclude=(); suffix="" ;;
        derived) exclude=(--exclude-columns derived); suffix="-derived" ;;
        *) echo "bench: unknown table $table (full, derived)" >&2; exit 2 ;;
    esac
    for codec in snappy zstd; do
        hydrant_out=$("$HYDRANT" bench parquet --input "$FLOWFILE" --codec "$codec" --row-group-rows "$ROW_GROUP_ROWS" \
            --runs "$RUNS" "${exclude[@]}" --output "$OUT/hydrant-$codec$suffix.parquet")
        hydrant_result=$(grep '^RESULT' <<<"$hydrant_out")
        pyarrow_result=$(python3 bench/parquet_pyarrow.py "$OUT/hydrant-$codec$suffix.parquet" \
            "$OUT/pyarrow-$codec$suffix.parquet" "$codec" "$ROW_GROUP_ROWS" "$RUNS" | grep '^RESULT')
        rows=$(value rows "$hydrant_result")
        h_rate=$(value columns_rows_per_s "$hydrant_result")
        h_bytes=$(value bytes "$hydrant_result")
        c_rate=$(value convert_rows_per_s "$hydrant_result")
        p_rate=$(value rows_per_s "$pyarrow_result")
        p_bytes=$(value bytes "$pyarrow_result")
        p_cpu=$(value cpu_s "$pyarrow_result")
        h_cpu=$(value columns_cpu_s "$hydrant_result")
        printf '%-8s %-8s %-16s %12s %12s %10.2f   (cpu %s s)\n' "$table" "$codec" "hydrant columns" "$h_rate" "$h_bytes" \
            "$(bc -l <<<"$h_bytes / $rows")" "$h_cpu"
        printf '%-8s %-8s %-16s %12s %12s %10s\n' "$table" "$codec" "hydrant convert" "$c_rate" "" "(from JSON)"
        printf '%-8s %-8s %-16s %12s %12s %10.2f   (cpu %s s)\n' "$table" "$codec" "pyarrow" "$p_rate" "$p_bytes" \
            "$(bc -l <<<"$p_bytes / $rows")" "$p_cpu"
        printf '%-8s %-8s speed hydrant/pyarrow %.2fx wall, %.2fx cpu (target >= 1), size hydrant/pyarrow %.3fx (target <= 1.1)\n' \
            "$table" "$codec" "$(bc -l <<<"$h_rate / $p_rate")" "$(bc -l <<<"$p_cpu / $h_cpu")" \
            "$(bc -l <<<"$h_bytes / $p_bytes")"
    done
done
echo "target: under 30 bytes per flow with zstd"
echo
echo "where the bytes go (zstd; compressed bytes per row of each column, page headers included):"
for table in $TABLES; do
    suffix=$([[ $table == derived ]] && echo "-derived" || true)
    python3 bench/parquet_columns.py "$OUT/hydrant-zstd$suffix.parquet" "$OUT/pyarrow-zstd$suffix.parquet"
done
