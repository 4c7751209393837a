#!/usr/bin/env python3
"""The pyarrow side of bench/parquet.sh.

Reads the Parquet file Hydrant wrote (so both writers get exactly the same rows, schema and types) into an
in-memory Arrow table before the clock starts, then times pyarrow.parquet.write_table with the same codec,
row-group size and dictionary encoding, RUNS times; the best counts (wall clock, and the process's CPU time, which
a shared machine disturbs less). Prints one RESULT line.

Usage: parquet_pyarrow.py HYDRANT_FILE OUTPUT CODEC ROW_GROUP_ROWS RUNS
"""
import os
import sys
import time

import pyarrow.parquet as pq


def main():
    source, output, codec, row_group_rows, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    table = pq.read_table(source)
    table = table.combine_chunks()
    compression = "NONE" if codec == "none" else codec.upper()
    best = float("inf")
    best_cpu = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        started_cpu = time.process_time()
        pq.write_table(table, output, compression=compression, row_group_size=row_group_rows, use_dictionary=True)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    size = os.path.getsize(output)
    rows = table.num_rows
    print(f"RESULT rows={rows} codec={codec} seconds={best:.4f} rows_per_s={rows / best:.0f} bytes={size} "
          f"cpu_s={best_cpu:.4f} cpu_rows_per_s={rows / best_cpu:.0f}")


if __name__ == "__main__":
    main()
