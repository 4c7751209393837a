#!/usr/bin/env python3
"""Where the bytes of a Parquet file go: compressed bytes per row of every column (summed over row groups), with
the encodings its chunks use, largest first, from the footer alone (pyarrow's ParquetFile metadata).

Usage: parquet_columns.py FILE [FILE...]
"""
import os
import sys

import pyarrow.parquet as pq


def main():
    for path in sys.argv[1:]:
        md = pq.ParquetFile(path).metadata
        rows = max(1, md.num_rows)
        sizes, encodings = {}, {}
        for g in range(md.num_row_groups):
            group = md.row_group(g)
            for i in range(group.num_columns):
                chunk = group.column(i)
                sizes[chunk.path_in_schema] = sizes.get(chunk.path_in_schema, 0) + chunk.total_compressed_size
                encodings.setdefault(chunk.path_in_schema, set()).update(chunk.encodings)
        total = os.path.getsize(path)
        print(f"{path}: {md.num_rows} rows, {total} bytes, {total / rows:.2f} bytes/row "
              f"(columns {sum(sizes.values()) / rows:.2f}, footer and magic {(total - sum(sizes.values())) / rows:.2f})")
        for name, size in sorted(sizes.items(), key=lambda item: -item[1]):
            print(f"  {name:36s} {size / rows:7.2f}  {','.join(sorted(encodings[name]))}")


if __name__ == "__main__":
    main()
